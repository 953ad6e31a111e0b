"""Splitting, merging and closing households through the pages, and who may do it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from households.models import Household, Member
from households.services import household_register, household_split, member_add
from tests.conftest import HEAD

SPLIT_WARNING = "Không tách hộ chỉ để hộ đủ điều kiện hưởng chính sách hỗ trợ"


def son(**overrides):
    values = {
        "full_name": "Nguyễn Văn Bảo",
        "birth_year": 1995,
        "sex": "male",
        "ethnicity": "01",
        "relationship": "child",
    }
    return {**values, **overrides}


def daughter_in_law(**overrides):
    values = {
        "full_name": "Trần Thị Cúc",
        "birth_year": 1997,
        "sex": "female",
        "ethnicity": "01",
        "relationship": "in_law",
    }
    return {**values, **overrides}


def url(name, household):
    return reverse(f"households:{name}", kwargs={"public_id": household.public_id})


@pytest.fixture
def household_a_with_son(officer_a, household_a):
    member_add(actor=officer_a, household=household_a, values=son())
    return household_a


@pytest.fixture
def other_household_a(officer_a, village_a):
    """A second household of commune A, headed by Phạm Văn Dũng."""
    return household_register(
        actor=officer_a,
        village=village_a,
        address="Xóm 4",
        head={
            **HEAD,
            "full_name": "Phạm Văn Dũng",
            "citizen_id": "035072000321",
            "birth_year": 1972,
        },
    )


def snapshot(household):
    household.refresh_from_db()
    return (
        Household.objects.count(),
        household.status,
        household.version,
        sorted(household.members.values_list("pk", "relationship", "status")),
        AuditEvent.objects.count(),
    )


# --- Split ----------------------------------------------------------------------------------------


def test_the_split_page_lists_present_members_and_warns_about_benefit_driven_splits(
    officer_a, household_a_with_son, client_for
):
    response = client_for(officer_a).get(url("split", household_a_with_son))
    assert response.status_code == 200
    body = response.content.decode()
    assert SPLIT_WARNING in body
    assert 'type="checkbox"' in body
    assert "Nguyễn Văn An" in body and "Nguyễn Văn Bảo" in body


def test_officer_a_splits_a_household_and_the_new_one_remembers_where_it_came_from(
    officer_a, household_a, village_a, client_for
):
    bao = member_add(actor=officer_a, household=household_a, values=son())
    cuc = member_add(actor=officer_a, household=household_a, values=daughter_in_law())
    data = {
        "members": [bao.pk, cuc.pk],
        "new_head": bao.pk,
        "village": village_a.pk,
        "address": "Xóm 3",
        "reason": "Con trai lập gia đình, ở riêng",
    }
    response = client_for(officer_a).post(url("split", household_a), data)
    new = Household.objects.get(split_from=household_a)
    assert response.status_code == 302
    assert response["Location"] == url("detail", new)
    assert new.head_name == "Nguyễn Văn Bảo"
    assert new.address == "Xóm 3"
    assert new.village == village_a
    assert set(new.members.values_list("pk", flat=True)) == {bao.pk, cuc.pk}
    bao.refresh_from_db()
    assert bao.relationship == "head"
    household_a.refresh_from_db()
    assert household_a.head_name == "Nguyễn Văn An"
    assert household_a.members.filter(status="present").count() == 1
    event = AuditEvent.objects.get(action="household_split")
    assert event.target_id == str(new.pk)
    assert event.reason == "Con trai lập gia đình, ở riêng"
    assert event.actor == officer_a
    new_page = client_for(officer_a).get(url("detail", new)).content.decode()
    assert "Hộ này tách từ hộ" in new_page and "Con trai lập gia đình, ở riêng" in new_page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_split_without_a_reason_changes_nothing_and_says_why_in_vietnamese(
    reason, officer_a, household_a_with_son, village_a, client_for
):
    bao = household_a_with_son.members.get(full_name="Nguyễn Văn Bảo")
    before = snapshot(household_a_with_son)
    data = {
        "members": [bao.pk],
        "new_head": bao.pk,
        "village": village_a.pk,
        "address": "Xóm 3",
        "reason": reason,
    }
    response = client_for(officer_a).post(url("split", household_a_with_son), data)
    assert response.status_code == 200
    assert "Tách hộ phải ghi lý do." in response.content.decode()
    assert snapshot(household_a_with_son) == before
    assert not Household.objects.filter(split_from=household_a_with_son).exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "])
def test_the_split_service_refuses_a_split_whose_only_fault_is_a_missing_reason(
    reason, officer_a, household_a_with_son, village_a
):
    # The page's form also asks for a reason; the service must refuse on its own (commands,
    # imports and future pages call it without that form).
    bao = household_a_with_son.members.get(full_name="Nguyễn Văn Bảo")
    before = snapshot(household_a_with_son)
    with pytest.raises(ValidationError) as refused:
        household_split(
            actor=officer_a,
            source=household_a_with_son,
            members=[bao],
            new_head=bao,
            village=village_a,
            address="Xóm 3",
            reason=reason,
        )
    assert refused.value.message_dict == {"reason": ["Tách hộ phải ghi lý do."]}
    assert snapshot(household_a_with_son) == before
    assert not Household.objects.filter(split_from=household_a_with_son).exists()
    assert Member.objects.get(pk=bao.pk).household_id == household_a_with_son.pk
    # The same split with a reason goes through: nothing else about it was wrong.
    new = household_split(
        actor=officer_a,
        source=household_a_with_son,
        members=[bao],
        new_head=bao,
        village=village_a,
        address="Xóm 3",
        reason="Con trai lập gia đình, ở riêng",
    )
    assert Member.objects.get(pk=bao.pk).household_id == new.pk


def test_a_split_whose_new_head_stays_behind_is_refused_in_vietnamese(
    officer_a, household_a_with_son, village_a, client_for
):
    bao = household_a_with_son.members.get(full_name="Nguyễn Văn Bảo")
    an = household_a_with_son.members.get(full_name="Nguyễn Văn An")
    before = snapshot(household_a_with_son)
    data = {
        "members": [bao.pk],
        "new_head": an.pk,
        "village": village_a.pk,
        "address": "Xóm 3",
        "reason": "Ở riêng",
    }
    response = client_for(officer_a).post(url("split", household_a_with_son), data)
    assert response.status_code == 200
    assert "Chủ hộ mới phải là một trong những người được tách." in response.content.decode()
    assert snapshot(household_a_with_son) == before


# --- Merge ----------------------------------------------------------------------------------------


def test_the_merge_page_offers_active_households_of_the_same_commune_but_not_itself(
    officer_a, officer_b, household_a, other_household_a, village_b, client_for
):
    in_b = household_register(
        actor=officer_b,
        village=village_b,
        address="Xóm 9",
        head={
            **HEAD,
            "full_name": "Đỗ Văn Giang",
            "citizen_id": "035073000111",
            "birth_year": 1973,
        },
    )
    body = client_for(officer_a).get(url("merge", household_a)).content.decode()
    assert f'value="{other_household_a.pk}"' in body
    assert f'value="{household_a.pk}"' not in body
    assert f'value="{in_b.pk}"' not in body


def test_merge_moves_the_present_members_and_marks_the_source_merged(
    officer_a, household_a_with_son, other_household_a, client_for
):
    response = client_for(officer_a).post(
        url("merge", household_a_with_son),
        {"target": other_household_a.pk, "reason": "Về ở chung với nhà ngoại"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", other_household_a)
    household_a_with_son.refresh_from_db()
    assert household_a_with_son.status == "merged"
    assert household_a_with_son.merged_into == other_household_a
    assert not household_a_with_son.members.filter(status="present").exists()
    names = set(other_household_a.members.values_list("full_name", flat=True))
    assert names == {"Phạm Văn Dũng", "Nguyễn Văn An", "Nguyễn Văn Bảo"}
    assert other_household_a.members.filter(relationship="head").count() == 1
    event = AuditEvent.objects.get(action="household_merge")
    assert event.reason == "Về ở chung với nhà ngoại"


def test_merge_into_a_household_of_another_commune_is_refused_and_changes_nothing(
    officer_a, officer_b, household_a, village_b, client_for
):
    in_b = household_register(
        actor=officer_b,
        village=village_b,
        address="Xóm 9",
        head={
            **HEAD,
            "full_name": "Đỗ Văn Giang",
            "citizen_id": "035073000111",
            "birth_year": 1973,
        },
    )
    before = snapshot(household_a)
    response = client_for(officer_a).post(
        url("merge", household_a), {"target": in_b.pk, "reason": "Về ở chung"}
    )
    assert response.status_code == 200
    assert "Hãy chọn một hộ đang cư trú trong cùng xã." in response.content.decode()
    assert snapshot(household_a) == before


def test_a_merge_without_a_reason_changes_nothing(
    officer_a, household_a, other_household_a, client_for
):
    before = snapshot(household_a)
    response = client_for(officer_a).post(
        url("merge", household_a), {"target": other_household_a.pk, "reason": ""}
    )
    assert response.status_code == 200
    assert "Nhập hộ phải ghi lý do." in response.content.decode()
    assert snapshot(household_a) == before


# --- Close ----------------------------------------------------------------------------------------


def test_a_closed_household_leaves_the_default_list_but_its_page_still_opens(
    officer_a, household_a, client_for
):
    client = client_for(officer_a)
    response = client.post(
        url("close", household_a),
        {"status": "moved_away", "reason": "Cả nhà vào Bình Dương"},
        follow=True,
    )
    assert response.redirect_chain == [(url("detail", household_a), 302)]
    household_a.refresh_from_db()
    assert household_a.status == "moved_away"
    assert household_a.status_reason == "Cả nhà vào Bình Dương"
    assert household_a.members.count() == 1
    assert AuditEvent.objects.get(action="household_close").reason == "Cả nhà vào Bình Dương"
    assert "Nguyễn Văn An" not in client.get(reverse("households:list")).content.decode()
    page = client.get(url("detail", household_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Đã chuyển đi nơi khác" in body and "Cả nhà vào Bình Dương" in body
    # Nothing more to split, merge or close: the buttons are gone.
    assert url("split", household_a) not in body


def test_closing_needs_a_valid_status_and_a_reason(officer_a, household_a, client_for):
    before = snapshot(household_a)
    client = client_for(officer_a)
    response = client.post(url("close", household_a), {"status": "dissolved", "reason": ""})
    assert "Hãy ghi lý do." in response.content.decode()
    response = client.post(url("close", household_a), {"status": "merged", "reason": "x"})
    assert "Tình trạng không hợp lệ." in response.content.decode()
    assert snapshot(household_a) == before


def test_a_household_no_longer_here_cannot_be_split_merged_or_closed_again(
    officer_a, household_a, client_for
):
    client = client_for(officer_a)
    client.post(url("close", household_a), {"status": "dissolved", "reason": "Không còn ai"})
    before = snapshot(household_a)
    for name in ("split", "merge", "close"):
        response = client.post(url(name, household_a), {"status": "moved_away", "reason": "x"})
        assert response.status_code == 302, name
        assert response["Location"] == url("detail", household_a)
    assert snapshot(household_a) == before


# --- Who may do it --------------------------------------------------------------------------------


def test_the_lineage_buttons_show_only_to_those_who_may_change_the_household(
    officer_a, district_reader, province_reader, household_a, client_for
):
    body = client_for(officer_a).get(url("detail", household_a)).content.decode()
    for name in ("split", "merge", "close"):
        assert url(name, household_a) in body, name
    for reader in (district_reader, province_reader):
        body = client_for(reader).get(url("detail", household_a)).content.decode()
        for name in ("split", "merge", "close"):
            assert url(name, household_a) not in body, (reader, name)


# Surveyors and village heads of village A fill its forms, but splitting, merging and closing
# households change who is counted: the officer's alone.
@pytest.mark.parametrize(
    "role", ["officer_b", "district_reader", "province_reader", "surveyor_a", "village_head_a"]
)
def test_users_who_may_not_change_household_a_get_404_on_its_lineage_pages(
    role, cast, officer_a, household_a_with_son, other_household_a, village_a, client_for
):
    client = client_for(cast[role])
    bao = household_a_with_son.members.get(full_name="Nguyễn Văn Bảo")
    before = snapshot(household_a_with_son)
    posts = {
        "split": {
            "members": [bao.pk],
            "new_head": bao.pk,
            "village": village_a.pk,
            "address": "Xóm 3",
            "reason": "Ở riêng",
        },
        "merge": {"target": other_household_a.pk, "reason": "Về ở chung"},
        "close": {"status": "dissolved", "reason": "Không còn ai"},
    }
    for name, data in posts.items():
        assert client.get(url(name, household_a_with_son)).status_code == 404, name
        assert client.post(url(name, household_a_with_son), data).status_code == 404, name
    assert snapshot(household_a_with_son) == before
    assert Member.objects.get(pk=bao.pk).household_id == household_a_with_son.pk
