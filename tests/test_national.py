"""The national summary (reports.national): every province's periodic round of a year, summed from
the per-commune aggregates, checked against counts done here; the page is for admins only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from areas.services import edition_get, unit_resolve, units_load_current
from households.villages import village_create
from reports.national import national_summary
from survey.models import CommuneTotal, ReviewRound
from tests.factories import household, result


@pytest.fixture
def nation(world):
    """Two provinces of the current tree with a 2026 round: Ninh Bình (two communes, one with a
    recorded total) and Hà Nội (one commune without)."""
    units_load_current()
    current = edition_get()
    admin = world["admin"]
    rounds, villages = {}, {}
    for code in ("37", "01"):
        rounds[code] = ReviewRound.objects.create(
            province=unit_resolve(code, edition=current),
            year=2026,
            kind="periodic",
            standard_code="vn-2022-2025",
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 12, 14),
            opened_by=admin,
        )
    for code in ("13504", "13291", "00004"):  # Bình Lục, Phủ Lý (Ninh Bình); Ba Đình (Hà Nội)
        villages[code] = village_create(
            actor=admin, commune=unit_resolve(code, edition=current), name="Thôn 1", kind="thon"
        )
    CommuneTotal.objects.create(
        review_round=rounds["37"],
        commune=villages["13504"].parent,
        total_households=200,
        source="Công an xã",
        recorded_by=admin,
    )
    world["rounds"][2026] = rounds["37"]
    plan = [("13504", "poor", 4), ("13504", "poor", 2), ("13504", "near_poor", 3)]
    plan += [("13291", "poor", 5), ("13291", "average", 1), ("00004", "near_poor", 2)]
    for code, final, members in plan:
        world["rounds"][2026] = rounds["37" if code != "00004" else "01"]
        result(world, household(world, villages[code]), 2026, final, members=members)
    # Submitted, not approved: only on the submitted basis.
    result(world, household(world, villages["13504"]), 2026, "poor", status="submitted")
    return rounds


def test_the_national_summary_adds_up_the_provinces_from_the_aggregates(nation):
    report = national_summary(2026)
    rows = {row.province.code: row for row in report.rows}
    assert set(rows) == {"37", "01"}
    ninh_binh, ha_noi = rows["37"], rows["01"]
    assert (ninh_binh.counts["poor"], ninh_binh.counts["near_poor"]) == (3, 1)
    assert ninh_binh.persons["poor"] == 4 + 2 + 5
    assert (ninh_binh.communes_reporting, ninh_binh.communes_with_total) == (2, 1)
    # The rate is over the commune with a total only: its 2 poor of 200 households.
    assert ninh_binh.total_households == 200
    assert ninh_binh.poor_rate == Decimal("1.00")
    assert ha_noi.counts["near_poor"] == 1 and ha_noi.poor_rate is None
    assert report.total.counts["poor"] == 3 and report.total.counts["near_poor"] == 2
    assert report.total.surveyed == 6
    assert len(report.provinces_without_round) == 34 - 2
    submitted = national_summary(2026, "submitted")
    assert submitted.total.counts["poor"] == 4


def test_the_national_page_is_for_admins_only(nation, client_for, cast):
    url = reverse("reports:national") + "?year=2026"
    page = client_for(cast["admin"]).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert ">Ninh Bình</a>" in text and ">Thành phố Hà Nội</a>" in text
    for name, user in cast.items():
        if name != "admin":
            assert client_for(user).get(url).status_code == 404, name
