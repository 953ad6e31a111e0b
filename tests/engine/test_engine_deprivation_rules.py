"""Each deprivation rule of each standard, derived from household and member facts."""

from __future__ import annotations

import pytest
from engine_factories import child, household, member

from survey.engine import (
    FactsError,
    HouseholdFacts,
    classify_household,
    derive_deprivations,
    get_standard,
)

S2016 = get_standard("vn-2016-2020")
S2022 = get_standard("vn-2022-2025")
S2026 = get_standard("vn-2026-2030")
NONE_DEPRIVED_2026 = dict.fromkeys(S2026.direct_indicators, False)


def deprived(standard, h: HouseholdFacts) -> tuple[str, ...]:
    return derive_deprivations(standard, h)


def test_baseline_household_is_deprived_of_nothing_under_2016_and_2022():
    assert deprived(S2016, household()) == ()
    assert deprived(S2022, household()) == ()


def test_baseline_household_with_all_direct_answers_no_is_deprived_of_nothing_under_2026():
    assert deprived(S2026, household(direct_answers=NONE_DEPRIVED_2026)) == ()


# --- health insurance (all periods that derive it: 2016, 2022) -----------------------------------


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_member_aged_six_without_health_insurance_deprives_the_household(standard):
    h = household(member(), child(age=6, has_health_insurance=False))
    assert "health_insurance" in deprived(standard, h)


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_child_under_six_without_health_insurance_does_not_count(standard):
    h = household(member(), child(age=5, has_health_insurance=False))
    assert "health_insurance" not in deprived(standard, h)


# --- employment (2022, 2026) ------------------------------------------------------------------


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
@pytest.mark.parametrize("status", ["unemployed", "wage_without_contract"])
def test_working_age_member_unemployed_or_without_contract_deprives_employment(standard, status):
    h = household(member(employment=status), child(), direct_answers=_direct(standard))
    assert "employment" in deprived(standard, h)


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
def test_employment_ignores_members_outside_working_age_and_the_self_employed(standard):
    h = household(
        member(age=70, of_working_age=False, employment="unemployed"),
        member(employment="self_employed"),
        member(employment="wage_with_contract"),
        direct_answers=_direct(standard),
    )
    assert "employment" not in deprived(standard, h)


# --- dependents (2022, 2026): more than half the members ----------------------------------------


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
def test_three_children_of_five_members_are_more_than_half_dependents(standard):
    h = household(
        member(),
        member(),
        child(age=1),
        child(age=7),
        child(age=15),
        direct_answers=_direct(standard),
    )
    assert "dependents" in deprived(standard, h)


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
def test_exactly_half_dependents_is_not_deprived(standard):
    h = household(member(), member(), child(age=3), child(age=9), direct_answers=_direct(standard))
    assert "dependents" not in deprived(standard, h)


def test_a_sixteen_year_old_is_not_a_dependent():
    h = household(member(), child(age=16), child(age=16))
    assert "dependents" not in deprived(S2022, h)


def test_elderly_and_disabled_count_as_dependents_only_with_a_monthly_social_allowance():
    elder = member(age=75, of_working_age=False, employment="not_working")
    with_allowance = household(
        member(), child(), member(age=75, of_working_age=False, receives_social_allowance=True)
    )
    without_allowance = household(member(), child(), elder)
    disabled = household(member(), child(), member(disabled=True, receives_social_allowance=True))
    assert "dependents" in deprived(S2022, with_allowance)
    assert "dependents" not in deprived(S2022, without_allowance)
    assert "dependents" in deprived(S2022, disabled)


# --- nutrition (2022, 2026) ----------------------------------------------------------------------


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
def test_malnourished_child_under_sixteen_deprives_nutrition(standard):
    h = household(member(), child(age=15, malnourished=True), direct_answers=_direct(standard))
    assert "nutrition" in deprived(standard, h)


@pytest.mark.parametrize("standard", [S2022, S2026], ids=["2022", "2026"])
def test_nutrition_does_not_look_at_members_from_sixteen(standard):
    h = household(member(), child(age=16, malnourished=True), direct_answers=_direct(standard))
    assert "nutrition" not in deprived(standard, h)


# --- adult education ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "education", "in_school", "trained", "expected"),
    [
        (16, "primary", False, False, True),  # 16-<18 needs lower secondary
        (17, "lower_secondary", False, False, False),
        (17, "primary", True, False, False),  # still studying
        (18, "lower_secondary", False, False, True),  # 18-30 needs upper secondary/vocational
        (18, "vocational", False, False, False),
        (25, "upper_secondary", False, False, False),
        (30, "lower_secondary", False, False, True),
        (30, "lower_secondary", False, True, False),  # trained on the job by an employer
        (31, "none", False, False, False),
        (15, "none", False, False, False),
    ],
)
def test_2022_adult_education_by_age_band_schooling_and_degree(
    age, education, in_school, trained, expected
):
    young = member(age=age, education=education, in_school=in_school, trained_by_employer=trained)
    assert ("adult_education" in deprived(S2022, household(member(), young))) is expected


@pytest.mark.parametrize(
    ("age", "education", "in_school", "expected"),
    [
        (15, "primary", False, True),
        (30, "none", False, True),
        (30, "lower_secondary", False, False),
        (20, "primary", True, False),
        (14, "none", False, False),
        (31, "none", False, False),
    ],
)
def test_2016_adult_education_is_members_15_to_30_without_lower_secondary_out_of_school(
    age, education, in_school, expected
):
    young = member(age=age, education=education, in_school=in_school)
    assert ("adult_education" in deprived(S2016, household(member(), young))) is expected


# --- child school attendance -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "in_school", "right_level", "expected"),
    [
        (3, False, True, True),
        (2, False, True, False),
        (15, True, False, True),  # in school, but behind the level for the age
        (15, True, True, False),
        (16, False, True, False),
    ],
)
def test_2022_child_school_attendance_covers_ages_3_to_15_at_the_right_level(
    age, in_school, right_level, expected
):
    kid = child(age=age, in_school=in_school, at_age_appropriate_level=right_level)
    assert ("child_school_attendance" in deprived(S2022, household(member(), kid))) is expected


@pytest.mark.parametrize(
    ("age", "in_school", "expected"),
    [(5, False, True), (4, False, False), (14, False, True), (15, False, False), (10, True, False)],
)
def test_2016_child_school_attendance_covers_ages_5_to_14(age, in_school, expected):
    kid = child(age=age, in_school=in_school, at_age_appropriate_level=False)
    assert ("child_school_attendance" in deprived(S2016, household(member(), kid))) is expected


# --- housing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_two_of_three_main_structures_not_durable_is_poor_housing_quality(standard):
    two = household(wall_durable=False, roof_durable=False)
    one = household(roof_durable=False)
    assert "housing_quality" in deprived(standard, two)
    assert "housing_quality" not in deprived(standard, one)


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_living_area_under_8_square_metres_per_person_is_deprived(standard):
    assert "housing_area" in deprived(standard, household(floor_area_m2=15.9))  # 7.95 m²/person
    assert "housing_area" not in deprived(standard, household(floor_area_m2=16.0))  # 8.0 m²
    crowded = household(member(), member(), child(), child(), floor_area_m2=30)  # 7.5 m²
    assert "housing_area" in deprived(standard, crowded)


# --- water and sanitation ------------------------------------------------------------------------


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("piped", False),
        ("borehole", False),
        ("protected_well", False),
        ("protected_spring", False),
        ("rainwater", False),
        ("bottled", False),
        ("unprotected_well", True),
        ("unprotected_spring", True),
        ("surface", True),
        ("other", True),
    ],
)
def test_water_source_outside_the_clean_list_is_deprived(standard, source, expected):
    assert ("water_source" in deprived(standard, household(water_source=source))) is expected


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_household_without_hygienic_latrine_is_deprived(standard):
    assert "hygienic_latrine" in deprived(standard, household(latrine_hygienic=False))


# --- information -------------------------------------------------------------------------------


@pytest.mark.parametrize("standard", [S2016, S2022], ids=["2016", "2022"])
def test_no_member_using_phone_or_internet_deprives_telecom(standard):
    nobody = household(member(uses_telecom=False), child(uses_telecom=False))
    one = household(member(uses_telecom=False), child(uses_telecom=True))
    assert "telecom_services" in deprived(standard, nobody)
    assert "telecom_services" not in deprived(standard, one)


@pytest.mark.parametrize(
    ("means", "expected"),
    [
        (set(), True),
        ({"radio"}, False),
        ({"smartphone"}, False),
        ({"public_loudspeaker"}, True),  # not a means in the 2022–2025 list
    ],
)
def test_2022_information_means_needs_a_tv_radio_computer_or_smartphone(means, expected):
    h = household(information_means=frozenset(means))
    assert ("information_means" in deprived(S2022, h)) is expected


@pytest.mark.parametrize(
    ("means", "expected"),
    [
        (set(), True),
        ({"computer"}, False),
        ({"public_loudspeaker"}, False),  # hearing the loudspeaker system is enough in 2016–2020
        ({"smartphone"}, True),  # not in the 2016–2020 list
    ],
)
def test_2016_information_assets_needs_tv_radio_computer_or_the_loudspeaker(means, expected):
    h = household(information_means=frozenset(means))
    assert ("information_assets" in deprived(S2016, h)) is expected


def test_2016_member_ill_without_treatment_deprives_access_to_medical_services():
    h = household(member(ill_without_treatment=True), child())
    assert "access_to_medical_services" in deprived(S2016, h)
    assert "access_to_medical_services" not in S2022.indicator_keys


# --- answered directly (2026–2030) ---------------------------------------------------------------


def _direct(standard, **answers: bool) -> dict[str, bool]:
    if standard is not S2026:
        return {}
    return {**NONE_DEPRIVED_2026, **answers}


def test_2026_indicators_without_a_sourced_rule_are_answered_directly():
    assert S2026.direct_indicators == {
        "health_insurance",
        "adult_education",
        "child_school_attendance",
        "housing_area",
        "housing_quality",
        "telecom_services",
        "water_source",
        "hygienic_latrine",
        "waste_treatment",
    }
    assert S2026.indicator("waste_treatment").answered_directly
    assert S2026.indicator("waste_treatment").guidance_vi


def test_2026_direct_answers_are_taken_as_given_in_standard_order():
    h = household(
        member(employment="unemployed"),
        child(),
        direct_answers=_direct(S2026, waste_treatment=True, housing_area=True),
    )
    assert deprived(S2026, h) == ("employment", "housing_area", "waste_treatment")


def test_2026_missing_direct_answer_is_an_error_naming_the_indicator():
    answers = dict(NONE_DEPRIVED_2026)
    del answers["waste_treatment"]
    with pytest.raises(FactsError, match="waste_treatment"):
        deprived(S2026, household(direct_answers=answers))


def test_2026_facts_alone_do_not_decide_housing_area():
    cramped = household(floor_area_m2=2.0, direct_answers=NONE_DEPRIVED_2026)
    assert "housing_area" not in deprived(S2026, cramped)


def test_direct_answer_for_an_indicator_derived_from_facts_is_refused():
    with pytest.raises(FactsError, match="employment"):
        deprived(S2022, household(direct_answers={"employment": True}))
    with pytest.raises(FactsError, match="employment"):
        deprived(S2026, household(direct_answers={**NONE_DEPRIVED_2026, "employment": True}))


# --- facts validation and the whole chain --------------------------------------------------------


def test_facts_reject_unknown_codes_and_impossible_values():
    with pytest.raises(FactsError, match="education"):
        member(education="phd")
    with pytest.raises(FactsError, match="age"):
        member(age=-1)
    with pytest.raises(FactsError, match="members"):
        household(members=())
    with pytest.raises(FactsError, match="water_source"):
        household(water_source="well")
    with pytest.raises(FactsError, match="information_means"):
        household(information_means=frozenset({"fax"}))
    with pytest.raises(FactsError, match="floor_area_m2"):
        household(floor_area_m2=-5)
    with pytest.raises(FactsError, match="has_health_insurance"):
        member(has_health_insurance="yes")


def test_every_fact_is_required_so_a_forgotten_answer_fails_loudly():
    with pytest.raises(TypeError):
        HouseholdFacts(area="rural", members=(member(),))  # type: ignore[call-arg]


def test_standard_lists_the_facts_its_rules_read():
    assert "malnourished" in S2022.member_facts_used
    assert "ill_without_treatment" not in S2022.member_facts_used
    assert "ill_without_treatment" in S2016.member_facts_used
    assert "floor_area_m2" in S2022.household_facts_used
    assert S2026.household_facts_used == ()


def test_household_classified_from_member_facts_explains_itself():
    h = household(
        member(employment="unemployed", has_health_insurance=False),
        child(age=4, in_school=False),
        latrine_hygienic=False,
        area="urban",
    )
    result = classify_household(S2022, h, income_score=170)
    assert result.deprived == (
        "employment",
        "health_insurance",
        "child_school_attendance",
        "hygienic_latrine",
    )
    assert result.classification == "poor"
    assert result.deprivation_score == 40
    assert result.rule == "score_poor"
    assert not result.verified  # the indicator thresholds come from secondary notes
    assert "indicator:employment" in result.unverified
    assert "Việc làm" in result.reason
    assert "Nhà tiêu hợp vệ sinh" in result.reason
