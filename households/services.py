"""Named services over households and members. Each checks scope, writes atomically and audits."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import changeable_units
from accounts.services import audit_record
from areas.models import AdminUnit
from core.audit import audit_diff
from core.locking import version_bump

from .citizen_id import citizen_id_errors, normalize_citizen_id
from .models import Household, Member
from .selectors import households_changeable, households_fillable
from .text import normalize_name, search_key

# What a form may set on a member; everything else is the services' business.
MEMBER_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity",
    "relationship",
    "citizen_id",
    "is_person_of_merit",
    "has_health_insurance",
    "in_school",
    "at_age_appropriate_level",
    "education",
    "trained_by_employer",
    "employment",
    "disabled",
    "monthly_social_allowance",
    "malnourished",
    "ill_without_treatment",
    "uses_telecom",
)
HOUSEHOLD_FIELDS = ("number", "address", "phone")


def _check_village(actor: User, village: AdminUnit) -> None:
    if village.level != AdminUnit.Level.VILLAGE or not village.is_active:
        raise ValidationError({"village": _("Hãy chọn một thôn / tổ dân phố đang hoạt động.")})
    if not changeable_units(actor).filter(pk=village.pk).exists():
        raise PermissionDenied


def _check_household(actor: User, household: Household) -> None:
    if not households_changeable(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    if not household.is_active:
        raise ValidationError(_("Hộ này không còn cư trú: không sửa được."))


def _check_member_facts(actor: User, household: Household) -> None:
    """Correcting a present member's facts: also surveyors and village heads of the village."""
    if not households_fillable(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    if not household.is_active:
        raise ValidationError(_("Hộ này không còn cư trú: không sửa được."))


def _clean_member(values: Mapping[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    unknown = set(values) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"unknown member fields: {sorted(unknown)}")
    data = dict(values)
    errors: dict[str, list[str]] = {}
    if "full_name" in data:
        data["full_name"] = normalize_name(data["full_name"])
        if not data["full_name"]:
            errors["full_name"] = [_("Hãy nhập họ và tên.")]
    birth_date = data.get("birth_date")
    if birth_date is not None:
        if birth_date > timezone.localdate():
            errors["birth_date"] = [_("Ngày sinh không được sau hôm nay.")]
        if not data.get("birth_year"):
            data["birth_year"] = birth_date.year
        elif data["birth_year"] != birth_date.year:
            errors["birth_year"] = [_("Năm sinh không khớp ngày sinh.")]
    year = data.get("birth_year")
    this_year = timezone.localdate().year
    if year is not None and not 1900 <= year <= this_year:
        errors["birth_year"] = [_("Năm sinh phải từ 1900 đến %(y)d.") % {"y": this_year}]
    raw_id = data.get("citizen_id")
    if raw_id:
        cid = normalize_citizen_id(raw_id)
        data["citizen_id"] = cid
        problems = citizen_id_errors(cid, sex=data.get("sex"), birth_year=year)
        if not problems:
            taken = Member.objects.filter(citizen_id=cid, status=Member.Status.PRESENT)
            if exclude_pk is not None:
                taken = taken.exclude(pk=exclude_pk)
            if taken.exists():
                problems = [_("Số CCCD này đã có ở một thành viên đang sống trong hộ khác.")]
        if problems:
            errors["citizen_id"] = problems
    elif "citizen_id" in data:
        data["citizen_id"] = None
    if errors:
        raise ValidationError(errors)
    return data


def _refresh_head_name(household: Household) -> None:
    head = household.members.filter(
        relationship=Member.Relationship.HEAD, status=Member.Status.PRESENT
    ).first()
    name = head.full_name if head else ""
    if household.head_name != name:
        household.head_name, household.head_name_key = name, search_key(name)
        household.save(update_fields=["head_name", "head_name_key", "updated_at"])


def _save_member(member: Member) -> None:
    is_head = member.relationship == Member.Relationship.HEAD
    if is_head and member.status == Member.Status.PRESENT:
        heads = Member.objects.filter(
            household=member.household,
            relationship=Member.Relationship.HEAD,
            status=Member.Status.PRESENT,
        ).exclude(pk=member.pk)
        if heads.exists():
            raise ValidationError({"relationship": _("Hộ đã có chủ hộ.")})
    # The database constraints stay the last word when two officers save at the same moment.
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        if "one_present_head" in str(exc) or "member.household_id" in str(exc):
            raise ValidationError({"relationship": _("Hộ đã có chủ hộ.")}) from exc
        if "citizen_id" in str(exc):
            raise ValidationError(
                {"citizen_id": _("Số CCCD này đã có ở một thành viên đang sống trong hộ khác.")}
            ) from exc
        raise


@transaction.atomic
def household_register(
    *,
    actor: User,
    village: AdminUnit,
    address: str,
    head: Mapping[str, Any],
    number: str = "",
    phone: str = "",
) -> Household:
    """Register a household with its head (relationship forced to 'head')."""
    _check_village(actor, village)
    assert village.parent is not None
    household = Household.objects.create(
        commune=village.parent,
        village=village,
        number=number.strip(),
        address=normalize_name(address),
        phone=phone.strip(),
        created_by=actor,
    )
    head_values = _clean_member({**head, "relationship": Member.Relationship.HEAD})
    member = Member(household=household, name_key=search_key(head_values["full_name"]))
    for field, value in head_values.items():
        setattr(member, field, value)
    _save_member(member)
    _refresh_head_name(household)
    audit_record(
        actor=actor,
        action="household_register",
        target=household,
        unit=village,
        changes={"village": village.code, "head": member.full_name},
    )
    return household


@transaction.atomic
def household_update(
    *, actor: User, household: Household, values: Mapping[str, Any], expected_version: int
) -> Household:
    _check_household(actor, household)
    clean = {k: (v or "").strip() for k, v in values.items() if k in HOUSEHOLD_FIELDS}
    village = values.get("village")
    if village is not None and village != household.village:
        _check_village(actor, village)
        if village.parent_id != household.commune_id:
            raise ValidationError({"village": _("Chỉ chuyển được sang thôn trong cùng xã.")})
        clean["village"] = village
    changes = audit_diff(household, clean)
    if not changes:
        return household
    version_bump(household, expected_version)
    for field, value in clean.items():
        setattr(household, field, value)
    household.save(update_fields=[*clean, "updated_at"])
    audit_record(
        actor=actor,
        action="household_update",
        target=household,
        unit=household.village,
        changes=changes,
    )
    return household


@transaction.atomic
def member_add(*, actor: User, household: Household, values: Mapping[str, Any]) -> Member:
    _check_household(actor, household)
    clean = _clean_member(values)
    member = Member(household=household, name_key=search_key(clean["full_name"]))
    for field, value in clean.items():
        setattr(member, field, value)
    _save_member(member)
    _refresh_head_name(household)
    audit_record(
        actor=actor,
        action="member_add",
        target=member,
        unit=household.village,
        changes=audit_diff(Member(), clean),
    )
    return member


@transaction.atomic
def member_update(
    *, actor: User, member: Member, values: Mapping[str, Any], expected_version: int
) -> Member:
    household = member.household
    _check_member_facts(actor, household)
    if member.status != Member.Status.PRESENT:
        raise ValidationError(_("Thành viên không còn trong hộ: không sửa được."))
    clean = _clean_member(values, exclude_pk=member.pk)
    changes = audit_diff(member, clean)
    if not changes:
        return member
    version_bump(member, expected_version)
    for field, value in clean.items():
        setattr(member, field, value)
    member.name_key = search_key(member.full_name)
    _save_member(member)
    _refresh_head_name(household)
    audit_record(
        actor=actor, action="member_update", target=member, unit=household.village, changes=changes
    )
    return member


@transaction.atomic
def member_set_status(*, actor: User, member: Member, status: str, reason: str) -> Member:
    """A member moves away or dies: the row stays, with the reason in the audit trail."""
    _check_household(actor, member.household)
    if status not in {Member.Status.MOVED_AWAY, Member.Status.DECEASED}:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    old = member.status
    member.status = status
    member.version += 1
    member.save(update_fields=["status", "version", "updated_at"])
    _refresh_head_name(member.household)
    audit_record(
        actor=actor,
        action="member_set_status",
        target=member,
        unit=member.household.village,
        changes={"status": [old, status]},
        reason=reason.strip(),
    )
    return member


@transaction.atomic
def household_split(
    *,
    actor: User,
    source: Household,
    members: list[Member],
    new_head: Member,
    address: str,
    reason: str,
    village: AdminUnit | None = None,
) -> Household:
    """Split some members off into a new household that remembers where it came from.

    Splitting is where benefit-driven abuse hides (tách hộ), so it always needs a reason and
    always shows in the new household's lineage.
    """
    _check_household(actor, source)
    village = village or source.village
    _check_village(actor, village)
    if not reason.strip():
        raise ValidationError({"reason": _("Tách hộ phải ghi lý do.")})
    present = {m.pk for m in source.members.filter(status=Member.Status.PRESENT)}
    moving = {m.pk for m in members}
    if not moving or not moving <= present:
        raise ValidationError(_("Hãy chọn các thành viên đang sống trong hộ để tách."))
    if moving == present:
        raise ValidationError(_("Không tách được cả hộ: hãy để lại ít nhất một người."))
    if new_head.pk not in moving:
        raise ValidationError(_("Chủ hộ mới phải là một trong những người được tách."))
    source_head = source.members.filter(
        status=Member.Status.PRESENT, relationship=Member.Relationship.HEAD
    ).first()
    if source_head is not None and source_head.pk in moving:
        raise ValidationError(
            _("Chủ hộ của hộ cũ không tách đi được: hãy đổi chủ hộ của hộ cũ trước.")
        )
    new = Household.objects.create(
        commune=source.commune,
        village=village,
        address=normalize_name(address),
        split_from=source,
        status_reason=reason.strip(),
        created_by=actor,
    )
    Member.objects.filter(pk__in=moving).update(household=new, version=F("version") + 1)
    Member.objects.filter(pk__in=moving).exclude(pk=new_head.pk).filter(
        relationship=Member.Relationship.HEAD
    ).update(relationship=Member.Relationship.OTHER)
    Member.objects.filter(pk=new_head.pk).update(relationship=Member.Relationship.HEAD)
    _refresh_head_name(new)
    source.refresh_from_db()
    _refresh_head_name(source)
    audit_record(
        actor=actor,
        action="household_split",
        target=new,
        unit=village,
        changes={"split_from": str(source.public_id), "members": len(moving)},
        reason=reason.strip(),
    )
    return new


@transaction.atomic
def household_merge(*, actor: User, source: Household, target: Household, reason: str) -> None:
    """Merge `source` into `target`: its present members join the target; the row stays."""
    _check_household(actor, source)
    _check_household(actor, target)
    if source.pk == target.pk:
        raise ValidationError(_("Không nhập một hộ vào chính nó."))
    if source.commune_id != target.commune_id:
        raise ValidationError(_("Chỉ nhập được vào một hộ trong cùng xã."))
    if not reason.strip():
        raise ValidationError({"reason": _("Nhập hộ phải ghi lý do.")})
    joining = Member.objects.filter(household=source, status=Member.Status.PRESENT)
    joining.filter(relationship=Member.Relationship.HEAD).update(
        relationship=Member.Relationship.OTHER
    )
    joining.update(household=target, version=F("version") + 1)
    source.status = Household.Status.MERGED
    source.merged_into = target
    source.status_reason = reason.strip()
    source.status_changed_at = timezone.now()
    source.version += 1
    source.save(
        update_fields=[
            "status",
            "merged_into",
            "status_reason",
            "status_changed_at",
            "version",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="household_merge",
        target=source,
        unit=source.village,
        changes={"merged_into": str(target.public_id)},
        reason=reason.strip(),
    )


@transaction.atomic
def household_close(*, actor: User, household: Household, status: str, reason: str) -> Household:
    """The household moved away or no longer exists; never deleted."""
    _check_household(actor, household)
    if status not in {Household.Status.MOVED_AWAY, Household.Status.DISSOLVED}:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    old = household.status
    household.status = status
    household.status_reason = reason.strip()
    household.status_changed_at = timezone.now()
    household.version += 1
    household.save(
        update_fields=["status", "status_reason", "status_changed_at", "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="household_close",
        target=household,
        unit=household.village,
        changes={"status": [old, status]},
        reason=reason.strip(),
    )
    return household
