"""The work list on the home page: for each open round, where each unit below the user stands.

A commune officer sees one row per village; district staff one per commune; provincial staff one
per district (when the tree has districts) and one per commune; an admin one per open round, that
is, per province. Each board is one conditional-count GROUP BY over the round's responses, joined
to the units by materialised path, plus one query for the rows' units (with the few per-unit
facts that live in other tables as correlated subqueries). The number of queries depends on the
number of open rounds, never on the number of villages, communes, households or forms.

Admins serve no unit; their board is one row per open round (one per province, 34 at most), so
that the province to chase stands out, with the unit tree listed below it: admins open rounds and
manage accounts, and the tree was their old home page.

Which index serves which query:
- responses of a round in a commune (village board) or under a path (commune board):
  `response_round_commune` (review_round, commune, status);
- active households per village (the foreign-key index on `village_id`) or per commune
  (`household_commune_status`); a household's form in the round: the unique (round, household)
  constraint;
- units under a path: `unit_path_prefix` (varchar_pattern_ops, LIKE 'prefix%').
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.scoping import province_path_of, visible_units
from areas.models import AdminUnit
from households.models import Household

from .models import CommuneTotal, Complaint, ReviewRound, SurveyResponse, VillagePosting
from .selectors import rounds_visible
from .workflow import late_steps

S = SurveyResponse.Status
STATUSES: tuple[str, ...] = tuple(S.values)
# Submitted and on its way, not yet approved: the forms a level above waits for.
IN_PROGRESS = (S.SUBMITTED, S.AGREED, S.DISPUTED, S.RECHECKED, S.POSTED)


@dataclass
class StatusCounts:
    draft: int = 0
    submitted: int = 0
    agreed: int = 0
    disputed: int = 0
    rechecked: int = 0
    posted: int = 0
    approved: int = 0
    returned: int = 0

    @property
    def forms(self) -> int:
        return sum(getattr(self, s) for s in STATUSES)

    @property
    def in_progress(self) -> int:
        return sum(getattr(self, s) for s in IN_PROGRESS)

    def add(self, other: "StatusCounts") -> None:
        for name in STATUSES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def by_status(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in workflow order, for templates."""
        return [(s, str(S(s).label), getattr(self, s)) for s in STATUSES]


def _status_aggregates() -> dict[str, Count]:
    return {s: Count("id", filter=Q(status=s)) for s in STATUSES}


def _counts_of(row: Mapping[str, Any] | None) -> dict[str, int]:
    return {s: (row or {}).get(s, 0) for s in STATUSES}


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset: one number per outer row, 0 when nothing matches."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet) -> None:  # type: ignore[type-arg]
        super().__init__(queryset.order_by().values("pk"))


# --- Deadline in words ----------------------------------------------------------------------------


def deadline_words(review_round: ReviewRound, today: date) -> tuple[str, bool]:
    """The commune deadline as an officer says it (the round's end when none is set), and
    whether it has passed."""
    deadline = review_round.commune_deadline
    if deadline is None:
        prefix = _("Chưa đặt hạn xã báo cáo. Đợt kết thúc ngày %(d)s") % {
            "d": f"{review_round.ends_on:%d/%m/%Y}"
        }
        deadline = review_round.ends_on
    else:
        prefix = _("Hạn xã báo cáo %(d)s") % {"d": f"{deadline:%d/%m/%Y}"}
    days = (deadline - today).days
    if days > 0:
        when = ngettext("còn %(n)d ngày", "còn %(n)d ngày", days) % {"n": days}
    elif days == 0:
        when = _("hôm nay là ngày cuối")
    else:
        when = ngettext("đã quá hạn %(n)d ngày", "đã quá hạn %(n)d ngày", -days) % {"n": -days}
    return f"{prefix}: {when}.", days < 0


@dataclass(frozen=True)
class Todo:
    """One thing to do in a village, and where on the village page it is done."""

    text: str
    status: str = ""  # the village page's list filtered to this status
    anchor: str = ""  # or a section of the village page
    urgent: bool = False


# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class VillageRow(StatusCounts):
    unit: AdminUnit | None = None
    households: int = 0
    without_form: int = 0
    open_complaints: int = 0
    posting_until: date | None = None

    @property
    def blocked(self) -> bool:
        return bool(self.todo())

    def todo(self) -> list["Todo"]:
        """What the commune must do next in this village, in the order of the workflow."""
        items = []
        if self.returned:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d phiếu bị trả lại: xem lý do, sửa và nộp lại",
                        "%(n)d phiếu bị trả lại: xem lý do, sửa và nộp lại",
                        self.returned,
                    )
                    % {"n": self.returned},
                    status=S.RETURNED,
                    urgent=True,
                )
            )
        if self.open_complaints:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d khiếu nại chưa giải quyết",
                        "%(n)d khiếu nại chưa giải quyết",
                        self.open_complaints,
                    )
                    % {"n": self.open_complaints},
                    anchor="complaints",
                    urgent=True,
                )
            )
        if self.without_form:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d hộ chưa có phiếu trong đợt",
                        "%(n)d hộ chưa có phiếu trong đợt",
                        self.without_form,
                    )
                    % {"n": self.without_form},
                    anchor="not-started",
                )
            )
        if self.draft:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d phiếu đang nhập, chưa nộp",
                        "%(n)d phiếu đang nhập, chưa nộp",
                        self.draft,
                    )
                    % {"n": self.draft},
                    status=S.DRAFT,
                )
            )
        if self.submitted:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d phiếu chờ họp thôn",
                        "%(n)d phiếu chờ họp thôn",
                        self.submitted,
                    )
                    % {"n": self.submitted},
                    anchor="meeting",
                )
            )
        if self.disputed:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d hộ họp thôn chưa thống nhất, chờ phúc tra",
                        "%(n)d hộ họp thôn chưa thống nhất, chờ phúc tra",
                        self.disputed,
                    )
                    % {"n": self.disputed},
                    anchor="recheck",
                )
            )
        to_post = self.agreed + self.rechecked
        if to_post:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d phiếu đã thống nhất hoặc đã phúc tra, chờ niêm yết",
                        "%(n)d phiếu đã thống nhất hoặc đã phúc tra, chờ niêm yết",
                        to_post,
                    )
                    % {"n": to_post},
                    anchor="posting",
                )
            )
        if self.posting_until:
            items.append(
                Todo(
                    _("đang niêm yết đến hết ngày %(d)s: chưa phê duyệt được")
                    % {"d": f"{self.posting_until:%d/%m/%Y}"},
                    status=S.POSTED,
                )
            )
        elif self.posted:
            items.append(
                Todo(
                    ngettext(
                        "%(n)d phiếu niêm yết xong, chờ phê duyệt",
                        "%(n)d phiếu niêm yết xong, chờ phê duyệt",
                        self.posted,
                    )
                    % {"n": self.posted},
                    anchor="approval",
                )
            )
        return items


@dataclass
class CommuneRow(StatusCounts):
    unit: AdminUnit | None = None
    households: int = 0
    open_complaints: int = 0
    has_total: bool = False

    @property
    def behind(self) -> list[str]:
        """Why this commune holds the level above back, most serious first."""
        reasons = []
        if self.forms == 0:
            reasons.append(_("chưa bắt đầu"))
        if self.in_progress:
            reasons.append(
                ngettext(
                    "%(n)d phiếu đã nộp chưa phê duyệt",
                    "%(n)d phiếu đã nộp chưa phê duyệt",
                    self.in_progress,
                )
                % {"n": self.in_progress}
            )
        if self.returned:
            reasons.append(
                ngettext("%(n)d phiếu bị trả lại", "%(n)d phiếu bị trả lại", self.returned)
                % {"n": self.returned}
            )
        if self.open_complaints:
            reasons.append(
                ngettext(
                    "%(n)d khiếu nại chưa giải quyết",
                    "%(n)d khiếu nại chưa giải quyết",
                    self.open_complaints,
                )
                % {"n": self.open_complaints}
            )
        if not self.has_total:
            reasons.append(_("chưa ghi tổng số hộ"))
        return reasons

    def sort_key(self) -> tuple[int, int, int, str]:
        """Behind first: not started, then the most reasons, then the most forms waiting."""
        path = self.unit.path if self.unit else ""
        return (0 if self.forms == 0 else 1, -len(self.behind), -self.in_progress, path)


@dataclass
class DistrictRow(StatusCounts):
    unit: AdminUnit | None = None
    communes: int = 0
    communes_behind: int = 0
    communes_not_started: int = 0
    households: int = 0
    open_complaints: int = 0
    totals_missing: int = 0

    def sort_key(self) -> tuple[float, float, int, str]:
        """Behind first, by share of communes so that a small district is not hidden."""
        path = self.unit.path if self.unit else ""
        n = self.communes or 1
        return (-self.communes_behind / n, -self.communes_not_started / n, -self.in_progress, path)


@dataclass
class RoundBoard:
    review_round: ReviewRound
    unit: AdminUnit
    deadline: str
    overdue: bool
    villages: list[VillageRow] = field(default_factory=list)
    districts: list[DistrictRow] = field(default_factory=list)
    communes: list[CommuneRow] = field(default_factory=list)
    total: StatusCounts = field(default_factory=StatusCounts)
    households: int = 0
    # A commune's board: whether its total of resident households is still to be recorded.
    total_missing: bool = False
    # Steps of a periodic round taken after the commune deadline (a warning).
    late: list[str] = field(default_factory=list)


def open_rounds_for(user: User, unit: AdminUnit) -> list[ReviewRound]:
    """Open rounds of the province `unit` lies in, as far as the user may see rounds."""
    return list(
        rounds_visible(user)
        .filter(status=ReviewRound.Status.OPEN, province__path=province_path_of(unit))
        # A commune's board says whether its total of resident households is recorded.
        .annotate(
            has_commune_total=Exists(
                CommuneTotal.objects.filter(review_round=OuterRef("pk"), commune=unit)
            )
        )
        .order_by("-year", "kind", "-month")
    )


def village_board(
    user: User, review_round: ReviewRound, commune: AdminUnit, today: date
) -> list[VillageRow]:
    """Per village of a commune: households listed, forms by status, and what blocks the way."""
    counts = {
        row["village_id"]: row
        for row in SurveyResponse.objects.filter(
            review_round=review_round,
            commune=commune,
        )
        .values("village_id")
        .annotate(**_status_aggregates())
        .order_by()
    }
    active = Household.objects.filter(village=OuterRef("pk"), status=Household.Status.ACTIVE)
    has_form = SurveyResponse.objects.filter(review_round=review_round, household=OuterRef("pk"))
    villages = (
        visible_units(user)
        .filter(level=AdminUnit.Level.VILLAGE, path__startswith=commune.path)
        .annotate(
            n_households=SubqueryCount(active),
            n_without_form=SubqueryCount(active.exclude(Exists(has_form))),
            n_open_complaints=SubqueryCount(
                Complaint.objects.filter(
                    posting__review_round=review_round,
                    posting__village=OuterRef("pk"),
                    resolved_on__isnull=True,
                )
            ),
            posting_until=Subquery(
                VillagePosting.objects.filter(
                    review_round=review_round, village=OuterRef("pk"), ends_on__gte=today
                )
                .order_by()
                .values("village")
                .annotate(until=Max("ends_on"))
                .values("until")
            ),
        )
        .order_by("-is_active", "path")
    )
    rows = []
    for village in villages:
        rows.append(
            VillageRow(
                unit=village,
                households=village.n_households,
                without_form=village.n_without_form,
                open_complaints=village.n_open_complaints,
                posting_until=village.posting_until,
                **_counts_of(counts.get(village.pk)),
            )
        )
    # Inactive villages with nothing in them are history, not work.
    return [r for r in rows if (r.unit and r.unit.is_active) or r.forms or r.households]


def status_counts_by_commune(review_round: ReviewRound, root: AdminUnit) -> dict[int, Any]:
    """The round's forms by status, per commune under `root`: one aggregate."""
    return {
        row["commune_id"]: row
        for row in SurveyResponse.objects.filter(
            review_round=review_round, commune__path__startswith=root.path
        )
        .values("commune_id")
        .annotate(**_status_aggregates())
        .order_by()
    }


def commune_board(user: User, review_round: ReviewRound, root: AdminUnit) -> list[CommuneRow]:
    """Per commune under a district or province, the ones that are behind first."""
    counts = status_counts_by_commune(review_round, root)
    communes = (
        visible_units(user)
        .filter(level=AdminUnit.Level.COMMUNE, path__startswith=root.path)
        .select_related("parent")
        .annotate(
            n_households=SubqueryCount(
                Household.objects.filter(commune=OuterRef("pk"), status=Household.Status.ACTIVE)
            ),
            n_open_complaints=SubqueryCount(
                Complaint.objects.filter(
                    posting__review_round=review_round,
                    response__commune=OuterRef("pk"),
                    resolved_on__isnull=True,
                )
            ),
            has_total=Exists(
                CommuneTotal.objects.filter(review_round=review_round, commune=OuterRef("pk"))
            ),
        )
    )
    rows = [
        CommuneRow(
            unit=commune,
            households=commune.n_households,
            open_complaints=commune.n_open_complaints,
            has_total=commune.has_total,
            **_counts_of(counts.get(commune.pk)),
        )
        for commune in communes
    ]
    return sorted(rows, key=CommuneRow.sort_key)


def districts_of(communes: list[CommuneRow]) -> list[DistrictRow]:
    """District rows summed from their communes' rows (no query)."""
    districts: dict[int, DistrictRow] = {}
    for row in communes:
        parent = row.unit.parent if row.unit else None
        if parent is None or parent.level != AdminUnit.Level.DISTRICT:
            continue
        district = districts.setdefault(parent.pk, DistrictRow(unit=parent))
        district.add(row)
        district.communes += 1
        district.communes_behind += bool(row.behind)
        district.communes_not_started += row.forms == 0
        district.households += row.households
        district.open_complaints += row.open_complaints
        district.totals_missing += not row.has_total
    return sorted(districts.values(), key=DistrictRow.sort_key)


def round_boards(user: User, unit: AdminUnit, today: date) -> list[RoundBoard]:
    """The board of each open round for a commune, district or province the user can see."""
    boards = []
    rounds = open_rounds_for(user, unit)
    # Late steps name the commune's villages: for the officer and above, not a village's surveyor.
    late = {} if user.is_field_worker else late_steps(rounds, unit)
    for review_round in rounds:
        deadline, overdue = deadline_words(review_round, today)
        board = RoundBoard(review_round=review_round, unit=unit, deadline=deadline, overdue=overdue)
        board.late = late.get(review_round.pk, [])
        if unit.level == AdminUnit.Level.COMMUNE:
            board.villages = village_board(user, review_round, unit, today)
            board.total_missing = not getattr(review_round, "has_commune_total", True)
            rows: list[VillageRow | CommuneRow] = list(board.villages)
        else:
            board.communes = commune_board(user, review_round, unit)
            if unit.level == AdminUnit.Level.PROVINCE:
                board.districts = districts_of(board.communes)
            rows = list(board.communes)
        for row in rows:
            board.total.add(row)
            board.households += row.households
        boards.append(board)
    return boards


# --- Admins: one row per open round, across provinces ---------------------------------------------


@dataclass
class ProvinceRow(StatusCounts):
    review_round: ReviewRound | None = None
    communes: int = 0
    communes_started: int = 0
    totals_recorded: int = 0
    open_complaints: int = 0

    @property
    def communes_not_started(self) -> int:
        return self.communes - self.communes_started

    @property
    def totals_missing(self) -> int:
        return max(self.communes - self.totals_recorded, 0)

    def sort_key(self) -> tuple[int, int, str]:
        code = self.review_round.province.path if self.review_round else ""
        return (-self.communes_not_started, -self.in_progress, code)


def province_board(user: User) -> list[ProvinceRow]:
    """Open rounds of every province the user reaches, with their progress (admins)."""
    counts = {
        row["review_round_id"]: row
        for row in SurveyResponse.objects.filter(review_round__status=ReviewRound.Status.OPEN)
        .values("review_round_id")
        .annotate(communes_started=Count("commune", distinct=True), **_status_aggregates())
        .order_by()
    }
    rounds = (
        rounds_visible(user)
        .filter(status=ReviewRound.Status.OPEN)
        .annotate(
            n_communes=SubqueryCount(
                AdminUnit.objects.filter(
                    level=AdminUnit.Level.COMMUNE,
                    path__startswith=OuterRef("province__path"),
                    is_active=True,
                )
            ),
            n_totals=SubqueryCount(CommuneTotal.objects.filter(review_round=OuterRef("pk"))),
            n_open_complaints=SubqueryCount(
                Complaint.objects.filter(
                    posting__review_round=OuterRef("pk"), resolved_on__isnull=True
                )
            ),
        )
    )
    rows = []
    for review_round in rounds:
        data: Mapping[str, Any] = counts.get(review_round.pk) or {}
        rows.append(
            ProvinceRow(
                review_round=review_round,
                communes=review_round.n_communes,
                communes_started=data.get("communes_started", 0),
                totals_recorded=review_round.n_totals,
                open_complaints=review_round.n_open_complaints,
                **_counts_of(data),
            )
        )
    return sorted(rows, key=ProvinceRow.sort_key)
