"""A household's forms in a round, through the pages: screening, housing, score, submission."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from survey.models import SurveyResponse


def section_url(response, section):
    return reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": section}
    )


@pytest.fixture
def started(officer_a, household_a, round_2025, client_for):
    """Officer A has started the 2025 forms of household A; returns (client, response)."""
    client = client_for(officer_a)
    url = reverse(
        "survey:response_begin",
        kwargs={"round_id": round_2025.public_id, "household_id": household_a.public_id},
    )
    assert client.post(url).status_code == 302
    return client, SurveyResponse.objects.get(household=household_a, review_round=round_2025)


POOR_HOUSING = {
    "floor_area_m2": "6",  # one person: 6 m² per person, below the 8 m² line
    "wall_durable": "true",
    "column_durable": "true",
    "roof_durable": "true",
    "water_source": "surface",
    "latrine_hygienic": "false",
}


# Asked of a poor or near-poor household before it is submitted (tests/test_needs_form.py).
NEEDS = {"poverty_causes": ["capital"], "support_needs": ["production"]}


def fill(client, response, section, data):
    response.refresh_from_db()
    result = client.post(section_url(response, section), {**data, "version": response.version})
    assert result.status_code == 302, result.content.decode()[:2000]
    response.refresh_from_db()


def test_officer_fills_and_submits_a_poor_household(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed", "screening_reason": ""})
    fill(client, response, "housing", POOR_HOUSING)
    fill(client, response, "income", {"income_score_manual": "130"})
    fill(client, response, "needs", NEEDS)
    assert response.status == "draft"
    submit = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
    client.post(submit, {"version": response.version})
    response.refresh_from_db()
    assert response.status == "submitted"
    # Rural commune, 2022–2025 standard: score 130 ≤ 140 and ≥ 30 deprivation points → poor.
    assert response.computed_classification == response.final_classification == "poor"
    assert response.income_score == 130
    assert response.income_score_by_hand
    assert {"health_insurance", "housing_area", "water_source", "hygienic_latrine"} <= set(
        response.deprived
    )
    assert response.deprivation_score == 10 * len(response.deprived)
    assert response.standard_code == "vn-2022-2025"
    assert "nhập theo phiếu giấy" in response.explanation["reason"]
    page = client.get(section_url(response, "result")).content.decode()
    assert "Hộ nghèo" in page
    assert AuditEvent.objects.filter(action="response_submit").exists()


def test_a_score_above_the_line_is_not_poor(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed"})
    fill(client, response, "housing", POOR_HOUSING)
    fill(client, response, "income", {"income_score_manual": "141"})
    client.post(
        reverse("survey:response_submit", kwargs={"public_id": response.public_id}),
        {"version": response.version},
    )
    response.refresh_from_db()
    assert response.computed_classification == "not_poor"


def test_submission_with_missing_answers_is_refused_and_lists_them(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed"})
    result = client.post(
        reverse("survey:response_submit", kwargs={"public_id": response.public_id}),
        {"version": response.version},
        follow=True,
    )
    body = result.content.decode()
    assert "Chưa nộp được" in body
    assert "Nguồn nước sinh hoạt chính" in body
    response.refresh_from_db()
    assert response.status == "draft"
    assert response.computed_classification == ""


def test_an_override_needs_a_written_reason(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed"})
    fill(client, response, "housing", POOR_HOUSING)
    fill(client, response, "income", {"income_score_manual": "130"})
    fill(client, response, "needs", NEEDS)
    submit = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
    client.post(submit, {"version": response.version, "final_classification": "near_poor"})
    response.refresh_from_db()
    assert response.status == "draft"
    client.post(
        submit,
        {
            "version": response.version,
            "final_classification": "near_poor",
            "override_reason": "Họp thôn xác nhận hộ có thu nhập từ con gửi về",
        },
    )
    response.refresh_from_db()
    assert response.status == "submitted"
    assert (response.computed_classification, response.final_classification) == (
        "poor",
        "near_poor",
    )
    assert response.is_overridden


def test_screening_out_records_the_reason_as_the_result(started):
    client, response = started
    fill(client, response, "screening", {"screening": "stop", "screening_reason": "Hộ có ô tô"})
    client.post(
        reverse("survey:response_submit", kwargs={"public_id": response.public_id}),
        {"version": response.version},
    )
    response.refresh_from_db()
    assert response.computed_classification == "not_poor"
    assert "Hộ có ô tô" in response.explanation["reason"]


def test_running_score_fragment_reflects_unsaved_answers(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed"})
    fill(client, response, "housing", POOR_HOUSING)
    preview = reverse(
        "survey:response_preview", kwargs={"public_id": response.public_id, "section": "income"}
    )
    body = client.post(preview, {"income_score_manual": "120"}, HTTP_HX_REQUEST="true")
    assert "Hộ nghèo" in body.content.decode()
    body = client.post(preview, {"income_score_manual": "200"}, HTTP_HX_REQUEST="true")
    assert "Hộ nghèo" not in body.content.decode()
    response.refresh_from_db()
    assert response.income_score_manual is None  # the preview saves nothing


def test_a_submitted_form_cannot_be_edited(started):
    client, response = started
    fill(client, response, "screening", {"screening": "stop", "screening_reason": "Hộ khá giả"})
    client.post(
        reverse("survey:response_submit", kwargs={"public_id": response.public_id}),
        {"version": response.version},
    )
    response.refresh_from_db()
    result = client.post(
        section_url(response, "screening"),
        {"screening": "proceed", "version": response.version},
    )
    assert result.status_code == 404
    response.refresh_from_db()
    assert response.screening == "stop"


def test_a_stale_draft_save_is_refused(started):
    client, response = started
    fill(client, response, "screening", {"screening": "proceed"})
    result = client.post(
        section_url(response, "screening"),
        {"screening": "stop", "screening_reason": "x", "version": response.version - 1},
    )
    assert result.status_code == 200
    assert "vừa được người khác lưu" in result.content.decode()
    response.refresh_from_db()
    assert response.screening == "proceed"


def test_officer_b_and_readers_cannot_touch_commune_a_forms(
    started, officer_b, district_reader, client_for
):
    _client, response = started
    other = client_for(officer_b)
    assert other.get(section_url(response, "screening")).status_code == 404
    assert (
        other.post(
            section_url(response, "screening"), {"screening": "stop", "version": 1}
        ).status_code
        == 404
    )
    reader = client_for(district_reader)
    assert reader.get(section_url(response, "screening")).status_code == 200
    result = reader.post(
        section_url(response, "screening"), {"screening": "stop", "version": response.version}
    )
    assert result.status_code == 404
    submit = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
    assert reader.post(submit, {"version": response.version}).status_code == 404
    response.refresh_from_db()
    assert response.screening == ""


def test_a_garbled_version_is_treated_as_stale_not_as_an_error(started):
    client, response = started
    result = client.post(
        section_url(response, "screening"), {"screening": "proceed", "version": "abc"}
    )
    assert result.status_code == 200
    assert "vừa được người khác lưu" in result.content.decode()


# --- The version a submission carries -------------------------------------------------------------

VERSION_ON_PAGE = re.compile(r'name="version" value="(\d+)"')


def submit_url(response):
    return reverse("survey:response_submit", kwargs={"public_id": response.public_id})


def assert_not_submitted(response, version):
    response.refresh_from_db()
    assert response.status == "draft"
    assert response.submitted_at is None
    assert response.computed_classification == ""
    assert response.version == version
    assert not AuditEvent.objects.filter(action="response_submit").exists()


def test_a_submission_opened_before_someone_else_saved_is_refused_as_stale(
    started, admin, client_for
):
    client, response = started
    fill(client, response, "screening", {"screening": "stop", "screening_reason": "Hộ có ô tô"})
    page = client.get(section_url(response, "result")).content.decode()
    opened = int(VERSION_ON_PAGE.findall(page)[-1])
    assert opened == response.version
    # Meanwhile the admin corrects the screening reason: the version moves on.
    fill(
        client_for(admin),
        response,
        "screening",
        {"screening": "stop", "screening_reason": "Hộ có ô tô con và nhà hai tầng"},
    )
    assert response.version == opened + 1
    result = client.post(submit_url(response), {"version": opened}, follow=True)
    body = result.content.decode()
    assert "vừa được người khác lưu" in body
    assert "Đã nộp phiếu." not in body
    assert_not_submitted(response, opened + 1)
    assert response.screening_reason == "Hộ có ô tô con và nhà hai tầng"
    # Reloaded, the page carries the new version and the submission goes through.
    page = client.get(section_url(response, "result")).content.decode()
    assert int(VERSION_ON_PAGE.findall(page)[-1]) == opened + 1
    client.post(submit_url(response), {"version": opened + 1})
    response.refresh_from_db()
    assert response.status == "submitted"


@pytest.mark.parametrize("version", [None, "", "0", "-1", "abc"])
def test_a_submission_without_a_readable_version_is_refused(started, version):
    client, response = started
    fill(client, response, "screening", {"screening": "stop", "screening_reason": "Hộ có ô tô"})
    data = {} if version is None else {"version": version}
    result = client.post(submit_url(response), data, follow=True)
    assert result.status_code == 200
    assert "Đã nộp phiếu." not in result.content.decode()
    assert_not_submitted(response, response.version)


# --- Forms carried forward from last year --------------------------------------------------------


def test_a_new_rounds_form_starts_from_last_years_answers_and_each_section_needs_confirming(
    officer_a, household_a, province_reader, client_for, world
):
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.urls import reverse

    from survey.models import ReviewRound, SurveyResponse
    from survey.services import response_start, response_submit, response_update

    rounds = world["rounds"]
    last = response_start(actor=officer_a, review_round=rounds[2024], household=household_a)
    answers = {
        "screening": "proceed",
        "floor_area_m2": 24,
        "wall_durable": False,
        "column_durable": True,
        "roof_durable": True,
        "water_source": "unprotected_well",
        "latrine_hygienic": False,
        "information_means": ["tv"],
        "income_score_manual": 120,
        "poverty_causes": ["illness"],
        "support_needs": ["health"],
    }
    response_update(actor=officer_a, response=last, values=answers, expected_version=last.version)
    SurveyResponse.objects.filter(pk=last.pk).update(status="approved")  # last year's, approved
    this = response_start(actor=officer_a, review_round=rounds[2025], household=household_a)
    assert this.carried_from_id == last.pk
    assert this.water_source == "unprotected_well" and this.floor_area_m2 == 24
    assert this.income_score_manual == 120 and this.status == "draft"
    client = client_for(officer_a)
    housing = reverse("survey:response_section", args=[this.public_id, "housing"])
    page = client.get(housing).content.decode()
    assert "lấy từ phiếu năm 2024" in page and "chưa nộp được" in page
    # Nothing is submitted without the officer: the carried sections must each be confirmed.
    this.refresh_from_db()
    with pytest.raises(DjangoValidationError, match="chưa xác nhận"):
        response_submit(actor=officer_a, response=this, expected_version=this.version)
    this.refresh_from_db()
    response_update(
        actor=officer_a,
        response=this,
        values={"water_source": "piped"},
        expected_version=this.version,
        section="housing",
    )
    page = client.get(housing).content.decode()
    assert "Đã đổi so với năm trước" in page
    assert "Giếng đào không được bảo vệ → <strong>Nước máy</strong>" in page
    for section in ("screening", "income", "needs"):
        this.refresh_from_db()
        response_update(
            actor=officer_a,
            response=this,
            values={},
            expected_version=this.version,
            section=section,
        )
    this.refresh_from_db()
    assert set(this.confirmed_sections) == {"screening", "housing", "income", "needs"}
    submitted = response_submit(actor=officer_a, response=this, expected_version=this.version)
    assert submitted.status == "submitted"
    assert ReviewRound.objects.get(pk=rounds[2025].pk).status == "open"
    # Last year's form keeps its own answers.
    assert SurveyResponse.objects.get(pk=last.pk).water_source == "unprotected_well"


def test_a_household_without_an_earlier_form_starts_blank(officer_a, household_a, round_2025):
    from survey.services import response_start

    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    assert response.carried_from_id is None and response.water_source == ""


def test_the_running_score_asks_the_database_for_the_form_alone(
    officer_a, household_a, client_for, world
):
    """The running score answers every change the officer types: the form is read in one plain
    query (its round, province, household, commune and village joined) without last year's form
    it was carried from, and without an ORDER BY. Joining last year's form and its round made
    PostgreSQL plan an eight-relation query at every keystroke (issue 14). The section page
    still reads last year's form, in a second query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from survey.models import SurveyResponse
    from survey.services import response_start, response_update

    rounds = world["rounds"]
    last = response_start(actor=officer_a, review_round=rounds[2024], household=household_a)
    response_update(
        actor=officer_a, response=last, values={"water_source": "piped"}, expected_version=1
    )
    SurveyResponse.objects.filter(pk=last.pk).update(status="approved")
    this = response_start(actor=officer_a, review_round=rounds[2025], household=household_a)
    assert this.carried_from_id == last.pk
    client = client_for(officer_a)
    preview = reverse(
        "survey:response_preview", kwargs={"public_id": this.public_id, "section": "housing"}
    )
    with CaptureQueriesContext(connection) as captured:
        body = client.post(preview, {"floor_area_m2": "30"}, HTTP_HX_REQUEST="true")
    assert body.status_code == 200 and 'id="score"' in body.content.decode()
    forms = [q["sql"] for q in captured if 'FROM "survey_surveyresponse"' in q["sql"]]
    assert len(forms) == 1, forms
    assert forms[0].count('"survey_surveyresponse"') > 0 and "T7" not in forms[0]
    assert "ORDER BY" not in forms[0]
    assert 'carried_from_id" = ' not in forms[0]

    with CaptureQueriesContext(connection) as captured:
        page = client.get(section_url(this, "housing")).content.decode()
    assert "lấy từ phiếu năm 2024" in page
    forms = [q["sql"] for q in captured if 'FROM "survey_surveyresponse"' in q["sql"]]
    assert len(forms) == 2, forms  # this year's form, then last year's with its round
