"""Unit loaders, code resolution across editions, and the account and demo commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from areas.models import AdminUnit, TreeEdition
from areas.services import unit_resolve
from households.models import Household, Member
from survey.models import SurveyResponse, UnitRoundState


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
    assert User.objects.count() == 7
    assert "rsv-13504" in output and "tt-13504-3" in output
    surveyor = User.objects.get(username="rsv-13504")
    assert surveyor.role == "surveyor" and surveyor.check_password("demo-pass")
    assert sorted(v.code for v in surveyor.villages.all()) == ["13504-03", "13504-04"]
    head = User.objects.get(username="tt-13504-3")
    assert head.role == "village_head"
    assert [v.name for v in head.villages.all()] == ["Thôn 3"]
    officer = User.objects.get(username="xa-13504")
    assert officer.check_password("demo-pass")
    assert officer.unit.name == "Xã Bình Nghĩa"
    assert User.objects.get(username="xa-13510").unit.name == "Xã Tràng An"
    assert User.objects.get(username="huyen-352").unit.name == "Huyện Bình Lục"
    assert AdminUnit.objects.filter(parent=officer.unit, level="village").count() == 8
    # A province of real size: every commune has households; Bình Nghĩa a real commune's size.
    communes = AdminUnit.objects.filter(level="commune", path__startswith="vn-legacy/35/")
    assert communes.count() == 98
    assert not communes.exclude(pk__in=Household.objects.values("commune")).exists()
    binh_nghia = Household.objects.filter(commune=officer.unit)
    assert binh_nghia.count() >= 1000
    assert Member.objects.filter(household__commune=officer.unit).count() >= 3 * 1000
    # Three splits between the past rounds, one after them (survey.demo_integrity).
    assert Household.objects.filter(split_from__isnull=False).count() == 4
    # Two past periodic rounds, every result approved, with a few percent poor and near-poor.
    shares = {}
    for year in (2022, 2023):
        results = SurveyResponse.objects.filter(review_round__year=year)
        assert results.count() == results.filter(status="approved").count() > 4000
        poor = results.filter(final_classification="poor").count() / results.count()
        near = results.filter(final_classification="near_poor").count() / results.count()
        assert 0.01 < poor < 0.05 and 0.02 < near < 0.09, (year, poor, near)
        assert results.exclude(override_reason="").exists()
        assert not results.filter(explanation__isnull=True).exists()
        shares[year] = dict(results.values_list("household_id", "final_classification"))
    moved = {
        (shares[2022][h], shares[2023][h])
        for h in shares[2023]
        if h in shares[2022] and shares[2022][h] != shares[2023][h]
    }
    assert ("poor", "not_poor") in moved and ("not_poor", "poor") in moved  # both ways
    # Each past form went through the procedure's steps, on the round's dates.
    one = SurveyResponse.objects.filter(review_round__year=2023).first()
    steps = list(one.transitions.order_by("at", "id").values_list("to_status", flat=True))
    assert steps == ["submitted", "agreed", "posted", "approved"]
    # The current round (2024) in progress at several steps, its forms carried from 2023.
    current = SurveyResponse.objects.filter(review_round__year=2024)
    assert {"approved", "agreed", "submitted", "draft"} <= set(
        current.values_list("status", flat=True)
    )
    assert current.exclude(carried_from=None).count() >= 100
    # Communes at every step of the hand-in, one district handed in: the province's progress
    # board shows them, with the communes that handed in after the deadline.
    stages = set(
        UnitRoundState.objects.filter(review_round__year=2024).values_list("unit__level", "stage")
    )
    assert {("commune", "sent"), ("commune", "opinion"), ("commune", "handed_in")} <= stages
    assert ("district", "handed_in") in stages
    assert (
        not current.filter(status="approved")
        .exclude(opinion_items__request__agreed__isnull=False)
        .exists()
    )
    client = Client()
    client.force_login(User.objects.get(username="tinh-35"))
    round_2024 = current.first().review_round
    page = client.get(
        reverse("survey:round_progress", kwargs={"round_id": round_2024.public_id})
    ).content.decode()
    for words in ("Thành phố Phủ Lý", "Đã nộp kết quả", "Đã gửi xin ý kiến", "chờ ý kiến"):
        assert words in page
    assert "trễ hạn 1 ngày" in page  # handed in on 30/11, the day after the commune deadline
