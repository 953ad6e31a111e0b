"""Phiếu A criteria entered by the province; the list of overridden results; report fields."""

import pytest
from django.urls import reverse

from households.services import member_add
from survey.models import ResponseDeprivation, ScreeningCriterion
from survey.services import response_start, response_submit, response_update


def test_province_staff_enter_criteria_and_officers_cannot(
    province_reader, officer_a, district_reader, client_for
):
    url = reverse("survey:criteria")
    client_for(province_reader).post(
        url, {"province": province_reader.unit.pk, "text": "Hộ có ô tô con"}
    )
    assert ScreeningCriterion.objects.get().text == "Hộ có ô tô con"
    for user in (officer_a, district_reader):
        assert client_for(user).get(url).status_code == 404
        client_for(user).post(url, {"province": province_reader.unit.pk, "text": "x"})
    assert ScreeningCriterion.objects.count() == 1


def test_a_retired_criterion_stays_but_is_no_longer_asked(province_reader, client_for):
    criterion = ScreeningCriterion.objects.create(
        province=province_reader.unit, text="Hộ có nhà 3 tầng", created_by=province_reader
    )
    client_for(province_reader).post(
        reverse("survey:criteria"),
        {"province": province_reader.unit.pk, "retire": criterion.pk},
    )
    criterion.refresh_from_db()
    assert not criterion.is_active


def test_officer_ticks_a_criterion_and_it_becomes_the_reason(
    province_reader, officer_a, household_a, round_2025, client_for
):
    ScreeningCriterion.objects.create(
        province=province_reader.unit, text="Hộ có ô tô con", created_by=province_reader
    )
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    url = reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": "screening"}
    )
    client = client_for(officer_a)
    assert "Hộ có ô tô con" in client.get(url).content.decode()
    client.post(
        url,
        {"screening": "stop", "screening_criteria": ["Hộ có ô tô con"], "version": 1},
    )
    response.refresh_from_db()
    assert response.screening_criteria == ["Hộ có ô tô con"]
    response_submit(actor=officer_a, response=response, expected_version=response.version)
    response.refresh_from_db()
    assert "Hộ có ô tô con" in response.explanation["reason"]


@pytest.fixture
def overridden(officer_a, household_a, round_2025):
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={
            "screening": "stop",
            "screening_reason": "Hộ khá",
            "poverty_causes": ["illness"],
            "support_needs": ["health"],
        },
        expected_version=response.version,
    )
    return response_submit(
        actor=officer_a,
        response=response,
        expected_version=response.version,
        final_classification="near_poor",
        override_reason="Họp thôn đề nghị cận nghèo",
    )


def test_overridden_results_are_listed_for_readers_in_scope(
    overridden, round_2025, district_reader, officer_b, client_for
):
    url = reverse("survey:overrides", kwargs={"public_id": round_2025.public_id})
    body = client_for(district_reader).get(url).content.decode()
    assert "Họp thôn đề nghị cận nghèo" in body and "Nguyễn Văn An" in body
    body = client_for(officer_b).get(url).content.decode()
    assert "Nguyễn Văn An" not in body


def test_submission_stores_the_group_flags_and_deprivation_rows(officer_a, household_a, round_2025):
    member_add(
        actor=officer_a,
        household=household_a,
        values={
            "full_name": "Hà Thị Cúc",
            "birth_year": 1950,
            "sex": "female",
            "ethnicity": "02",
            "relationship": "parent",
            "is_person_of_merit": True,
        },
    )
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={
            "screening": "proceed",
            "floor_area_m2": 10,
            "wall_durable": True,
            "column_durable": True,
            "roof_durable": True,
            "water_source": "surface",
            "latrine_hygienic": False,
            "information_means": [],
            "income_score_manual": 100,
            "poverty_causes": ["land"],
            "support_needs": ["production"],
        },
        expected_version=response.version,
    )
    response = response_submit(
        actor=officer_a, response=response, expected_version=response.version
    )
    assert response.member_count == 2
    assert response.has_person_of_merit
    assert not response.head_minority  # the head is Kinh; the mother is Tày
    assert not response.no_labour_capacity  # the head (55 in 2025) is of working age
    rows = set(
        ResponseDeprivation.objects.filter(response=response).values_list("indicator", flat=True)
    )
    assert rows == set(response.deprived)
    assert {"water_source", "hygienic_latrine", "housing_area"} <= rows
