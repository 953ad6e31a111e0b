"""The review workflow: village meeting, public posting, complaints, approval, return, reopening."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from survey.models import ResponseTransition, SurveyResponse
from survey.services import response_start, response_submit, response_update
from survey.workflow import add_working_days


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 10, 6), date(2025, 10, 8)),  # Monday → Wednesday
        (date(2025, 10, 9), date(2025, 10, 13)),  # Thursday → Monday
        (date(2025, 10, 10), date(2025, 10, 14)),  # Friday → Tuesday
        (date(2025, 10, 11), date(2025, 10, 15)),  # Saturday → starts Monday → Wednesday
    ],
)
def test_posting_lasts_three_working_days(start, end):
    assert add_working_days(start, 3) == end


@pytest.fixture
def submitted(officer_a, household_a, round_2025):
    """Household A's 2025 form, submitted (screened out with a reason: the quickest valid form)."""
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    return response_submit(actor=officer_a, response=response, expected_version=response.version)


def ws(round_2025, village, name="village_workspace", **extra):
    kwargs = {"round_id": round_2025.public_id, "village_id": village.public_id, **extra}
    return reverse(f"survey:{name}", kwargs=kwargs)


def d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


TODAY = timezone.localdate


def meet(client, round_2025, village, response, decision="agreed", notes=""):
    return client.post(
        ws(round_2025, village, "meeting_new"),
        {
            "held_on": d(TODAY()),
            "attendance": 35,
            "chaired_by": "Trưởng thôn",
            "notes": notes,
            f"decision_{response.public_id}": decision,
        },
    )


def post(client, round_2025, village, starts_on):
    return client.post(
        ws(round_2025, village, "posting_new"), {"starts_on": d(starts_on), "place": "Nhà văn hoá"}
    )


def approve(client, round_2025, village, response):
    return client.post(
        ws(round_2025, village, "approve"),
        {
            "decision_number": "123/QĐ-UBND",
            "decision_date": d(TODAY()),
            f"approve_{response.public_id}": "on",
        },
        follow=True,
    )


def test_the_whole_path_from_meeting_to_approval(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    assert client.get(ws(round_2025, village_a)).status_code == 200
    meet(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "agreed"
    post(client, round_2025, village_a, TODAY() - timedelta(days=10))
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    approve(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    assert submitted.decision_number == "123/QĐ-UBND"
    steps = list(submitted.transitions.values_list("to_status", flat=True))
    assert steps == ["submitted", "agreed", "posted", "approved"]
    assert all(t.actor_id == officer_a.pk for t in ResponseTransition.objects.all())


def test_approval_is_refused_while_the_posting_window_is_open(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY())
    body = approve(client, round_2025, village_a, submitted).content.decode()
    assert "đang niêm yết đến hết ngày" in body
    submitted.refresh_from_db()
    assert submitted.status == "posted"


def test_an_unresolved_complaint_blocks_approval_until_it_is_resolved(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    start = TODAY() - timedelta(days=10)
    post(client, round_2025, village_a, start)
    client.post(
        ws(round_2025, village_a, "complaint_new"),
        {
            "response": str(submitted.public_id),
            "received_on": d(start),
            "content": "Hộ này thực tế rất khó khăn",
        },
    )
    complaint = submitted.complaints.get()
    body = approve(client, round_2025, village_a, submitted).content.decode()
    assert "còn khiếu nại chưa giải quyết" in body
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    client.post(
        ws(round_2025, village_a, "complaint_close", complaint_id=complaint.public_id),
        {"resolution": "Đã xác minh lại, giữ kết quả", "resolved_on": d(TODAY())},
    )
    approve(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_a_complaint_outside_the_posting_window_is_refused(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    start = TODAY() - timedelta(days=20)
    post(client, round_2025, village_a, start)
    client.post(
        ws(round_2025, village_a, "complaint_new"),
        {"response": str(submitted.public_id), "received_on": d(TODAY()), "content": "Muộn"},
    )
    assert not submitted.complaints.exists()


def test_a_disputed_household_needs_the_meetings_opinion(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted, decision="disputed")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    meet(client, round_2025, village_a, submitted, decision="disputed", notes="Cần xác minh lại")
    submitted.refresh_from_db()
    assert submitted.status == "disputed"


def test_district_staff_return_a_form_with_a_reason_and_the_commune_can_edit_it_again(
    officer_a, district_reader, round_2025, submitted, client_for
):
    url = reverse("survey:response_return", kwargs={"public_id": submitted.public_id})
    client_for(district_reader).post(url, {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    client_for(district_reader).post(url, {"reason": "Thiếu thông tin nhà ở"})
    submitted.refresh_from_db()
    assert submitted.status == "returned"
    assert submitted.transitions.last().reason == "Thiếu thông tin nhà ở"
    response_update(
        actor=officer_a,
        response=submitted,
        values={"screening": "proceed"},
        expected_version=submitted.version,
    )


def test_officers_cannot_return_forms(officer_a, officer_b, submitted, client_for):
    url = reverse("survey:response_return", kwargs={"public_id": submitted.public_id})
    for user in (officer_a, officer_b):
        assert client_for(user).post(url, {"reason": "x"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_an_approved_result_is_locked_and_reopens_only_with_a_reason(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY() - timedelta(days=10))
    approve(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    screening = reverse(
        "survey:response_section",
        kwargs={"public_id": submitted.public_id, "section": "screening"},
    )
    assert client.post(screening, {"screening": "proceed", "version": 99}).status_code == 404
    reopen = reverse("survey:response_reopen", kwargs={"public_id": submitted.public_id})
    client.post(reopen, {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    client.post(reopen, {"reason": "Hộ có thêm người khuyết tật"})
    submitted.refresh_from_db()
    assert submitted.status == "returned"


def test_officer_b_cannot_act_on_village_a(officer_b, village_a, round_2025, submitted, client_for):
    client = client_for(officer_b)
    assert client.get(ws(round_2025, village_a)).status_code == 404
    assert meet(client, round_2025, village_a, submitted).status_code == 404
    assert post(client, round_2025, village_a, TODAY()).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_readers_see_the_village_page_but_cannot_act(
    district_reader, village_a, round_2025, submitted, client_for
):
    client = client_for(district_reader)
    body = client.get(ws(round_2025, village_a)).content.decode()
    assert "Nguyễn Văn An" in body
    assert "Ghi kết quả họp" not in body
    meet(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_printable_pages_show_names_but_never_citizen_ids_or_birth_dates(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    SurveyResponse.objects.filter(pk=submitted.pk).update(
        final_classification="poor", override_reason="Họp thôn đề nghị"
    )
    for url in (
        ws(round_2025, village_a, "posting_list"),
        ws(round_2025, village_a, "minutes_template"),
        reverse("survey:score_sheet", kwargs={"public_id": submitted.public_id}),
    ):
        body = client.get(url).content.decode()
        assert "Nguyễn Văn An" in body, url
        assert "035070000123" not in body, url
        assert "1970" not in body, url
