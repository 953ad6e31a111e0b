"""Unit loaders, code resolution across editions, and the account and demo commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from areas.models import AdminUnit, TreeEdition
from areas.services import unit_resolve


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_current_tree_loads_34_provinces_once_however_often_it_runs():
    run("load_units")
    run("load_units")
    edition = TreeEdition.objects.get(is_current=True)
    assert not edition.has_districts
    units = AdminUnit.objects.filter(edition=edition)
    assert units.filter(level="province").count() == 34
    assert units.filter(level="commune").count() == 3321
    assert units.filter(level="district").count() == 0
    hanoi = unit_resolve("1")
    assert hanoi.name == "Thành phố Hà Nội"
    assert hanoi.descendants(include_self=False).count() == units.filter(parent=hanoi).count()


@pytest.mark.django_db
def test_legacy_tree_loads_ha_nam_with_six_districts_once_however_often_it_runs():
    run("load_units", "--legacy")
    output = run("load_units", "--legacy")
    assert "thêm 0" in output
    edition = TreeEdition.objects.get(code="vn-legacy")
    assert edition.has_districts
    units = AdminUnit.objects.filter(edition=edition)
    assert units.filter(level="province").count() == 1
    assert sorted(units.filter(level="district").values_list("code", flat=True)) == [
        "347",
        "349",
        "350",
        "351",
        "352",
        "353",
    ]
    communes = units.filter(level="commune")
    assert communes.count() == 98
    kinds = {kind: communes.filter(kind=kind).count() for kind in ("xa", "phuong", "thi_tran")}
    assert kinds == {"xa": 65, "phuong": 29, "thi_tran": 4}
    binh_luc = unit_resolve("352", legacy=True)
    assert binh_luc.descendants(include_self=False).count() == 15


@pytest.mark.django_db
def test_a_reused_code_resolves_in_the_edition_asked_for():
    run("load_units")
    run("load_units", "--legacy")
    assert unit_resolve("13504").name == "Xã Bình Lục"
    assert unit_resolve("13504", legacy=True).name == "Xã Bình Nghĩa"
    assert unit_resolve("13285", legacy=True).name == "Phường Quang Trung"


@pytest.mark.django_db
def test_create_commune_accounts_makes_one_per_commune_with_one_time_passwords(legacy_tree):
    output = run("create_commune_accounts", "--province", "35", "--legacy")
    officers = User.objects.filter(role=User.Role.COMMUNE_OFFICER)
    assert officers.count() == 98
    officer = officers.get(username="xa-13504")
    assert officer.unit.name == "Xã Bình Nghĩa"
    assert officer.must_change_password
    line = next(line for line in output.splitlines() if line.startswith("xa-13504\t"))
    assert officer.check_password(line.split("\t")[1])
    again = run("create_commune_accounts", "--province", "35", "--legacy")
    assert "đã tạo 0 tài khoản" in again
    assert officers.count() == 98


@pytest.mark.django_db
def test_create_commune_accounts_skips_communes_that_already_have_an_officer(officer_a):
    run("create_commune_accounts", "--province", "35", "--legacy")
    assert User.objects.filter(unit=officer_a.unit).count() == 1


@pytest.mark.django_db
def test_an_unknown_unit_code_exits_non_zero_with_a_message_and_creates_nothing(legacy_tree):
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị có mã '99'"):
        call_command("create_commune_accounts", "--province", "99", "--legacy")
    with pytest.raises(CommandError, match="không phải mã tỉnh"):
        call_command("create_commune_accounts", "--province", "352", "--legacy")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_command_on_an_edition_not_loaded_says_how_to_load_it():
    with pytest.raises(CommandError, match="load_units"):
        call_command("create_commune_accounts", "--province", "35")


@pytest.mark.django_db
def test_seed_demo_runs_twice_and_gives_the_demo_logins(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass")
    run("seed_demo")
    output = run("seed_demo")
    assert "xa-13504" in output and "Xã Bình Nghĩa" in output
    assert User.objects.count() == 5
    officer = User.objects.get(username="xa-13504")
    assert officer.check_password("demo-pass")
    assert officer.unit.name == "Xã Bình Nghĩa"
    assert User.objects.get(username="xa-13510").unit.name == "Xã Tràng An"
    assert User.objects.get(username="huyen-352").unit.name == "Huyện Bình Lục"
    assert AdminUnit.objects.filter(parent=officer.unit, level="village").count() == 3
