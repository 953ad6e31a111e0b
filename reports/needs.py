"""The causes of poverty (Biểu 10) and the support needs of poor and near-poor households, by
child unit: how many households give each cause (or need), against the number of poor (or
near-poor) households of the unit. A household may give several, so the columns do not add up
to the base; households whose form carries no answer (results imported from a past list, forms
submitted before the question was asked) are counted apart, as "not answered".

Each table is one aggregate query: the scope's poor and near-poor responses (the
`response_round_class` index: they are a few percent of a round) left-joined to their answer
rows (`ResponseCause` / `ResponseNeed`, by the unique (response, answer) index), grouped by
child unit. Both classes come from the same query. `ReportTables.poverty_causes` and
`.support_needs` keep them for the pages and the workbook.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, TextChoices

from areas.models import AdminUnit
from survey.models import PovertyCause, SupportNeed, SurveyResponse

from .selectors import ReportScope, rate

TARGETS = ("poor", "near_poor")
TARGET_LABELS = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}

# question: (the relation from a response to its rows, the answer's field, its choices)
QUESTIONS: dict[str, tuple[str, str, type[TextChoices]]] = {
    "causes": ("causes", "cause", PovertyCause),
    "needs": ("needs", "need", SupportNeed),
}


@dataclass
class AnswerRow:
    label: str
    unit: AdminUnit | None = None
    households: int = 0  # the base: poor (or near-poor) households of the unit
    answered: int = 0  # of them, those whose form gives at least one answer
    counts: dict[str, int] = field(default_factory=dict)  # households per answer key

    @property
    def unanswered(self) -> int:
        return self.households - self.answered

    def cells(self, keys: list[str]) -> list[tuple[int, Decimal | None]]:
        """(households, rate in percent of the base) per answer, in the keys' order."""
        return [(self.counts.get(k, 0), rate(self.counts.get(k, 0), self.households)) for k in keys]


@dataclass
class AnswerTable:
    """One class's table: rows by child unit and the unit's total."""

    question: str  # "causes" or "needs"
    target: str  # "poor" or "near_poor"
    choices: list[tuple[str, str]]  # (key, label) in the form's order
    rows: list[AnswerRow]
    total: AnswerRow

    @property
    def keys(self) -> list[str]:
        return [key for key, _label in self.choices]

    @property
    def target_label(self) -> str:
        return TARGET_LABELS[self.target]

    @property
    def lines(self) -> list[tuple[AnswerRow, list[tuple[int, Decimal | None]]]]:
        """Each child unit's row with its cells, for the page."""
        return [(row, row.cells(self.keys)) for row in self.rows]

    @property
    def total_cells(self) -> list[tuple[int, Decimal | None]]:
        return self.total.cells(self.keys)


def answer_tables(scope: ReportScope, question: str) -> dict[str, AnswerTable]:
    """The poor and the near-poor tables of a question ("causes" or "needs"), from one query."""
    _relation, _answer, choices = QUESTIONS[question]
    if scope.leaf_level == AdminUnit.Level.COMMUNE:  # a district or a province: the aggregates
        from .aggregates import stored_answer_rows

        grouped: dict[int | None, dict[str, int]] = stored_answer_rows(scope, question)
    else:
        grouped = answer_rows(scope, question, scope.response_group)
    keys = list(choices.values)
    labelled = [(key, str(label)) for key, label in choices.choices]

    def filled(row: AnswerRow, data: dict[str, int], target: str) -> AnswerRow:
        row.households = data.get(f"{target}__households", 0)
        row.answered = data.get(f"{target}__answered", 0)
        row.counts = {key: data.get(f"{target}__{key}", 0) for key in keys}
        return row

    result = {}
    for target in TARGETS:
        rows = [
            filled(AnswerRow(label=child.name, unit=child), grouped.get(child.pk, {}), target)
            for child in scope.children()
        ]
        total = AnswerRow(label="Tổng cộng", unit=scope.unit)
        total.households = sum(v[f"{target}__households"] for v in grouped.values())
        total.answered = sum(v[f"{target}__answered"] for v in grouped.values())
        total.counts = {key: sum(v[f"{target}__{key}"] for v in grouped.values()) for key in keys}
        result[target] = AnswerTable(
            question=question, target=target, choices=labelled, rows=rows, total=total
        )
    return result


def answer_aggregates(question: str) -> dict[str, Count]:
    """The measures of `answer_tables` of a question, by name."""
    relation, answer, choices = QUESTIONS[question]
    final = "final_classification"
    aggregates: dict[str, Count] = {}
    for target in TARGETS:
        is_target = Q(**{final: target})
        # The join repeats a response once per answer: the base counts each response once.
        aggregates[f"{target}__households"] = Count("id", filter=is_target, distinct=True)
        aggregates[f"{target}__answered"] = Count(
            "id", filter=is_target & Q(**{f"{relation}__isnull": False}), distinct=True
        )
        for key in choices.values:
            # One row per (response, answer): counting rows counts households.
            aggregates[f"{target}__{key}"] = Count(
                relation, filter=is_target & Q(**{f"{relation}__{answer}": key})
            )
    return aggregates


def answer_rows(
    scope: ReportScope, question: str, group: str, owners: Sequence[int] | None = None
) -> dict[int | None, dict[str, int]]:
    """The counts of `answer_tables` by the response field `group`, of the responses filed under
    the communes `owners` only when given."""
    responses = SurveyResponse.objects.filter(
        scope.response_filter(), status__in=scope.statuses, final_classification__in=TARGETS
    )
    if owners is not None:
        responses = responses.filter(commune_id__in=owners)
    return {
        row.pop(group): row
        for row in responses.values(group)
        .annotate(**answer_aggregates(question))  # type: ignore[arg-type]
        .order_by()
    }


def poverty_causes(scope: ReportScope) -> dict[str, AnswerTable]:
    """Biểu 10: poor and near-poor households by cause of poverty, by child unit."""
    return answer_tables(scope, "causes")


def support_needs(scope: ReportScope) -> dict[str, AnswerTable]:
    """Poor and near-poor households by support need, by child unit: next year's support plan."""
    return answer_tables(scope, "needs")
