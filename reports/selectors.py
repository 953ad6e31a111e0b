"""Report tables for a round and a unit, broken down by the unit's children.

Each table is one aggregate query (plus one for the child units' names, one for the communes and
their totals), never a loop of queries per unit. The summary and the movement tables group by leaf
(commune, or village when the rows are villages: `SummaryFacts`, `MovementFacts`) and roll the
leaves up to the rows in Python, so any grouping of the same leaves costs no further query.

The layout (Excel, pages) only formats what these return:
`report_tables(scope)` is the one object both the report pages and the summary workbook read, and
`household_list(scope)` the rows of the detailed household list.

A scope may be narrowed to one area (`ReportScope.area`: the urban or the rural communes, by their
kind); `ReportTables.areas` rolls the same facts up once per area for the tables split into
I. Thành thị and II. Nông thôn.

Which results count: `basis="approved"` (the default: the commune chairman's approved list, the
official figure) or `basis="submitted"` (every form submitted and not sent back: the running count
during the review).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from areas.models import AdminUnit, UnitSuccession
from households.models import Household
from survey.engine import Standard, get_standard
from survey.models import (
    Classification,
    CommuneTotal,
    ProvinceTarget,
    ResponseDeprivation,
    ReviewRound,
    SurveyResponse,
)
from survey.selectors import previous_rounds, provinces_continued

if TYPE_CHECKING:
    from .tables import (
        ChildrenTable,
        DeprivationsByUnit,
        Deprived,
        EthnicTable,
        GroupTable,
        HouseholdLists,
        TargetFacts,
    )

if TYPE_CHECKING:
    from .needs import AnswerTable

S = SurveyResponse.Status
COUNTED: dict[str, list[str]] = {
    "approved": [S.APPROVED],
    "submitted": [S.SUBMITTED, S.AGREED, S.DISPUTED, S.RECHECKED, S.POSTED, S.APPROVED],
}
BASIS_LABELS = {
    "approved": "Kết quả đã phê duyệt",
    "submitted": "Tất cả phiếu đã nộp (tạm tính, gồm cả phiếu chưa phê duyệt)",
}
CLASSES = ("poor", "near_poor", "average")
# The two areas of the official tables, from the commune's kind (see `AdminUnit.URBAN_KINDS`):
# I. urban (phường, thị trấn), II. rural (xã; an đặc khu too).
AREAS = {"urban": "Thành thị", "rural": "Nông thôn"}
AREA_KINDS = {"urban": AdminUnit.URBAN_KINDS, "rural": AdminUnit.RURAL_KINDS}


def rate(count: int, total: int | None) -> Decimal | None:
    """Percentage with two decimals, or None when there is no denominator."""
    if not total:
        return None
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ReportScope:
    review_round: ReviewRound
    unit: AdminUnit
    child_level: str | None  # None: a village, reported on its own
    basis: str = "approved"
    # "urban" or "rural": only the communes of that kind (and their villages, their households,
    # their totals); a district is a child while it has a commune of the area. None: every commune.
    area: str | None = None

    def __post_init__(self) -> None:
        if self.area is not None and self.area not in AREAS:
            raise ValueError(f"area must be one of {sorted(AREAS)} or None")

    def in_area(self, area: str | None) -> "ReportScope":
        """The same report, of the communes of one area only."""
        return replace(self, area=area)

    def _area(self, commune: str = "commune") -> Q:
        """The filter on the area through the commune reached by `commune` ("": the unit is the
        commune); an empty filter without an area."""
        if self.area is None:
            return Q()
        return Q(
            **{f"{commune}__kind__in" if commune else "kind__in": sorted(AREA_KINDS[self.area])}
        )

    @property
    def statuses(self) -> list[str]:
        return COUNTED[self.basis]

    @property
    def leaf_level(self) -> AdminUnit.Level:
        """What the summary and movement facts are grouped by (`SummaryFacts`,
        `MovementFacts`): communes when the rows are communes or districts, else villages."""
        if self.child_level in (AdminUnit.Level.COMMUNE, AdminUnit.Level.DISTRICT):
            return AdminUnit.Level.COMMUNE
        return AdminUnit.Level.VILLAGE

    @property
    def standard(self) -> Standard:
        return get_standard(self.review_round.standard_code)

    def children(self) -> list[AdminUnit]:
        """The child units, by level under this unit: a province's communes sit under districts.
        Asked once per scope (every table of a report asks)."""
        return list(self._children)

    @cached_property
    def _children(self) -> list[AdminUnit]:
        # (cached_property writes the instance's __dict__, which a frozen dataclass allows)
        if self.child_level is None:
            return []
        units = AdminUnit.objects.filter(path__startswith=self.unit.path, level=self.child_level)
        if self.area is not None:
            # In one area: its communes, their villages, the districts with one of its communes.
            if self.child_level == AdminUnit.Level.DISTRICT:
                units = units.filter(
                    Exists(AdminUnit.objects.filter(self._area(""), parent=OuterRef("pk")))
                )
            else:
                units = units.filter(
                    self._area("" if self.child_level == AdminUnit.Level.COMMUNE else "parent")
                )
        return list(units.order_by("path"))

    # How a response, a household and a commune total reach the child unit of this report.
    @property
    def response_group(self) -> str:
        groups: dict[str, str] = {
            AdminUnit.Level.DISTRICT: "commune__parent_id",
            AdminUnit.Level.COMMUNE: "commune_id",
            AdminUnit.Level.VILLAGE: "village_id",
        }
        return groups.get(self.child_level or "", "village_id")

    @property
    def household_group(self) -> str:
        return self.response_group

    def response_filter(self) -> Q:
        level = self.unit.level
        if level == AdminUnit.Level.PROVINCE:
            return Q(review_round=self.review_round) & self._area()
        if level == AdminUnit.Level.DISTRICT:
            return Q(review_round=self.review_round, commune__parent=self.unit) & self._area()
        if level == AdminUnit.Level.COMMUNE:
            return Q(review_round=self.review_round, commune=self.unit) & self._area()
        return Q(review_round=self.review_round, village=self.unit) & self._area()

    def household_filter(self) -> Q:
        level = self.unit.level
        if level == AdminUnit.Level.PROVINCE:
            return Q(commune__path__startswith=self.unit.path) & self._area()
        if level == AdminUnit.Level.DISTRICT:
            return Q(commune__parent=self.unit) & self._area()
        if level == AdminUnit.Level.COMMUNE:
            return Q(commune=self.unit) & self._area()
        return Q(village=self.unit) & self._area()

    def commune_units_filter(self) -> Q:
        """The communes (AdminUnit rows) under the unit; a village reports its commune's total."""
        level = self.unit.level
        if level == AdminUnit.Level.PROVINCE:
            found = Q(path__startswith=self.unit.path, level=AdminUnit.Level.COMMUNE)
        elif level == AdminUnit.Level.DISTRICT:
            found = Q(parent=self.unit, level=AdminUnit.Level.COMMUNE)
        elif level == AdminUnit.Level.COMMUNE:
            found = Q(pk=self.unit.pk)
        else:
            found = Q(pk=self.unit.parent_id)
        return found & self._area("")

    def communes_filter(self) -> Q:
        """CommuneTotal rows of the communes under the unit (a village reports its commune's)."""
        level = self.unit.level
        if level == AdminUnit.Level.PROVINCE:
            return Q(commune__path__startswith=self.unit.path) & self._area()
        if level == AdminUnit.Level.DISTRICT:
            return Q(commune__parent=self.unit) & self._area()
        if level == AdminUnit.Level.COMMUNE:
            return Q(commune=self.unit) & self._area()
        return Q(commune_id=self.unit.parent_id) & self._area()


def report_scope(
    review_round: ReviewRound, unit: AdminUnit, basis: str = "approved", by: str | None = None
) -> ReportScope:
    """The scope of a report; `by="commune"` breaks a province with districts down by commune."""
    if basis not in COUNTED:
        raise ValidationError(f"basis must be one of {sorted(COUNTED)}")
    if unit.edition_id != review_round.province.edition_id or not unit.path.startswith(
        review_round.province.path
    ):
        raise ValidationError("Đơn vị không thuộc tỉnh của đợt rà soát.")
    child = {
        AdminUnit.Level.PROVINCE: AdminUnit.Level.DISTRICT
        if review_round.province.edition.has_districts
        else AdminUnit.Level.COMMUNE,
        AdminUnit.Level.DISTRICT: AdminUnit.Level.COMMUNE,
        AdminUnit.Level.COMMUNE: AdminUnit.Level.VILLAGE,
    }.get(AdminUnit.Level(unit.level))
    if by is not None:
        if by != AdminUnit.Level.COMMUNE or unit.level != AdminUnit.Level.PROVINCE:
            raise ValidationError("by='commune' applies to a province")
        child = AdminUnit.Level.COMMUNE
    return ReportScope(review_round=review_round, unit=unit, child_level=child, basis=basis)


# --- Summary: counts, rates, persons, groups, overrides ------------------------------------------


@dataclass
class SummaryRow:
    """One unit's counts. Its rates are over the communes whose total of resident households is
    known: `poor_rated` counts the poor households of those communes only, `total_households` sums
    their totals (None when no commune of the unit has one, and always for a village, which has no
    total of its own). `communes_missing` of the unit's `communes` have no total: their households
    are counted in the numbers but in no rate."""

    label: str
    unit: AdminUnit | None = None
    total_households: int | None = None
    communes: int = 0
    communes_missing: int = 0
    surveyed: int = 0
    poor: int = 0
    near_poor: int = 0
    average: int = 0
    poor_rated: int = 0
    near_poor_rated: int = 0
    average_rated: int = 0
    poor_persons: int = 0
    near_poor_persons: int = 0
    average_persons: int = 0
    poor_minority: int = 0
    near_poor_minority: int = 0
    poor_merit: int = 0
    near_poor_merit: int = 0
    poor_no_labour: int = 0
    near_poor_no_labour: int = 0
    overrides: int = 0

    @property
    def poor_rate(self) -> Decimal | None:
        return rate(self.poor_rated, self.total_households)

    @property
    def near_poor_rate(self) -> Decimal | None:
        return rate(self.near_poor_rated, self.total_households)

    @property
    def average_rate(self) -> Decimal | None:
        return rate(self.average_rated, self.total_households)

    @property
    def rate_partial(self) -> bool:
        """Rates shown, but over only some of the unit's communes."""
        return self.total_households is not None and self.communes_missing > 0

    @property
    def rate_missing(self) -> bool:
        """No rate: no commune of the unit has a total (a village has none by design)."""
        return self.total_households is None and self.communes > 0


SUMMARY_COUNTS = tuple(
    f.name
    for f in fields(SummaryRow)
    if f.name not in {"label", "unit", "total_households", "communes", "communes_missing"}
)


NONE_COUNTED = dict.fromkeys(SUMMARY_COUNTS, 0)


def _summary_aggregates() -> dict[str, object]:
    final = "final_classification"
    aggregates: dict[str, object] = {"surveyed": Count("id")}
    for cls in CLASSES:
        aggregates[cls] = Count("id", filter=Q(**{final: cls}))
        aggregates[f"{cls}_persons"] = Coalesce(
            Sum("member_count", filter=Q(**{final: cls})), Value(0)
        )
    for cls in ("poor", "near_poor"):
        aggregates[f"{cls}_minority"] = Count("id", filter=Q(**{final: cls}, head_minority=True))
        aggregates[f"{cls}_merit"] = Count("id", filter=Q(**{final: cls}, has_person_of_merit=True))
        aggregates[f"{cls}_no_labour"] = Count(
            "id", filter=Q(**{final: cls}, no_labour_capacity=True)
        )
    aggregates["overrides"] = Count(
        "id", filter=~Q(final_classification=F("computed_classification"))
    )
    return aggregates


@dataclass(frozen=True)
class MissingTotal:
    """A commune of the report with no total of resident households recorded for the round."""

    name: str
    parent_name: str | None  # its district, on a tree with districts


@dataclass
class Summary:
    scope: ReportScope
    rows: list[SummaryRow]
    total: SummaryRow
    target_rate: Decimal | None = None
    missing_totals: list[MissingTotal] = field(default_factory=list)

    @property
    def target_gap(self) -> Decimal | None:
        """Actual minus target poverty rate, in percentage points (negative: better than target).

        The actual rate is over the communes whose total is known, like every rate here."""
        if self.target_rate is None or self.total.poor_rate is None:
            return None
        return self.total.poor_rate - self.target_rate


@dataclass(frozen=True)
class SummaryFacts:
    """What every summary of a report's unit is made from, whatever its area: the communes of
    the unit with their kind and recorded total, and the counts of each leaf (a commune, or a
    village when the rows are villages). Two queries; `summary` rolls them up in Python, so the
    split by area (`AreaSplit`) costs no query of its own."""

    communes: list[dict[str, Any]]
    counts: dict[int | None, dict[str, int]]
    by_commune: bool  # leaves are communes (else villages of one commune)


def summary_facts(scope: ReportScope) -> SummaryFacts:
    whole = replace(scope, area=None)
    communes: list[dict[str, Any]] = [
        dict(row)
        for row in AdminUnit.objects.filter(whole.commune_units_filter())
        .annotate(
            recorded=Subquery(
                CommuneTotal.objects.filter(
                    review_round=scope.review_round, commune=OuterRef("pk")
                ).values("total_households")[:1]
            )
        )
        .values("pk", "name", "kind", "parent_id", "parent__name", "recorded")
        .order_by("path")
    ]
    by_commune = scope.leaf_level == AdminUnit.Level.COMMUNE
    if by_commune:  # a district or a province: the per-commune aggregates
        from .aggregates import stored_summary_counts

        counts = stored_summary_counts(scope)
    else:
        counts = summary_counts(whole, whole.response_group)
    return SummaryFacts(communes=communes, counts=counts, by_commune=by_commune)


def summary_counts(
    scope: ReportScope, group: str, owners: Sequence[int] | None = None
) -> dict[int | None, dict[str, int]]:
    """The summary counts of the scope's counted responses by `group` (a response field); only
    those filed under the communes `owners` when given (`reports.aggregates`)."""
    responses = SurveyResponse.objects.filter(scope.response_filter(), status__in=scope.statuses)
    if owners is not None:
        responses = responses.filter(commune_id__in=owners)
    return {
        found.pop(group): found
        for found in responses.values(group)
        .annotate(**_summary_aggregates())  # type: ignore[arg-type]
        .order_by()
    }


def summary(scope: ReportScope, facts: SummaryFacts | None = None) -> Summary:
    """Counts and rates by child unit: one aggregate over the responses grouped by commune (or
    village), one list of communes (`summary_facts`), rolled up to the rows in Python.

    A rate is computed only over communes whose total of resident households is recorded for the
    round: a commune without one still counts its households in the numbers, but neither in the
    numerator nor in the denominator of any rate (counting them in the numerator only overstated
    a district's rate, the province's and its gap to the target). A commune without a total has
    no rate; a district or province whose communes all lack one has none either; each row says
    how many of its communes lack one, and `missing_totals` names them.
    """
    facts = facts or summary_facts(scope)
    kinds = AREA_KINDS[scope.area] if scope.area else None
    communes = [c for c in facts.communes if kinds is None or c["kind"] in kinds]
    in_area = {c["pk"] for c in communes}
    known = {c["pk"] for c in communes if c["recorded"] is not None}
    parent_of = {c["pk"]: c["parent_id"] for c in communes}
    counts: dict[int | None, dict[str, int]] = {}
    for leaf, found in facts.counts.items():
        if facts.by_commune:
            # (a commune missing from the list, which the filters rule out: in no row)
            if leaf not in in_area:
                continue
            key = parent_of[leaf] if scope.child_level == AdminUnit.Level.DISTRICT else leaf
            rated = leaf in known
        else:  # the villages of one commune (or a village alone): that commune's total
            if not communes:  # the commune is not of the area
                continue
            key, rated = leaf, bool(known)
        into = counts.get(key)
        if into is None:  # (the first leaf of a row: by commune, the only one)
            counts[key] = into = {**NONE_COUNTED, **found}
        else:
            for name, value in found.items():
                into[name] += value
        if rated:
            for cls in CLASSES:
                into[f"{cls}_rated"] += found[cls]
    # Which child row a commune's total belongs to (villages have no total of their own).
    commune_key = (
        {
            AdminUnit.Level.DISTRICT: "parent_id",
            AdminUnit.Level.COMMUNE: "pk",
        }.get(AdminUnit.Level(scope.child_level))
        if scope.child_level
        else None
    )
    has_districts = scope.review_round.province.edition.has_districts

    def add_commune(row: SummaryRow, commune: dict[str, Any]) -> None:
        row.communes += 1
        if commune["recorded"] is None:
            row.communes_missing += 1
        else:
            row.total_households = (row.total_households or 0) + commune["recorded"]

    rows = []
    by_key: dict[int, SummaryRow] = {}
    for child in scope.children():
        row = SummaryRow(label=child.name, unit=child, **counts.get(child.pk, {}))
        rows.append(row)
        by_key[child.pk] = row
    totals = dict(NONE_COUNTED)
    for counted in counts.values():
        for name, value in counted.items():
            totals[name] += value
    total = SummaryRow(label="Tổng cộng", unit=scope.unit, **totals)
    missing = []
    for commune in communes:
        add_commune(total, commune)
        if commune_key and commune[commune_key] in by_key:
            add_commune(by_key[commune[commune_key]], commune)
        if commune["recorded"] is None:
            missing.append(
                MissingTotal(commune["name"], commune["parent__name"] if has_districts else None)
            )
    target = None
    if scope.unit.level == AdminUnit.Level.PROVINCE:
        target = (
            ProvinceTarget.objects.filter(province=scope.unit, year=scope.review_round.year)
            .values_list("target_poverty_rate", flat=True)
            .first()
        )
    return Summary(scope=scope, rows=rows, total=total, target_rate=target, missing_totals=missing)


# --- Movements since the previous periodic round --------------------------------------------------

MOVEMENT_FIELDS = (
    "start",
    "dec_other_class",  # poor → near-poor (or near-poor → poor, in the near-poor table)
    "dec_above_line",  # rose above the near-poor line (average or none)
    "dec_other",  # moved away (out of the unit too), died, merged
    "pending",  # no result yet this round on this basis: not a decrease
    "inc_other_class",  # from near-poor (or from poor)
    "inc_returned",  # again, after having left before the previous round
    "inc_new",
    "inc_other",  # households split off since the previous round, or moved into the unit
    "end",
    "start_minority",  # of the start and the end: ethnic-minority households (head of household)
    "end_minority",
)


@dataclass
class MovementRow:
    """One unit's movements. The identity, on every row and the total:
    start − decreases − pending + increases = end (`balanced`)."""

    label: str
    unit: AdminUnit | None = None
    start: int = 0
    dec_other_class: int = 0
    dec_above_line: int = 0
    dec_other: int = 0
    pending: int = 0
    inc_other_class: int = 0
    inc_returned: int = 0
    inc_new: int = 0
    inc_other: int = 0
    end: int = 0
    start_minority: int = 0
    end_minority: int = 0

    @property
    def decreases(self) -> int:
        return self.dec_other_class + self.dec_above_line + self.dec_other

    @property
    def increases(self) -> int:
        return self.inc_other_class + self.inc_returned + self.inc_new + self.inc_other

    @property
    def balanced(self) -> bool:
        return self.start - self.decreases - self.pending + self.increases == self.end


@dataclass
class Movements:
    scope: ReportScope
    target: str  # "poor" or "near_poor"
    previous_round: ReviewRound | None
    households: list[MovementRow] = field(default_factory=list)
    households_total: MovementRow = field(default_factory=lambda: MovementRow("Tổng cộng"))
    persons: list[MovementRow] = field(default_factory=list)
    persons_total: MovementRow = field(default_factory=lambda: MovementRow("Tổng cộng"))
    # Every round the start is taken from: on the first round of a merged province, one for each
    # old province (`previous_round` is the first of them).
    previous_rounds: list[ReviewRound] = field(default_factory=list)


TARGETS = ("poor", "near_poor")


def movements(scope: ReportScope, target: str = "poor") -> Movements:
    """One of the two movement tables (see `movements_both`, which makes both at once)."""
    if target not in TARGETS:
        raise ValueError(target)
    return movements_both(scope)[target]


# How a response reaches the child unit of a report: directly on the same tree, and through the
# succession table (`areas.UnitSuccession`) from an older one.
_KEY_PATHS = {
    AdminUnit.Level.DISTRICT: ("commune__parent_id", "successor__parent_id"),
    AdminUnit.Level.COMMUNE: ("commune_id", "successor_id"),
    AdminUnit.Level.VILLAGE: ("village_id", "successor_id"),
}


def _start_key(scope: ReportScope, previous: list[ReviewRound]) -> Any:
    """The child unit (of this round's tree) a household's previous-round response was in.

    Same tree: the unit the response was filed under then (not where the household is now). Older
    tree: the successor of that commune in this round's edition; of an old commune divided between
    several new ones, the one the household lives in now if it is one of them, else the default.
    A village of an older tree goes to its recorded successor, else to the household's current
    village when that lies in a successor of its old commune; a key left NULL is outside the report
    (in a commune's report, a household whose start commune is this one goes to the row of no
    known village instead: `UNPLACED`).
    """
    level = AdminUnit.Level(scope.child_level or AdminUnit.Level.VILLAGE)
    direct, via = _KEY_PATHS[level]
    edition = scope.review_round.province.edition_id
    same = [r.pk for r in previous if r.province.edition_id == edition]
    if len(same) == len(previous):
        return F(f"prev__{direct}")
    successors = UnitSuccession.objects.filter(successor__edition_id=edition)
    mapped: Any
    if level == AdminUnit.Level.VILLAGE:
        mapped = Coalesce(
            Subquery(
                successors.filter(predecessor=OuterRef("prev__village_id"))
                .order_by("-is_default", "successor__path")
                .values("successor_id")[:1]
            ),
            Case(
                When(
                    Exists(
                        successors.filter(
                            predecessor=OuterRef("prev__commune_id"), successor=OuterRef("commune")
                        )
                    ),
                    then=F("village_id"),
                ),
                default=None,
                output_field=IntegerField(),
            ),
            output_field=IntegerField(),
        )
    else:
        mapped = Subquery(
            successors.filter(predecessor=OuterRef("prev__commune_id"))
            .annotate(
                lives_there=Case(
                    When(successor=OuterRef("commune"), then=0),
                    default=1,
                    output_field=IntegerField(),
                )
            )
            .order_by("lives_there", "-is_default", "successor__path")
            .values(via)[:1],
            output_field=IntegerField(),
        )
    if not same:
        return mapped
    return Case(
        When(prev__review_round_id__in=same, then=F(f"prev__{direct}")),
        default=mapped,
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class MovementFacts:
    """What every movement table of a report's unit is made from, whatever its area: the
    households poor or near-poor at either end, counted by (start leaf, end leaf, class then,
    class now, the flags that decide a bucket), a leaf being a commune (or a village when the
    rows are villages) of this round's tree. One aggregate query (`movement_facts`);
    `movements_both` places each group in its bucket of each row in Python, so any grouping of
    the leaves (districts, communes, one area) reads the same facts."""

    previous: list[ReviewRound]
    leaf_level: str  # AdminUnit.Level.COMMUNE or VILLAGE
    leaves: dict[int, tuple[int | None, str]]  # leaf: (its parent, its commune's kind)
    groups: list[dict[str, Any]]


# The start leaf of a household of a commune's report whose village of an older tree has no
# successor and who lives outside the successors of its old commune now: it started in the commune
# (its old commune's successor), in no known village. Its own row keeps the commune's total equal
# to the commune's row of its parent's report.
UNPLACED = "unplaced"
UNPLACED_LABEL = "Chưa xác định thôn (hộ của đơn vị cũ)"


def _as_bool(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def movement_facts(scope: ReportScope) -> MovementFacts:
    """The start is the previous periodic round's approved result (whatever the basis: it is a
    closed round), placed under the leaf each response was filed under then, carried onto this
    round's tree through `areas.UnitSuccession` when the previous round was on an older one (the
    first round of a merged province starts from every old province's round). The end is this
    round's result on the report's basis, under the leaf of this round's response."""
    previous = previous_rounds(scope.review_round)
    leaf_level = scope.leaf_level
    by_commune = leaf_level == AdminUnit.Level.COMMUNE
    if scope.unit.level == AdminUnit.Level.VILLAGE:
        leaf_units = AdminUnit.objects.filter(pk=scope.unit.pk)
    else:
        leaf_units = AdminUnit.objects.filter(path__startswith=scope.unit.path, level=leaf_level)
    leaves: dict[int, tuple[int | None, str]] = {
        row["pk"]: (row["parent_id"], row["kind"] if by_commune else row["parent__kind"])
        for row in leaf_units.values("pk", "parent_id", "kind", "parent__kind")
    }
    if by_commune:  # a district or a province: the per-commune aggregates
        from .aggregates import stored_movement_groups

        groups = stored_movement_groups(scope, list(leaves))
    else:
        groups = movement_groups(scope, previous, list(leaves))
    return MovementFacts(previous=previous, leaf_level=leaf_level, leaves=leaves, groups=groups)


def district_movement_facts(scope: ReportScope) -> MovementFacts:
    """`movement_facts` of a province by district, whose leaves are its districts: the same
    tables (a household moving between two communes of a district stays in its row), from the
    aggregates summed by district in the database."""
    from .aggregates import stored_movement_groups_by_district

    districts = AdminUnit.objects.filter(parent=scope.unit, level=AdminUnit.Level.DISTRICT)
    return MovementFacts(
        previous=previous_rounds(scope.review_round),
        leaf_level=AdminUnit.Level.DISTRICT,
        leaves={pk: (pk, "") for pk in districts.values_list("pk", flat=True)},
        groups=stored_movement_groups_by_district(scope),
    )


def movement_groups(
    scope: ReportScope,
    previous: list[ReviewRound],
    ids: list[int],
    owners: Sequence[int] | None = None,
    by_owner: bool = False,
) -> list[dict[str, Any]]:
    """The groups of `MovementFacts`: households poor or near-poor at either end whose start or
    end leaf is one of `ids`. Only the households living now in the communes `owners` when
    given; `by_owner` keeps their commune apart in the groups, as "owner" (`reports.aggregates`
    stores the groups of each commune's households)."""
    whole = replace(scope, area=None)
    prev_ids = [r.pk for r in previous]
    statuses = scope.statuses
    approved = [SurveyResponse.Status.APPROVED]
    current = scope.review_round
    leaf_level = scope.leaf_level
    # Only households poor or near-poor at either end: a hash semi-join, then the unique
    # (round, household) index for their responses, instead of every household of the province.
    concerned = SurveyResponse.objects.filter(
        Q(review_round=current, status__in=statuses)
        | Q(review_round_id__in=prev_ids, status__in=approved),
        final_classification__in=TARGETS,
    )
    households = Household.objects.all()
    if owners is not None:
        concerned = concerned.filter(household__commune_id__in=owners)
        households = households.filter(commune_id__in=owners)
    households = households.filter(pk__in=concerned.values("household_id")).annotate(
        cur=FilteredRelation(
            "responses",
            condition=Q(responses__review_round=current, responses__status__in=statuses),
        ),
        prev=FilteredRelation(
            "responses",
            # No previous round: a join that matches nothing (an empty IN would drop every row).
            condition=Q(responses__review_round_id__in=prev_ids, responses__status__in=approved)
            if prev_ids
            else Q(responses__review_round__isnull=True),
        ),
    )
    earlier_rounds = ReviewRound.objects.filter(
        provinces_continued(current.province),
        kind=ReviewRound.Kind.PERIODIC,
        year__lt=previous[0].year if previous else current.year,
    ).values("pk")
    flags: dict[str, Any] = {}
    for target in TARGETS:
        # Asked only of a household in the class now and in neither class at the start (CASE
        # evaluates the subquery for those only): was it in the class before the previous round?
        flags[f"{target}_before"] = Case(
            When(
                Q(cur__final_classification=target) & ~Q(prev__final_classification__in=TARGETS),
                then=Exists(
                    SurveyResponse.objects.filter(
                        household=OuterRef("pk"),
                        review_round__in=earlier_rounds,
                        status__in=approved,
                        final_classification=target,
                    )
                ),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    # "Other" increases: households split off since the previous round (tách hộ), kept apart so
    # that a wave of splits that qualify for benefits shows in the report.
    flags["arrived"] = (
        _as_bool(Q(split_from__isnull=False, created_at__date__gt=max(r.ends_on for r in previous)))
        if previous
        else Value(False, output_field=BooleanField())
    )
    flags["counted"] = _as_bool(Q(cur__id__isnull=False))
    # Still resident, or has a form this round (of any status): asked of the uncounted ones
    # only, as above.
    flags["resident_or_filed"] = Case(
        When(Q(cur__id__isnull=False) | Q(status=Household.Status.ACTIVE), then=Value(True)),
        default=Exists(
            SurveyResponse.objects.filter(household=OuterRef("pk"), review_round=current)
        ),
        output_field=BooleanField(),
    )
    prev_n = Coalesce(F("prev__member_count"), Value(0))
    cur_n = Coalesce(F("cur__member_count"), Value(0))
    sleaf = _start_key(replace(whole, child_level=leaf_level), previous)
    eleaf = F(f"cur__{_KEY_PATHS[leaf_level][0]}")
    in_report = Q(sleaf__in=ids) | Q(eleaf__in=ids)
    start_commune: dict[str, Any] = {}
    # A commune's report by village: a household whose start village is unknown but whose start
    # commune is this one (see UNPLACED).
    unplaced = scope.unit.pk if scope.unit.level == AdminUnit.Level.COMMUNE else None
    if unplaced is not None:
        start_commune["scommune"] = _start_key(
            replace(whole, child_level=AdminUnit.Level.COMMUNE), previous
        )
        in_report |= Q(sleaf__isnull=True, scommune=unplaced)
    groups: list[dict[str, Any]] = [
        dict(group)
        for group in households.annotate(sleaf=sleaf, eleaf=eleaf, **start_commune)
        .filter(in_report)
        .values(
            "sleaf",
            "eleaf",
            *start_commune,
            **({"owner": F("commune_id")} if by_owner else {}),
            prev_class=F("prev__final_classification"),
            cur_class=F("cur__final_classification"),
            **flags,
        )
        .annotate(
            n=Count("pk"),
            prev_n=Sum(prev_n),
            cur_n=Sum(cur_n),
            # Headed by a person of an ethnic minority, at the start and at the end.
            n_prev_minority=Count("pk", filter=Q(prev__head_minority=True)),
            prev_n_prev_minority=Coalesce(
                Sum(prev_n, filter=Q(prev__head_minority=True)), Value(0)
            ),
            n_cur_minority=Count("pk", filter=Q(cur__head_minority=True)),
            cur_n_cur_minority=Coalesce(Sum(cur_n, filter=Q(cur__head_minority=True)), Value(0)),
            # A household in the class at both ends, in the same row, may have gained or lost
            # members: "other" persons.
            gain=Sum(Greatest(cur_n - prev_n, Value(0))),
            loss=Sum(Greatest(prev_n - cur_n, Value(0))),
        )
        .order_by()
    ]
    for group in groups:
        if unplaced is not None and group["sleaf"] is None and group["scommune"] == unplaced:
            group["sleaf"] = UNPLACED
    return groups


def _row_of(scope: ReportScope, facts: MovementFacts) -> dict[Any, Any]:
    """Each leaf of the report (in its area) and the child unit whose row it is in."""
    ids = {child.pk for child in (scope.children() or [scope.unit])}
    kinds = AREA_KINDS[scope.area] if scope.area else None
    by_parent = scope.child_level == AdminUnit.Level.DISTRICT
    rows: dict[Any, Any] = {}
    for leaf, (parent, kind) in facts.leaves.items():
        if kinds is not None and kind not in kinds:
            continue
        key = parent if by_parent else leaf
        if key in ids:
            rows[leaf] = key
    by_village = facts.leaf_level == AdminUnit.Level.VILLAGE
    of_commune = by_village and scope.unit.level == AdminUnit.Level.COMMUNE
    if of_commune and (kinds is None or scope.unit.kind in kinds):
        rows[UNPLACED] = UNPLACED
    return rows


def _place(
    groups: list[dict[str, Any]],
    row_of: dict[int, Any],
    households: dict[str, dict[Any, MovementRow]],
    persons: dict[str, dict[Any, MovementRow]],
) -> None:
    """Add each group of households to the buckets of the rows it starts and ends in.

    A household starts in a row when its start leaf is of that row, ends in one when the leaf of
    its counted result now is; it stays when both are the same row. Each household at either end
    falls in exactly one bucket of each row it reaches (see `movements_both`)."""
    for g in groups:
        rs, re = row_of.get(g["sleaf"]), row_of.get(g["eleaf"])
        if rs is None and re is None:  # (another part of the report: an area, a district)
            continue
        here = rs is not None and rs == re
        n, prev_n, cur_n = g["n"], g["prev_n"], g["cur_n"]
        prev, cur = g["prev_class"], g["cur_class"]
        for target in TARGETS:
            if prev != target and cur != target:
                continue
            other = "near_poor" if target == "poor" else "poor"
            if prev == target and rs is not None:  # the start side: in the row at the start
                h, p = households[target][rs], persons[target][rs]
                h.start += n
                p.start += prev_n
                h.start_minority += g["n_prev_minority"]
                p.start_minority += g["prev_n_prev_minority"]
                if g["counted"] and here:
                    if cur == other:
                        h.dec_other_class += n
                        p.dec_other_class += prev_n
                    elif cur in ("average", "not_poor"):
                        h.dec_above_line += n
                        p.dec_above_line += prev_n
                    elif cur == target:  # stayed: members gained or lost are "other"
                        p.inc_other += g["gain"]
                        p.dec_other += g["loss"]
                elif g["counted"] or not g["resident_or_filed"]:  # moved, or gone
                    h.dec_other += n
                    p.dec_other += prev_n
                else:  # no result counted yet, still resident (or has a form): pending
                    h.pending += n
                    p.pending += prev_n
            if cur == target and re is not None:  # the end side: in the row now
                h, p = households[target][re], persons[target][re]
                h.end += n
                p.end += cur_n
                h.end_minority += g["n_cur_minority"]
                p.end_minority += g["cur_n_cur_minority"]
                if prev not in TARGETS:
                    if g[f"{target}_before"]:
                        bucket = "inc_returned"
                    elif g["arrived"]:
                        bucket = "inc_other"
                    else:
                        bucket = "inc_new"
                elif not here:  # in a class at the start, in another row: moved in
                    bucket = "inc_other"
                elif prev == other:
                    bucket = "inc_other_class"
                else:  # stayed in the class (counted on the start side)
                    continue
                setattr(h, bucket, getattr(h, bucket) + n)
                setattr(p, bucket, getattr(p, bucket) + cur_n)


def movements_both(scope: ReportScope, facts: MovementFacts | None = None) -> dict[str, Movements]:
    """The poor and near-poor movement tables, households and persons.

    Every household at either end falls in exactly one bucket of each row it reaches, so on every
    row and the total: start − decreases − pending + increases = end. Pending ("chưa có kết
    quả"): in the class at the start, with no result counted on this basis yet (its form is not
    approved, or not yet made while the household is still resident). A household that changed
    unit between the rounds leaves the old unit's row as "other" decrease and enters the new
    unit's row as "other" increase; the total treats a move within the report's unit as no move
    (it stays where it was, in or between classes), so a unit's figures are the same whether it
    is a row of its parent's report or the total of its own. The total is therefore not the sum
    of the rows in the change columns, only in the start, pending and end columns. In one area
    (`ReportScope.area`) a household is in the rows only at an end where its commune is of the
    area: one that moved between the areas leaves the one and enters the other.

    One aggregate query (`movement_facts`) unless `facts` are given, plus the child units.
    """
    facts = facts or movement_facts(scope)
    row_of = _row_of(scope, facts)
    made = _empty_rows(scope)
    # The child rows, then the total, where a move between two of the rows is no move.
    _place(facts.groups, row_of, made["households"], made["persons"])
    _place(facts.groups, dict.fromkeys(row_of, "total"), made["households"], made["persons"])
    unplaced = UNPLACED in row_of and any(
        g["sleaf"] == UNPLACED and g["prev_class"] in TARGETS for g in facts.groups
    )
    return _movement_tables(scope, facts.previous, made, unplaced)


# Rows of both movement tables being made: [measure][target][row key] (a child unit's id,
# UNPLACED or "total").
MadeRows = dict[str, dict[str, dict[Any, MovementRow]]]
MEASURES = ("households", "persons")


def _empty_rows(scope: ReportScope, children: bool = True) -> MadeRows:
    """The rows of zeros: the total, UNPLACED and (unless `children` is false) the child units'."""
    units: list[Any] = (scope.children() or [scope.unit]) if children else []
    return {
        measure: {
            target: {
                **{unit.pk: MovementRow(label=unit.name, unit=unit) for unit in units},
                UNPLACED: MovementRow(label=UNPLACED_LABEL),
                "total": MovementRow(label="Tổng cộng", unit=scope.unit),
            }
            for target in TARGETS
        }
        for measure in MEASURES
    }


def _movement_tables(
    scope: ReportScope, previous: list[ReviewRound], made: MadeRows, unplaced: bool
) -> dict[str, Movements]:
    children: list[Any] = scope.children() or [scope.unit]
    result = {}
    for target in TARGETS:
        tables = Movements(
            scope=scope,
            target=target,
            previous_round=previous[0] if previous else None,
            previous_rounds=previous,
        )
        households, persons = made["households"][target], made["persons"][target]
        keys = [child.pk for child in children] + ([UNPLACED] if unplaced else [])
        tables.households = [households[key] for key in keys]
        tables.persons = [persons[key] for key in keys]
        tables.households_total, tables.persons_total = households["total"], persons["total"]
        result[target] = tables
    return result


# One commune's rows of its province's movement tables by commune, as stored
# (`reports.aggregates`): target -> [households' MOVEMENT_FIELDS, persons' MOVEMENT_FIELDS].
LeafRows = dict[str, list[list[int]]]


def movement_rows_by_leaf(
    groups: list[dict[str, Any]], leaves: Sequence[int]
) -> dict[int, LeafRows]:
    """The rows of the communes `leaves` in the movement tables of their province by commune,
    placed from `groups` (`MovementFacts.groups` with commune leaves; at least all those that
    start or end in one of the leaves): a commune's row is the same whichever other communes
    are rows beside it (a group's bucket in a row depends on its start and end leaves only), so
    each commune's can be kept apart and summed up to nothing else. Rows of zeros are left out."""
    made: dict[str, dict[str, dict[Any, MovementRow]]] = {
        measure: {target: {leaf: MovementRow(label="") for leaf in leaves} for target in TARGETS}
        for measure in MEASURES
    }
    _place(groups, {leaf: leaf for leaf in leaves}, made["households"], made["persons"])
    found: dict[int, LeafRows] = {}
    for leaf in leaves:
        for target in TARGETS:
            cells = [
                [getattr(made[measure][target][leaf], name) for name in MOVEMENT_FIELDS]
                for measure in MEASURES
            ]
            if any(any(row) for row in cells):
                found.setdefault(leaf, {})[target] = cells
    return found


def province_movements_by_commune(scope: ReportScope) -> dict[str, Movements]:
    """`movements_both` of a province by commune (in every area), from the aggregates: each
    commune's rows as stored (`movement_rows_by_leaf`), and the total placed from the groups
    summed by the communes' parents, where a move inside the province is no move (the total of
    the province by district, from the same query)."""
    from .aggregates import stored_movement_groups_by_district, stored_movement_rows

    stored = stored_movement_rows(scope)
    made = _empty_rows(scope, children=False)
    for child in scope.children():
        data = stored.get(child.pk, {})
        for target in TARGETS:
            cells = data.get(target) or [[0] * len(MOVEMENT_FIELDS)] * len(MEASURES)
            for measure, values in zip(MEASURES, cells, strict=True):
                made[measure][target][child.pk] = MovementRow(
                    child.name, child, **dict(zip(MOVEMENT_FIELDS, values, strict=True))
                )
    parents = set(
        AdminUnit.objects.filter(scope.commune_units_filter()).values_list("parent_id", flat=True)
    )
    _place(
        stored_movement_groups_by_district(scope),
        dict.fromkeys(parents, "total"),
        made["households"],
        made["persons"],
    )
    return _movement_tables(scope, previous_rounds(scope.review_round), made, unplaced=False)


# --- Deprivations among poor and near-poor households --------------------------------------------


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same filter, reached through a relation (`prefix` like "response__")."""
    result = Q()
    result.connector, result.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, prefix))
        else:
            key, value = child  # type: ignore[misc]
            result.children.append((prefix + key, value))
    return result


@dataclass
class DeprivationRow:
    key: str
    label: str
    poor: int
    near_poor: int
    poor_rate: Decimal | None
    near_poor_rate: Decimal | None


def deprivations(
    scope: ReportScope,
    summary_total: SummaryRow,
    counts: dict[str, dict[str, int]] | None = None,
) -> list[DeprivationRow]:
    """Poor and near-poor households deprived of each indicator of the round's standard, and the
    rate over the households of the class. `counts` (by indicator, by class) when known already:
    `ReportTables` takes them from the total of tables 4–7, with no query of its own."""
    counts = (
        counts
        if counts is not None
        else {
            row["indicator"]: {"poor": row["poor"], "near_poor": row["near_poor"]}
            for row in ResponseDeprivation.objects.filter(
                _prefixed(scope.response_filter(), "response__"),
                response__status__in=scope.statuses,
                response__final_classification__in=["poor", "near_poor"],
            )
            .values("indicator")
            .annotate(
                poor=Count("id", filter=Q(response__final_classification="poor")),
                near_poor=Count("id", filter=Q(response__final_classification="near_poor")),
            )
            .order_by()
        }
    )
    rows = []
    for indicator in scope.standard.indicators:
        data = counts.get(indicator.key, {"poor": 0, "near_poor": 0})
        rows.append(
            DeprivationRow(
                key=indicator.key,
                label=indicator.label_vi,
                poor=data["poor"],
                near_poor=data["near_poor"],
                poor_rate=rate(data["poor"], summary_total.poor),
                near_poor_rate=rate(data["near_poor"], summary_total.near_poor),
            )
        )
    return rows


# --- Every table of a report, for the pages and the workbook alike -------------------------------


@dataclass(frozen=True)
class Unbalanced:
    """A movement row where start − decreases − pending + increases ≠ end."""

    target: str  # "poor" or "near_poor"
    measure: str  # "households" or "persons"
    row: MovementRow


class ReportTables:
    """Every table of a report for one scope: what a report page shows and the workbook lays out.

    The pages and `report_workbook` both read their numbers from here, so a page and the workbook of
    the same scope cannot disagree. Each table is computed on first use and kept: a page asks only
    for the tables it shows (its query count stays that of those tables), the workbook for all.
    """

    def __init__(self, scope: ReportScope, base: "ReportTables | None" = None) -> None:
        """`base`: the tables of the same report in every area, whose facts these (of one area)
        are rolled up from, with no query of their own."""
        self.scope = scope
        self._base = base

    @cached_property
    def summary_facts(self) -> SummaryFacts:
        return self._base.summary_facts if self._base else summary_facts(self.scope)

    @cached_property
    def movement_facts(self) -> MovementFacts:
        return self._base.movement_facts if self._base else movement_facts(self.scope)

    @cached_property
    def summary(self) -> Summary:
        return summary(self.scope, self.summary_facts)

    @cached_property
    def movements(self) -> dict[str, Movements]:
        """Both movement tables, by target ("poor", "near_poor"), from one aggregate: for a
        province by commune, each commune's stored rows; by district, the groups summed by
        district (unless the communes' groups are here already, for the split by area)."""
        whole_province = (
            self._base is None
            and self.scope.area is None
            and self.scope.unit.level == AdminUnit.Level.PROVINCE
            and "movement_facts" not in self.__dict__
        )
        if whole_province and self.scope.child_level == AdminUnit.Level.COMMUNE:
            return province_movements_by_commune(self.scope)
        by_district = whole_province and self.scope.child_level == AdminUnit.Level.DISTRICT
        facts = district_movement_facts(self.scope) if by_district else self.movement_facts
        return movements_both(self.scope, facts)

    @property
    def poor_movements(self) -> Movements:
        return self.movements["poor"]

    @property
    def near_poor_movements(self) -> Movements:
        return self.movements["near_poor"]

    @cached_property
    def deprivations(self) -> list[DeprivationRow]:
        """The deprivation sheet: the totals of tables 4–7, rated over the summary's counts."""
        from .tables import deprivation_totals

        counts = deprivation_totals(self.scope, self.deprivation_facts)
        return deprivations(self.scope, self.summary.total, counts)

    # The official tables of reports.tables (imported here: that module builds on this one),
    # from two queries: the poor and near-poor responses by unit and ethnic group, and their
    # deprivations by unit and indicator.

    @cached_property
    def target_facts(self) -> "TargetFacts":
        from .tables import target_facts

        return target_facts(self.scope)

    @cached_property
    def deprivation_facts(self) -> "Deprived":
        from .tables import deprivation_facts

        return deprivation_facts(self.scope)

    @cached_property
    def deprivations_by_unit(self) -> dict[str, "DeprivationsByUnit"]:
        from .tables import deprivations_by_unit

        return deprivations_by_unit(self.scope, self.target_facts, self.deprivation_facts)

    @cached_property
    def policy_groups(self) -> "GroupTable":
        from .tables import groups_by_unit

        return groups_by_unit(self.scope, self.target_facts)

    @cached_property
    def ethnicity(self) -> "EthnicTable":
        from .tables import by_ethnicity

        return by_ethnicity(self.scope, self.target_facts)

    @cached_property
    def children(self) -> "ChildrenTable":
        from .tables import children

        return children(self.scope, self.target_facts, self.deprivation_facts)

    @cached_property
    def household_lists(self) -> "HouseholdLists":
        from .tables import household_lists

        return household_lists(self.scope)

    @cached_property
    def poverty_causes(self) -> "dict[str, AnswerTable]":
        """Biểu 10, poor and near-poor households by cause (reports.needs), by class."""
        from .needs import poverty_causes  # reports.needs reads this module's scope and rate

        return poverty_causes(self.scope)

    @cached_property
    def support_needs(self) -> "dict[str, AnswerTable]":
        """Poor and near-poor households by support need (reports.needs), by class."""
        from .needs import support_needs

        return support_needs(self.scope)

    def unbalanced(self, target: str | None = None) -> list[Unbalanced]:
        """Movement rows (child units and totals) that do not add up, for the report to flag.

        By construction of `movements_both` every household falls in exactly one bucket, so real
        data balances; a row that does not means the data was changed behind the app's back.
        """
        found = []
        for name in (target,) if target else TARGETS:
            tables = self.movements[name]
            for measure, rows, total in (
                ("households", tables.households, tables.households_total),
                ("persons", tables.persons, tables.persons_total),
            ):
                found += [Unbalanced(name, measure, r) for r in [*rows, total] if not r.balanced]
        return found

    @cached_property
    def areas(self) -> "AreaSplit":
        """The summary and the movement tables split into I. urban and II. rural."""
        return AreaSplit(self)


def report_tables(scope: ReportScope) -> ReportTables:
    """Every table of the report of `scope`: summary, both movement tables, deprivations, groups,
    and the summary and movements split into urban and rural (`areas`)."""
    return ReportTables(scope)


# --- Urban and rural: the summary and the movements by area --------------------------------------


class AreaMovementRow:
    """A row of a movement table by area (households): the unit's movement row and its summary
    row, whose total of resident households is the denominator of the end-of-period rates.

    As in the summary, a rate is over the communes whose total is known: the end rate is the
    summary's (its end count is the summary's count of the class); the ethnic-minority rate is
    left out when some of the unit's communes lack their total (its numerator cannot be limited
    to the others here)."""

    def __init__(self, movement: MovementRow, summary_row: SummaryRow | None, target: str) -> None:
        self.movement = movement
        self.summary_row = summary_row
        self.target = target

    @property
    def label(self) -> str:
        return self.movement.label

    @property
    def unit(self) -> AdminUnit | None:
        return self.movement.unit

    @property
    def total_households(self) -> int | None:
        return self.summary_row.total_households if self.summary_row else None

    @property
    def end_rate(self) -> Decimal | None:
        if self.summary_row is None:
            return None
        row = self.summary_row
        return row.poor_rate if self.target == "poor" else row.near_poor_rate

    @property
    def end_minority_rate(self) -> Decimal | None:
        if self.summary_row is None or self.summary_row.communes_missing:
            return None
        return rate(self.movement.end_minority, self.total_households)


def _area_movement_rows(
    summary: Summary, rows: list[MovementRow], total: MovementRow, target: str
) -> tuple[list[AreaMovementRow], AreaMovementRow]:
    by_unit = {row.unit.pk: row for row in summary.rows if row.unit is not None}
    # A unit's own row stands in for its children when it has none (a village, or an area with
    # no unit here): the area's row above the units says it already.
    own = summary.scope.unit.pk
    return (
        [
            AreaMovementRow(row, by_unit.get(row.unit.pk) if row.unit else None, target)
            for row in rows
            if row.unit is None or row.unit.pk != own  # (None: UNPLACED)
        ],
        AreaMovementRow(total, summary.total, target),
    )


@dataclass
class AreaPart:
    """One area of the report: "I. Thành thị" or "II. Nông thôn", with its own tables."""

    area: str  # "urban" or "rural"
    title: str  # "I. Thành thị"
    tables: ReportTables  # of the scope in the area

    @property
    def summary_rows(self) -> list[SummaryRow]:
        return self.tables.summary.rows

    @property
    def summary_total(self) -> SummaryRow:
        """The area's own row (its totals), named after it."""
        return replace(self.tables.summary.total, label=self.title)

    def movement(self, target: str) -> tuple[list[AreaMovementRow], AreaMovementRow]:
        """The rows of the area's units and the area's own row, of the poor or near-poor table."""
        moves = self.tables.movements[target]
        return _area_movement_rows(
            self.tables.summary,
            moves.households,
            replace(moves.households_total, label=self.title),
            target,
        )

    @property
    def poor(self) -> tuple[list[AreaMovementRow], AreaMovementRow]:
        return self.movement("poor")

    @property
    def near_poor(self) -> tuple[list[AreaMovementRow], AreaMovementRow]:
        return self.movement("near_poor")


class AreaSplit:
    """The summary and both movement tables of a report, split into I. urban and II. rural.

    Each area is the same report of the communes of that kind only (`ReportScope.area`), rolled
    up from the same facts as the report's own tables (no query of its own); the grand total is
    the report's own (the summary's and the movement tables' totals), so the split adds up to the
    figures of the other tables.
    """

    def __init__(self, tables: ReportTables) -> None:
        self.tables = tables
        numerals = ("I", "II")
        self.parts = [
            AreaPart(
                area, f"{numeral}. {label}", ReportTables(tables.scope.in_area(area), base=tables)
            )
            for numeral, (area, label) in zip(numerals, AREAS.items(), strict=True)
        ]

    @property
    def summary_total(self) -> SummaryRow:
        return self.tables.summary.total

    def movement_total(self, target: str) -> AreaMovementRow:
        moves = self.tables.movements[target]
        return AreaMovementRow(moves.households_total, self.tables.summary.total, target)

    def unbalanced(self, target: str) -> list[Unbalanced]:
        """Rows of the movement table by area that do not add up, a unit's named with its area
        (a district may stand in both)."""
        checked: list[MovementRow] = []
        for part in self.parts:
            rows, own = part.movement(target)
            checked.append(own.movement)
            checked += [replace(r.movement, label=f"{part.title}, {r.label}") for r in rows]
        checked.append(self.movement_total(target).movement)
        return [Unbalanced(target, "households", row) for row in checked if not row.balanced]


# --- The detailed household list ------------------------------------------------------------------

# Rows fetched per round trip when streaming the household list.
HOUSEHOLD_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class HouseholdList:
    """The scope's households of the chosen classes, in village and name order.

    Each row is a tuple: (district name, only when `with_district`), commune, village, head's name,
    address, final class, computed class, members, income score, deprivation score, deprived
    indicator keys, reason for the override. No citizen IDs or birth dates.
    """

    with_district: bool
    rows: Iterator[tuple[Any, ...]]


def household_list(
    scope: ReportScope, classes: Sequence[str] = ("poor", "near_poor")
) -> HouseholdList:
    """One query, streamed in chunks (`HOUSEHOLD_CHUNK_SIZE`): memory stays flat at any size."""
    if not classes or set(classes) - set(Classification.values):
        raise ValueError(f"classes must be among {Classification.values}")
    with_district = scope.review_round.province.edition.has_districts
    fields = [
        *(["commune__parent__name"] if with_district else []),
        "commune__name",
        "village__name",
        "household__head_name",
        "household__address",
        "final_classification",
        "computed_classification",
        "member_count",
        "income_score",
        "deprivation_score",
        "deprived",
        "override_reason",
    ]
    rows = (
        SurveyResponse.objects.filter(
            scope.response_filter(),
            status__in=scope.statuses,
            final_classification__in=list(classes),
        )
        .order_by("village__path", "household__head_name_key", "household_id")
        .values_list(*fields)
    )
    return HouseholdList(
        with_district=with_district, rows=rows.iterator(chunk_size=HOUSEHOLD_CHUNK_SIZE)
    )


# A commune's household list (a few thousand rows) is built while the user waits; a district's or a
# province's is written by `export_report` (a background job later).
WEB_HOUSEHOLD_LIST_LEVELS = frozenset({AdminUnit.Level.COMMUNE, AdminUnit.Level.VILLAGE})


def household_list_on_the_web(unit: AdminUnit) -> bool:
    return unit.level in WEB_HOUSEHOLD_LIST_LEVELS


def household_list_count(scope: ReportScope, classes: Sequence[str] = ("poor", "near_poor")) -> int:
    """The number of rows `household_list` gives (the same filter), for a job's progress bar."""
    return SurveyResponse.objects.filter(
        scope.response_filter(), status__in=scope.statuses, final_classification__in=list(classes)
    ).count()
