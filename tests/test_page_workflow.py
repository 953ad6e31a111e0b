"""What the pages say about the workflow: a returned form says so on every section, the village
page names who complained and shows the posting period, and number fields open a number pad."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from households.services import household_register
from survey.services import response_start, response_submit, response_update
from survey.workflow import posting_window

SECTIONS = ["screening", "housing", "members", "income", "result"]
TODAY = timezone.localdate


# The fixture round runs 01/09/2025–14/12/2025 and a village meeting must fall within its round:
# these tests act on a Wednesday in the middle of it.
IN_ROUND_2025 = datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def during_round_2025():
    with time_machine.travel(IN_ROUND_2025, tick=False):
        yield


def d(day) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def submitted(officer_a, household_a, round_2025):
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    return response_submit(actor=officer_a, response=response, expected_version=response.version)


def section_url(response, section):
    return reverse("survey:response_section", args=[response.public_id, section])


def ws(review_round, village, name="village_workspace", **extra):
    kwargs = {"round_id": review_round.public_id, "village_id": village.public_id, **extra}
    return reverse(f"survey:{name}", kwargs=kwargs)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_returned_form_says_so_on_every_section_with_the_reason_who_and_when(
    officer_a, district_reader, submitted, client_for
):
    client_for(district_reader).post(
        reverse("survey:response_return", args=[submitted.public_id]),
        {"reason": "Thiếu diện tích nhà ở"},
    )
    returned_at = submitted.transitions.get(to_status="returned").at
    when = timezone.localtime(returned_at).strftime("%d/%m/%Y %H:%M")
    officer = client_for(officer_a)
    for section in SECTIONS:
        page = text(officer.get(section_url(submitted, section)).content.decode())
        assert "Phiếu bị trả lại" in page, section
        assert "Thiếu diện tích nhà ở" in page, section
        assert f"bởi huyen-352 lúc {when} (Huyện Bình Lục)" in page, section
    # Once the commune submits it again, the notice is gone.
    submitted.refresh_from_db()
    response_submit(actor=officer_a, response=submitted, expected_version=submitted.version)
    page = text(officer.get(section_url(submitted, "screening")).content.decode())
    assert "Phiếu bị trả lại" not in page


def test_a_form_never_returned_has_no_return_notice(officer_a, submitted, client_for):
    page = client_for(officer_a).get(section_url(submitted, "screening")).content.decode()
    assert "Phiếu bị trả lại" not in page


def _meet_and_post(client, review_round, village, response):
    client.post(
        ws(review_round, village, "meeting_new"),
        {
            "held_on": d(TODAY()),
            "attendance": 35,
            "chaired_by": "Trưởng thôn",
            f"decision_{response.public_id}": "agreed",
        },
    )
    client.post(
        ws(review_round, village, "posting_new"), {"starts_on": d(TODAY()), "place": "Nhà văn hoá"}
    )
    response.refresh_from_db()
    assert response.status == "posted"


def test_the_village_page_names_who_complained_or_says_no_name_was_given(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    _meet_and_post(client, round_2025, village_a, submitted)
    for complainant, content in (("Trần Thị Bình", "Hộ khó khăn hơn"), ("", "Thư không ký tên")):
        client.post(
            ws(round_2025, village_a, "complaint_new"),
            {
                "response": str(submitted.public_id),
                "received_on": d(TODAY()),
                "complainant": complainant,
                "content": content,
            },
        )
    assert submitted.complaints.count() == 2
    page = text(client.get(ws(round_2025, village_a)).content.decode())
    assert "Người khiếu nại: Trần Thị Bình · Hộ khó khăn hơn" in page
    assert "Người khiếu nại: không ghi tên · Thư không ký tên" in page


def test_after_posting_starts_the_posting_card_shows_the_period(
    officer_a, village_a, round_2025, submitted, client_for
):
    client = client_for(officer_a)
    url = ws(round_2025, village_a)
    before = text(client.get(url).content.decode())
    assert "Chưa có hộ nào được họp thôn thống nhất" in before
    _meet_and_post(client, round_2025, village_a, submitted)
    last = posting_window(TODAY(), TODAY()).last
    html = client.get(url).content.decode()
    card = text(html.split('id="posting"', 1)[1].split('id="complaints"', 1)[0])
    assert f"Đang niêm yết từ {d(TODAY())} đến hết {d(last)}" in card
    assert "Chưa có hộ nào được họp thôn thống nhất" not in card
    with time_machine.travel(timezone.now() + timedelta(days=20), tick=False):
        client = client_for(officer_a)  # sessions last a working day
        html = client.get(url).content.decode()
    card = text(html.split('id="posting"', 1)[1].split('id="complaints"', 1)[0])
    assert f"Đã niêm yết từ {d(TODAY())} đến hết {d(last)}" in card


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_number_fields_that_are_not_money_open_a_number_pad(
    officer_a, province_reader, household_a, village_a, round_2025, submitted, client_for
):
    officer = client_for(officer_a)
    draft = response_start(
        actor=officer_a,
        review_round=round_2025,
        household=household_register(
            actor=officer_a,
            village=village_a,
            address="Xóm 2",
            head={"full_name": "Lê Văn Cường", "birth_year": 1980, "sex": "male"},
        ),
    )
    housing = officer.get(section_url(draft, "housing")).content.decode()
    assert 'inputmode="decimal"' in _input(housing, "floor_area_m2")
    income = officer.get(section_url(draft, "income")).content.decode()
    assert 'inputmode="decimal"' in _input(income, "income_score_manual")
    village = officer.get(ws(round_2025, village_a)).content.decode()
    assert 'inputmode="numeric"' in _input(village, "attendance")
    member = officer.get(reverse("households:member_new", args=[household_a.public_id]))
    assert 'inputmode="numeric"' in _input(member.content.decode(), "birth_year")
    province = client_for(province_reader)
    new_round = province.get(reverse("survey:round_new")).content.decode()
    assert 'inputmode="numeric"' in _input(new_round, "year")
    assert 'inputmode="numeric"' in _input(new_round, "month")
    detail = officer.get(reverse("survey:round_detail", args=[round_2025.public_id]))
    assert 'inputmode="numeric"' in _input(detail.content.decode(), "total_households")
