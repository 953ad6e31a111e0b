"""Properties that must hold for every input (hypothesis).

"Poorer" is the poverty ladder poor > near_poor > everything else. The full ladder
poor > near_poor > average > not_poor is also monotone on the income path; on the score path with a
per-capita income at or below the poverty line, more income can move a household from not_poor to
average (average needs income above the line), which is not "poorer" (see the last test).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.engine import SEVERITY, classify, get_standard

CODES = ("vn-2016-2020", "vn-2022-2025", "vn-2026-2030")
SCORE_CODES = ("vn-2016-2020", "vn-2022-2025")
LADDER = {"poor": 2, "near_poor": 1, "average": 0, "not_poor": 0}

areas = st.sampled_from(("rural", "urban"))
scores = st.one_of(st.integers(0, 400), st.floats(0, 400, allow_nan=False))
incomes = st.integers(0, 6_000_000)
# Values near every bound, so the search hits the edges often.
edge_incomes = st.sampled_from(
    [
        v + d
        for v in (
            700_000,
            900_000,
            1_000_000,
            1_300_000,
            1_500_000,
            2_000_000,
            2_200_000,
            2_250_000,
            2_800_000,
            3_000_000,
        )
        for d in (-1, 0, 1)
    ]
)


def deprived_sets(code: str) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(get_standard(code).indicator_keys))


@st.composite
def score_case(draw: st.DrawFn) -> tuple[str, str, float, float, frozenset[str], int | None, bool]:
    code = draw(st.sampled_from(SCORE_CODES))
    low, high = sorted((draw(scores), draw(scores)))
    income = draw(st.none() | incomes | edge_incomes)
    return code, draw(areas), low, high, draw(deprived_sets(code)), income, draw(st.booleans())


@given(score_case())
def test_more_points_never_make_a_household_poorer(case):
    code, area, low, high, deprived, income, agricultural = case
    standard = get_standard(code)

    def rung(value: float) -> int:
        result = classify(
            standard,
            area=area,
            income_score=value,
            income_per_capita=income,
            deprived=deprived,
            agricultural=agricultural,
        )
        return LADDER[result.classification]

    assert rung(high) <= rung(low)


@st.composite
def income_case(draw: st.DrawFn) -> tuple[str, str, int, int, frozenset[str], bool]:
    code = draw(st.sampled_from(CODES))
    low, high = sorted((draw(incomes | edge_incomes), draw(incomes | edge_incomes)))
    return code, draw(areas), low, high, draw(deprived_sets(code)), draw(st.booleans())


@given(income_case())
def test_more_income_never_makes_a_household_poorer_on_the_income_path(case):
    code, area, low, high, deprived, agricultural = case
    standard = get_standard(code)

    def severity(value: int) -> int:
        result = classify(
            standard,
            area=area,
            income_per_capita=value,
            deprived=deprived,
            agricultural=agricultural,
        )
        return SEVERITY[result.classification]

    # Here the full ladder (average above not_poor) is monotone too.
    assert severity(high) <= severity(low)


@st.composite
def deprivation_case(
    draw: st.DrawFn,
) -> tuple[str, str, float | None, int | None, frozenset[str], str, bool]:
    code = draw(st.sampled_from(CODES))
    standard = get_standard(code)
    deprived = draw(deprived_sets(code))
    missing = [k for k in standard.indicator_keys if k not in deprived]
    extra = draw(st.sampled_from(missing)) if missing else draw(st.sampled_from(sorted(deprived)))
    score = draw(st.none() | scores) if code in SCORE_CODES else None
    income = draw(incomes | edge_incomes) if score is None else draw(st.none() | incomes)
    return code, draw(areas), score, income, deprived, extra, draw(st.booleans())


@given(deprivation_case())
def test_one_more_deprivation_never_makes_a_household_less_poor(case):
    code, area, score, income, deprived, extra, agricultural = case
    standard = get_standard(code)

    def result(keys: frozenset[str]) -> str:
        return classify(
            standard,
            area=area,
            income_score=score,
            income_per_capita=income,
            deprived=keys,
            agricultural=agricultural,
        ).classification

    before, after = result(deprived), result(deprived | {extra})
    assert SEVERITY[after] >= SEVERITY[before]


@given(
    st.sampled_from(CODES).flatmap(
        lambda code: st.tuples(
            st.just(code), st.lists(st.sampled_from(get_standard(code).indicator_keys))
        )
    ),
    areas,
    incomes,
)
def test_deprived_list_is_distinct_in_standard_order_and_scores_ten_points_each(case, area, income):
    code, keys = case
    standard = get_standard(code)
    result = classify(standard, area=area, income_per_capita=income, deprived=keys)
    assert result.deprived == tuple(k for k in standard.indicator_keys if k in set(keys))
    assert result.deprivation_score == 10 * len(set(keys))
    assert result.standard == code
    assert result.reason.startswith("Hộ")


def test_score_path_with_income_below_the_line_can_be_not_poor_then_average_as_income_rises():
    # Documented edge of the contract: average needs income above the poverty line, so on the
    # score path a farming household with a high score and a low income is not_poor, and average
    # once its income passes the line. Neither is poor or near-poor: the poverty ladder holds.
    standard = get_standard("vn-2022-2025")

    def at(income: int) -> str:
        return classify(
            standard, area="rural", income_score=150, income_per_capita=income, agricultural=True
        ).classification

    assert at(1_400_000) == "not_poor"
    assert at(1_600_000) == "average"
