"""No request field reaches the database unchecked: over-long text or a NUL byte is a form error.

Before, the criteria text, the target's basis and the account search were read straight from the
request: PostgreSQL refuses a NUL byte ("A string literal cannot contain NUL") and a text longer
than its column, and the user got a 500 instead of a message.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from survey.models import Complaint, ProvinceTarget, ScreeningCriterion

NUL_MESSAGE = "ký tự rỗng NUL"
TOO_LONG = "tối đa 300 ký tự"


def messages_of(response) -> str:
    return " | ".join(str(m) for m in response.context["messages"])


# --- Phiếu A criteria (survey/views.py criteria) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [("x" * 301, TOO_LONG), ("Hộ có ô tô\x00", NUL_MESSAGE)],
    ids=["over-long", "nul"],
)
def test_a_bad_criterion_text_is_a_form_error_and_nothing_is_written(
    province_reader, client_for, text, message
):
    response = client_for(province_reader).post(
        reverse("survey:criteria"),
        {"province": province_reader.unit.pk, "text": text},
        follow=True,
    )
    assert response.status_code == 200
    assert message in messages_of(response)
    assert not ScreeningCriterion.objects.exists()
    assert not AuditEvent.objects.filter(action="criterion_add").exists()


def test_a_criterion_of_300_characters_is_taken(province_reader, client_for):
    client_for(province_reader).post(
        reverse("survey:criteria"), {"province": province_reader.unit.pk, "text": "ô" * 300}
    )
    assert ScreeningCriterion.objects.get().text == "ô" * 300


@pytest.mark.parametrize("province", ["abc", "99999999999999999999999", "\x00", ""])
def test_a_garbled_province_is_a_404_not_a_500(province_reader, client_for, province):
    response = client_for(province_reader).post(
        reverse("survey:criteria"), {"province": province, "text": "Hộ có ô tô"}
    )
    assert response.status_code == 404
    assert not ScreeningCriterion.objects.exists()


def test_a_criterion_of_another_province_cannot_be_retired_through_mine(
    province_reader, admin, legacy_tree, client_for
):
    from areas.models import AdminUnit

    other = AdminUnit.objects.create(
        edition=legacy_tree,
        level=AdminUnit.Level.PROVINCE,
        kind=AdminUnit.Kind.TINH,
        code="99",
        name="Tỉnh khác",
        path=f"{legacy_tree.code}/99/",
    )
    criterion = ScreeningCriterion.objects.create(
        province=other, text="Hộ có ô tô", created_by=admin
    )
    for retire in (str(criterion.pk), "abc", "\x00", "99999999999999999999999"):
        response = client_for(province_reader).post(
            reverse("survey:criteria"), {"province": province_reader.unit.pk, "retire": retire}
        )
        assert response.status_code == 404, retire
    criterion.refresh_from_db()
    assert criterion.is_active


# --- The province's target (reports/views.py target_set) ---------------------------------------


@pytest.fixture
def target_url(round_2025, province_reader):
    return reverse(
        "reports:target_set",
        kwargs={"round_id": round_2025.public_id, "unit_id": province_reader.unit.public_id},
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "2,5", "basis_text": "N" * 301}, TOO_LONG),
        ({"target": "2,5", "basis_text": "NQ\x00 HĐND"}, NUL_MESSAGE),
        ({"target": "2,5\x00"}, "phải là một số"),
        ({"target": "NaN"}, "phải là một số"),
        ({"target": "Infinity"}, "phải là một số"),
        ({"target": "9" * 400}, "từ 0 đến 100"),
    ],
    ids=["basis-over-long", "basis-nul", "target-nul", "nan", "infinity", "huge"],
)
def test_a_bad_target_is_a_form_error_and_nothing_is_written(
    province_reader, target_url, client_for, data, message
):
    response = client_for(province_reader).post(target_url, data, follow=True)
    assert response.status_code == 200
    assert message in messages_of(response)
    assert not ProvinceTarget.objects.exists()


def test_a_good_target_with_its_basis_is_recorded(province_reader, target_url, client_for):
    client_for(province_reader).post(target_url, {"target": " 2,5 ", "basis_text": "B" * 300})
    target = ProvinceTarget.objects.get()
    assert str(target.target_poverty_rate) == "2.50"
    assert target.basis == "B" * 300


# --- The admin's account search (accounts/views.py user_list) -----------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [("xa\x00", NUL_MESSAGE), ("x" * 151, "tối đa 150 ký tự")],
    ids=["nul", "over-long"],
)
def test_a_bad_account_search_is_a_form_error(admin, officer_a, client_for, query, message):
    response = client_for(admin).get(reverse("accounts:user_list"), {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "xa-13504" not in body


def test_the_account_search_still_finds(admin, officer_a, officer_b, client_for):
    body = client_for(admin).get(reverse("accounts:user_list"), {"q": " 13504 "}).content.decode()
    assert "xa-13504" in body
    assert "xa-13510" not in body


# --- Other inputs that reach a write --------------------------------------------------------------


# A village meeting must fall within its round (01/09/2025–14/12/2025): act in the middle of it.
@time_machine.travel(datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
def test_an_over_long_complainant_name_is_a_form_error_not_a_500(
    officer_a, village_a, round_2025, household_a, client_for
):
    """The complainant's name had no length limit in the form, 150 in the table."""

    from django.utils import timezone

    from survey.services import response_start, response_submit, response_update

    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    response = response_submit(
        actor=officer_a, response=response, expected_version=response.version
    )
    client = client_for(officer_a)
    kwargs = {"round_id": round_2025.public_id, "village_id": village_a.public_id}
    today = timezone.localdate()
    client.post(
        reverse("survey:meeting_new", kwargs=kwargs),
        {
            "held_on": today.strftime("%d/%m/%Y"),
            "attendance": 30,
            "chaired_by": "Trưởng thôn",
            f"decision_{response.public_id}": "agreed",
        },
    )
    client.post(
        reverse("survey:posting_new", kwargs=kwargs),
        {"starts_on": today.strftime("%d/%m/%Y"), "place": "Nhà văn hoá"},
    )
    response.refresh_from_db()
    assert response.status == "posted"
    page = client.post(
        reverse("survey:complaint_new", kwargs=kwargs),
        {
            "response": str(response.public_id),
            "received_on": today.strftime("%d/%m/%Y"),
            "complainant": "C" * 151,
            "content": "Hộ có ô tô",
        },
        follow=True,
    )
    assert page.status_code == 200
    assert "tối đa 150 ký tự" in messages_of(page)
    assert not Complaint.objects.exists()
