"""Bringing a commune's household list in from Excel: one row per person, all or nothing.

A commune keeps its households in a spreadsheet. `import_plan` reads one (through the safe
workbook reader), checks every row with the registry's own rules, and says what importing it would
do: households and members to create, to update and to leave as they are, the households of the
commune that the file does not mention (listed, never deleted) and every row error in Vietnamese,
naming sheet, row, column and rule. `import_apply` writes a plan without errors in one transaction,
audited; a plan with one error writes nothing.

Households are matched by their number in the commune (Mã hộ), members by citizen ID, else by
name and year of birth: importing the same file twice changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.scoping import changeable_units
from accounts.services import audit_event
from areas.models import AdminUnit
from core.audit import audit_diff
from core.text import clean_text
from core.workbooks import SheetRow, open_workbook
from survey.engine.facts import EDUCATION_LEVELS, EMPLOYMENT_STATUSES

from .citizen_id import citizen_id_errors, normalize_citizen_id
from .ethnicity import ETHNIC_GROUPS
from .models import Household, Member
from .text import normalize_name, search_key


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""


COLUMNS = [
    Column("number", "Mã hộ", True, "Số của hộ trong sổ của xã; các dòng cùng mã là một hộ"),
    Column("village", "Thôn", True, "Tên hoặc mã thôn / tổ dân phố đã có trong xã"),
    Column("full_name", "Họ và tên", True),
    Column("relationship", "Quan hệ với chủ hộ", True, "Chủ hộ, Vợ, Chồng, Con, Bố, Mẹ, Ông, Bà…"),
    Column("sex", "Giới tính", True, "Nam hoặc Nữ"),
    Column("birth", "Ngày sinh", True, "Ngày (dd/mm/yyyy) hoặc chỉ năm sinh"),
    Column("citizen_id", "Số CCCD", False, "12 chữ số, để trống nếu chưa có"),
    Column("ethnicity", "Dân tộc", True, "Tên dân tộc (Kinh, Tày, Mường…) hoặc mã 2 chữ số"),
    Column("address", "Địa chỉ", False, "Ghi ở dòng chủ hộ"),
    Column("phone", "Số điện thoại", False),
    Column("has_health_insurance", "Có thẻ BHYT", False, "Có / Không"),
    Column("in_school", "Đang đi học", False, "Có / Không"),
    Column(
        "education",
        "Trình độ học vấn",
        False,
        "Chưa tốt nghiệp tiểu học, Tiểu học, THCS, THPT, Sơ cấp/Trung cấp nghề, Cao đẳng trở lên",
    ),
    Column(
        "employment",
        "Việc làm",
        False,
        "Không làm việc (đi học, nội trợ, nghỉ hưu…), Thất nghiệp, Làm công có hợp đồng, "
        "Làm công không hợp đồng, Tự làm",
    ),
    Column("disabled", "Khuyết tật", False, "Có / Không"),
    Column("monthly_social_allowance", "Trợ cấp xã hội hằng tháng", False, "Số đồng mỗi tháng"),
    Column("is_person_of_merit", "Người có công", False, "Có / Không"),
    Column(
        "previous_class",
        "Phân loại năm trước",
        False,
        "Hộ nghèo, Hộ cận nghèo hoặc để trống, ở dòng chủ hộ: danh sách đã phê duyệt năm trước",
    ),
]
BY_HEADER = {search_key(c.header): c for c in COLUMNS}
RELATIONSHIPS = {
    "chu ho": Member.Relationship.HEAD,
    "vo": Member.Relationship.SPOUSE,
    "chong": Member.Relationship.SPOUSE,
    "vo chong": Member.Relationship.SPOUSE,
    "con": Member.Relationship.CHILD,
    "con de": Member.Relationship.CHILD,
    "con nuoi": Member.Relationship.CHILD,
    "bo": Member.Relationship.PARENT,
    "me": Member.Relationship.PARENT,
    "cha": Member.Relationship.PARENT,
    "bo me": Member.Relationship.PARENT,
    "ong": Member.Relationship.GRANDPARENT,
    "ba": Member.Relationship.GRANDPARENT,
    "chau": Member.Relationship.GRANDCHILD,
    "anh": Member.Relationship.SIBLING,
    "chi": Member.Relationship.SIBLING,
    "em": Member.Relationship.SIBLING,
    "con dau": Member.Relationship.IN_LAW,
    "con re": Member.Relationship.IN_LAW,
    "khac": Member.Relationship.OTHER,
}
SEXES = {"nam": Member.Sex.MALE, "nu": Member.Sex.FEMALE}
PREVIOUS_CLASSES = {
    "ho ngheo": "poor",
    "ngheo": "poor",
    "ho can ngheo": "near_poor",
    "can ngheo": "near_poor",
}
YES = {"co", "x", "1", "yes", "dung"}
NO = {"khong", "0", "no", "", "sai"}
ETHNICITY = {search_key(name): code for code, name in ETHNIC_GROUPS} | {
    code: code for code, _name in ETHNIC_GROUPS
}
# The catalogue's own labels, and the short words officers write in their spreadsheets.
EDUCATION = {search_key(label): key for key, label in EDUCATION_LEVELS.items()} | {
    "chua tot nghiep tieu hoc": "none",
    "khong": "none",
    "mu chu": "none",
    "tieu hoc": "primary",
    "cap 1": "primary",
    "thcs": "lower_secondary",
    "trung hoc co so": "lower_secondary",
    "cap 2": "lower_secondary",
    "thpt": "upper_secondary",
    "trung hoc pho thong": "upper_secondary",
    "cap 3": "upper_secondary",
    "so cap": "vocational",
    "trung cap": "vocational",
    "nghe": "vocational",
    "cao dang": "college_plus",
    "dai hoc": "college_plus",
}
EMPLOYMENT = {search_key(label): key for key, label in EMPLOYMENT_STATUSES.items()} | {
    "khong lam viec": "not_working",
    "khong tham gia lao dong": "not_working",
    "di hoc": "not_working",
    "noi tro": "not_working",
    "nghi huu": "not_working",
    "that nghiep": "unemployed",
    "lam cong co hop dong": "wage_with_contract",
    "co hop dong": "wage_with_contract",
    "lam cong khong hop dong": "wage_without_contract",
    "khong hop dong": "wage_without_contract",
    "lam thue": "wage_without_contract",
    "tu lam": "self_employed",
    "lam ruong": "self_employed",
    "buon ban": "self_employed",
}
MEMBER_VALUES = (
    "full_name",
    "relationship",
    "sex",
    "birth_date",
    "birth_year",
    "citizen_id",
    "ethnicity",
    "has_health_insurance",
    "in_school",
    "education",
    "employment",
    "disabled",
    "monthly_social_allowance",
    "is_person_of_merit",
)


HEAD = Member.Relationship.HEAD
HEAD_COLUMN = "Quan hệ với chủ hộ"


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Trang %(s)s, dòng %(r)d") % {"s": self.sheet, "r": self.row}
        if self.column:
            where += _(", cột “%(c)s”") % {"c": self.column}
        return f"{where}: {self.message}"


@dataclass
class PersonRow:
    row: int
    values: dict[str, Any]


@dataclass
class HouseholdRows:
    number: str
    village: AdminUnit
    address: str
    phone: str
    people: list[PersonRow] = field(default_factory=list)
    previous_class: str = ""  # poor / near_poor on last year's approved list, from the head's row
    # Filled by the comparison with what is saved: the household (None: new), whether anything
    # differs, and its present members by their matching key.
    saved: Household | None = None
    changed: bool = True
    known: dict[tuple[str, ...], Member] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What importing the file would do; `errors` empty means it can be applied."""

    commune: AdminUnit
    households: list[HouseholdRows] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    households_new: int = 0
    households_changed: int = 0
    households_same: int = 0
    members_new: int = 0
    members_changed: int = 0
    members_same: int = 0
    absent: list[Household] = field(default_factory=list)
    rows: int = 0
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def baseline(self) -> list[tuple[str, str]]:
        """Household numbers and their class on last year's approved list, as the file says."""
        return [(g.number, g.previous_class) for g in self.households if g.previous_class]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def _flag(value: Any) -> bool | None:
    key = search_key(_text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def _birth(value: Any) -> tuple[date | None, int | None] | None:
    if isinstance(value, datetime):
        return value.date(), value.year
    if isinstance(value, date):
        return value, value.year
    text = _text(value)
    if text.isdigit() and len(text) == 4:
        return None, int(text)
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day, day.year
    return None


def _villages(commune: AdminUnit) -> dict[str, AdminUnit]:
    found: dict[str, AdminUnit] = {}
    for village in AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE):
        if village.is_active:
            found[search_key(village.name)] = village
            found[search_key(village.code)] = village
            # "1" or "Thôn 1" both name Thôn 1.
            found.setdefault(search_key(village.name.split()[-1]), village)
    return found


class _Reader:
    """Turns the sheet's rows into household groups, collecting every error on the way."""

    def __init__(self, commune: AdminUnit) -> None:
        self.commune = commune
        self.sheet = ""
        self.villages = _villages(commune)
        self.errors: list[RowError] = []
        self.groups: dict[str, HouseholdRows] = {}
        self.rows = 0

    def error(self, row: SheetRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.sheet, row.number, column, message))

    def header(self, row: SheetRow) -> dict[int, Column] | None:
        keys = [search_key(_text(v).rstrip("* ")) for v in row.values]
        found = {i: BY_HEADER[key] for i, key in enumerate(keys) if key in BY_HEADER}
        if "number" not in {c.key for c in found.values()}:
            return None
        missing = [c.header for c in COLUMNS if c.required and c not in found.values()]
        for header in missing:
            self.error(row, header, _("Thiếu cột bắt buộc này ở dòng tiêu đề."))
        return found

    def person(self, row: SheetRow, columns: dict[int, Column]) -> None:
        raw = {c.key: row.values[i] if i < len(row.values) else None for i, c in columns.items()}
        if all(_text(v) == "" for v in raw.values()):
            return
        self.rows += 1
        bad = len(self.errors)
        values: dict[str, Any] = {}
        for column in COLUMNS:
            if column.required and column.key in raw and _text(raw[column.key]) == "":
                self.error(row, column.header, _("Ô bắt buộc đang trống."))
        number = _text(raw.get("number"))
        village = self.villages.get(search_key(_text(raw.get("village"))))
        if _text(raw.get("village")) and village is None:
            self.error(
                row,
                "Thôn",
                _("Không có thôn “%(v)s” trong %(c)s: thêm thôn trước hoặc sửa tên cho khớp.")
                % {"v": _text(raw.get("village")), "c": self.commune.name},
            )
        values["full_name"] = normalize_name(_text(raw.get("full_name")))
        relationship = RELATIONSHIPS.get(search_key(_text(raw.get("relationship"))))
        if _text(raw.get("relationship")) and relationship is None:
            self.error(row, "Quan hệ với chủ hộ", _("Không hiểu quan hệ với chủ hộ này."))
        values["relationship"] = relationship
        sex = SEXES.get(search_key(_text(raw.get("sex"))))
        if _text(raw.get("sex")) and sex is None:
            self.error(row, "Giới tính", _("Giới tính phải là Nam hoặc Nữ."))
        values["sex"] = sex
        birth = _birth(raw.get("birth")) if _text(raw.get("birth")) else (None, None)
        if birth is None:
            self.error(row, "Ngày sinh", _("Không đọc được ngày sinh: ghi dd/mm/yyyy hoặc năm."))
            birth = (None, None)
        values["birth_date"], values["birth_year"] = birth
        today = timezone.localdate()
        if values["birth_date"] and values["birth_date"] > today:
            self.error(row, "Ngày sinh", _("Ngày sinh không được sau hôm nay."))
        elif values["birth_year"] and not 1900 <= values["birth_year"] <= today.year:
            self.error(row, "Ngày sinh", _("Năm sinh phải từ 1900 đến %(y)d.") % {"y": today.year})
        cid = normalize_citizen_id(_text(raw.get("citizen_id")))
        values["citizen_id"] = cid or None
        if cid:
            for problem in citizen_id_errors(cid, sex=sex, birth_year=values["birth_year"]):
                self.error(row, "Số CCCD", problem)
        ethnicity = ETHNICITY.get(search_key(_text(raw.get("ethnicity"))))
        if _text(raw.get("ethnicity")) and ethnicity is None:
            self.error(row, "Dân tộc", _("Không có dân tộc này trong danh mục 54 dân tộc."))
        values["ethnicity"] = ethnicity
        for key in ("has_health_insurance", "in_school", "disabled", "is_person_of_merit"):
            if key in raw:
                flag = _flag(raw[key])
                if flag is None:
                    header = next(c.header for c in COLUMNS if c.key == key)
                    self.error(row, header, _("Ghi Có hoặc Không."))
                values[key] = bool(flag)
        for key, table in (("education", EDUCATION), ("employment", EMPLOYMENT)):
            if key in raw and _text(raw[key]):
                choice = table.get(search_key(_text(raw[key])))
                if choice is None:
                    header = next(c.header for c in COLUMNS if c.key == key)
                    self.error(row, header, _("Giá trị không có trong danh mục của cột này."))
                values[key] = choice
        if "monthly_social_allowance" in raw:
            amount = _text(raw["monthly_social_allowance"]).replace(".", "").replace(" ", "")
            if amount and not amount.isdigit():
                self.error(row, "Trợ cấp xã hội hằng tháng", _("Ghi số đồng, ví dụ 500.000."))
            values["monthly_social_allowance"] = int(amount) if amount.isdigit() else 0
        if len(self.errors) > bad or village is None or not number:
            return
        group = self.groups.get(number)
        if group is None:
            group = self.groups[number] = HouseholdRows(
                number=number,
                village=village,
                address=normalize_name(_text(raw.get("address"))),
                phone=_text(raw.get("phone")),
            )
        elif group.village != village:
            self.error(row, "Thôn", _("Cùng mã hộ %(n)s nhưng khác thôn.") % {"n": number})
            return
        if relationship == Member.Relationship.HEAD and _text(raw.get("address")):
            group.address = normalize_name(_text(raw.get("address")))
        previous = _text(raw.get("previous_class"))
        if previous:
            cls = PREVIOUS_CLASSES.get(search_key(previous))
            if cls is None:
                self.error(
                    row, "Phân loại năm trước", _("Ghi Hộ nghèo, Hộ cận nghèo hoặc để trống.")
                )
            elif group.previous_class and group.previous_class != cls:
                self.error(row, "Phân loại năm trước", _("Khác với dòng trước của cùng hộ."))
            else:
                group.previous_class = cls
        group.people.append(PersonRow(row.number, values))


def import_plan(
    *, actor: User | None, commune: AdminUnit, file: IO[bytes], name: str
) -> ImportPlan:
    """Read and check a household list for `commune`; nothing is written.

    `actor` None is the command line run without --user (it reaches every commune)."""
    if commune.level != AdminUnit.Level.COMMUNE:
        raise PermissionDenied
    if actor is not None and not (
        actor.is_admin or changeable_units(actor).filter(parent=commune).exists()
    ):
        raise PermissionDenied
    reader = _Reader(commune)
    with open_workbook(file, name=name) as workbook:
        sheet = reader.sheet = workbook.sheet_names[0]
        columns = None
        for row in workbook.rows(sheet):
            if columns is None:
                columns = reader.header(row)
                continue
            reader.person(row, columns)
    plan = ImportPlan(commune=commune, errors=reader.errors, rows=reader.rows, sheet=reader.sheet)
    if columns is None:
        plan.errors.append(
            RowError(sheet, 1, "Mã hộ", _("Không tìm thấy dòng tiêu đề có cột “Mã hộ”."))
        )
        return plan
    _check_households(reader, plan)
    if plan.ok:
        _compare(plan)
    return plan


def _check_households(reader: _Reader, plan: ImportPlan) -> None:
    """One head per household; a citizen ID once in the file and not present elsewhere."""
    sheet = reader.sheet
    seen: dict[str, tuple[str, int]] = {}
    for group in reader.groups.values():
        heads = [p for p in group.people if p.values["relationship"] == Member.Relationship.HEAD]
        first = group.people[0].row
        if not heads:
            plan.errors.append(
                RowError(
                    sheet,
                    first,
                    "Quan hệ với chủ hộ",
                    _("Hộ %(n)s không có chủ hộ.") % {"n": group.number},
                )
            )
        for extra in heads[1:]:
            plan.errors.append(
                RowError(
                    sheet,
                    extra.row,
                    "Quan hệ với chủ hộ",
                    _("Hộ %(n)s có hai chủ hộ.") % {"n": group.number},
                )
            )
        for person in group.people:
            cid: str | None = person.values["citizen_id"]
            if not cid:
                continue
            if cid in seen:
                plan.errors.append(
                    RowError(
                        sheet,
                        person.row,
                        "Số CCCD",
                        _("Số CCCD trùng với dòng %(r)d.") % {"r": seen[cid][1]},
                    )
                )
            else:
                seen[cid] = (group.number, person.row)
    if seen:
        # A citizen ID present in another household (of any commune) than the one this row is in.
        elsewhere = Member.objects.filter(
            citizen_id__in=list(seen), status=Member.Status.PRESENT
        ).exclude(household__commune=plan.commune, household__number__in=list(reader.groups))
        taken = {str(c): n for c, n in elsewhere.values_list("citizen_id", "household__number")}
        same_commune_moves = Member.objects.filter(
            citizen_id__in=list(seen),
            status=Member.Status.PRESENT,
            household__commune=plan.commune,
        ).values_list("citizen_id", "household__number")
        for other, number in same_commune_moves:
            if seen[str(other)][0] != number:
                taken[str(other)] = number
        for other in taken:
            plan.errors.append(
                RowError(
                    sheet,
                    seen[other][1],
                    "Số CCCD",
                    _("Số CCCD này đã có ở một thành viên đang sống trong hộ khác."),
                )
            )
    plan.errors.sort(key=lambda e: (e.row, e.column))
    plan.households = list(reader.groups.values())


def _head_row(group: HouseholdRows) -> PersonRow | None:
    return next((p for p in group.people if p.values["relationship"] == HEAD), None)


def _member_keys(values: dict[str, Any]) -> list[tuple[str, ...]]:
    """The keys a person is known by: the citizen ID when there is one, and name with year."""
    keys: list[tuple[str, ...]] = [
        ("name", search_key(values["full_name"]), str(values["birth_year"]))
    ]
    if values.get("citizen_id"):
        keys.insert(0, ("cid", values["citizen_id"]))
    return keys


def _match(known: dict[tuple[str, ...], Member], values: dict[str, Any]) -> Member | None:
    """The saved member a row is: by citizen ID, else by name and year of birth (a row without
    the ID, or a member saved without one, is still the same person)."""
    for key in _member_keys(values):
        member = known.get(key)
        if member is not None:
            if key[0] == "name" and values.get("citizen_id") and member.citizen_id:
                continue  # both have an ID and they differ: not the same person
            return member
    return None


def _existing(commune: AdminUnit, numbers: Iterable[str]) -> dict[str, Household]:
    return {
        h.number: h
        for h in Household.objects.filter(commune=commune, number__in=list(numbers))
        .select_related("village")
        .order_by("id")
    }


def _compare(plan: ImportPlan) -> None:
    existing = _existing(plan.commune, [g.number for g in plan.households])
    members: dict[int, dict[tuple[str, ...], Member]] = {}
    for member in Member.objects.filter(
        household__in=existing.values(), status=Member.Status.PRESENT
    ):
        values = {f: getattr(member, f) for f in MEMBER_VALUES}
        for key in _member_keys(values):
            members.setdefault(member.household_id, {})[key] = member
    for group in plan.households:
        household = existing.get(group.number)
        group.saved, group.changed = household, True
        if household is None:
            plan.households_new += 1
            plan.members_new += len(group.people)
            continue
        changed = bool(_household_changes(household, group))
        known = group.known = members.get(household.pk, {})
        head = _head_row(group)
        now_head = next((m for m in known.values() if m.relationship == HEAD), None)
        if head and now_head is not None and _match(known, head.values) is not now_head:
            plan.errors.append(
                RowError(
                    plan.sheet,
                    head.row,
                    "Quan hệ với chủ hộ",
                    _(
                        "Hộ %(n)s đang có chủ hộ %(h)s trên phần mềm: đổi chủ hộ hãy làm ở trang "
                        "của hộ, rồi nhập lại tệp."
                    )
                    % {"n": group.number, "h": now_head.full_name},
                )
            )
        for person in group.people:
            match = _match(known, person.values)
            if match is None:
                plan.members_new += 1
                changed = True
            elif audit_diff(match, _member_values(person)):
                plan.members_changed += 1
                changed = True
            else:
                plan.members_same += 1
        group.changed = changed
        if changed:
            plan.households_changed += 1
        else:
            plan.households_same += 1
    plan.absent = list(
        Household.objects.filter(commune=plan.commune, status=Household.Status.ACTIVE)
        .exclude(number__in=[g.number for g in plan.households])
        .select_related("village")
        .order_by("village__code", "number", "head_name_key")
    )


def _household_changes(household: Household, group: HouseholdRows) -> dict[str, list[Any]]:
    values: dict[str, Any] = {"village": group.village}
    if group.address:
        values["address"] = group.address
    if group.phone:
        values["phone"] = group.phone
    return audit_diff(household, values)


def _member_values(person: PersonRow) -> dict[str, Any]:
    return {k: v for k, v in person.values.items() if k in MEMBER_VALUES and v is not None}


@transaction.atomic
def import_apply(*, actor: User | None, plan: ImportPlan) -> ImportPlan:
    """Write a checked plan: create and update households and members, all or nothing, audited.

    The plan is compared again inside the transaction, so a change made since the preview is
    taken into account rather than overwritten blindly.
    """
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    _compare(_reset(plan))
    if not plan.ok:  # the saved list changed since the preview (a new head, for one)
        raise ValueError("the plan has errors since the preview")
    events: list[AuditEvent] = []
    new_households = []
    for group in plan.households:
        household = group.saved
        if household is not None and not group.changed:
            continue
        if household is None:
            household = Household(
                commune=plan.commune,
                village=group.village,
                number=group.number,
                address=group.address or group.village.name,
                phone=group.phone,
                created_by=actor,
            )
            new_households.append((household, group))
            continue
        changes = _household_changes(household, group)
        if changes:
            values = {n: group.village if n == "village" else getattr(group, n) for n in changes}
            events.append(
                _save_changes(actor, household, values, changes, "household_import_update", group)
            )
        _apply_members(actor, household, group, events)
    Household.objects.bulk_create([h for h, _g in new_households], batch_size=1000)
    new_members = []
    for household, group in new_households:
        for person in group.people:
            member = Member(household=household, **_member_values(person))
            member.name_key = search_key(member.full_name)
            new_members.append(member)
        head = _head_row(group)
        assert head is not None  # checked before: every household has one head
        household.head_name = head.values["full_name"]
        household.head_name_key = search_key(household.head_name)
        events.append(
            audit_event(
                actor=actor,
                action="household_import",
                target=household,
                unit=group.village,
                changes={"village": group.village.code, "members": len(group.people)},
            )
        )
    Member.objects.bulk_create(new_members, batch_size=2000)
    Household.objects.bulk_update(
        [h for h, _g in new_households], ["head_name", "head_name_key"], batch_size=1000
    )
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return plan


def _reset(plan: ImportPlan) -> ImportPlan:
    plan.households_new = plan.households_changed = plan.households_same = 0
    plan.members_new = plan.members_changed = plan.members_same = 0
    return plan


def _save_changes(
    actor: User | None,
    obj: Household | Member,
    values: dict[str, Any],
    changes: dict[str, list[Any]],
    action: str,
    group: HouseholdRows,
) -> AuditEvent:
    """Write the changed fields of a saved household or member (its version moves on, as every
    edit's does) and return its audit row, for the caller to insert with the others."""
    for name in changes:
        setattr(obj, name, values[name])
    obj.version += 1
    extra = ["name_key"] if isinstance(obj, Member) else []
    obj.save(update_fields=[*changes, *extra, "version", "updated_at"])
    return audit_event(actor=actor, action=action, target=obj, unit=group.village, changes=changes)


def _apply_members(
    actor: User | None, household: Household, group: HouseholdRows, events: list[AuditEvent]
) -> None:
    known = group.known
    for person in group.people:
        values = _member_values(person)
        member = _match(known, person.values)
        if member is None:
            member = Member(household=household, **values)
            member.name_key = search_key(member.full_name)
            member.save()
            events.append(
                audit_event(
                    actor=actor,
                    action="member_import",
                    target=member,
                    unit=group.village,
                    changes=audit_diff(Member(), values),
                )
            )
            continue
        changes = audit_diff(member, values)
        if changes:
            member.name_key = search_key(values.get("full_name", member.full_name))
            events.append(
                _save_changes(actor, member, values, changes, "member_import_update", group)
            )
    head = _head_row(group)
    if head and household.head_name != head.values["full_name"]:
        household.head_name = head.values["full_name"]
        household.head_name_key = search_key(household.head_name)
        household.save(update_fields=["head_name", "head_name_key", "updated_at"])


def import_template() -> bytes:
    """The workbook an officer fills: the columns, a sample household, and a sheet of guidance."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sach ho"
    sheet.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sample = [
        ["0001", "Thôn 1", "Nguyễn Văn An", "Chủ hộ", "Nam", "15/03/1970", "", "Kinh",
         "Xóm 1, Thôn 1", "0912345678", "Có", "Không", "THCS", "Tự làm", "Không", 0,
         "Không"],
        ["0001", "Thôn 1", "Trần Thị Bình", "Vợ", "Nữ", "1975", "", "Kinh", "", "", "Có",
         "Không", "Tiểu học", "Tự làm", "Không", 0, "Không"],
    ]  # fmt: skip
    for row in sample:
        sheet.append(row)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) + 4)
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Huong dan")
    guide.append(["Cột", "Bắt buộc", "Cách ghi"])
    for column in COLUMNS:
        guide.append([column.header, "Có" if column.required else "", column.hint])
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["C"].width = 90
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
