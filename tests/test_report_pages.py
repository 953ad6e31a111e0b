"""Report pages: every report URL is scoped, shows the numbers, draws its chart, no CDN."""

import pytest
from django.urls import reverse

from areas.services import unit_resolve
from survey.models import ProvinceTarget
from tests.factories import household, result

KINDS = ["summary", "movements", "deprivations", "causes", "needs", "areas"]


def url(review_round, unit, kind="summary", **query):
    base = reverse(
        "reports:report",
        kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id, "kind": kind},
    )
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def units(world, legacy_tree):
    code = {
        "province": "35",
        "binh_luc": "352",
        "phu_ly": "347",
        "commune_a": "13504",
        "commune_b": "13510",
    }
    return {name: unit_resolve(c, edition=legacy_tree) for name, c in code.items()}


def test_each_role_reaches_exactly_its_units_on_every_report(cast, world, units, client_for):
    review_round = world["rounds"][2025]
    reach = {
        "officer_a": {"commune_a"},
        "officer_b": {"commune_b"},
        "district_reader": {"binh_luc", "commune_a", "commune_b"},
        "province_reader": set(units),
        "admin": set(units),
        # Reports are of a commune and above; a surveyor or village head sees only villages.
        "surveyor_a": set(),
        "village_head_a": set(),
    }
    assert set(reach) == set(cast)
    for role, allowed in reach.items():
        client = client_for(cast[role])
        for name, unit in units.items():
            for kind in KINDS:
                status = client.get(url(review_round, unit, kind)).status_code
                assert status == (200 if name in allowed else 404), (role, name, kind, status)


def test_anonymous_users_are_sent_to_login(client, world, units):
    response = client.get(url(world["rounds"][2025], units["province"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_summary_page_shows_counts_and_an_svg_chart(province_reader, world, units, client_for):
    va = world["villages"][0]
    for _ in range(2):
        result(world, household(world, va), 2025, "poor", members=3)
    result(world, household(world, va), 2025, "near_poor", members=2, status="posted")
    client = client_for(province_reader)
    body = client.get(url(world["rounds"][2025], units["province"])).content.decode()
    assert "<svg" in body and "Huyện Bình Lục" in body
    assert "cdn" not in body.lower()
    row = body.split("Huyện Bình Lục</a>")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[1:5] == ["1.800", "2", "2", "0,11"]  # total, surveyed, poor, poor rate
    submitted = client.get(url(world["rounds"][2025], units["province"], basis="submitted"))
    assert "Tất cả phiếu đã nộp" in submitted.content.decode()


def test_only_province_staff_record_the_target(
    province_reader, district_reader, world, units, client_for
):
    review_round = world["rounds"][2025]
    target_url = reverse(
        "reports:target_set",
        kwargs={"round_id": review_round.public_id, "unit_id": units["province"].public_id},
    )
    assert client_for(district_reader).post(target_url, {"target": "2,5"}).status_code == 404
    client_for(province_reader).post(target_url, {"target": "2,5", "basis_text": "NQ HĐND"})
    target = ProvinceTarget.objects.get()
    assert str(target.target_poverty_rate) == "2.50"
    body = client_for(province_reader).get(url(review_round, units["province"])).content.decode()
    assert "2.50%" in body or "2,50%" in body
    client_for(province_reader).post(target_url, {"target": "abc"})
    assert str(ProvinceTarget.objects.get().target_poverty_rate) == "2.50"


def test_report_index_sends_each_user_to_their_unit(officer_a, world, units, client_for):
    response = client_for(officer_a).get(reverse("reports:index"))
    assert response.status_code == 302
    assert str(units["commune_a"].public_id) in response["Location"]


def test_the_old_groups_page_sends_to_the_policy_groups_table(
    district_reader, world, units, client_for
):
    """Biểu 08 holds every count the old "Nhóm đối tượng" page showed, and more: an old link
    lands there, on the same basis; out of scope it is still a 404."""
    review_round = world["rounds"][2025]
    client = client_for(district_reader)
    response = client.get(url(review_round, units["binh_luc"], "groups", basis="submitted"))
    assert response.status_code == 301
    assert response["Location"] == url(
        review_round, units["binh_luc"], "policy_groups", basis="submitted"
    )
    assert client.get(url(review_round, units["phu_ly"], "groups")).status_code == 404
    page = client.get(response["Location"]).content.decode()
    assert "Nhóm đối tượng" not in page and "Hộ khác (không thuộc các nhóm trên)" in page
