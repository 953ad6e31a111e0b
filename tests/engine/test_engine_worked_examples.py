"""Every worked example of the research notes (domain-research.md, section 6)."""

from __future__ import annotations

import pytest
from engine_factories import first_indicators

from survey.engine import classify, get_standard, score_card_total, standard_for_year


def _by_score(code: str, area: str, score: float, deprivation_score: int) -> str:
    standard = get_standard(code)
    deprived = first_indicators(standard, deprivation_score // 10)
    return classify(standard, area=area, income_score=score, deprived=deprived).classification


def _by_income(
    year: int, area: str, income: int, deprivations: int, *, agricultural: bool = False
) -> tuple[str, str]:
    standard = standard_for_year(year)
    deprived = first_indicators(standard, deprivations)
    result = classify(
        standard,
        area=area,
        income_per_capita=income,
        deprived=deprived,
        agricultural=agricultural,
    )
    return standard.code, result.classification


@pytest.mark.parametrize(
    ("example", "area", "b1", "b2", "expected"),
    [
        (1, "rural", 110, 0, "poor"),
        (2, "rural", 120, 10, "poor"),
        (3, "rural", 121, 30, "poor"),
        (4, "rural", 150, 20, "near_poor"),
        (5, "rural", 151, 60, "not_poor"),
        (6, "urban", 140, 0, "poor"),
        (7, "urban", 141, 30, "poor"),
        (8, "urban", 175, 20, "near_poor"),
    ],
)
def test_2016_2020_score_examples_classify_as_the_notes_say(example, area, b1, b2, expected):
    assert _by_score("vn-2016-2020", area, b1, b2) == expected


def test_2016_2020_example_9_rural_850k_with_three_deprivations_is_poor():
    assert _by_income(2019, "rural", 850_000, 3) == ("vn-2016-2020", "poor")


def test_2016_2020_example_10_urban_900k_is_poor_whatever_the_deprivations():
    assert _by_income(2019, "urban", 900_000, 0) == ("vn-2016-2020", "poor")


def test_2016_2020_card_example_p1_rural_tay_nguyen_household_scores_80():
    total = score_card_total(
        get_standard("vn-2016-2020"),
        area="rural",
        province_code=66,  # Đắk Lắk, Tây Nguyên
        answers={
            "household_size": "4",
            "dependents": "1",
            "highest_degree": "upper_secondary",
            "non_farm_work": "none",
            "pension": "1",
        },
    )
    assert total.region == "NT_TAY_NGUYEN"
    assert total.total == 80
    assert [line.points for line in total.lines[:5]] == [35, 15, 5, 0, 25]


def test_2016_2020_card_example_p2_urban_household_scores_95():
    total = score_card_total(
        get_standard("vn-2016-2020"),
        area="urban",
        province_code=35,
        answers={
            "household_size": "2",
            "dependents": "0",
            "highest_degree": "college_plus",
            "non_farm_work": "civil_servant",
            "pension": "0",
        },
    )
    assert (total.region, total.total) == ("URBAN", 95)


def test_2016_2020_card_example_p3_household_of_two_elderly_scores_only_its_pensions():
    total = score_card_total(
        get_standard("vn-2016-2020"),
        area="rural",
        province_code=35,  # Hà Nam, Đồng bằng sông Hồng
        answers={
            "household_size": "2",
            "dependents": "2+",
            "highest_degree": "none",
            "non_farm_work": "none",
            "pension": "2+",
        },
        flags={"all_members_dependent"},
    )
    assert total.region == "NT_DBSH"
    assert total.lines[0].points == 0  # household size scores 0: all members are dependents
    assert total.total == 50


@pytest.mark.parametrize(
    ("example", "area", "a", "b", "expected"),
    [
        (1, "rural", 140, 30, "poor"),
        (2, "rural", 140, 20, "near_poor"),
        (3, "rural", 141, 50, "not_poor"),
        (4, "urban", 175, 30, "poor"),
        (5, "urban", 150, 0, "near_poor"),
        (6, "urban", 176, 40, "not_poor"),
    ],
)
def test_2022_2025_score_examples_classify_as_the_notes_say(example, area, a, b, expected):
    assert _by_score("vn-2022-2025", area, a, b) == expected


def test_2022_2025_example_7_rural_1_5m_with_three_deprivations_is_poor():
    assert _by_income(2023, "rural", 1_500_000, 3) == ("vn-2022-2025", "poor")


def test_2022_2025_example_8_rural_farming_household_at_2_25m_is_average():
    assert _by_income(2023, "rural", 2_250_000, 0, agricultural=True) == ("vn-2022-2025", "average")


def test_2022_2025_example_9_rural_farming_household_at_2_250_001_is_not_average():
    assert _by_income(2023, "rural", 2_250_001, 0, agricultural=True) == (
        "vn-2022-2025",
        "not_poor",
    )


def test_2022_2025_example_10_urban_farming_household_at_2m_with_one_deprivation_is_near_poor():
    assert _by_income(2023, "urban", 2_000_000, 1, agricultural=True) == (
        "vn-2022-2025",
        "near_poor",
    )


def test_2022_2025_low_income_worker_line_admits_a_rural_member_at_2_2m():
    line = get_standard("vn-2022-2025").parameters["low_income_worker_income_upper"]
    assert line.rural.value == 2_250_000
    assert line.rural.verified
    assert line.rural.value >= 2_200_000
    assert not line.urban.verified  # urban figure read in a headline only


@pytest.mark.parametrize(
    ("example", "year", "area", "income", "deprivations", "expected_standard", "expected"),
    [
        (1, 2026, "rural", 1_400_000, 3, "vn-2022-2025", "poor"),
        (2, 2026, "rural", 2_000_000, 4, "vn-2022-2025", "not_poor"),
        (3, 2027, "rural", 2_000_000, 4, "vn-2026-2030", "poor"),
        (4, 2027, "rural", 2_200_000, 2, "vn-2026-2030", "near_poor"),
        (5, 2027, "rural", 2_200_001, 5, "vn-2026-2030", "not_poor"),
        (6, 2027, "urban", 2_800_000, 3, "vn-2026-2030", "poor"),
        (7, 2027, "urban", 2_500_000, 0, "vn-2026-2030", "near_poor"),
        (8, 2028, "urban", 2_900_000, 6, "vn-2026-2030", "not_poor"),
        (9, 2030, "rural", 1_000_000, 0, "vn-2026-2030", "near_poor"),
        (10, 2027, "rural", 1_800_000, 3, "vn-2026-2030", "poor"),
    ],
)
def test_2026_2030_examples_classify_as_the_notes_say(
    example, year, area, income, deprivations, expected_standard, expected
):
    assert _by_income(year, area, income, deprivations) == (expected_standard, expected)


def test_2026_example_2_is_average_when_the_household_farms():
    assert _by_income(2026, "rural", 2_000_000, 4, agricultural=True) == (
        "vn-2022-2025",
        "average",
    )


def test_2027_example_10_counts_deprivations_from_the_new_indicator_set():
    standard = standard_for_year(2027)
    result = classify(
        standard,
        area="rural",
        income_per_capita=1_800_000,
        deprived=["waste_treatment", "telecom_services", "dependents"],
    )
    assert result.classification == "poor"
    assert result.deprived == ("dependents", "telecom_services", "waste_treatment")
