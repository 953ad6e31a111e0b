"""The review workflow: village meeting, public posting, complaints, approval, return, reopening."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.workdays import add_working_days
from survey.models import ResponseTransition, SurveyResponse, VillageMeeting, VillagePosting
from survey.services import response_start, response_submit, response_update, round_open
from survey.workflow import STEPS, opinion_give, opinion_request


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 10, 6), date(2025, 10, 8)),  # Monday → Wednesday
        (date(2025, 10, 9), date(2025, 10, 13)),  # Thursday → Monday
        (date(2025, 10, 10), date(2025, 10, 14)),  # Friday → Tuesday
        (date(2025, 10, 11), date(2025, 10, 15)),  # Saturday → starts Monday → Wednesday
        (date(2026, 2, 13), date(2026, 2, 24)),  # Friday before Tết Bính Ngọ (16–20/02) → Tuesday
        (date(2025, 4, 29), date(2025, 5, 6)),  # 30/4, 1/5 and the substitute 2/5 skipped
        (date(2025, 8, 29), date(2025, 9, 4)),  # National Day 1–2/9 skipped
    ],
)
def test_posting_lasts_three_working_days_without_weekends_and_public_holidays(start, end):
    assert add_working_days(start, 3) == end


# The fixture round runs 01/09/2025–14/12/2025 and a village meeting must fall within its round:
# these tests act on a Wednesday in the middle of it.
IN_ROUND_2025 = datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def during_round_2025():
    with time_machine.travel(IN_ROUND_2025, tick=False):
        yield


def later(days: int):
    """Travel `days` days forward (the clock stands still there)."""
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


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


def meet(client, round_2025, village, response, decision="agreed", notes="", held_on=None):
    return client.post(
        ws(round_2025, village, "meeting_new"),
        {
            "held_on": d(held_on or TODAY()),
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


def with_opinion(review_round, village):
    """The district's opinion on the village's households whose posting has ended (QĐ 24/2021,
    Điều 4 bước 4: before the chairman's decision), where there is one to ask for; its own tests
    are in tests/test_chain.py."""
    commune = village.parent
    officer = User.objects.get(unit=commune, role=User.Role.COMMUNE_OFFICER)
    district = commune.parent
    staff, _ = User.objects.get_or_create(
        username=f"huyen-{district.code}", defaults={"role": "district_staff", "unit": district}
    )
    try:
        with transaction.atomic():
            asked = opinion_request(actor=officer, review_round=review_round, commune=commune)
            opinion_give(actor=staff, request=asked, agreed=True)
    except ValidationError:
        pass  # nothing to send yet: the approval below is refused for its own reasons


def approve(client, round_2025, village, response, decision_date=None):
    with_opinion(round_2025, village)
    return client.post(
        ws(round_2025, village, "approve"),
        {
            "decision_number": "123/QĐ-UBND",
            "decision_date": d(decision_date or TODAY()),
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
    post(client, round_2025, village_a, TODAY())
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    with later(10):
        client = client_for(officer_a)  # sessions last a working day
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
    start = TODAY()
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
    with later(10):
        client = client_for(officer_a)  # sessions last a working day
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
    post(client, round_2025, village_a, TODAY())
    with later(20):
        client = client_for(officer_a)  # sessions last a working day
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
    post(client, round_2025, village_a, TODAY())
    with later(10):
        client = client_for(officer_a)  # sessions last a working day
        approve(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "approved"
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


# --- The posting window cannot be backdated away -------------------------------------------------


def test_a_backdated_posting_cannot_skip_the_window_and_its_complaints(
    officer_a, village_a, round_2025, submitted, client_for
):
    """The attack a review found: meeting, a posting "from 01/01/2020", approval at once."""
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    body = post(client, round_2025, village_a, date(2020, 1, 1)).content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "agreed"
    assert not VillagePosting.objects.exists()
    body = client.get(ws(round_2025, village_a)).content.decode()
    assert "không được sớm hơn ngày ghi vào phần mềm quá 3 ngày" in body
    body = approve(client, round_2025, village_a, submitted).content.decode()
    assert "chưa niêm yết" in body
    submitted.refresh_from_db()
    assert submitted.status == "agreed"


def test_a_posting_cannot_start_before_the_village_meeting(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)  # held today
    response = post(client, round_2025, village_a, TODAY() - timedelta(days=1))
    assert response.status_code == 302
    body = client.get(ws(round_2025, village_a)).content.decode()
    assert "không được trước ngày họp thôn" in body
    assert not VillagePosting.objects.exists()


def test_a_posting_cannot_start_in_the_future(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY() + timedelta(days=1))
    assert not VillagePosting.objects.exists()


def test_a_paper_posting_recorded_late_keeps_its_date_but_the_window_counts_from_the_record(
    officer_a, village_a, round_2025, submitted, client_for, settings
):
    """Within the grace the real start is kept for the printed list; the window is not shortened."""
    settings.POSTING_BACKDATE_GRACE_DAYS = 3
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    with later(2):
        client = client_for(officer_a)  # sessions last a working day
        recorded_on = TODAY()
        post(client, round_2025, village_a, recorded_on - timedelta(days=2))
        page = client.get(ws(round_2025, village_a)).content.decode()
    assert "thời hạn tính từ ngày ghi" in page
    posting = VillagePosting.objects.get()
    assert posting.recorded_on == recorded_on
    assert posting.starts_on == recorded_on - timedelta(days=2)
    assert posting.counted_from >= recorded_on
    assert posting.ends_on == add_working_days(recorded_on, 3)
    with time_machine.travel(posting.ends_on, tick=False):
        client = client_for(officer_a)
        body = approve(client, round_2025, village_a, submitted).content.decode()
    assert "đang niêm yết đến hết ngày" in body
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    with time_machine.travel(posting.ends_on + timedelta(days=1), tick=False):
        client = client_for(officer_a)
        approve(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_the_grace_for_paper_postings_is_a_setting(
    officer_a, village_a, round_2025, submitted, client_for, settings
):
    settings.POSTING_BACKDATE_GRACE_DAYS = 0
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    with later(2):
        client = client_for(officer_a)  # sessions last a working day
        post(client, round_2025, village_a, TODAY() - timedelta(days=1))
    assert not VillagePosting.objects.exists()


def test_the_village_page_says_how_the_window_end_was_computed(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY())
    body = client.get(ws(round_2025, village_a)).content.decode()
    ends_on = VillagePosting.objects.get().ends_on
    assert f"{ends_on:%d/%m/%Y}" in body
    assert "ngày nghỉ lễ, Tết" in body
    assert "thời hạn tính từ ngày ghi" not in body  # recorded the day it went up


# --- One table of steps --------------------------------------------------------------------------


def test_every_status_change_is_a_row_of_the_table_and_leaves_a_transition_and_an_audit_row(
    officer_a, district_reader, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY())
    client_for(district_reader).post(
        reverse("survey:response_return", kwargs={"public_id": submitted.public_id}),
        {"reason": "Kiểm tra lại"},
    )
    steps = list(submitted.transitions.values_list("from_status", "to_status"))
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "agreed"),
        ("agreed", "posted"),
        ("posted", "returned"),
    ]
    allowed = {(source, step.target) for step in STEPS.values() for source in step.sources}
    assert set(steps) <= allowed
    actions = list(
        AuditEvent.objects.filter(target_type="survey.surveyresponse", target_id=str(submitted.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["response_submit", "meeting_agree", "posting_start", "response_return"]
    submitted.refresh_from_db()
    assert submitted.version == 1 + 1 + 4  # start, one saved section, four steps


def test_a_step_from_the_wrong_status_is_refused_and_names_the_household(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    reopen = reverse("survey:response_reopen", kwargs={"public_id": submitted.public_id})
    client.post(reopen, {"reason": "Thử mở lại"}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == "agreed"


def test_the_printed_minutes_show_what_the_meeting_recorded(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    blank = client.get(ws(round_2025, village_a, "minutes_template")).content.decode()
    assert "Nguyễn Văn An" in blank
    assert "Số người tham dự:</" not in blank and "........" in blank
    client.post(
        ws(round_2025, village_a, "meeting_new"),
        {
            "held_on": d(TODAY()),
            "attendance": 45,
            "chaired_by": "Trần Văn Bình",
            "notes": "Không có ý kiến khác",
            f"decision_{submitted.public_id}": "agreed",
        },
    )
    body = client.get(ws(round_2025, village_a, "minutes_template")).content.decode()
    assert "Chưa có phiếu đã nộp nào" not in body
    assert "Nguyễn Văn An" in body
    assert "Trần Văn Bình" in body
    assert "45" in body
    assert f"ngày {TODAY():%d} tháng {TODAY():%m} năm {TODAY():%Y}" in body
    assert "Không có ý kiến khác" in body
    assert "☒" in body
    assert "...............................................<br>" not in body


# --- Dates in order (QĐ 24/2021/QĐ-TTg, Điều 3–4) ----------------------------------------------


def _refused_meeting(client, round_2025, village_a, submitted, held_on):
    response = meet(client, round_2025, village_a, submitted, held_on=held_on)
    assert response.status_code == 302
    body = client.get(ws(round_2025, village_a)).content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not VillageMeeting.objects.exists()
    assert not ResponseTransition.objects.filter(to_status="agreed").exists()
    return body


def test_a_village_meeting_before_the_round_starts_is_refused_with_its_legal_basis(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    body = _refused_meeting(client, round_2025, village_a, submitted, date(2025, 8, 31))
    assert "Ngày họp thôn phải trong thời gian của đợt rà soát (01/09/2025 – 14/12/2025)" in body
    assert "QĐ 24/2021/QĐ-TTg, Điều 3 và Điều 4" in body
    meet(client, round_2025, village_a, submitted, held_on=date(2025, 9, 1))
    submitted.refresh_from_db()
    assert submitted.status == "agreed"


def test_a_village_meeting_after_the_round_ends_is_refused_even_when_recorded_later(
    officer_a, village_a, round_2025, submitted, client_for
):
    with time_machine.travel(datetime(2025, 12, 20, 9, tzinfo=IN_ROUND_2025.tzinfo), tick=False):
        client = client_for(officer_a)
        body = _refused_meeting(client, round_2025, village_a, submitted, date(2025, 12, 15))
        assert "Ngày họp thôn phải trong thời gian của đợt rà soát" in body
        meet(client, round_2025, village_a, submitted, held_on=date(2025, 12, 14))
    submitted.refresh_from_db()
    assert submitted.status == "agreed"


def test_a_village_meeting_in_the_future_is_refused(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    body = _refused_meeting(client, round_2025, village_a, submitted, TODAY() + timedelta(days=1))
    assert "Ngày họp không được sau hôm nay." in body


def _posted(client, round_2025, village_a, submitted):
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY())
    return VillagePosting.objects.get()


def test_the_decision_cannot_be_dated_within_the_posting_window(
    officer_a, village_a, round_2025, submitted, client_for
):
    """Posted Wednesday 15/10/2025: the window ends Friday 17/10, the decision is dated 18/10 on."""
    client = client_for(officer_a)
    posting = _posted(client, round_2025, village_a, submitted)
    assert posting.ends_on == date(2025, 10, 17)
    with later(10):
        client = client_for(officer_a)
        body = approve(client, round_2025, village_a, submitted, posting.ends_on).content.decode()
        assert "Ngày quyết định không được trước 18/10/2025" in body
        assert "hết thời hạn niêm yết công khai 03 ngày làm việc" in body
        assert "QĐ 24/2021/QĐ-TTg, Điều 4 bước 3–4" in body
        submitted.refresh_from_db()
        assert submitted.status == "posted"
        assert submitted.decision_number == ""
        approve(client, round_2025, village_a, submitted, posting.ends_on + timedelta(days=1))
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    assert submitted.decision_date == date(2025, 10, 18)


def test_the_decision_cannot_be_dated_in_the_future(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    _posted(client, round_2025, village_a, submitted)
    with later(10):
        client = client_for(officer_a)
        tomorrow = TODAY() + timedelta(days=1)
        body = approve(client, round_2025, village_a, submitted, tomorrow).content.decode()
        assert "Ngày quyết định không được sau hôm nay (chưa kiểm chứng)" in body
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    assert submitted.decision_date is None


@pytest.fixture
def round_due_14_10(province_reader):
    """The 2025 periodic round with the province's commune deadline on Tuesday 14/10/2025."""
    return round_open(
        actor=province_reader,
        province=province_reader.unit,
        year=2025,
        kind="periodic",
        commune_deadline=date(2025, 10, 14),
    )


def test_steps_after_the_commune_deadline_are_recorded_with_a_warning_on_the_village_page_and_board(
    officer_a, village_a, household_a, round_due_14_10, client_for
):
    """Today is 15/10/2025, a day after the deadline: the meeting and the posting go through."""
    response = response_start(actor=officer_a, review_round=round_due_14_10, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    response_submit(actor=officer_a, response=response, expected_version=response.version)
    client = client_for(officer_a)
    warning = "sau hạn xã báo cáo 14/10/2025"
    assert warning not in client.get(ws(round_due_14_10, village_a)).content.decode()
    assert warning not in client.get(reverse("home")).content.decode()
    meet(client, round_due_14_10, village_a, response)
    post(client, round_due_14_10, village_a, TODAY())
    response.refresh_from_db()
    assert response.status == "posted"
    for page in (ws(round_due_14_10, village_a), reverse("home")):
        body = client.get(page).content.decode()
        assert "Có bước làm sau hạn xã báo cáo" in body
        assert f"Thôn Đông: Họp thôn ngày 15/10/2025, {warning}" in body
        assert f"Thôn Đông: Niêm yết công khai ngày 15/10/2025, {warning}" in body
        assert "QĐ 24/2021/QĐ-TTg, Điều 3" in body
    with later(10):
        client = client_for(officer_a)
        approve(client, round_due_14_10, village_a, response)
        response.refresh_from_db()
        assert response.status == "approved"
        body = client.get(ws(round_due_14_10, village_a)).content.decode()
        assert f"Thôn Đông: Quyết định phê duyệt ngày 25/10/2025, {warning}" in body


def test_steps_on_or_before_the_commune_deadline_bring_no_warning(
    officer_a, village_a, round_2025, submitted, client_for
):
    """round_2025 sets no commune deadline: its end (14/12/2025) is the deadline."""
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted)
    post(client, round_2025, village_a, TODAY())
    for page in (ws(round_2025, village_a), reverse("home")):
        assert "sau hạn xã báo cáo" not in client.get(page).content.decode()


def recheck(client, round_2025, village, response, outcome="confirmed", checked_on=None, **extra):
    return client.post(
        ws(round_2025, village, "recheck_new", response_id=response.public_id),
        {
            "checked_on": d(checked_on or TODAY()),
            "checked_by": "Nguyễn Văn Phúc, công chức LĐ-TB&XH xã",
            "findings": "Đã đến hộ: nhà và thu nhập đúng như phiếu.",
            "outcome": outcome,
            **extra,
        },
        follow=True,
    )


def test_a_disputed_household_is_rechecked_before_it_can_be_posted(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted, decision="disputed", notes="Hộ mới mua xe máy")
    submitted.refresh_from_db()
    assert submitted.status == "disputed"
    # Neither a second meeting nor the posting can skip the re-check.
    meet(client, round_2025, village_a, submitted, decision="agreed")
    page = post(client, round_2025, village_a, TODAY())
    submitted.refresh_from_db()
    assert submitted.status == "disputed"
    assert not VillagePosting.objects.exists()
    # The village page lists it for re-check, with what the meeting said.
    body = client.get(ws(round_2025, village_a)).content.decode()
    assert "chờ phúc tra" in body or "Phúc tra hộ họp thôn chưa thống nhất" in body
    assert "Hộ mới mua xe máy" in body.split('id="recheck"')[1]
    assert 'id="applications"' not in body  # a periodic round: no application table
    page = recheck(client, round_2025, village_a, submitted)
    assert "Đã ghi kết quả phúc tra." in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "rechecked"
    [check] = submitted.rechecks.all()
    assert check.meeting is not None and check.outcome == "confirmed"
    row = ResponseTransition.objects.filter(response=submitted).last()
    assert (row.from_status, row.to_status, row.actor) == ("disputed", "rechecked", officer_a)
    assert row.reason == "Đã đến hộ: nhà và thu nhập đúng như phiếu."
    assert AuditEvent.objects.filter(action="response_recheck", reason=row.reason).exists()
    post(client, round_2025, village_a, TODAY())
    submitted.refresh_from_db()
    assert submitted.status == "posted"
    with later(10):
        approve(client_for(officer_a), round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_a_recheck_that_finds_an_error_sends_the_form_back_to_draft(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    meet(client, round_2025, village_a, submitted, decision="disputed", notes="Sai diện tích nhà")
    recheck(client, round_2025, village_a, submitted, outcome="corrected")
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    # Corrected and submitted again, it goes back to a village meeting.
    response_submit(actor=officer_a, response=submitted, expected_version=submitted.version)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    meet(client, round_2025, village_a, submitted)
    submitted.refresh_from_db()
    assert submitted.status == "agreed"


def test_a_recheck_out_of_order_or_out_of_scope_changes_nothing(
    officer_a, officer_b, district_reader, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    # Not disputed: nothing to re-check.
    page = recheck(client, round_2025, village_a, submitted)
    assert "chỉ phúc tra hộ mà họp thôn chưa thống nhất" in page.content.decode()
    meet(client, round_2025, village_a, submitted, decision="disputed", notes="Cần xác minh")
    # Before the meeting that disputed it: refused, naming the rule and that it is unverified.
    page = recheck(client, round_2025, village_a, submitted, checked_on=TODAY() - timedelta(days=1))
    body = page.content.decode()
    assert "không được trước ngày họp thôn chưa thống nhất" in body
    assert "chưa kiểm chứng" in body
    page = recheck(client, round_2025, village_a, submitted, findings="")
    assert "Kết quả phúc tra" in page.content.decode()
    # Only the commune's officer re-checks: others get a 404.
    for user in (officer_b, district_reader):
        assert recheck(client_for(user), round_2025, village_a, submitted).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "disputed" and not submitted.rechecks.exists()


def test_a_regular_round_shows_each_application_and_warns_on_a_missing_or_late_decision(
    officer_a, province_reader, village_a, client_for
):
    from households.services import household_register
    from survey.review_list import review_list_add

    october = round_open(
        actor=province_reader, province=province_reader.unit, year=2025, kind="regular", month=10
    )

    def form(name, applied_on=None, **result):
        h = household_register(
            actor=officer_a, village=village_a, address="x", head={**HEAD_OF[name]}
        )
        if applied_on:
            review_list_add(
                actor=officer_a,
                review_round=october,
                household=h,
                source="application",
                applied_on=applied_on,
                applicant=h.head_name,
                form_number=f"04/{name}",
            )
        return SurveyResponse.objects.create(
            review_round=october,
            household=h,
            commune=h.commune,
            village=village_a,
            created_by=officer_a,
            **result,
        )

    form("on_time", date(2025, 10, 1), status="submitted")
    form("no_application", status="submitted")
    form("overdue", date(2025, 9, 20), status="posted")
    form(
        "late_decision",
        date(2025, 9, 25),
        status="approved",
        decision_number="9/QĐ-UBND",
        decision_date=date(2025, 10, 12),
    )
    page = client_for(officer_a).get(ws(october, village_a)).content.decode()
    table = page.split('id="applications"')[1].split("</table>")[0]
    rows = {
        name: row
        for name in HEAD_OF
        for row in table.split("<tr")
        if HEAD_OF[name]["full_name"] in row
    }
    assert "16/10/2025" in rows["on_time"] and "text-danger" not in rows["on_time"]
    assert "chưa ghi đơn đề nghị của hộ (Mẫu số 04)" in rows["no_application"]
    assert "đã quá hạn 05/10/2025" in rows["overdue"]
    assert (
        "quyết định ngày 12/10/2025, sau 17 ngày kể từ ngày nộp đơn 25/09/2025"
        in rows["late_decision"]
    )
    assert all("QĐ 24/2021/QĐ-TTg, Điều 5" in rows[n] for n in HEAD_OF if n != "on_time")


HEAD_OF = {
    name: {"full_name": full_name, "birth_year": 1970, "sex": "male"}
    for name, full_name in (
        ("on_time", "Lò Văn Đúng"),
        ("no_application", "Lò Văn Thiếu"),
        ("overdue", "Lò Văn Quá"),
        ("late_decision", "Lò Văn Muộn"),
    )
}
