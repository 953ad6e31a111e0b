"""Who sees and changes which units: officer A never reaches commune B."""

import pytest
from django.urls import reverse

from accounts import scoping
from areas.models import AdminUnit


def unit_url(unit: AdminUnit) -> str:
    return reverse("units:unit_detail", kwargs={"public_id": unit.public_id})


def test_officer_a_sees_own_commune_and_its_villages(officer_a, commune_a, village_a, client_for):
    response = client_for(officer_a).get(unit_url(commune_a))
    assert response.status_code == 200
    assert "Xã Bình Nghĩa" in response.content.decode()
    assert "Thôn Đông" in response.content.decode()
    assert client_for(officer_a).get(unit_url(village_a)).status_code == 200


def test_officer_b_gets_404_for_commune_a_and_its_village(
    officer_b, commune_a, village_a, client_for
):
    client = client_for(officer_b)
    assert client.get(unit_url(commune_a)).status_code == 404
    assert client.get(unit_url(village_a)).status_code == 404


def test_officer_b_cannot_change_or_add_villages_in_commune_a(
    officer_b, commune_a, village_a, client_for
):
    client = client_for(officer_b)
    edit = reverse("units:village_edit", kwargs={"public_id": village_a.public_id})
    add = reverse("units:village_add", kwargs={"public_id": commune_a.public_id})
    assert client.get(edit).status_code == 404
    response = client.post(edit, {"name": "Bị đổi tên", "kind": "thon", "is_active": "on"})
    assert response.status_code == 404
    assert client.post(add, {"name": "Thôn lạ", "kind": "thon"}).status_code == 404
    village_a.refresh_from_db()
    assert village_a.name == "Thôn Đông"
    assert not AdminUnit.objects.filter(name="Thôn lạ").exists()


def test_officer_adds_and_renames_a_village_of_own_commune(officer_a, commune_a, client_for):
    client = client_for(officer_a)
    add = reverse("units:village_add", kwargs={"public_id": commune_a.public_id})
    response = client.post(add, {"name": "  Thôn   Bắc ", "kind": "thon"})
    assert response.status_code == 302
    village = AdminUnit.objects.get(parent=commune_a, name="Thôn Bắc")
    assert village.level == AdminUnit.Level.VILLAGE
    assert village.path == f"{commune_a.path}{village.code}/"
    assert scoping.visible_units(officer_a).filter(pk=village.pk).exists()

    edit = reverse("units:village_edit", kwargs={"public_id": village.public_id})
    response = client.post(edit, {"name": "Thôn Bắc Sơn", "kind": "thon", "is_active": "on"})
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.name == "Thôn Bắc Sơn"


def test_a_duplicate_village_name_is_refused_with_a_vietnamese_message(
    officer_a, commune_a, village_a, client_for
):
    add = reverse("units:village_add", kwargs={"public_id": commune_a.public_id})
    response = client_for(officer_a).post(add, {"name": "thôn đông", "kind": "thon"})
    assert response.status_code == 200
    assert "Xã đã có thôn / tổ dân phố mang tên này." in response.content.decode()
    assert AdminUnit.objects.filter(parent=commune_a).count() == 1


def test_officer_cannot_rename_the_commune_itself(officer_a, commune_a, client_for):
    edit = reverse("units:village_edit", kwargs={"public_id": commune_a.public_id})
    assert client_for(officer_a).get(edit).status_code == 404


def test_district_reader_sees_every_commune_of_the_district_and_none_outside(
    district_reader, commune_a, commune_b, commune_outside_district, client_for
):
    client = client_for(district_reader)
    district = commune_a.parent
    response = client.get(unit_url(district))
    assert response.status_code == 200
    body = response.content.decode()
    communes = AdminUnit.objects.filter(parent=district)
    assert communes.count() == 15
    for commune in communes:
        assert commune.name in body
    assert client.get(unit_url(commune_b)).status_code == 200
    assert client.get(unit_url(commune_outside_district)).status_code == 404
    assert client.get(unit_url(district.parent)).status_code == 404
    visible_communes = scoping.visible_units(district_reader).filter(level="commune")
    assert set(visible_communes) == set(communes)


def test_district_and_province_readers_cannot_add_villages(
    district_reader, province_reader, commune_a, client_for
):
    add = reverse("units:village_add", kwargs={"public_id": commune_a.public_id})
    for user in (district_reader, province_reader):
        assert client_for(user).post(add, {"name": "Thôn mới", "kind": "thon"}).status_code == 404
    assert not AdminUnit.objects.filter(name="Thôn mới").exists()


def test_province_reader_sees_the_whole_province(
    province_reader, commune_outside_district, commune_a, client_for
):
    client = client_for(province_reader)
    assert client.get(unit_url(commune_outside_district)).status_code == 200
    assert client.get(unit_url(commune_a)).status_code == 200
    assert scoping.visible_units(province_reader).filter(level="commune").count() == 98
    assert scoping.visible_units(province_reader).filter(level="district").count() == 6


def test_home_is_the_work_list_of_the_users_unit(officer_a, commune_a, client_for):
    response = client_for(officer_a).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["unit"] == commune_a
    assert unit_url(commune_a) in response.content.decode()


def test_inactive_user_reaches_nothing(officer_a, commune_a):
    officer_a.is_active = False
    assert not scoping.visible_units(officer_a).exists()


@pytest.mark.parametrize(
    "role", ["officer_a", "district_reader", "province_reader", "surveyor_a", "village_head_a"]
)
def test_admin_pages_are_closed_to_non_admins(role, cast, client_for):
    client = client_for(cast[role])
    target = cast["officer_b"].public_id
    for url in (
        reverse("accounts:user_list"),
        reverse("accounts:user_add"),
        reverse("accounts:user_edit", kwargs={"public_id": target}),
    ):
        assert client.get(url).status_code == 404, url
    reset = reverse("accounts:user_password_reset", kwargs={"public_id": target})
    assert client.post(reset).status_code == 404
    assert client_for(cast["officer_b"]).get(reverse("home")).status_code == 200


def test_audit_trail_shows_only_events_of_units_in_reach(
    officer_a, officer_b, village_a, village_b, district_reader, client_for
):
    body_a = client_for(officer_a).get(reverse("accounts:audit_list")).content.decode()
    assert "Thôn Đông" in body_a
    assert "Thôn Tây" not in body_a
    body_district = client_for(district_reader).get(reverse("accounts:audit_list")).content.decode()
    assert "Thôn Đông" in body_district and "Thôn Tây" in body_district
