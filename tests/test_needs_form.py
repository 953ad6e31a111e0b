"""The causes of poverty and the support needs on the form, through the pages: saved as a draft,
required at submission when the result is poor or near-poor, stored one row per answer, carried
forward from last year and confirmed like the other sections, audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from survey.models import ResponseCause, ResponseNeed, SurveyResponse
from survey.services import response_start, response_submit, response_update
from tests.test_responses import POOR_HOUSING, fill, section_url


@pytest.fixture
def started(officer_a, household_a, round_2025, client_for):
    client = client_for(officer_a)
    url = reverse(
        "survey:response_begin",
        kwargs={"round_id": round_2025.public_id, "household_id": household_a.public_id},
    )
    assert client.post(url).status_code == 302
    return client, SurveyResponse.objects.get(household=household_a, review_round=round_2025)


def scored(client, response, score):
    fill(client, response, "screening", {"screening": "proceed"})
    fill(client, response, "housing", POOR_HOUSING)
    fill(client, response, "income", {"income_score_manual": str(score)})


def submit(client, response, **data):
    url = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
    body = client.post(url, {"version": response.version, **data}, follow=True).content.decode()
    response.refresh_from_db()
    return body


NEEDS = {
    "poverty_causes": ["land", "illness", "other"],
    "poverty_cause_other": "Nhà bị lũ cuốn năm 2024",
    "support_needs": ["health", "production"],
    "support_need_other": "",
}


def test_a_poor_household_is_not_submitted_without_its_causes_and_needs(started):
    client, response = started
    scored(client, response, 130)  # poor: 130 ≤ 140, deprivations ≥ 30
    page = client.get(section_url(response, "needs")).content.decode()
    assert "Kết quả tạm tính là hộ nghèo hoặc cận nghèo" in page
    assert "Thiếu đất sản xuất" in page and "Nước sạch và vệ sinh" in page
    body = submit(client, response)
    assert "Chưa nộp được: hộ nghèo phải trả lời phần" in body
    assert "Nguyên nhân nghèo (chọn ít nhất một)" in body
    assert "Nhu cầu hỗ trợ (chọn ít nhất một)" in body
    assert response.status == "draft" and response.computed_classification == ""
    # Causes without needs: still refused, naming only what is missing.
    fill(client, response, "needs", {"poverty_causes": ["land"]})
    body = submit(client, response)
    assert "Nhu cầu hỗ trợ (chọn ít nhất một)" in body
    assert "Nguyên nhân nghèo (chọn ít nhất một)" not in body
    assert response.status == "draft"

    fill(client, response, "needs", NEEDS)
    assert response.poverty_causes == ["land", "illness", "other"]
    assert response.poverty_cause_other == "Nhà bị lũ cuốn năm 2024"
    event = AuditEvent.objects.filter(action="response_update").order_by("-id").first()
    assert event is not None
    assert set(event.changes) == {
        "poverty_causes",
        "poverty_cause_other",
        "support_needs",
    }
    assert "Đã nộp phiếu." in submit(client, response)
    assert response.status == "submitted" and response.final_classification == "poor"
    assert set(ResponseCause.objects.filter(response=response).values_list("cause", flat=True)) == {
        "land",
        "illness",
        "other",
    }
    assert set(ResponseNeed.objects.filter(response=response).values_list("need", flat=True)) == {
        "health",
        "production",
    }
    result = client.get(section_url(response, "result")).content.decode()
    assert "Nguyên nhân khác: Nhà bị lũ cuốn năm 2024" in result
    assert "Hỗ trợ sản xuất, vay vốn tín dụng" in result


def test_an_override_to_near_poor_also_needs_the_answers(started):
    client, response = started
    scored(client, response, 150)  # computed: not poor (above 140)
    page = client.get(section_url(response, "needs")).content.decode()
    assert "Chỉ bắt buộc khi kết quả cuối cùng là hộ nghèo hoặc hộ cận nghèo" in page
    reason = "Họp thôn: chủ hộ mất sức lao động"
    body = submit(client, response, final_classification="near_poor", override_reason=reason)
    assert "Chưa nộp được: hộ cận nghèo phải trả lời phần" in body
    assert response.status == "draft"
    fill(client, response, "needs", {"poverty_causes": ["labour"], "support_needs": ["jobs"]})
    submit(client, response, final_classification="near_poor", override_reason=reason)
    assert response.status == "submitted" and response.final_classification == "near_poor"
    assert list(
        ResponseCause.objects.filter(response=response).values_list("cause", flat=True)
    ) == ["labour"]


def causes_of(response):
    return list(ResponseCause.objects.filter(response=response).values_list("cause", flat=True))


def test_other_needs_its_words_and_words_need_the_other_box(started):
    client, response = started
    version = response.version
    url = section_url(response, "needs")
    page = client.post(
        url, {"poverty_causes": ["other"], "support_needs": ["health"], "version": version}
    )
    assert page.status_code == 200
    assert "Đã chọn “Khác”: hãy ghi rõ là gì." in page.content.decode()
    page = client.post(
        url,
        {
            "poverty_causes": ["land"],
            "support_needs": ["health"],
            "support_need_other": "Sửa mái nhà",
            "version": version,
        },
    )
    assert page.status_code == 200
    assert "Đã ghi nội dung khác: hãy đánh dấu ô “Khác”." in page.content.decode()
    response.refresh_from_db()
    assert response.version == version and response.poverty_causes == []
    # An unknown choice is refused by the form, not stored.
    page = client.post(url, {"poverty_causes": ["laziness"], "version": version})
    assert page.status_code == 200 and response.poverty_causes == []


def test_a_household_that_is_not_poor_is_submitted_without_them_and_stores_no_rows(started):
    client, response = started
    scored(client, response, 141)
    fill(client, response, "needs", {"poverty_causes": ["capital"], "support_needs": ["health"]})
    submit(client, response)
    assert response.status == "submitted" and response.final_classification == "not_poor"
    # The answers stay on the form as typed; only poor and near-poor households are counted.
    assert response.poverty_causes == ["capital"]
    assert not ResponseCause.objects.filter(response=response).exists()
    assert not ResponseNeed.objects.filter(response=response).exists()


def test_a_returned_form_resubmitted_replaces_its_rows(started, district_reader, client_for):
    client, response = started
    scored(client, response, 130)
    fill(client, response, "needs", NEEDS)
    submit(client, response)
    returned = client_for(district_reader).post(
        reverse("survey:response_return", kwargs={"public_id": response.public_id}),
        {"reason": "Kiểm tra lại nguyên nhân"},
    )
    assert returned.status_code == 302
    response.refresh_from_db()
    assert response.status == "returned"
    fill(client, response, "needs", {"poverty_causes": ["capital"], "support_needs": ["housing"]})
    submit(client, response)
    assert response.status == "submitted"
    assert list(
        ResponseCause.objects.filter(response=response).values_list("cause", flat=True)
    ) == ["capital"]
    assert list(ResponseNeed.objects.filter(response=response).values_list("need", flat=True)) == [
        "housing"
    ]


PAST_ANSWERS = {
    "screening": "proceed",
    "floor_area_m2": 6,
    "wall_durable": True,
    "column_durable": True,
    "roof_durable": True,
    "water_source": "surface",
    "latrine_hygienic": False,
    "information_means": ["tv"],
    "income_score_manual": 120,
}


def _last_year(officer_a, household_a, world, **needs):
    last = response_start(
        actor=officer_a, review_round=world["rounds"][2024], household=household_a
    )
    response_update(
        actor=officer_a,
        response=last,
        values={**PAST_ANSWERS, **needs},
        expected_version=last.version,
    )
    SurveyResponse.objects.filter(pk=last.pk).update(status="approved")
    return last


def _confirm(officer, response, sections):
    for section in sections:
        response.refresh_from_db()
        response_update(
            actor=officer,
            response=response,
            values={},
            expected_version=response.version,
            section=section,
        )
    response.refresh_from_db()


def test_last_years_causes_are_carried_and_must_be_confirmed(
    officer_a, household_a, world, client_for
):
    _last_year(
        officer_a,
        household_a,
        world,
        poverty_causes=["illness"],
        support_needs=["health", "water"],
    )
    this = response_start(
        actor=officer_a, review_round=world["rounds"][2025], household=household_a
    )
    assert this.poverty_causes == ["illness"] and this.support_needs == ["health", "water"]
    _confirm(officer_a, this, ("screening", "housing", "income"))
    with pytest.raises(ValidationError, match="Nguyên nhân nghèo, nhu cầu hỗ trợ"):
        response_submit(actor=officer_a, response=this, expected_version=this.version)
    client = client_for(officer_a)
    page = client.get(section_url(this, "needs")).content.decode()
    assert "lấy từ phiếu năm 2024" in page and "chưa nộp được" in page
    # The officer confirms, adding a cause: the change from last year shows by its label.
    fill(
        client,
        this,
        "needs",
        {"poverty_causes": ["illness", "labour"], "support_needs": ["health", "water"]},
    )
    assert "needs" in this.confirmed_sections
    page = client.get(section_url(this, "needs")).content.decode()
    assert "Ốm đau, bệnh nặng, tai nạn → <strong>Thiếu lao động, Ốm đau, bệnh nặng, tai nạn" in page
    submitted = response_submit(actor=officer_a, response=this, expected_version=this.version)
    assert submitted.status == "submitted" and submitted.final_classification == "poor"
    assert set(ResponseCause.objects.filter(response=this).values_list("cause", flat=True)) == {
        "illness",
        "labour",
    }


def test_a_form_carried_without_causes_has_no_needs_section_to_confirm(
    officer_a, household_a, world, client_for
):
    _last_year(officer_a, household_a, world)
    this = response_start(
        actor=officer_a, review_round=world["rounds"][2025], household=household_a
    )
    _confirm(officer_a, this, ("screening", "housing", "income"))
    page = client_for(officer_a).get(section_url(this, "needs")).content.decode()
    assert "lấy từ phiếu năm 2024" not in page  # nothing of last year's in this section
    # Nothing to confirm, but poor this year: the answers are still required.
    with pytest.raises(ValidationError, match="hộ nghèo phải trả lời"):
        response_submit(actor=officer_a, response=this, expected_version=this.version)
    this.refresh_from_db()
    response_update(
        actor=officer_a,
        response=this,
        values={"poverty_causes": ["capital"], "support_needs": ["production"]},
        expected_version=this.version,
        section="needs",
    )
    this.refresh_from_db()
    assert response_submit(
        actor=officer_a, response=this, expected_version=this.version
    ).status == ("submitted")


def test_officer_b_cannot_open_or_save_the_needs_section_of_commune_a(
    started, officer_b, client_for
):
    _client, response = started
    other = client_for(officer_b)
    url = section_url(response, "needs")
    assert other.get(url).status_code == 404
    assert other.post(url, {**NEEDS, "version": response.version}).status_code == 404
    response.refresh_from_db()
    assert response.poverty_causes == []
