"""Review rounds: who opens them, which standard they take, and each commune's household total."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from survey.models import CommuneTotal, ReviewRound
from survey.services import round_open


def test_province_reader_opens_a_periodic_round_with_the_standard_of_its_year(
    province_reader, client_for
):
    response = client_for(province_reader).post(
        reverse("survey:round_new"),
        {"province": province_reader.unit.pk, "year": 2026, "kind": "periodic"},
    )
    assert response.status_code == 302
    review_round = ReviewRound.objects.get()
    assert review_round.standard_code == "vn-2022-2025"
    assert (review_round.starts_on.isoformat(), review_round.ends_on.isoformat()) == (
        "2026-09-01",
        "2026-12-14",
    )
    assert AuditEvent.objects.filter(action="round_open").exists()


@pytest.mark.parametrize(
    ("year", "code"), [(2016, "vn-2016-2020"), (2021, "vn-2016-2020"), (2027, "vn-2026-2030")]
)
def test_round_takes_the_standard_in_force_for_the_year(province_reader, year, code):
    review_round = round_open(
        actor=province_reader, province=province_reader.unit, year=year, kind="periodic"
    )
    assert review_round.standard_code == code


def test_a_regular_round_covers_its_month(province_reader):
    review_round = round_open(
        actor=province_reader, province=province_reader.unit, year=2025, kind="regular", month=2
    )
    assert review_round.ends_on.isoformat() == "2025-02-28"


def test_a_second_periodic_round_for_the_same_year_is_refused(
    province_reader, round_2025, client_for
):
    response = client_for(province_reader).post(
        reverse("survey:round_new"),
        {"province": province_reader.unit.pk, "year": 2025, "kind": "periodic"},
    )
    assert response.status_code == 200
    assert "Tỉnh đã có đợt rà soát này." in response.content.decode()
    assert ReviewRound.objects.count() == 1


def test_a_year_outside_the_standards_is_refused(province_reader, client_for):
    response = client_for(province_reader).post(
        reverse("survey:round_new"),
        {"province": province_reader.unit.pk, "year": 2031, "kind": "periodic"},
    )
    assert response.status_code == 200
    assert not ReviewRound.objects.exists()


def test_officers_and_district_staff_cannot_open_rounds(officer_a, district_reader, client_for):
    for user in (officer_a, district_reader):
        assert client_for(user).get(reverse("survey:round_new")).status_code == 404


def test_everyone_in_the_province_sees_the_round(cast, round_2025, client_for):
    url = reverse("survey:round_detail", kwargs={"public_id": round_2025.public_id})
    for user in cast.values():
        assert client_for(user).get(url).status_code == 200


def test_officer_records_own_commune_total_and_not_another(
    officer_a, commune_a, commune_b, round_2025, client_for
):
    client = client_for(officer_a)
    own = reverse(
        "survey:commune_total",
        kwargs={"public_id": round_2025.public_id, "commune_id": commune_a.public_id},
    )
    response = client.post(own, {"total_households": 1234, "source": "Công an xã, 01/09/2025"})
    assert response.status_code == 302
    total = CommuneTotal.objects.get(review_round=round_2025, commune=commune_a)
    assert total.total_households == 1234
    client.post(own, {"total_households": 1240, "source": "Công an xã, 15/09/2025"})
    total.refresh_from_db()
    assert (total.total_households, total.version) == (1240, 2)

    other = reverse(
        "survey:commune_total",
        kwargs={"public_id": round_2025.public_id, "commune_id": commune_b.public_id},
    )
    assert client.post(other, {"total_households": 1, "source": "x"}).status_code == 404
    assert not CommuneTotal.objects.filter(commune=commune_b).exists()


def test_district_reader_cannot_record_a_total(district_reader, commune_a, round_2025, client_for):
    url = reverse(
        "survey:commune_total",
        kwargs={"public_id": round_2025.public_id, "commune_id": commune_a.public_id},
    )
    response = client_for(district_reader).post(url, {"total_households": 5, "source": "x"})
    assert response.status_code == 404
    assert not CommuneTotal.objects.exists()


def test_round_page_shows_the_standard_and_flags_what_is_unverified(
    officer_a, round_2025, client_for
):
    url = reverse("survey:round_detail", kwargs={"public_id": round_2025.public_id})
    body = client_for(officer_a).get(url).content.decode()
    assert "vn-2022-2025" in body
    assert "Chưa kiểm chứng" in body  # the 2022–2025 score card is not sourced


def test_round_page_lists_the_villages_of_one_commune_at_a_time(
    officer_a, province_reader, village_a, village_b, commune_b, round_2025, client_for
):
    url = reverse("survey:round_detail", kwargs={"public_id": round_2025.public_id})
    own = client_for(officer_a).get(url).content.decode()
    assert "Thôn Đông" in own and "Thôn Tây" not in own
    province = client_for(province_reader)
    assert "Thôn Tây" not in province.get(url).content.decode()
    picked = province.get(url, {"commune": str(commune_b.public_id)}).content.decode()
    assert "Thôn Tây" in picked and "Thôn Đông" not in picked
    assert province.get(url, {"commune": "not-a-uuid"}).status_code == 200
