"""Every threshold of every standard, at, just below and just above its bound.

Scores step by 1 point (and 0.5 for the fractional case), incomes by 1 đồng, deprivations by one
indicator (10 points). All bounds are inclusive ("≤").
"""

from __future__ import annotations

import pytest
from engine_factories import first_indicators

from survey.engine import classify, get_standard


def score(code: str, area: str, value: float, deprivations: int) -> str:
    standard = get_standard(code)
    return classify(
        standard,
        area=area,
        income_score=value,
        deprived=first_indicators(standard, deprivations),
    ).classification


def income(
    code: str, area: str, value: int, deprivations: int, *, agricultural: bool = False
) -> str:
    standard = get_standard(code)
    return classify(
        standard,
        area=area,
        income_per_capita=value,
        deprived=first_indicators(standard, deprivations),
        agricultural=agricultural,
    ).classification


# --- vn-2016-2020, score path: B1 poor line (120 / 140), near-poor line (150 / 175), B2 >= 30 ---


@pytest.mark.parametrize(("area", "line"), [("rural", 120), ("urban", 140)])
def test_2016_b1_at_or_below_the_poor_line_is_poor_even_without_deprivation(area, line):
    assert score("vn-2016-2020", area, line - 1, 0) == "poor"
    assert score("vn-2016-2020", area, line, 0) == "poor"
    assert score("vn-2016-2020", area, line + 0.5, 0) == "near_poor"
    assert score("vn-2016-2020", area, line + 1, 0) == "near_poor"


@pytest.mark.parametrize(("area", "line"), [("rural", 150), ("urban", 175)])
def test_2016_b1_near_poor_line_is_inclusive(area, line):
    assert score("vn-2016-2020", area, line - 1, 2) == "near_poor"
    assert score("vn-2016-2020", area, line, 2) == "near_poor"
    assert score("vn-2016-2020", area, line + 1, 2) == "not_poor"
    assert score("vn-2016-2020", area, line + 1, 10) == "not_poor"


@pytest.mark.parametrize(("area", "b1"), [("rural", 121), ("rural", 150), ("urban", 141)])
def test_2016_b2_of_30_or_more_makes_the_middle_band_poor(area, b1):
    assert score("vn-2016-2020", area, b1, 2) == "near_poor"  # B2 = 20
    assert score("vn-2016-2020", area, b1, 3) == "poor"  # B2 = 30
    assert score("vn-2016-2020", area, b1, 4) == "poor"  # B2 = 40


# --- vn-2016-2020, income path: poverty line (700k / 900k), near-poverty line (1M / 1.3M) ---


@pytest.mark.parametrize(("area", "line"), [("rural", 700_000), ("urban", 900_000)])
def test_2016_income_at_or_below_the_poverty_line_is_poor_even_without_deprivation(area, line):
    assert income("vn-2016-2020", area, line - 1, 0) == "poor"
    assert income("vn-2016-2020", area, line, 0) == "poor"
    assert income("vn-2016-2020", area, line + 1, 0) == "near_poor"


@pytest.mark.parametrize(("area", "line"), [("rural", 1_000_000), ("urban", 1_300_000)])
def test_2016_income_near_poverty_line_is_inclusive(area, line):
    assert income("vn-2016-2020", area, line - 1, 0) == "near_poor"
    assert income("vn-2016-2020", area, line, 0) == "near_poor"
    assert income("vn-2016-2020", area, line + 1, 0) == "not_poor"
    assert income("vn-2016-2020", area, line + 1, 10) == "not_poor"


@pytest.mark.parametrize(("area", "value"), [("rural", 850_000), ("urban", 1_300_000)])
def test_2016_three_deprivations_make_the_income_middle_band_poor(area, value):
    assert income("vn-2016-2020", area, value, 2) == "near_poor"
    assert income("vn-2016-2020", area, value, 3) == "poor"
    assert income("vn-2016-2020", area, value, 4) == "poor"


@pytest.mark.parametrize(("area", "near_line"), [("rural", 1_000_000), ("urban", 1_300_000)])
def test_2016_never_returns_average_because_its_bounds_are_unverified(area, near_line):
    for value in (near_line + 1, 1_500_000, 1_950_000):
        assert income("vn-2016-2020", area, value, 0, agricultural=True) == "not_poor"
    for b1 in (176, 200, 300):
        assert score("vn-2016-2020", area, b1, 0) == "not_poor"


# --- vn-2022-2025, score path: điểm A line (140 / 175), điểm B >= 30 ---


@pytest.mark.parametrize(("area", "line"), [("rural", 140), ("urban", 175)])
def test_2022_score_line_is_inclusive_for_poor_and_near_poor(area, line):
    for value, poor_or_near in (
        (line - 1, True),
        (line, True),
        (line + 0.5, False),
        (line + 1, False),
    ):
        assert score("vn-2022-2025", area, value, 3) == ("poor" if poor_or_near else "not_poor")
        assert score("vn-2022-2025", area, value, 2) == (
            "near_poor" if poor_or_near else "not_poor"
        )


@pytest.mark.parametrize(("area", "value"), [("rural", 0), ("rural", 140), ("urban", 175)])
def test_2022_deprivation_score_of_30_separates_poor_from_near_poor(area, value):
    assert score("vn-2022-2025", area, value, 2) == "near_poor"  # B = 20
    assert score("vn-2022-2025", area, value, 3) == "poor"  # B = 30
    assert score("vn-2022-2025", area, value, 4) == "poor"  # B = 40


# --- vn-2022-2025, income path: poverty line (1.5M / 2M), average upper (2.25M / 3M) ---


@pytest.mark.parametrize(("area", "line"), [("rural", 1_500_000), ("urban", 2_000_000)])
def test_2022_poverty_line_is_inclusive(area, line):
    assert income("vn-2022-2025", area, line - 1, 3) == "poor"
    assert income("vn-2022-2025", area, line, 3) == "poor"
    assert income("vn-2022-2025", area, line + 1, 3) == "not_poor"
    assert income("vn-2022-2025", area, line - 1, 2) == "near_poor"
    assert income("vn-2022-2025", area, line, 2) == "near_poor"
    assert income("vn-2022-2025", area, line + 1, 2) == "not_poor"


@pytest.mark.parametrize("area", ["rural", "urban"])
def test_2022_income_of_zero_is_near_poor_without_three_deprivations(area):
    assert income("vn-2022-2025", area, 0, 0) == "near_poor"
    assert income("vn-2022-2025", area, 0, 3) == "poor"


@pytest.mark.parametrize(
    ("area", "lower", "upper"), [("rural", 1_500_000, 2_250_000), ("urban", 2_000_000, 3_000_000)]
)
def test_2022_average_band_is_above_the_poverty_line_up_to_its_upper_bound(area, lower, upper):
    assert income("vn-2022-2025", area, lower, 0, agricultural=True) == "near_poor"
    assert income("vn-2022-2025", area, lower + 1, 0, agricultural=True) == "average"
    assert income("vn-2022-2025", area, upper - 1, 0, agricultural=True) == "average"
    assert income("vn-2022-2025", area, upper, 0, agricultural=True) == "average"
    assert income("vn-2022-2025", area, upper + 1, 0, agricultural=True) == "not_poor"


@pytest.mark.parametrize(("area", "value"), [("rural", 2_000_000), ("urban", 2_500_000)])
def test_2022_average_needs_an_agricultural_household(area, value):
    assert income("vn-2022-2025", area, value, 0, agricultural=True) == "average"
    assert income("vn-2022-2025", area, value, 0, agricultural=False) == "not_poor"


def test_2022_average_applies_after_the_score_path_using_income_per_capita():
    standard = get_standard("vn-2022-2025")

    def both(value: int, a_score: float, agricultural: bool) -> str:
        return classify(
            standard,
            area="rural",
            income_score=a_score,
            income_per_capita=value,
            agricultural=agricultural,
        ).classification

    assert both(2_000_000, 141, True) == "average"
    assert both(2_250_001, 141, True) == "not_poor"
    assert both(1_500_000, 141, True) == "not_poor"  # income not above the poverty line
    assert both(2_000_000, 140, True) == "near_poor"  # the score path decided first
    no_income = classify(standard, area="rural", income_score=141, agricultural=True)
    assert no_income.classification == "not_poor"


# --- vn-2026-2030 (2027-2030), income path: poverty line (2.2M / 2.8M), 3 deprivations ---


@pytest.mark.parametrize(("area", "line"), [("rural", 2_200_000), ("urban", 2_800_000)])
def test_2027_poverty_line_is_inclusive(area, line):
    assert income("vn-2026-2030", area, line - 1, 3) == "poor"
    assert income("vn-2026-2030", area, line, 3) == "poor"
    assert income("vn-2026-2030", area, line + 1, 3) == "not_poor"
    assert income("vn-2026-2030", area, line, 2) == "near_poor"
    assert income("vn-2026-2030", area, line + 1, 2) == "not_poor"


@pytest.mark.parametrize("area", ["rural", "urban"])
def test_2027_three_deprivations_separate_poor_from_near_poor(area):
    assert income("vn-2026-2030", area, 1_000_000, 2) == "near_poor"
    assert income("vn-2026-2030", area, 1_000_000, 3) == "poor"
    assert income("vn-2026-2030", area, 1_000_000, 4) == "poor"


@pytest.mark.parametrize("area", ["rural", "urban"])
def test_2027_never_returns_average_because_its_bounds_are_not_sourced(area):
    for value in (2_800_001, 3_000_000, 4_000_000):
        assert income("vn-2026-2030", area, value, 0, agricultural=True) == "not_poor"
