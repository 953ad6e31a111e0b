"""The official tables beyond the summary: deprivations by unit (tables 4–7), policy groups (8),
ethnic groups (9), children (11) and the lists of poor and near-poor households and of those who
left each class (14–15). Numbering as in the domain research, §2.6 (this software's numbering: the
official appendix was not found).

Set-based like `reports.selectors`: each table is one aggregate query (two for the tables that also
count deprivations), plus the child units' names; never a query per unit. They read the fields a
form keeps at submission (member count, head's ethnic group, policy groups, children), so a table
is an aggregate over the responses of the round (index `response_round_class` for the poor and
near-poor) and their deprivation rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from areas.models import AdminUnit
from households.ethnicity import ETHNIC_GROUPS
from survey.engine import Indicator
from survey.models import ResponseDeprivation, SurveyResponse
from survey.selectors import previous_rounds

from .selectors import TARGETS, ReportScope, _prefixed, rate

TARGET_LABELS = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}
CLASS_LABELS = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Hộ không nghèo",
}
ETHNIC_NAMES = dict(ETHNIC_GROUPS)
NO_HEAD = "Chưa rõ (hộ chưa có chủ hộ)"


def _units(scope: ReportScope) -> list[AdminUnit]:
    """The rows of a table by unit: the child units, or the unit itself for a village."""
    return scope.children() or [scope.unit]


def _responses(scope: ReportScope) -> Any:
    """The scope's counted poor and near-poor responses."""
    return SurveyResponse.objects.filter(
        scope.response_filter(), status__in=scope.statuses, final_classification__in=TARGETS
    )


def _deprivation_rows(scope: ReportScope, indicators: list[str] | None = None) -> Any:
    rows = ResponseDeprivation.objects.filter(
        _prefixed(scope.response_filter(), "response__"),
        response__status__in=scope.statuses,
        response__final_classification__in=TARGETS,
    )
    if indicators is not None:
        rows = rows.filter(indicator__in=indicators)
    return rows


def _by_class(prefix: str = "") -> dict[str, Any]:
    final = f"{prefix}final_classification"
    return {target: Count("id", filter=Q(**{final: target})) for target in TARGETS}


# --- What the tables are made from: two queries ---------------------------------------------------

# Unit key of a fact row (the child unit's id, the unit's own for a village).
UNIT = "unit"


# The measures of table 9, by ethnic group.
ETHNIC_MEASURES = ("poor__total", "poor__persons", "near_poor__total", "near_poor__persons")


@dataclass
class TargetFacts:
    """What the tables of the poor and near-poor households are made from: the measures of
    `target_aggregates` by child unit (4–7's households, 8, 11's households), and those of table
    9 by the head's ethnic group, over the whole scope."""

    per_unit: dict[int, dict[str, int]]
    # Table 9's figures, or how to get them when asked (only table 9 asks).
    ethnic: dict[str, dict[str, int]] | None = None
    load_ethnic: Callable[[], dict[str, dict[str, int]]] | None = None

    @property
    def by_ethnicity(self) -> dict[str, dict[str, int]]:
        if self.ethnic is None:
            assert self.load_ethnic is not None
            self.ethnic = self.load_ethnic()
        return self.ethnic

    @classmethod
    def of_rows(cls, rows: list[dict[str, Any]]) -> TargetFacts:
        """From rows by (unit, ethnic group), as `target_rows` gives them."""
        per_unit: dict[int, dict[str, int]] = {}
        by_ethnicity: dict[str, dict[str, int]] = {}
        for row in rows:
            into = per_unit.setdefault(row[UNIT], {})
            for name, value in row.items():
                if name not in (UNIT, "head_ethnicity"):
                    into[name] = into.get(name, 0) + value
            group = by_ethnicity.setdefault(
                row["head_ethnicity"], dict.fromkeys(ETHNIC_MEASURES, 0)
            )
            for name in ETHNIC_MEASURES:
                group[name] += row[name]
        return cls(per_unit=per_unit, ethnic=by_ethnicity)


def target_facts(scope: ReportScope) -> TargetFacts:
    """The scope's counted poor and near-poor responses, counted by child unit and by the head's
    ethnic group: per class the households, persons, policy groups and children. One query, that
    the tables by unit (4–7's households, 8, 11's households) and by ethnic group (9) roll up; for
    a district or a province, the per-commune aggregates (`reports.aggregates`)."""
    if scope.leaf_level == AdminUnit.Level.COMMUNE:
        from .aggregates import stored_target_facts

        return stored_target_facts(scope)
    return TargetFacts.of_rows(target_rows(scope, scope.response_group))


def target_aggregates() -> dict[str, Any]:
    """The measures of `target_facts`, by name."""
    aggregates: dict[str, Any] = {}
    for target in TARGETS:
        is_target = Q(final_classification=target)
        aggregates[f"{target}__total"] = Count("pk", filter=is_target)
        aggregates[f"{target}__persons"] = Coalesce(Sum("member_count", filter=is_target), Value(0))
        for key, _, condition in GROUPS:
            aggregates[f"{target}__{key}"] = Count("pk", filter=is_target & condition)
        aggregates[f"{target}__other"] = Count("pk", filter=is_target & OTHER)
        with_children = is_target & Q(child_count__gt=0)
        aggregates[f"{target}__with_children"] = Count("pk", filter=with_children)
        aggregates[f"{target}__children"] = Coalesce(
            Sum("child_count", filter=with_children), Value(0)
        )
    return aggregates


def target_rows(
    scope: ReportScope, group: str, owners: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """`target_facts` grouped by the response field `group`, of the responses filed under the
    communes `owners` only when given."""
    responses = _responses(scope)
    if owners is not None:
        responses = responses.filter(commune_id__in=owners)
    rows = []
    grouped = responses.values(group, "head_ethnicity").annotate(**target_aggregates())
    for row in grouped.order_by():
        found = dict(row)
        found[UNIT] = found.pop(group)
        rows.append(found)
    return rows


# Households deprived of an indicator: [poor, near-poor], by indicator, by unit.
Deprived = dict[Any, dict[str, list[int]]]
NONE_DEPRIVED = (0, 0)


def deprivation_facts(scope: ReportScope) -> Deprived:
    """Poor and near-poor households deprived of each indicator ([poor, near-poor]), by child
    unit and indicator: one query, that tables 4–7, 11 and the deprivation sheet read; for a
    district or a province, the per-commune aggregates (`reports.aggregates`), which keep each
    commune's in this very shape."""
    if scope.leaf_level == AdminUnit.Level.COMMUNE:
        from .aggregates import stored_deprivation_facts

        return stored_deprivation_facts(scope)
    return deprivation_counts(scope, scope.response_group)


def deprivation_counts(
    scope: ReportScope, group: str, owners: Sequence[int] | None = None
) -> Deprived:
    """`deprivation_facts` grouped by the response field `group`, of the responses filed under
    the communes `owners` only when given."""
    rows = _deprivation_rows(scope)
    if owners is not None:
        rows = rows.filter(response__commune_id__in=owners)
    found: Deprived = {}
    for row in (
        rows.values(f"response__{group}", "indicator")
        .annotate(**_by_class("response__"))
        .order_by()
    ):
        unit = found.setdefault(row[f"response__{group}"], {})
        unit[row["indicator"]] = [row[target] for target in TARGETS]
    return found


# --- Tables 4–7: deprivations by unit -------------------------------------------------------------


@dataclass
class UnitDeprivations:
    label: str
    unit: AdminUnit | None
    households: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def deprivations(self) -> int:
        return sum(self.counts.values())

    def rate(self, key: str) -> Decimal | None:
        return rate(self.counts.get(key, 0), self.households)

    def cells(self, keys: list[str]) -> list[tuple[int, Decimal | None]]:
        return [(self.counts.get(key, 0), self.rate(key)) for key in keys]


@dataclass
class DeprivationsByUnit:
    target: str
    indicators: list[Indicator]
    rows: list[UnitDeprivations]
    total: UnitDeprivations

    @property
    def keys(self) -> list[str]:
        return [indicator.key for indicator in self.indicators]


def _by_unit(
    scope: ReportScope,
    households: dict[int, dict[str, int]],
    counts: Deprived,
    target: str,
    indicators: list[Indicator],
    count_field: str,
) -> tuple[list[UnitDeprivations], UnitDeprivations]:
    rows = []
    position = TARGETS.index(target)
    for unit in _units(scope):
        row = UnitDeprivations(
            label=unit.name, unit=unit, households=households.get(unit.pk, {}).get(count_field, 0)
        )
        unit_counts = counts.get(unit.pk, {})
        row.counts = {
            indicator.key: unit_counts.get(indicator.key, NONE_DEPRIVED)[position]
            for indicator in indicators
        }
        rows.append(row)
    total = UnitDeprivations(
        label="Tổng cộng", unit=scope.unit, households=sum(r.households for r in rows)
    )
    for indicator in indicators:
        total.counts[indicator.key] = sum(r.counts[indicator.key] for r in rows)
    return rows, total


def deprivation_totals(scope: ReportScope, counts: Deprived) -> dict[str, dict[str, int]]:
    """Each indicator's deprived poor and near-poor households summed over the rows of tables
    4–7 (their total row, without making the rows): what the deprivation sheet rates."""
    totals: dict[str, list[int]] = {}
    for unit in _units(scope):
        for indicator, (poor, near_poor) in counts.get(unit.pk, {}).items():
            into = totals.setdefault(indicator, [0, 0])
            into[0] += poor
            into[1] += near_poor
    return {key: dict(zip(TARGETS, values, strict=True)) for key, values in totals.items()}


def deprivations_by_unit(
    scope: ReportScope,
    facts: TargetFacts | None = None,
    deprived: Deprived | None = None,
) -> dict[str, DeprivationsByUnit]:
    """Poor and near-poor households by unit, and those deprived of each indicator of the round's
    standard (tables 4–7: counts and rates, rate = deprived / households of the class)."""
    households = (target_facts(scope) if facts is None else facts).per_unit
    counts = deprivation_facts(scope) if deprived is None else deprived
    indicators = list(scope.standard.indicators)
    result = {}
    for target in TARGETS:
        rows, total = _by_unit(scope, households, counts, target, indicators, f"{target}__total")
        result[target] = DeprivationsByUnit(target, indicators, rows, total)
    return result


# --- Table 8: policy groups -----------------------------------------------------------------------

GROUPS = (
    ("minority", "Hộ dân tộc thiểu số", Q(head_minority=True)),
    (
        "no_labour",
        "Hộ không có người trong độ tuổi lao động có khả năng lao động",
        Q(no_labour_capacity=True),
    ),
    ("merit", "Hộ có người có công với cách mạng", Q(has_person_of_merit=True)),
    ("allowance", "Hộ có thành viên hưởng trợ cấp xã hội hằng tháng", Q(has_social_allowance=True)),
)
GROUP_SHORT = {
    "minority": "DTTS",
    "no_labour": "Không có lao động",
    "merit": "Có công",
    "allowance": "Trợ cấp XH",
}
# A household in none of the groups.
OTHER = Q(
    head_minority=False,
    no_labour_capacity=False,
    has_person_of_merit=False,
    has_social_allowance=False,
)
GROUP_KEYS = (*(key for key, _, _ in GROUPS), "other")
GROUP_LABELS = {
    **{key: label for key, label, _ in GROUPS},
    "other": "Hộ khác (không thuộc các nhóm trên)",
}


@dataclass
class GroupRow:
    label: str
    unit: AdminUnit | None
    # counts[target][group key], and counts[target]["total"]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def cells(self, target: str) -> list[int]:
        return [self.counts[target]["total"], *(self.counts[target][k] for k in GROUP_KEYS)]


@dataclass
class GroupTable:
    rows: list[GroupRow]
    total: GroupRow


def groups_by_unit(scope: ReportScope, facts: TargetFacts | None = None) -> GroupTable:
    """Poor and near-poor households by policy group and unit (table 8), from `target_facts`. A
    household may be in several groups; "other" are those in none, so total ≤ the groups plus
    other."""
    data = (target_facts(scope) if facts is None else facts).per_unit
    rows = []
    for unit in _units(scope):
        found = data.get(unit.pk, {})
        row = GroupRow(label=unit.name, unit=unit)
        for target in TARGETS:
            row.counts[target] = {
                key: found.get(f"{target}__{key}", 0) for key in ("total", *GROUP_KEYS)
            }
        rows.append(row)
    total = GroupRow(label="Tổng cộng", unit=scope.unit)
    for target in TARGETS:
        total.counts[target] = {
            key: sum(r.counts[target][key] for r in rows) for key in ("total", *GROUP_KEYS)
        }
    return GroupTable(rows=rows, total=total)


# --- Table 9: by ethnic group ---------------------------------------------------------------------


@dataclass
class EthnicRow:
    code: str
    label: str
    poor: int = 0
    poor_persons: int = 0
    near_poor: int = 0
    near_poor_persons: int = 0


@dataclass
class EthnicTable:
    rows: list[EthnicRow]
    total: EthnicRow

    def poor_share(self, row: EthnicRow) -> Decimal | None:
        return rate(row.poor, self.total.poor)

    def near_poor_share(self, row: EthnicRow) -> Decimal | None:
        return rate(row.near_poor, self.total.near_poor)


def by_ethnicity(scope: ReportScope, facts: TargetFacts | None = None) -> EthnicTable:
    """Poor and near-poor households and persons by the head's ethnic group (table 9): the groups
    present, in the order of the official list (GSO codes), from `target_facts`."""
    by_group: dict[str, EthnicRow] = {}
    for code, found in (target_facts(scope) if facts is None else facts).by_ethnicity.items():
        row = by_group.setdefault(code, EthnicRow(code=code, label=ETHNIC_NAMES.get(code, NO_HEAD)))
        row.poor += found["poor__total"]
        row.poor_persons += found["poor__persons"]
        row.near_poor += found["near_poor__total"]
        row.near_poor_persons += found["near_poor__persons"]
    rows = sorted(by_group.values(), key=lambda r: r.code or "99")  # no head last
    total = EthnicRow(code="", label="Tổng cộng")
    for name in ("poor", "poor_persons", "near_poor", "near_poor_persons"):
        setattr(total, name, sum(getattr(r, name) for r in rows))
    return EthnicTable(rows=rows, total=total)


# --- Table 11: children ---------------------------------------------------------------------------


@dataclass
class ChildrenRow:
    label: str
    unit: AdminUnit | None
    # per target: households with children, children, then counts of the child indicators
    households: dict[str, int] = field(default_factory=dict)
    children: dict[str, int] = field(default_factory=dict)
    deprived: dict[str, dict[str, int]] = field(default_factory=dict)

    def rate(self, target: str, key: str) -> Decimal | None:
        return rate(self.deprived[target][key], self.households[target])


@dataclass
class ChildrenTable:
    indicators: list[Indicator]
    rows: list[ChildrenRow]
    total: ChildrenRow

    @property
    def keys(self) -> list[str]:
        return [indicator.key for indicator in self.indicators]


def children(
    scope: ReportScope,
    facts: TargetFacts | None = None,
    deprived: Deprived | None = None,
) -> ChildrenTable:
    """Children under 16 in poor and near-poor households by unit, and the households deprived of
    the indicators that concern children (the standard's `concerns_children`) (table 11): rate =
    deprived / households with children. From `target_facts` and `deprivation_facts`."""
    indicators = [i for i in scope.standard.indicators if i.concerns_children]
    keys = [i.key for i in indicators]
    households = (target_facts(scope) if facts is None else facts).per_unit
    counts = deprivation_facts(scope) if deprived is None else deprived
    rows = []
    for unit in _units(scope):
        found = households.get(unit.pk, {})
        unit_counts = counts.get(unit.pk, {})
        row = ChildrenRow(label=unit.name, unit=unit)
        for position, target in enumerate(TARGETS):
            row.households[target] = found.get(f"{target}__with_children", 0)
            row.children[target] = found.get(f"{target}__children", 0)
            row.deprived[target] = {
                key: unit_counts.get(key, NONE_DEPRIVED)[position] for key in keys
            }
        rows.append(row)
    total = ChildrenRow(label="Tổng cộng", unit=scope.unit)
    for target in TARGETS:
        total.households[target] = sum(r.households[target] for r in rows)
        total.children[target] = sum(r.children[target] for r in rows)
        total.deprived[target] = {key: sum(r.deprived[target][key] for r in rows) for key in keys}
    return ChildrenTable(indicators=indicators, rows=rows, total=total)


# --- Tables 14–15: the lists ----------------------------------------------------------------------

# Units whose lists are built while the user waits (page and summary workbook): a commune's and a
# village's. A district's or a province's lists are the household export's (`export_report`).
LIST_LEVELS = frozenset({AdminUnit.Level.COMMUNE, AdminUnit.Level.VILLAGE})


@dataclass(frozen=True)
class ListRow:
    """A row of a list as an officer files it: no citizen ID, no birth date."""

    number: int
    head: str
    village: str
    members: int | None
    income_score: Decimal | None
    deprivation_score: int | None
    classification: str  # the class now (for the exits: the class this round, or not reviewed)
    ethnic_group: str
    groups: str


@dataclass
class HouseholdLists:
    """In the class (`members`) and left it since the previous periodic round (`exits`)."""

    previous_round: Any
    members: dict[str, list[ListRow]] = field(default_factory=dict)
    exits: dict[str, list[ListRow]] = field(default_factory=dict)


LIST_FIELDS = (
    "household__head_name",
    "village__name",
    "member_count",
    "income_score",
    "deprivation_score",
    "final_classification",
    "head_ethnicity",
    "head_minority",
    "no_labour_capacity",
    "has_person_of_merit",
    "has_social_allowance",
)
NOT_REVIEWED = "Không còn trong danh sách rà soát đợt này"


def _groups_text(values: dict[str, Any]) -> str:
    flags = {
        "minority": values["head_minority"],
        "no_labour": values["no_labour_capacity"],
        "merit": values["has_person_of_merit"],
        "allowance": values["has_social_allowance"],
    }
    return "; ".join(GROUP_SHORT[key] for key, on in flags.items() if on)


def _list_rows(values: Any, classification: Any = None) -> list[ListRow]:
    rows = []
    for number, values_row in enumerate(values, start=1):
        cls = values_row["final_classification"]
        now = classification(values_row) if classification else CLASS_LABELS.get(cls, cls)
        rows.append(
            ListRow(
                number=number,
                head=values_row["household__head_name"],
                village=values_row["village__name"],
                members=values_row["member_count"],
                income_score=values_row["income_score"],
                deprivation_score=values_row["deprivation_score"],
                classification=now,
                ethnic_group=ETHNIC_NAMES.get(values_row["head_ethnicity"], ""),
                groups=_groups_text(values_row),
            )
        )
    return rows


def household_lists(scope: ReportScope) -> HouseholdLists:
    """The lists of poor and of near-poor households of the scope, and of those that were in each
    class by the previous periodic round's approved result and are not now (the class they have
    now, or not reviewed). Five queries, in village and name order."""
    order = ("village__path", "household__head_name_key", "household_id")
    # The start, as the movements take it: the previous periodic round's approved result (every
    # old province's, on the first round of a merged province), whatever the report's basis.
    previous_all = previous_rounds(scope.review_round)
    previous = previous_all[0] if previous_all else None
    result = HouseholdLists(previous_round=previous)
    current = SurveyResponse.objects.filter(scope.response_filter(), status__in=scope.statuses)
    for target in TARGETS:
        result.members[target] = _list_rows(
            current.filter(final_classification=target).order_by(*order).values(*LIST_FIELDS)
        )
        if previous is None:
            result.exits[target] = []
            continue
        now = SurveyResponse.objects.filter(
            household=OuterRef("household_id"),
            review_round=scope.review_round,
            status__in=scope.statuses,
        )
        left = (
            SurveyResponse.objects.filter(
                _prefixed(scope.household_filter(), "household__"),
                review_round__in=previous_all,
                status=SurveyResponse.Status.APPROVED,
                final_classification=target,
            )
            .annotate(still=Exists(now.filter(final_classification=target)))
            .filter(still=False)
            .annotate(
                # the class of this round's counted form, "" when there is none
                now_class=Coalesce(Subquery(now.values("final_classification")[:1]), Value(""))
            )
            .order_by(*order)
            .values(*LIST_FIELDS, "now_class")
        )
        result.exits[target] = _list_rows(
            left, lambda v: CLASS_LABELS.get(v["now_class"], NOT_REVIEWED)
        )
    return result
