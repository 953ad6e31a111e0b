"""Roles below the commune, through the pages: surveyors (rà soát viên) fill and submit forms in
their assigned villages; village heads (trưởng thôn) also record their village's meeting; the
commune officer makes, re-assigns and disables their accounts. Out of their villages is a 404."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts import scoping
from accounts.models import AuditEvent, User
from households.services import household_register
from survey.models import SurveyResponse, VillageMeeting, VillagePosting
from survey.services import response_start, response_submit, response_update
from tests.conftest import HEAD, PASSWORD

IN_ROUND_2025 = datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def during_round_2025():
    with time_machine.travel(IN_ROUND_2025, tick=False):
        yield


def section_url(response, section):
    return reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": section}
    )


def begin_url(review_round, household):
    return reverse(
        "survey:response_begin",
        kwargs={"round_id": review_round.public_id, "household_id": household.public_id},
    )


def ws(review_round, village, name="village_workspace"):
    return reverse(
        f"survey:{name}",
        kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
    )


def meet(client, review_round, village, response, follow=False):
    return client.post(
        ws(review_round, village, "meeting_new"),
        {
            "held_on": "15/10/2025",
            "attendance": 30,
            "chaired_by": "Trưởng thôn",
            "notes": "",
            f"decision_{response.public_id}": "agreed",
        },
        follow=follow,
    )


@pytest.fixture
def household_a2(officer_a, village_a2):
    return household_register(
        actor=officer_a,
        village=village_a2,
        address="Xóm 5",
        head={**HEAD, "full_name": "Lê Văn Nam", "citizen_id": "035070000456"},
    )


@pytest.fixture
def household_b(officer_b, village_b):
    return household_register(
        actor=officer_b,
        village=village_b,
        address="Xóm 9",
        head={**HEAD, "full_name": "Phạm Văn Tây", "citizen_id": "035070000789"},
    )


def submitted_by(actor, household, review_round):
    response = response_start(actor=actor, review_round=review_round, household=household)
    response_update(
        actor=actor,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    return response_submit(actor=actor, response=response, expected_version=response.version)


# --- The surveyor ---------------------------------------------------------------------------------


def test_surveyor_fills_and_submits_a_form_in_an_assigned_village(
    surveyor_a, household_a, round_2025, client_for
):
    client = client_for(surveyor_a)
    assert client.post(begin_url(round_2025, household_a)).status_code == 302
    response = SurveyResponse.objects.get(household=household_a, review_round=round_2025)
    result = client.post(
        section_url(response, "screening"),
        {"screening": "stop", "screening_reason": "Hộ có ô tô", "version": response.version},
    )
    assert result.status_code == 302
    response.refresh_from_db()
    submit = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
    client.post(submit, {"version": response.version})
    response.refresh_from_db()
    assert response.status == "submitted"
    assert response.submitted_by == surveyor_a
    assert AuditEvent.objects.filter(action="response_submit", actor=surveyor_a).exists()


def test_surveyor_corrects_a_members_facts_but_does_not_change_the_household(
    surveyor_a, household_a, client_for
):
    client = client_for(surveyor_a)
    head = household_a.members.get()
    edit = reverse("households:member_edit", kwargs={"public_id": head.public_id})
    assert client.get(edit).status_code == 200
    data = {
        "full_name": "Nguyễn Văn An",
        "birth_year": 1970,
        "sex": "male",
        "ethnicity": "01",
        "relationship": "head",
        "citizen_id": "035070000123",
        "education": "primary",
        "employment": "self_employed",
        "monthly_social_allowance": "0",
        "has_health_insurance": "on",
        "version": head.version,
    }
    assert client.post(edit, data).status_code == 302
    head.refresh_from_db()
    assert head.has_health_insurance
    status = reverse("households:member_status", kwargs={"public_id": head.public_id})
    assert client.post(status, {"status": "deceased", "reason": "x"}).status_code == 404
    for name in ("edit", "member_new", "split", "merge", "close"):
        url = reverse(f"households:{name}", kwargs={"public_id": household_a.public_id})
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("households:new")).status_code == 404
    head.refresh_from_db()
    assert head.status == "present"


def test_surveyor_gets_404_in_an_unassigned_village_and_in_another_commune(
    surveyor_a, officer_a, officer_b, village_a2, household_a2, household_b, round_2025, client_for
):
    client = client_for(surveyor_a)
    form_a2 = response_start(actor=officer_a, review_round=round_2025, household=household_a2)
    form_b = response_start(actor=officer_b, review_round=round_2025, household=household_b)
    for household, form in ((household_a2, form_a2), (household_b, form_b)):
        detail = reverse("households:detail", kwargs={"public_id": household.public_id})
        assert client.get(detail).status_code == 404
        assert client.post(begin_url(round_2025, household)).status_code == 404
        assert client.get(section_url(form, "screening")).status_code == 404
        post = {"screening": "stop", "screening_reason": "x", "version": form.version}
        assert client.post(section_url(form, "screening"), post).status_code == 404
        submit = reverse("survey:response_submit", kwargs={"public_id": form.public_id})
        assert client.post(submit, {"version": form.version}).status_code == 404
        assert client.get(ws(round_2025, form.village)).status_code == 404
        form.refresh_from_db()
        assert form.status == "draft" and form.screening != "stop"
    body = client.get(reverse("households:list")).content.decode()
    assert "Nguyễn Văn An" not in body  # household_a is not created here: nothing of A2 or B
    assert "Lê Văn Nam" not in body and "Phạm Văn Tây" not in body
    unit = reverse("units:unit_detail", kwargs={"public_id": village_a2.public_id})
    assert client.get(unit).status_code == 404
    commune = reverse("units:unit_detail", kwargs={"public_id": village_a2.parent.public_id})
    assert client.get(commune).status_code == 404


def test_surveyor_cannot_record_a_meeting_a_posting_or_an_approval(
    surveyor_a, officer_a, village_a, household_a, round_2025, client_for
):
    response = submitted_by(officer_a, household_a, round_2025)
    client = client_for(surveyor_a)
    page = client.get(ws(round_2025, village_a)).content.decode()
    for name in ("meeting_new", "posting_new", "approve", "complaint_new"):
        assert ws(round_2025, village_a, name) not in page, name
    result = meet(client, round_2025, village_a, response, follow=True)
    assert "Chỉ trưởng thôn của thôn này hoặc cán bộ xã được ghi kết quả họp thôn" in (
        result.content.decode()
    )
    posting = client.post(
        ws(round_2025, village_a, "posting_new"),
        {"starts_on": "15/10/2025", "place": "Nhà văn hoá"},
        follow=True,
    )
    assert "Niêm yết công khai, ghi khiếu nại và phê duyệt do cán bộ xã thực hiện" in (
        posting.content.decode()
    )
    approval = client.post(
        ws(round_2025, village_a, "approve"),
        {
            "decision_number": "1/QĐ",
            "decision_date": "15/10/2025",
            f"approve_{response.public_id}": "on",
        },
        follow=True,
    )
    assert "do cán bộ xã thực hiện" in approval.content.decode()
    response.refresh_from_db()
    assert response.status == "submitted"
    assert not VillageMeeting.objects.exists() and not VillagePosting.objects.exists()


def test_surveyor_home_board_lists_only_the_assigned_villages(
    surveyor_a, village_a, village_a2, round_2025, client_for
):
    client = client_for(surveyor_a)
    body = client.get(reverse("home")).content.decode()
    assert ws(round_2025, village_a) in body
    assert ws(round_2025, village_a2) not in body
    assert "Thôn Nam" not in body
    assert reverse("reports:index") not in body
    assert reverse("accounts:field_list") not in body
    assert client.get(reverse("reports:index")).status_code == 404
    assert client.get(reverse("accounts:field_list")).status_code == 404
    total = reverse(
        "survey:commune_total",
        kwargs={"public_id": round_2025.public_id, "commune_id": village_a.parent.public_id},
    )
    assert client.post(total, {"total_households": 1, "source": "x"}).status_code == 404
    review_list = reverse(
        "survey:review_list",
        kwargs={"round_id": round_2025.public_id, "commune_id": village_a.parent.public_id},
    )
    assert client.get(review_list).status_code == 404
    # The commune's result page is the officer's: no link to it, and a 404.
    result = reverse(
        "survey:commune_result",
        kwargs={"round_id": round_2025.public_id, "commune_id": village_a.parent.public_id},
    )
    assert (
        result not in body and result not in client.get(ws(round_2025, village_a)).content.decode()
    )
    assert client.get(result).status_code == 404


def test_scoping_gives_the_field_roles_their_villages_only(
    surveyor_a, village_head_a, officer_a, village_a, village_a2, commune_a
):
    for user in (surveyor_a, village_head_a):
        assert set(scoping.visible_units(user)) == {village_a}
        assert set(scoping.form_units(user)) == {village_a}
        assert not scoping.changeable_units(user).exists()
    assert set(scoping.meeting_units(village_head_a)) == {village_a}
    assert not scoping.meeting_units(surveyor_a).exists()
    assert set(scoping.form_units(officer_a)) == {village_a, village_a2}
    assert set(scoping.meeting_units(officer_a)) == {village_a, village_a2}


# --- The village head -----------------------------------------------------------------------------


def test_village_head_records_the_meeting_of_his_village_but_not_another(
    village_head_a,
    officer_a,
    village_a,
    village_a2,
    household_a,
    household_a2,
    round_2025,
    client_for,
):
    own = submitted_by(officer_a, household_a, round_2025)
    other = submitted_by(officer_a, household_a2, round_2025)
    client = client_for(village_head_a)
    page = client.get(ws(round_2025, village_a)).content.decode()
    assert ws(round_2025, village_a, "meeting_new") in page
    assert ws(round_2025, village_a, "posting_new") not in page
    meet(client, round_2025, village_a, own)
    own.refresh_from_db()
    assert own.status == "agreed"
    meeting = VillageMeeting.objects.get(village=village_a)
    assert meeting.recorded_by == village_head_a
    assert meet(client, round_2025, village_a2, other).status_code == 404
    other.refresh_from_db()
    assert other.status == "submitted"
    assert not VillageMeeting.objects.filter(village=village_a2).exists()
    posting = client.post(
        ws(round_2025, village_a, "posting_new"),
        {"starts_on": "15/10/2025", "place": "Nhà văn hoá"},
        follow=True,
    )
    assert "do cán bộ xã thực hiện" in posting.content.decode()
    own.refresh_from_db()
    assert own.status == "agreed"


def test_village_head_also_fills_forms_of_his_village(
    village_head_a, household_a, round_2025, client_for
):
    assert client_for(village_head_a).post(begin_url(round_2025, household_a)).status_code == 302
    assert SurveyResponse.objects.filter(household=household_a).exists()


# --- Accounts made by the commune officer ---------------------------------------------------------


def field_add(client, **overrides):
    data = {"username": "rsv-moi", "full_name": "Trần Văn Mới", "role": "surveyor"}
    data.update(overrides)
    return client.post(reverse("accounts:field_add"), data)


def test_officer_creates_a_surveyor_with_villages_and_a_one_time_password(
    officer_a, village_a, village_a2, client_for
):
    client = client_for(officer_a)
    page = client.get(reverse("accounts:field_add")).content.decode()
    assert "Thôn Đông" in page and "Thôn Nam" in page
    result = field_add(client, villages=[village_a.public_id, village_a2.public_id])
    assert result.status_code == 200
    user = User.objects.get(username="rsv-moi")
    assert result.context["password"]
    assert user.check_password(result.context["password"])
    assert user.must_change_password
    assert user.role == "surveyor" and user.unit == officer_a.unit
    assert set(user.villages.all()) == {village_a, village_a2}
    event = AuditEvent.objects.get(action="user_create", target_id=str(user.pk))
    assert event.actor == officer_a
    assert event.changes["villages"] == ["Thôn Nam", "Thôn Đông"]
    listing = client.get(reverse("accounts:field_list")).content.decode()
    assert "rsv-moi" in listing and "Thôn Nam" in listing


def test_officer_changes_a_surveyors_villages(
    officer_a, surveyor_a, village_a, village_a2, household_a2, client_for
):
    client = client_for(officer_a)
    edit = reverse("accounts:field_edit", kwargs={"public_id": surveyor_a.public_id})
    assert client.get(edit).status_code == 200
    data = {
        "full_name": "Rà soát viên A",
        "role": "surveyor",
        "villages": [village_a2.public_id],
        "is_active": "on",
        "version": surveyor_a.version,
    }
    assert client.post(edit, data).status_code == 302
    assert set(surveyor_a.villages.all()) == {village_a2}
    detail = reverse("households:detail", kwargs={"public_id": household_a2.public_id})
    assert client_for(User.objects.get(pk=surveyor_a.pk)).get(detail).status_code == 200
    event = AuditEvent.objects.get(action="user_update", target_id=str(surveyor_a.pk))
    assert event.changes["villages"] == [["Thôn Đông"], ["Thôn Nam"]]


def test_a_village_of_another_commune_is_refused_with_a_vietnamese_message(
    officer_a, village_a, village_b, client_for
):
    result = field_add(client_for(officer_a), villages=[village_a.public_id, village_b.public_id])
    assert result.status_code == 200
    body = result.content.decode()
    assert "Chỉ giao được thôn, tổ dân phố của Xã Bình Nghĩa: Thôn Tây không thuộc xã." in body
    assert not User.objects.filter(username="rsv-moi").exists()


def test_the_officer_creates_no_other_role(officer_a, village_a, client_for):
    for role in ("commune_officer", "admin", "district_staff"):
        result = field_add(client_for(officer_a), role=role, villages=[village_a.public_id])
        assert result.status_code == 200
    assert not User.objects.filter(username="rsv-moi").exists()


def test_a_disabled_surveyor_cannot_log_in_and_is_enabled_again(
    officer_a, surveyor_a, village_a, client_for
):
    client = client_for(officer_a)
    edit = reverse("accounts:field_edit", kwargs={"public_id": surveyor_a.public_id})
    data = {"full_name": "rsv-13504", "role": "surveyor", "villages": [village_a.public_id]}
    client.post(edit, {**data, "version": surveyor_a.version})
    surveyor_a.refresh_from_db()
    assert not surveyor_a.is_active
    assert AuditEvent.objects.filter(action="field_account_disable", actor=officer_a).exists()
    login = Client().post(
        reverse("accounts:login"), {"username": "rsv-13504", "password": PASSWORD}
    )
    assert login.status_code == 200  # the form again, with its message
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in login.content.decode()
    client.post(edit, {**data, "is_active": "on", "version": surveyor_a.version})
    surveyor_a.refresh_from_db()
    assert surveyor_a.is_active
    assert AuditEvent.objects.filter(action="field_account_enable").exists()
    login = Client().post(
        reverse("accounts:login"), {"username": "rsv-13504", "password": PASSWORD}
    )
    assert login.status_code == 302


def test_officer_gets_404_on_other_communes_users_and_on_officer_accounts(
    officer_a, officer_b, district_reader, admin, village_b, client_for
):
    surveyor_b = User(username="rsv-13510", role="surveyor", unit=officer_b.unit)
    surveyor_b.set_password(PASSWORD)
    surveyor_b.save()
    surveyor_b.villages.set([village_b])
    client = client_for(officer_a)
    for user in (surveyor_b, officer_b, officer_a, district_reader, admin):
        edit = reverse("accounts:field_edit", kwargs={"public_id": user.public_id})
        assert client.get(edit).status_code == 404, user
        assert client.post(edit, {"full_name": "x", "version": user.version}).status_code == 404
    surveyor_b.refresh_from_db()
    assert surveyor_b.is_active and surveyor_b.first_name == ""
    assert "rsv-13510" not in client.get(reverse("accounts:field_list")).content.decode()


@pytest.mark.parametrize("role", ["district_reader", "province_reader", "admin", "surveyor_a"])
def test_the_commune_account_pages_are_the_officers_alone(role, cast, client_for):
    client = client_for(cast[role])
    target = cast["surveyor_a"].public_id
    assert client.get(reverse("accounts:field_list")).status_code == 404
    assert client.get(reverse("accounts:field_add")).status_code == 404
    edit = reverse("accounts:field_edit", kwargs={"public_id": target})
    assert client.get(edit).status_code == 404


def test_officer_gives_a_new_one_time_password_and_makes_a_surveyor_village_head(
    officer_a, officer_b, surveyor_a, village_a, client_for
):
    reset = reverse("accounts:field_password_reset", kwargs={"public_id": surveyor_a.public_id})
    assert client_for(officer_b).post(reset).status_code == 404
    surveyor_a.refresh_from_db()
    assert surveyor_a.check_password(PASSWORD)
    client = client_for(officer_a)
    result = client.post(reset)
    assert result.status_code == 200
    surveyor_a.refresh_from_db()
    assert surveyor_a.check_password(result.context["password"]) and surveyor_a.must_change_password
    edit = reverse("accounts:field_edit", kwargs={"public_id": surveyor_a.public_id})
    data = {
        "full_name": "rsv-13504",
        "role": "village_head",
        "villages": [village_a.public_id],
        "is_active": "on",
        "version": surveyor_a.version,
    }
    assert client.post(edit, data).status_code == 302
    surveyor_a.refresh_from_db()
    assert surveyor_a.role == "village_head"
    assert set(scoping.meeting_units(surveyor_a)) == {village_a}
    refused = client.post(edit, {**data, "role": "commune_officer", "version": surveyor_a.version})
    assert refused.status_code == 200
    surveyor_a.refresh_from_db()
    assert surveyor_a.role == "village_head"


def test_the_members_section_offers_the_surveyor_corrections_not_new_members(
    surveyor_a, officer_a, household_a, round_2025, client_for
):
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    head = household_a.members.get()
    new_member = reverse("households:member_new", kwargs={"public_id": household_a.public_id})
    edit = reverse("households:member_edit", kwargs={"public_id": head.public_id})
    body = client_for(surveyor_a).get(section_url(response, "members")).content.decode()
    assert edit in body and new_member not in body
    body = client_for(officer_a).get(section_url(response, "members")).content.decode()
    assert edit in body and new_member in body
