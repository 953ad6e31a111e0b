"""The household, member and account edit pages: a POST whose version is missing, zero or garbled
is stale (a crafted or truncated form never skips the check), and saves nothing."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from households.models import Household, Member
from households.services import member_add

UNREADABLE = [None, "", "0", "-1", "abc"]


def with_version(data: dict, version: str | None) -> dict:
    return data if version is None else {**data, "version": version}


@pytest.mark.parametrize("version", UNREADABLE)
def test_a_household_edit_without_a_readable_version_saves_nothing(
    version, officer_a, household_a, village_a, client_for
):
    client = client_for(officer_a)
    url = reverse("households:edit", kwargs={"public_id": household_a.public_id})
    data = {"village": village_a.pk, "number": "12", "address": "Xóm 2", "phone": "0912345678"}
    response = client.post(url, with_version(data, version))
    assert response.status_code == 200
    assert "vừa được người khác lưu" in response.content.decode()
    fresh = Household.objects.get(pk=household_a.pk)
    assert (fresh.number, fresh.address, fresh.phone, fresh.version) == ("", "Xóm 1", "", 1)
    assert not AuditEvent.objects.filter(action="household_update").exists()
    # The same edit with the version the page was opened at is saved: only the version was wrong.
    assert client.post(url, {**data, "version": "1"}).status_code == 302
    fresh = Household.objects.get(pk=household_a.pk)
    assert (fresh.address, fresh.version) == ("Xóm 2", 2)


@pytest.mark.parametrize("version", UNREADABLE)
def test_a_member_edit_without_a_readable_version_saves_nothing(
    version, officer_a, household_a, client_for
):
    spouse = member_add(
        actor=officer_a,
        household=household_a,
        values={
            "full_name": "Trần Thị Bình",
            "birth_year": 1975,
            "sex": "female",
            "ethnicity": "01",
            "relationship": "spouse",
        },
    )
    client = client_for(officer_a)
    url = reverse("households:member_edit", kwargs={"public_id": spouse.public_id})
    data = {
        "full_name": "Trần Thị Bích",
        "birth_year": "1975",
        "sex": "female",
        "ethnicity": "01",
        "relationship": "spouse",
        "education": "primary",
        "employment": "self_employed",
        "monthly_social_allowance": "0",
    }
    response = client.post(url, with_version(data, version))
    assert response.status_code == 200
    assert "vừa được người khác lưu" in response.content.decode()
    fresh = Member.objects.get(pk=spouse.pk)
    assert (fresh.full_name, fresh.version) == ("Trần Thị Bình", 1)
    assert not AuditEvent.objects.filter(action="member_update").exists()
    assert client.post(url, {**data, "version": "1"}).status_code == 302
    fresh = Member.objects.get(pk=spouse.pk)
    assert (fresh.full_name, fresh.version) == ("Trần Thị Bích", 2)


@pytest.mark.parametrize("version", UNREADABLE)
def test_an_account_edit_without_a_readable_version_saves_nothing(
    version, admin, officer_a, commune_b, client_for
):
    client = client_for(admin)
    url = reverse("accounts:user_edit", kwargs={"public_id": officer_a.public_id})
    data = {
        "full_name": "Cán bộ chuyển công tác",
        "role": "commune_officer",
        "edition": commune_b.edition.pk,
        "unit_code": "13510",
        "is_active": "on",
        "reason": "Chuyển công tác",
    }
    response = client.post(url, with_version(data, version))
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.content.decode()
    fresh = User.objects.get(pk=officer_a.pk)
    assert (fresh.unit.code, fresh.first_name, fresh.version) == ("13504", "xa-13504", 1)
    assert not AuditEvent.objects.filter(action="user_update").exists()
    assert client.post(url, {**data, "version": "1"}).status_code == 302
    fresh = User.objects.get(pk=officer_a.pk)
    assert (fresh.unit.code, fresh.version) == ("13510", 2)
