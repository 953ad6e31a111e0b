"""The household registry: members, CCCD checks, search, scope, lineage, concurrency."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from core.locking import StaleEdit
from households.citizen_id import citizen_id_errors
from households.models import Household, Member
from households.services import (
    household_merge,
    household_register,
    household_split,
    member_add,
    member_update,
)
from tests.conftest import HEAD


def head(**overrides):
    return {**HEAD, **overrides}


def member(**overrides):
    values = {
        "full_name": "Trần Thị Bình",
        "birth_year": 1975,
        "sex": "female",
        "ethnicity": "01",
        "relationship": "spouse",
    }
    return {**values, **overrides}


# --- CCCD ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cid", "sex", "year"),
    [
        ("035070000123", "male", 1970),
        ("035175000123", "female", 1975),
        ("001205000001", "male", 2005),
        ("079310000001", "female", 2010),
    ],
)
def test_consistent_citizen_ids_pass(cid, sex, year):
    assert citizen_id_errors(cid, sex=sex, birth_year=year) == []


@pytest.mark.parametrize(
    ("cid", "sex", "year", "message"),
    [
        ("03507000012", "male", 1970, "đúng 12 chữ số"),
        ("03507000012a", "male", 1970, "đúng 12 chữ số"),
        ("003070000123", "male", 1970, "không phải mã tỉnh"),
        ("099070000123", "male", 1970, "không phải mã tỉnh"),
        ("035170000123", "male", 1970, "không khớp giới tính nam"),
        ("035070000123", "female", 1970, "không khớp giới tính nữ"),
        ("035270000123", "male", 1970, "phải là 0"),
        ("035071000123", "male", 1970, "không khớp năm sinh 1970"),
    ],
)
def test_inconsistent_citizen_ids_are_refused_with_the_reason(cid, sex, year, message):
    errors = citizen_id_errors(cid, sex=sex, birth_year=year)
    assert any(message in e for e in errors), errors


# --- Registration and members --------------------------------------------------------------------


def test_officer_registers_a_household_through_the_page(officer_a, village_a, client_for):
    data = {
        "village": village_a.pk,
        "address": "Xóm 2",
        "head-full_name": "  Lê   Văn Cường ",
        "head-birth_date": "05/03/1980",
        "head-sex": "male",
        "head-ethnicity": "01",
        "head-citizen_id": "035 080 000 456",
        "head-education": "primary",
        "head-employment": "self_employed",
        "head-monthly_social_allowance": "0",
    }
    response = client_for(officer_a).post(reverse("households:new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get()
    assert household.head_name == "Lê Văn Cường"
    assert household.commune == village_a.parent
    head_member = household.members.get()
    assert head_member.relationship == "head"
    assert head_member.birth_year == 1980
    assert head_member.citizen_id == "035080000456"
    event = AuditEvent.objects.get(action="household_register")
    assert event.unit == village_a


def test_registration_with_a_bad_citizen_id_saves_nothing_and_says_why(
    officer_a, village_a, client_for
):
    data = {
        "village": village_a.pk,
        "address": "Xóm 2",
        "head-full_name": "Lê Văn Cường",
        "head-birth_year": "1980",
        "head-sex": "male",
        "head-ethnicity": "01",
        "head-citizen_id": "035180000456",
        "head-education": "primary",
        "head-employment": "self_employed",
        "head-monthly_social_allowance": "0",
    }
    response = client_for(officer_a).post(reverse("households:new"), data)
    assert response.status_code == 200
    assert "không khớp giới tính nam" in response.content.decode()
    assert not Household.objects.exists()


def test_a_citizen_id_is_unique_among_present_members(officer_a, household_a):
    with pytest.raises(ValidationError) as excinfo:
        member_add(
            actor=officer_a,
            household=household_a,
            values=member(sex="male", birth_year=1970, citizen_id="035070000123"),
        )
    assert "citizen_id" in excinfo.value.message_dict


def test_a_household_has_only_one_present_head(officer_a, household_a):
    with pytest.raises(ValidationError) as excinfo:
        member_add(actor=officer_a, household=household_a, values=member(relationship="head"))
    assert excinfo.value.message_dict["relationship"] == ["Hộ đã có chủ hộ."]


def test_a_concurrent_member_edit_is_detected_and_neither_edit_is_lost(
    officer_a, household_a, client_for
):
    spouse = member_add(actor=officer_a, household=household_a, values=member())
    opened_version = spouse.version
    # Someone else saves first.
    member_update(
        actor=officer_a,
        member=spouse,
        values=member(full_name="Trần Thị Bình An"),
        expected_version=opened_version,
    )
    url = reverse("households:member_edit", kwargs={"public_id": spouse.public_id})
    data = {
        **member(full_name="Trần Thị Bích"),
        "education": "primary",
        "employment": "self_employed",
        "monthly_social_allowance": "0",
        "version": opened_version,
    }
    response = client_for(officer_a).post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "vừa được người khác lưu sau khi bạn mở trang" in body
    assert "Trần Thị Bình An" in body and "Trần Thị Bích" in body
    # The differences in words: field labels, not the model's field names or raw choice keys.
    table = body.split('role="alert"')[1].split("</table>")[0]
    assert "Họ và tên" in table
    for raw in ("full_name", "education", "primary", "self_employed", "True", "False"):
        assert f">{raw}<" not in table, raw
    # The main form now shows what is saved: saving it as it is keeps the colleague's change.
    assert 'value="Trần Thị Bình An"' in body
    spouse.refresh_from_db()
    assert spouse.full_name == "Trần Thị Bình An"
    # Re-applying this user's values is a deliberate second button, at the version now saved.
    assert f'name="version" value="{spouse.version}"' in body
    data["version"] = spouse.version
    assert client_for(officer_a).post(url, data).status_code == 302
    spouse.refresh_from_db()
    assert spouse.full_name == "Trần Thị Bích"


def test_service_refuses_a_stale_version(officer_a, household_a):
    spouse = member_add(actor=officer_a, household=household_a, values=member())
    with pytest.raises(StaleEdit):
        member_update(
            actor=officer_a,
            member=spouse,
            values=member(full_name="X"),
            expected_version=spouse.version - 1,
        )


def test_member_who_moved_away_stays_in_the_record(officer_a, household_a, client_for):
    spouse = member_add(actor=officer_a, household=household_a, values=member())
    url = reverse("households:member_status", kwargs={"public_id": spouse.public_id})
    client_for(officer_a).post(url, {"status": "moved_away", "reason": "Đi làm ở Bình Dương"})
    spouse.refresh_from_db()
    assert spouse.status == "moved_away"
    assert Member.objects.filter(household=household_a).count() == 2
    event = AuditEvent.objects.get(action="member_set_status")
    assert event.reason == "Đi làm ở Bình Dương"


def test_the_audit_trail_never_holds_a_whole_citizen_id(officer_a, household_a):
    spouse = member_add(
        actor=officer_a, household=household_a, values=member(citizen_id="035175000999")
    )
    event = AuditEvent.objects.get(action="member_add", target_id=str(spouse.pk))
    assert event.changes["citizen_id"] == [None, "…0999"]
    assert "035175000999" not in str(AuditEvent.objects.values_list("changes", flat=True))


# --- Search ---------------------------------------------------------------------------------------


def test_search_without_accents_finds_the_head(officer_a, household_a, client_for):
    response = client_for(officer_a).get(reverse("households:list"), {"name": "nguyen van an"})
    assert "Nguyễn Văn An" in response.content.decode()
    response = client_for(officer_a).get(reverse("households:list"), {"name": "tran thi"})
    assert "Nguyễn Văn An" not in response.content.decode()


def test_search_finds_a_household_by_a_present_member_and_each_household_once(
    officer_a, household_a, client_for
):
    from households.services import member_add

    member_add(
        actor=officer_a,
        household=household_a,
        values={"full_name": "Trần Thị Bưởi", "birth_year": 1975, "sex": "female",
                "relationship": "spouse"},
    )  # fmt: skip
    body = client_for(officer_a).get(reverse("households:list"), {"name": "buoi"}).content
    assert body.decode().count("Nguyễn Văn An") == 1
    # The head's name and a member's both match: still one row.
    member_add(
        actor=officer_a,
        household=household_a,
        values={"full_name": "Nguyễn Văn An Hai", "birth_year": 2000, "sex": "male",
                "relationship": "child"},
    )  # fmt: skip
    body = client_for(officer_a).get(reverse("households:list"), {"name": "van an"}).content
    assert body.decode().count("Xóm 1") == 1  # its address, in its one row


def test_search_by_citizen_id_is_a_post_and_finds_the_household(officer_a, household_a, client_for):
    response = client_for(officer_a).post(
        reverse("households:list"), {"citizen_id": "035070000123"}
    )
    assert "Nguyễn Văn An" in response.content.decode()
    assert "035070000123" not in response.request["PATH_INFO"]
    assert "035070000123" not in response.request.get("QUERY_STRING", "")


# --- Scope ----------------------------------------------------------------------------------------


def test_officer_b_gets_404_for_commune_a_household_everywhere(
    officer_a, officer_b, household_a, client_for
):
    spouse = member_add(actor=officer_a, household=household_a, values=member())
    client = client_for(officer_b)
    urls = [
        reverse("households:detail", kwargs={"public_id": household_a.public_id}),
        reverse("households:edit", kwargs={"public_id": household_a.public_id}),
        reverse("households:member_new", kwargs={"public_id": household_a.public_id}),
        reverse("households:member_edit", kwargs={"public_id": spouse.public_id}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    status_url = reverse("households:member_status", kwargs={"public_id": spouse.public_id})
    assert client.post(status_url, {"status": "deceased", "reason": "x"}).status_code == 404
    assert "Nguyễn Văn An" not in client.get(reverse("households:list")).content.decode()
    response = client.post(reverse("households:list"), {"citizen_id": "035070000123"})
    assert "Nguyễn Văn An" not in response.content.decode()
    spouse.refresh_from_db()
    assert spouse.status == "present"


def test_district_and_province_readers_read_but_do_not_edit(
    district_reader, province_reader, household_a, client_for
):
    for user in (district_reader, province_reader):
        client = client_for(user)
        detail = reverse("households:detail", kwargs={"public_id": household_a.public_id})
        assert client.get(detail).status_code == 200
        edit = reverse("households:edit", kwargs={"public_id": household_a.public_id})
        assert client.get(edit).status_code == 404
        assert client.get(reverse("households:new")).status_code == 404


# --- Lineage --------------------------------------------------------------------------------------


def test_a_split_household_remembers_its_origin_and_shows_it(officer_a, household_a, client_for):
    child = member_add(
        actor=officer_a,
        household=household_a,
        values=member(
            full_name="Nguyễn Văn Bảo", sex="male", relationship="child", birth_year=1995
        ),
    )
    new = household_split(
        actor=officer_a,
        source=household_a,
        members=[child],
        new_head=child,
        address="Xóm 3",
        reason="Con trai lập gia đình",
    )
    new.refresh_from_db()
    assert new.split_from == household_a
    assert new.head_name == "Nguyễn Văn Bảo"
    household_a.refresh_from_db()
    assert household_a.head_name == "Nguyễn Văn An"
    body = client_for(officer_a).get(
        reverse("households:detail", kwargs={"public_id": household_a.public_id})
    )
    assert "Các hộ đã tách ra từ hộ này" in body.content.decode()


def test_a_split_cannot_take_everyone(officer_a, household_a):
    # The reason is checked on its own in test_household_lineage.py, with an otherwise valid split.
    head_member = household_a.members.get()
    with pytest.raises(ValidationError, match="Không tách được cả hộ"):
        household_split(
            actor=officer_a,
            source=household_a,
            members=[head_member],
            new_head=head_member,
            address="x",
            reason="Lý do",
        )
    assert not Household.objects.filter(split_from=household_a).exists()
    assert Member.objects.get(pk=head_member.pk).household_id == household_a.pk


def test_a_merged_household_keeps_its_row_and_points_to_the_target(
    officer_a, household_a, village_a
):
    other = household_register(
        actor=officer_a,
        village=village_a,
        address="Xóm 4",
        head=head(full_name="Phạm Văn Dũng", citizen_id="035072000321", birth_year=1972),
    )
    household_merge(actor=officer_a, source=other, target=household_a, reason="Về ở chung")
    other.refresh_from_db()
    assert other.status == "merged"
    assert other.merged_into == household_a
    assert household_a.members.filter(status="present").count() == 2
    assert household_a.members.filter(relationship="head").count() == 1


def test_the_head_of_the_old_household_cannot_be_split_off(officer_a, household_a):
    child = member_add(
        actor=officer_a,
        household=household_a,
        values=member(
            full_name="Nguyễn Văn Bảo", sex="male", relationship="child", birth_year=1995
        ),
    )
    head_member = household_a.members.get(relationship="head")
    with pytest.raises(ValidationError, match="Chủ hộ của hộ cũ"):
        household_split(
            actor=officer_a,
            source=household_a,
            members=[head_member],
            new_head=head_member,
            address="x",
            reason="Lý do",
        )
    assert not Household.objects.filter(split_from=household_a).exists()
    # Read back from the database: the objects in hand would say the same whatever happened.
    for person in (head_member, child):
        assert Member.objects.get(pk=person.pk).household_id == household_a.pk


def test_a_household_merges_only_into_one_of_the_same_commune(
    admin, household_a, officer_b, village_b
):
    other = household_register(
        actor=officer_b,
        village=village_b,
        address="Xóm 9",
        head=head(full_name="Vũ Văn Giang", citizen_id="035073000777", birth_year=1973),
    )
    with pytest.raises(ValidationError, match="cùng xã"):
        household_merge(actor=admin, source=other, target=household_a, reason="Về ở chung")
    other.refresh_from_db()
    assert other.status == "active"


def test_a_birth_date_later_this_year_is_refused(officer_a, household_a, client_for):
    """Today is kept fixed: a date later in the current year used to pass the year check."""
    with time_machine.travel(date(2026, 12, 2), tick=False):
        client = client_for(officer_a)
        url = reverse("households:member_new", kwargs={"public_id": household_a.public_id})
        data = {**member(full_name="Trần Văn Cún", relationship="child", sex="male")}
        data.update(birth_date="25/12/2026", birth_year="")
        data.update(education="primary", employment="self_employed", monthly_social_allowance="0")
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Ngày sinh không được sau hôm nay." in response.content.decode()
        assert not household_a.members.filter(full_name="Trần Văn Cún").exists()
        data["birth_date"] = "25/11/2026"
        assert client.post(url, data).status_code == 302
        assert household_a.members.filter(full_name="Trần Văn Cún").exists()


def test_name_search_has_trigram_indexes_on_postgresql(db):
    """`LIKE '%key%'` on the name keys is served by pg_trgm GIN indexes (households/0006): at a
    million households a search by a common name took minutes without them and the UNION."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the indexes are PostgreSQL's; SQLite (the demo) needs none")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('household_head_name_trgm', 'member_name_trgm')"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"household_head_name_trgm", "member_name_trgm"}
    assert all("gin_trgm_ops" in definition for definition in found.values())


def test_the_list_shows_a_closed_household_found_by_citizen_id_with_its_status(
    officer_a, household_a, client_for
):
    from households.services import household_close

    household_close(actor=officer_a, household=household_a, status="moved_away", reason="Đi xa")
    client = client_for(officer_a)
    assert "Nguyễn Văn An" not in client.get(reverse("households:list")).content.decode()
    page = client.post(reverse("households:list"), {"citizen_id": "035070000123"})
    body = page.content.decode()
    assert "Nguyễn Văn An" in body and "Đã chuyển đi nơi khác" in body
    detail = reverse("households:detail", kwargs={"public_id": household_a.public_id})
    assert f'<a href="{detail}">Nguyễn Văn An</a>' in body
