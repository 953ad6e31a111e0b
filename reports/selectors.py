"""Report tables for a round and a unit, broken down by the unit's children.

Each table is one aggregate query (plus one for the child units' names, one for the commune totals),
never a loop of queries per unit. The layout (Excel, pages) only formats what these return:
`report_tables(scope)` is the one object both the report pages and the summary workbook read, and
`household_list(scope)` the rows of the detailed household list.

A scope may be narrowed to one area (`ReportScope.area`: the urban or the rural communes, by their
kind); `ReportTables.areas` runs the same tables once per area for the tables split into
I. Thành thị and II. Nông thôn.

Which results count: `basis="approved"` (the default: the commune chairman's approved list, the
official figure) or `basis="submitted"` (every form submitted and not sent back: the running count
during the review).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from areas.models import AdminUnit
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
from survey.selectors import previous_round

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
    def standard(self) -> Standard:
        return get_standard(self.review_round.standard_code)

    def children(self) -> list[AdminUnit]:
        """The child units, by level under this unit: a province's communes sit under districts."""
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
    label: str
    unit: AdminUnit | None = None
    total_households: int | None = None
    surveyed: int = 0
    poor: int = 0
    near_poor: int = 0
    average: int = 0
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
        return rate(self.poor, self.total_households)

    @property
    def near_poor_rate(self) -> Decimal | None:
        return rate(self.near_poor, self.total_households)

    @property
    def average_rate(self) -> Decimal | None:
        return rate(self.average, self.total_households)


SUMMARY_COUNTS = tuple(
    f.name for f in fields(SummaryRow) if f.name not in {"label", "unit", "total_households"}
)


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


@dataclass
class Summary:
    scope: ReportScope
    rows: list[SummaryRow]
    total: SummaryRow
    target_rate: Decimal | None = None

    @property
    def target_gap(self) -> Decimal | None:
        """Actual minus target poverty rate, in percentage points (negative: better than target)."""
        if self.target_rate is None or self.total.poor_rate is None:
            return None
        return self.total.poor_rate - self.target_rate


def summary(scope: ReportScope) -> Summary:
    group = scope.response_group
    counts = {
        row[group]: row
        for row in SurveyResponse.objects.filter(scope.response_filter(), status__in=scope.statuses)
        .values(group)
        .annotate(**_summary_aggregates())  # type: ignore[arg-type]
        .order_by()
    }
    totals_group = {"commune__parent_id": "commune__parent_id", "commune_id": "commune_id"}.get(
        group
    )
    total_rows = CommuneTotal.objects.filter(
        scope.communes_filter(), review_round=scope.review_round
    )
    totals: dict[int, int] = {}
    if totals_group:
        totals = {
            row[totals_group]: row["n"]
            for row in total_rows.values(totals_group)
            .annotate(n=Sum("total_households"))
            .order_by()
        }
    rows = []
    for child in scope.children():
        row = SummaryRow(label=child.name, unit=child, total_households=totals.get(child.pk))
        for name, value in counts.get(child.pk, {}).items():
            if name in SUMMARY_COUNTS:
                setattr(row, name, value)
        rows.append(row)
    total = SummaryRow(label="Tổng cộng", unit=scope.unit)
    for name in SUMMARY_COUNTS:
        setattr(total, name, sum(v[name] for v in counts.values()))
    grand = total_rows.aggregate(n=Sum("total_households"))["n"]
    total.total_households = grand
    target = None
    if scope.unit.level == AdminUnit.Level.PROVINCE:
        target = (
            ProvinceTarget.objects.filter(province=scope.unit, year=scope.review_round.year)
            .values_list("target_poverty_rate", flat=True)
            .first()
        )
    return Summary(scope=scope, rows=rows, total=total, target_rate=target)


# --- Movements since the previous periodic round --------------------------------------------------

MOVEMENT_FIELDS = (
    "start",
    "dec_other_class",  # poor → near-poor (or near-poor → poor, in the near-poor table)
    "dec_above_line",  # rose above the near-poor line (average or none)
    "dec_other",  # moved away, died, merged, not reviewed
    "inc_other_class",  # from near-poor (or from poor)
    "inc_returned",  # again, after having left before the previous round
    "inc_new",
    "inc_other",  # households split off since the previous round
    "end",
    "start_minority",  # of the start and the end: ethnic-minority households (head of household)
    "end_minority",
)


@dataclass
class MovementRow:
    label: str
    unit: AdminUnit | None = None
    start: int = 0
    dec_other_class: int = 0
    dec_above_line: int = 0
    dec_other: int = 0
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
        return self.start - self.decreases + self.increases == self.end


@dataclass
class Movements:
    scope: ReportScope
    target: str  # "poor" or "near_poor"
    previous_round: ReviewRound | None
    households: list[MovementRow] = field(default_factory=list)
    households_total: MovementRow = field(default_factory=lambda: MovementRow("Tổng cộng"))
    persons: list[MovementRow] = field(default_factory=list)
    persons_total: MovementRow = field(default_factory=lambda: MovementRow("Tổng cộng"))


TARGETS = ("poor", "near_poor")


def movements(scope: ReportScope, target: str = "poor") -> Movements:
    """One of the two movement tables (see `movements_both`, which makes both in one query)."""
    if target not in TARGETS:
        raise ValueError(target)
    return movements_both(scope)[target]


def movements_both(scope: ReportScope) -> dict[str, Movements]:
    """The poor and near-poor movement tables, households and persons, from one aggregate."""
    previous = previous_round(scope.review_round)
    statuses = scope.statuses
    rounds = [scope.review_round.pk] + ([previous.pk] if previous else [])
    # Only households poor or near-poor at either end: a hash semi-join, then the unique
    # (round, household) index for their two responses, instead of every household of the unit.
    concerned = SurveyResponse.objects.filter(
        review_round_id__in=rounds, status__in=statuses, final_classification__in=TARGETS
    ).values("household_id")
    households = Household.objects.filter(scope.household_filter(), pk__in=concerned).annotate(
        cur=FilteredRelation(
            "responses",
            condition=Q(responses__review_round=scope.review_round, responses__status__in=statuses),
        ),
        prev=FilteredRelation(
            "responses",
            condition=Q(responses__review_round=previous, responses__status__in=statuses),
        ),
    )
    earlier_rounds = list(
        ReviewRound.objects.filter(
            province__code=scope.review_round.province.code,
            kind=ReviewRound.Kind.PERIODIC,
            year__lt=previous.year if previous else scope.review_round.year,
        ).values_list("pk", flat=True)
    )
    for target in TARGETS:
        households = households.annotate(
            **{
                f"{target}_before": Exists(
                    SurveyResponse.objects.filter(
                        household=OuterRef("pk"),
                        review_round_id__in=earlier_rounds,
                        status__in=statuses,
                        final_classification=target,
                    )
                )
                if earlier_rounds
                else Value(False)
            }
        )
    # "Other" increases: households split off since the previous round (tách hộ), kept apart so
    # that a wave of splits that qualify for benefits shows in the report.
    arrived = (
        Q(split_from__isnull=False, created_at__date__gt=previous.ends_on)
        if previous
        else Q(pk__in=[])
    )
    cur_class = "cur__final_classification"
    prev_n = Coalesce(F("prev__member_count"), Value(0))
    cur_n = Coalesce(F("cur__member_count"), Value(0))
    aggregates: dict[str, object] = {}
    for target in TARGETS:
        other = "near_poor" if target == "poor" else "poor"
        was = Q(prev__final_classification=target)
        now = Q(cur__final_classification=target)
        before = Q(**{f"{target}_before": True})
        not_before = Q(**{f"{target}_before": False})
        fresh = now & ~Q(prev__final_classification__in=TARGETS)
        buckets = {
            "start": was,
            "dec_other_class": was & ~now & Q(**{cur_class: other}),
            "dec_above_line": was & ~now & Q(**{f"{cur_class}__in": ["average", "not_poor"]}),
            "dec_other": was & Q(**{f"{cur_class}__isnull": True}),
            "inc_other_class": now & Q(prev__final_classification=other),
            "inc_returned": fresh & before,
            "inc_new": fresh & not_before & ~arrived,
            "inc_other": fresh & not_before & arrived,
            "end": now,
            "start_minority": was & Q(prev__head_minority=True),
            "end_minority": now & Q(cur__head_minority=True),
        }
        for name, condition in buckets.items():
            aggregates[f"{target}_h_{name}"] = Count("pk", filter=condition)
            persons = prev_n if name.startswith(("dec", "start")) else cur_n
            aggregates[f"{target}_p_{name}"] = Coalesce(Sum(persons, filter=condition), Value(0))
        # A household in the class at both ends may have gained or lost members: "other" persons.
        stayed = was & now
        aggregates[f"{target}_p_stay_gain"] = Coalesce(
            Sum(Greatest(cur_n - prev_n, Value(0)), filter=stayed), Value(0)
        )
        aggregates[f"{target}_p_stay_loss"] = Coalesce(
            Sum(Greatest(prev_n - cur_n, Value(0)), filter=stayed), Value(0)
        )
    group = scope.household_group
    grouped = {
        row[group]: row
        for row in households.values(group)
        .annotate(**aggregates)  # type: ignore[arg-type]
        .order_by()
    }
    children = scope.children() or [scope.unit]

    def rows_for(prefix: str) -> tuple[list[MovementRow], MovementRow]:
        rows = []
        for child in children:
            data = grouped.get(child.pk, {})
            row = MovementRow(label=child.name, unit=child)
            for name in MOVEMENT_FIELDS:
                setattr(row, name, data.get(f"{prefix}_{name}", 0))
            if prefix.endswith("_p"):
                row.inc_other += data.get(f"{prefix}_stay_gain", 0)
                row.dec_other += data.get(f"{prefix}_stay_loss", 0)
            rows.append(row)
        total = MovementRow(label="Tổng cộng", unit=scope.unit)
        for name in MOVEMENT_FIELDS:
            setattr(total, name, sum(getattr(r, name) for r in rows))
        return rows, total

    result = {}
    for target in TARGETS:
        tables = Movements(scope=scope, target=target, previous_round=previous)
        tables.households, tables.households_total = rows_for(f"{target}_h")
        tables.persons, tables.persons_total = rows_for(f"{target}_p")
        result[target] = tables
    return result


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


def deprivations(scope: ReportScope, summary_total: SummaryRow) -> list[DeprivationRow]:
    counts = {
        row["indicator"]: row
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
    """A movement row where start − decreases + increases ≠ end."""

    target: str  # "poor" or "near_poor"
    measure: str  # "households" or "persons"
    row: MovementRow


class ReportTables:
    """Every table of a report for one scope: what a report page shows and the workbook lays out.

    The pages and `report_workbook` both read their numbers from here, so a page and the workbook of
    the same scope cannot disagree. Each table is computed on first use and kept: a page asks only
    for the tables it shows (its query count stays that of those tables), the workbook for all.
    """

    def __init__(self, scope: ReportScope) -> None:
        self.scope = scope

    @cached_property
    def summary(self) -> Summary:
        return summary(self.scope)

    @cached_property
    def movements(self) -> dict[str, Movements]:
        """Both movement tables, by target ("poor", "near_poor"), from one aggregate."""
        return movements_both(self.scope)

    @property
    def poor_movements(self) -> Movements:
        return self.movements["poor"]

    @property
    def near_poor_movements(self) -> Movements:
        return self.movements["near_poor"]

    @cached_property
    def deprivations(self) -> list[DeprivationRow]:
        return deprivations(self.scope, self.summary.total)

    @property
    def groups(self) -> Summary:
        """The policy-group table: the summary's rows, read for their group counts."""
        return self.summary

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


@dataclass(frozen=True)
class AreaMovementRow:
    """A row of a movement table by area (households): the unit's movement row and its total
    resident households, the denominator of the end-of-period rates."""

    movement: MovementRow
    total_households: int | None

    @property
    def label(self) -> str:
        return self.movement.label

    @property
    def unit(self) -> AdminUnit | None:
        return self.movement.unit

    @property
    def end_rate(self) -> Decimal | None:
        return rate(self.movement.end, self.total_households)

    @property
    def end_minority_rate(self) -> Decimal | None:
        return rate(self.movement.end_minority, self.total_households)


def _area_movement_rows(
    summary: Summary, rows: list[MovementRow], total: MovementRow
) -> tuple[list[AreaMovementRow], AreaMovementRow]:
    totals = {row.unit.pk: row.total_households for row in summary.rows if row.unit is not None}
    # A unit's own row stands in for its children when it has none (a village, or an area with
    # no unit here): the area's row above the units says it already.
    own = summary.scope.unit.pk
    return (
        [
            AreaMovementRow(row, totals.get(row.unit.pk))
            for row in rows
            if row.unit is not None and row.unit.pk != own
        ],
        AreaMovementRow(total, summary.total.total_households),
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
        )

    @property
    def poor(self) -> tuple[list[AreaMovementRow], AreaMovementRow]:
        return self.movement("poor")

    @property
    def near_poor(self) -> tuple[list[AreaMovementRow], AreaMovementRow]:
        return self.movement("near_poor")


class AreaSplit:
    """The summary and both movement tables of a report, split into I. urban and II. rural.

    Each area is the same report of the communes of that kind only (`ReportScope.area`), so each
    of its tables is the same set-based aggregates, a constant number of queries per area; the
    grand total is the report's own (the summary's and the movement tables' totals), so the split
    adds up to the figures of the other tables.
    """

    def __init__(self, tables: ReportTables) -> None:
        self.tables = tables
        numerals = ("I", "II")
        self.parts = [
            AreaPart(area, f"{numeral}. {label}", ReportTables(tables.scope.in_area(area)))
            for numeral, (area, label) in zip(numerals, AREAS.items(), strict=True)
        ]

    @property
    def summary_total(self) -> SummaryRow:
        return self.tables.summary.total

    def movement_total(self, target: str) -> AreaMovementRow:
        moves = self.tables.movements[target]
        return AreaMovementRow(moves.households_total, self.tables.summary.total.total_households)

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
