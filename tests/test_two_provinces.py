"""Two provinces side by side (Hà Nam, Nam Định): each one's staff and officers reach its own
rounds, Phiếu A criteria and targets, and get a 404 (or a refusal) on the other province's."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from areas.models import AdminUnit
from reports.services import target_record
from survey.models import ProvinceTarget, ReviewRound, ScreeningCriterion, SurveyResponse
from survey.services import criterion_add, criterion_retire, round_open

REPORT_KINDS = ["summary", "movements", "deprivations", "areas"]
BOTH_WAYS = [("ha_nam", "nam_dinh"), ("nam_dinh", "ha_nam")]


@dataclass
class Side:
    province: AdminUnit
    reader: User
    officer: User
    review_round: ReviewRound


@pytest.fixture
def sides(
    province_reader, officer_a, round_2025, province_reader_b, officer_province_b, round_2025_b
) -> dict[str, Side]:
    return {
        "ha_nam": Side(province_reader.unit, province_reader, officer_a, round_2025),
        "nam_dinh": Side(
            province_reader_b.unit, province_reader_b, officer_province_b, round_2025_b
        ),
    }


def round_url(review_round: ReviewRound) -> str:
    return reverse("survey:round_detail", kwargs={"public_id": review_round.public_id})


def report_url(review_round: ReviewRound, unit: AdminUnit, kind: str = "summary") -> str:
    return reverse(
        "reports:report",
        kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id, "kind": kind},
    )


def target_url(review_round: ReviewRound, unit: AdminUnit) -> str:
    return reverse(
        "reports:target_set",
        kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id},
    )


def round_pages(side: Side) -> list[str]:
    """Every page of a round a provincial reader opens: the round, its overrides, its reports."""
    return [
        round_url(side.review_round),
        reverse("survey:overrides", kwargs={"public_id": side.review_round.public_id}),
        *(report_url(side.review_round, side.province, kind) for kind in REPORT_KINDS),
        reverse(
            "report_downloads:workbook",
            kwargs={"round_id": side.review_round.public_id, "unit_id": side.province.public_id},
        ),
    ]


# --- Round pages and reports ----------------------------------------------------------------------


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_province_staff_open_their_own_rounds_pages_and_get_404_on_the_other_provinces(
    own, other, sides, client_for
):
    me, them = sides[own], sides[other]
    client = client_for(me.reader)
    for url in round_pages(me):
        assert client.get(url).status_code == 200, url
    for url in round_pages(them):
        assert client.get(url).status_code == 404, url
    # Nor by pairing the other province's round with one's own province, or the reverse.
    for kind in REPORT_KINDS:
        assert client.get(report_url(them.review_round, me.province, kind)).status_code == 404
        assert client.get(report_url(me.review_round, them.province, kind)).status_code == 404


def test_nobody_of_one_province_opens_a_round_of_the_other(cast, sides, client_for):
    ha_nam, nam_dinh = sides["ha_nam"], sides["nam_dinh"]
    for name, user in cast.items():
        if name == "admin":
            continue
        assert client_for(user).get(round_url(nam_dinh.review_round)).status_code == 404, name
    for user in (nam_dinh.officer, nam_dinh.reader):
        assert client_for(user).get(round_url(ha_nam.review_round)).status_code == 404, user
    admin = client_for(cast["admin"])
    for side in (ha_nam, nam_dinh):
        assert admin.get(round_url(side.review_round)).status_code == 200


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
@pytest.mark.parametrize("who", ["officer", "reader"])
def test_the_round_list_shows_only_the_rounds_of_ones_own_province(
    own, other, who, sides, client_for
):
    me, them = sides[own], sides[other]
    body = client_for(getattr(me, who)).get(reverse("survey:round_list")).content.decode()
    assert round_url(me.review_round) in body
    assert round_url(them.review_round) not in body
    assert them.province.name not in body


def test_the_admin_lists_the_rounds_of_both_provinces(admin, sides, client_for):
    body = client_for(admin).get(reverse("survey:round_list")).content.decode()
    for side in sides.values():
        assert round_url(side.review_round) in body


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_the_reports_index_never_leads_to_the_other_provinces_round(own, other, sides, client_for):
    me, them = sides[own], sides[other]
    client = client_for(me.reader)
    asked = client.get(reverse("reports:index"), {"round": str(them.review_round.public_id)})
    assert asked.status_code == 302
    assert asked["Location"] == report_url(me.review_round, me.province)


def test_an_officer_cannot_start_forms_in_the_other_provinces_round(
    officer_a, household_a, round_2025_b, client_for
):
    url = reverse(
        "survey:response_begin",
        kwargs={"round_id": round_2025_b.public_id, "household_id": household_a.public_id},
    )
    assert client_for(officer_a).post(url).status_code == 404
    assert not SurveyResponse.objects.exists()


# --- Opening rounds -------------------------------------------------------------------------------


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_province_staff_open_rounds_for_their_own_province_only(own, other, sides, client_for):
    me, them = sides[own], sides[other]
    client = client_for(me.reader)
    url = reverse("survey:round_new")
    page = client.get(url).content.decode()
    assert me.province.name in page
    assert them.province.name not in page
    response = client.post(url, {"province": them.province.pk, "year": 2026, "kind": "periodic"})
    assert response.status_code == 200  # the form names no such choice
    assert not ReviewRound.objects.filter(year=2026).exists()
    with pytest.raises(PermissionDenied):
        round_open(actor=me.reader, province=them.province, year=2026, kind="periodic")
    assert not ReviewRound.objects.filter(year=2026).exists()
    # The same request for one's own province opens the round.
    response = client.post(url, {"province": me.province.pk, "year": 2026, "kind": "periodic"})
    assert response.status_code == 302
    assert ReviewRound.objects.get(year=2026).province == me.province


# --- Phiếu A criteria -----------------------------------------------------------------------------


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_province_staff_see_add_and_retire_only_their_own_provinces_criteria(
    own, other, sides, client_for
):
    me, them = sides[own], sides[other]
    mine = criterion_add(actor=me.reader, province=me.province, text="Hộ có ô tô con")
    theirs = criterion_add(actor=them.reader, province=them.province, text="Hộ có nhà ba tầng")
    client = client_for(me.reader)
    url = reverse("survey:criteria")
    body = client.get(url).content.decode()
    assert mine.text in body
    assert theirs.text not in body and them.province.name not in body

    added = client.post(url, {"province": them.province.pk, "text": "Hộ có tàu cá"})
    assert added.status_code == 404
    for named in (them.province, me.province):
        retired = client.post(url, {"province": named.pk, "retire": theirs.pk})
        assert retired.status_code == 404, named
    with pytest.raises(PermissionDenied):
        criterion_add(actor=me.reader, province=them.province, text="Hộ có tàu cá")
    with pytest.raises(PermissionDenied):
        criterion_retire(actor=me.reader, criterion=theirs)
    theirs.refresh_from_db()
    assert theirs.is_active
    assert list(ScreeningCriterion.objects.filter(province=them.province)) == [theirs]

    # One's own criterion retires through the same page.
    assert client.post(url, {"province": me.province.pk, "retire": mine.pk}).status_code == 302
    mine.refresh_from_db()
    assert not mine.is_active


# --- Targets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_province_staff_set_only_their_own_provinces_target(own, other, sides, client_for):
    me, them = sides[own], sides[other]
    client = client_for(me.reader)
    summary = client.get(report_url(me.review_round, me.province)).content.decode()
    assert target_url(me.review_round, me.province) in summary  # the form is offered
    for round_, unit in (
        (them.review_round, them.province),
        (me.review_round, them.province),
        (them.review_round, me.province),
    ):
        refused = client.post(target_url(round_, unit), {"target": "9,99", "basis_text": "x"})
        assert refused.status_code == 404
    with pytest.raises(PermissionDenied):
        target_record(actor=me.reader, province=them.province, year=2025, rate=Decimal("9.99"))
    assert not ProvinceTarget.objects.exists()

    done = client.post(target_url(me.review_round, me.province), {"target": "2,5"})
    assert done.status_code == 302
    target = ProvinceTarget.objects.get()
    assert (target.province, target.year, target.target_poverty_rate) == (
        me.province,
        2025,
        Decimal("2.50"),
    )


@pytest.mark.parametrize(("own", "other"), BOTH_WAYS)
def test_a_province_report_shows_its_own_target_not_the_other_provinces(
    own, other, sides, client_for
):
    me, them = sides[own], sides[other]
    target_record(actor=them.reader, province=them.province, year=2025, rate=Decimal("7.77"))
    client = client_for(me.reader)
    body = client.get(report_url(me.review_round, me.province)).content.decode()
    assert "7,77" not in body and "7.77" not in body
    target_record(actor=me.reader, province=me.province, year=2025, rate=Decimal("1.23"))
    body = client.get(report_url(me.review_round, me.province)).content.decode()
    assert "1,23%" in body
