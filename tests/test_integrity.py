"""Integrity watch (issue 13): provinces built by hand with each kind of finding planted are
found, a clean one finds nothing, and the page is for district staff, provincial staff and admins
only, each within their units.

The bunching tests are another module's (reports.integrity.bunching): here `_bunching` gives
nothing, so these tests read only the kinds built here.
"""

import io
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from areas.services import unit_resolve
from households.models import Household, Member
from households.text import search_key
from reports.excel.integrity import INTEGRITY_SHEET
from reports.integrity import findings as integrity
from reports.integrity.findings import integrity_report
from reports.integrity.thresholds import thresholds
from reports.models import FindingFollowUp
from survey.models import ProvinceTarget
from tests.factories import household, result

DEPRIVED = ["health_insurance", "housing_area"]


@pytest.fixture(autouse=True)
def _no_bunching(monkeypatch):
    monkeypatch.setattr(integrity, "_bunching", lambda review_round, unit: ([], []))


def _exit(world, village, *, unchanged: bool, before="poor", after="average", **now):
    """A household poor (or near-poor) at the 2024 approval and in a higher class in 2025: with
    the same deprivations and a score nudged by one point (`unchanged`), or a real change."""
    h = household(world, village)
    result(world, h, 2024, before, income_score=Decimal("100.0"), deprivation_score=2,
           deprived=DEPRIVED)  # fmt: skip
    if unchanged:
        facts = {"income_score": Decimal("101.0"), "deprivation_score": 2, "deprived": DEPRIVED}
    else:
        facts = {"income_score": Decimal("160.0"), "deprivation_score": 0, "deprived": []}
    result(world, h, 2025, after, status="submitted", **{**facts, **now})
    return h


def _split(world, village):
    """A household split off after the 2024 round (1 March 2025), and its origin."""
    part = household(world, village, split_after_2024=True)
    part.refresh_from_db()
    return part


def _person(h, name, born, *, status="present", citizen_id=None):
    return Member.objects.create(
        household=h,
        full_name=name,
        name_key=search_key(name),
        birth_date=born,
        birth_year=born.year,
        sex="female",
        relationship="other",
        status=status,
        citizen_id=citizen_id,
    )


def clean(world):
    """Ordinary work: exits with a real change, a split whose origin was poor, poor households
    staying poor, no overrides, everyone in one household."""
    village_a, village_b, _village_c = world["villages"]
    for _ in range(4):
        _exit(world, village_b, unchanged=False)
    for _ in range(3):
        _exit(world, village_a, unchanged=False, before="near_poor")
    part = _split(world, village_a)
    result(world, part.split_from, 2024, "poor")
    result(world, part, 2025, "poor", status="submitted")
    for _ in range(5):
        h = household(world, village_b)
        result(world, h, 2024, "poor")
        result(world, h, 2025, "poor", status="submitted")


@pytest.fixture
def planted(world):
    """Each kind planted in Hà Nam (2024 approved → 2025 submitted):
    - split: a household of Bình Nghĩa (A) split off after the 2024 round, poor now, its origin
      average in 2024;
    - exit_without_change: in Tràng An (B) 3 of 4 exits rest on unchanged facts;
    - target_closeness: Tràng An lands on the 1.00 % target (8 poor of 800) while without those
      3 poverty exits it would be at 1.38 %; Bình Nghĩa has 3 class-lowering overrides, the rest
      of Bình Lục none;
    - duplicate_person: one name and birth date in Bình Nghĩa and in Phủ Lý; a CCCD present in
      Bình Nghĩa and recorded as deceased in Tràng An.
    """
    village_a, village_b, village_c = world["villages"]
    for _ in range(3):
        _exit(world, village_b, unchanged=True)
    _exit(world, village_b, unchanged=False)
    for _ in range(8):
        h = household(world, village_b)
        result(world, h, 2024, "poor")
        result(world, h, 2025, "poor", status="submitted")
    ProvinceTarget.objects.create(
        province=world["rounds"][2025].province,
        year=2025,
        target_poverty_rate=Decimal("1.00"),
        recorded_by=world["admin"],
    )
    part = _split(world, village_a)
    result(world, part.split_from, 2024, "average")
    result(world, part.split_from, 2025, "average", status="submitted")
    result(world, part, 2025, "poor", status="submitted")
    for _ in range(3):
        result(world, household(world, village_a), 2025, "near_poor", computed="poor",
               status="submitted")  # fmt: skip
    twin_a, twin_c = household(world, village_a), household(world, village_c)
    _person(twin_a, "Trần Thị Bình", date(1980, 5, 5))
    _person(twin_c, "Trần Thị Bình", date(1980, 5, 5))
    alive, dead = household(world, village_a), household(world, village_b)
    _person(alive, "Lê Thị Cúc", date(1961, 2, 3), citizen_id="035161000777")
    _person(dead, "Lê Thị Cúc", date(1961, 2, 3), citizen_id="035161000777", status="deceased")
    return {"part": part, "twins": (twin_a, twin_c), "cccd": (alive, dead)}


def _report(world, code="35"):
    unit = unit_resolve(code, edition=world["rounds"][2025].province.edition)
    return integrity_report(world["rounds"][2025], unit)


def _kinds(report):
    found: dict[str, list] = {}
    for f in report.findings:
        found.setdefault(f.kind, []).append(f)
    return found


def test_a_clean_province_shows_no_findings(world):
    clean(world)
    report = _report(world)
    assert report.findings == []
    by_code = {c.commune.code: c for c in report.communes}
    assert by_code["13510"].exits == 4
    assert by_code["13510"].exits_suspicious == 0
    assert by_code["13504"].splits == 1
    assert by_code["13504"].splits_flagged == 0


def test_each_planted_kind_is_found(world, planted):
    found = _kinds(_report(world))
    assert set(found) == {"split", "exit_without_change", "target_closeness", "duplicate_person"}

    (split,) = found["split"]
    part = planted["part"]
    assert split.unit.code == "13504"
    assert split.households == (str(part.split_from.public_id), str(part.public_id))
    assert split.detail["origin_previous_classification"] == "average"
    assert "không phải kết luận" in split.explanation

    (exits,) = found["exit_without_change"]
    assert exits.unit.code == "13510"
    assert exits.detail["exits"] == 4
    assert exits.detail["suspicious"] == 3
    assert len(exits.households) == 3
    assert all(h["reasons"] == ["unchanged"] for h in exits.detail["households"])

    signals = {f.detail["signal"]: f for f in found["target_closeness"]}
    assert set(signals) == {"lands_on_target", "override_share"}
    lands = signals["lands_on_target"]
    assert lands.unit.code == "13510"
    assert lands.detail["poverty_rate"] == 1.0
    assert lands.detail["rate_without_these_exits"] == 1.38
    assert signals["override_share"].unit.code == "13504"
    assert signals["override_share"].detail["lowered_overrides"] == 3

    matches = {f.detail["match"]: f for f in found["duplicate_person"]}
    assert set(matches) == {"name_birth_date", "citizen_id"}
    twins = matches["name_birth_date"]
    assert set(twins.households) == {str(h.public_id) for h in planted["twins"]}
    assert twins.detail["same_commune"] is False
    assert set(matches["citizen_id"].households) == {str(h.public_id) for h in planted["cccd"]}


def test_a_district_sees_only_its_communes_findings_but_compares_with_its_neighbours(
    world, planted
):
    found = _kinds(_report(world, "352"))
    assert {f.unit.code for fs in found.values() for f in fs} <= {"13504", "13510"}
    commune = _kinds(_report(world, "13510"))
    assert {f.unit.code for fs in commune.values() for f in fs} == {"13510"}
    # The rest of the district is read even when one commune is looked at.
    signals = {f.detail["signal"] for f in commune["target_closeness"]}
    assert "lands_on_target" in signals
    phu_ly = _kinds(_report(world, "13285"))
    assert [f.detail["match"] for f in phu_ly["duplicate_person"]] == ["name_birth_date"]


def test_thresholds_come_from_settings(settings, world, planted):
    settings.INTEGRITY_THRESHOLDS = {"exit_score_margin": 0.5, "override_min_count": 4}
    limits = thresholds()
    assert limits.exit_score_margin == Decimal("0.5")
    found = _kinds(_report(world))
    assert "exit_without_change" not in found
    assert {f.detail["signal"] for f in found.get("target_closeness", [])} == set()


def test_no_citizen_id_or_birth_date_in_the_json(world, planted):
    out = StringIO()
    call_command("integrity_report", "--round", "2025", "--unit", "35", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) >= {"findings", "tests"}
    assert data["tests"] == []
    for item in data["findings"]:
        assert set(item) == {"kind", "unit", "households", "detail"}
        assert item["kind"] in integrity.KINDS
    assert {item["unit"] for item in data["findings"]} == {"13504", "13510"}
    text = out.getvalue()
    assert "035161000777" not in text
    assert "1980-05-05" not in text and "05/05/1980" not in text


def test_the_command_prints_findings_by_kind(world, planted):
    out = StringIO()
    call_command("integrity_report", "--round", "2025", "--unit", "352", stdout=out)
    text = out.getvalue()
    assert "Tách hộ gần đợt rà soát: 1" in text
    assert "Thoát nghèo, cận nghèo mà dữ liệu không đổi: 1" in text
    assert "035161000777" not in text


# --- The page --------------------------------------------------------------------------------


def _url(world, code):
    unit = unit_resolve(code, edition=world["rounds"][2025].province.edition)
    return reverse("reports:integrity", args=[world["rounds"][2025].public_id, unit.public_id])


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("officer_a", "13504", 404),
        ("officer_b", "13510", 404),
        ("surveyor_a", "13504", 404),
        ("village_head_a", "13504", 404),
        ("district_reader", "352", 200),
        ("district_reader", "13504", 200),
        ("district_reader", "35", 404),
        ("district_reader", "13285", 404),
        ("province_reader", "35", 200),
        ("province_reader", "13285", 200),
        ("admin", "35", 200),
    ],
)
def test_the_page_is_for_district_and_province_staff_and_admins(
    cast, world, planted, client_for, who, code, status
):
    assert client_for(cast[who]).get(_url(world, code)).status_code == status


def test_another_provinces_reader_gets_404(world, province_reader_b, client_for):
    assert client_for(province_reader_b).get(_url(world, "35")).status_code == 404


def test_the_page_shows_findings_both_sides_of_a_split_and_no_cccd(
    cast, world, planted, client_for
):
    response = client_for(cast["province_reader"]).get(_url(world, "35"))
    html = response.content.decode()
    part = planted["part"]
    assert reverse("households:detail", args=[part.public_id]) in html
    assert reverse("households:detail", args=[part.split_from.public_id]) in html
    assert "Hộ gốc" in html and "Hộ tách ra" in html
    assert "trùng họ tên và ngày sinh" in html and "trùng số CCCD" in html
    assert "035161000777" not in html and "05/05/1980" not in html
    assert "không phải kết luận sai phạm" in html


def test_a_district_reader_sees_no_household_outside_the_district(cast, world, planted, client_for):
    html = client_for(cast["district_reader"]).get(_url(world, "352")).content.decode()
    twin_c = planted["twins"][1]
    assert str(twin_c.public_id) not in html
    assert "ngoài phạm vi của bạn" in html


def test_the_tab_shows_only_for_readers_of_findings(cast, world, client_for):
    province = world["rounds"][2025].province
    commune = unit_resolve("13504", edition=province.edition)
    summary = reverse(
        "reports:report", args=[world["rounds"][2025].public_id, commune.public_id, "summary"]
    )
    assert (
        "Dấu hiệu cần xem xét" in client_for(cast["province_reader"]).get(summary).content.decode()
    )
    assert "Dấu hiệu cần xem xét" not in client_for(cast["officer_a"]).get(summary).content.decode()


def test_a_follow_up_is_recorded_audited_and_shown(cast, world, planted, client_for):
    client = client_for(cast["district_reader"])
    key = next(f.key for f in _report(world, "352").findings if f.kind == "split")
    url = _url(world, "352")
    response = client.post(url, {"key": key, "outcome": "fine", "note": "Đã về xã đối chiếu."})
    assert response.status_code == 302
    follow_up = FindingFollowUp.objects.get()
    assert (follow_up.key, follow_up.outcome, follow_up.recorded_by) == (
        key,
        "fine",
        cast["district_reader"],
    )
    assert AuditEvent.objects.filter(action="finding_follow_up_record").count() == 1
    html = client.get(url).content.decode()
    assert "Đã về xã đối chiếu." in html
    # Also beside the same finding on the province's page.
    assert (
        "Đã về xã đối chiếu."
        in client_for(cast["province_reader"]).get(_url(world, "35")).content.decode()
    )


def test_a_follow_up_needs_a_note(cast, world, planted, client_for):
    client = client_for(cast["province_reader"])
    key = _report(world).findings[0].key
    client.post(_url(world, "35"), {"key": key, "outcome": "fine", "note": "  "})
    assert not FindingFollowUp.objects.exists()


def test_a_follow_up_out_of_scope_is_404(cast, world, planted, client_for):
    key = next(f.key for f in _report(world).findings if f.unit.code == "13504")
    for who in ("officer_a", "surveyor_a"):
        response = client_for(cast[who]).post(
            _url(world, "13504"), {"key": key, "outcome": "fine", "note": "x"}
        )
        assert response.status_code == 404
    # A district reader cannot record on a finding of another district through their own page.
    other = "split:13285:" + "0" * 36
    response = client_for(cast["district_reader"]).post(
        _url(world, "352"), {"key": other, "outcome": "fine", "note": "x"}
    )
    assert response.status_code == 404
    assert not FindingFollowUp.objects.exists()


def test_the_page_is_constant_in_queries(cast, world, planted, client_for):
    client = client_for(cast["province_reader"])
    url = _url(world, "35")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    village_a, village_b, village_c = world["villages"]
    for _ in range(3):
        _exit(world, village_a, unchanged=True)
        part = _split(world, village_c)
        result(world, part, 2025, "near_poor", status="submitted")
        twin = household(world, village_b)
        _person(twin, "Trần Thị Bình", date(1980, 5, 5))
    Household.objects.update(created_at=timezone.now())  # splits stay after the 2024 round
    assert count() == before


def _workbook(client, world, code):
    unit = unit_resolve(code, edition=world["rounds"][2025].province.edition)
    url = reverse(
        "report_downloads:workbook", args=[world["rounds"][2025].public_id, unit.public_id]
    )
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_the_findings_sheet_only_for_readers_of_findings(
    cast, world, planted, client_for
):
    book = _workbook(client_for(cast["district_reader"]), world, "352")
    assert INTEGRITY_SHEET in book.sheetnames
    text = "\n".join(
        str(c.value) for row in book[INTEGRITY_SHEET].iter_rows() for c in row if c.value
    )
    assert "Tách hộ gần đợt rà soát" in text
    assert "035161000777" not in text
    assert (
        INTEGRITY_SHEET not in _workbook(client_for(cast["officer_a"]), world, "13504").sheetnames
    )


def test_export_report_adds_the_sheet_for_readers_only(world, planted, cast, tmp_path):
    out = tmp_path / "a.xlsx"
    call_command("export_report", "--round", "2025", "--unit", "352", "--out", str(out),
                 stdout=StringIO())  # fmt: skip
    assert INTEGRITY_SHEET in load_workbook(out).sheetnames
    call_command("export_report", "--round", "2025", "--unit", "13504", "--out", str(out),
                 "--user", cast["officer_a"].username, stdout=StringIO())  # fmt: skip
    assert INTEGRITY_SHEET not in load_workbook(out).sheetnames


def _old(h):
    """Registered long before the previous round (the factories register households today)."""
    Household.objects.filter(pk=h.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2020, 1, 6))
    )
    return h


def test_namesakes_born_the_same_day_are_a_finding_only_where_a_second_registration_shows(world):
    """A person twice, or two people? Two different CCCDs are two people; namesakes born the
    same day in households registered long ago in two communes are common in a province. Kept:
    the same commune, or a household registered since the previous round."""
    village_a, village_b, village_c = world["villages"]  # Bình Nghĩa, Tràng An, Phủ Lý
    born = date(2012, 7, 1)
    # Two communes, both households old: namesakes, not a finding.
    _person(_old(household(world, village_a)), "Phạm Văn Tý", born)
    _person(_old(household(world, village_c)), "Phạm Văn Tý", born)
    # The same commune, both with their own CCCD: two people.
    _person(_old(household(world, village_b)), "Đỗ Thị Sửu", date(1970, 1, 1), citizen_id="1" * 12)
    _person(_old(household(world, village_b)), "Đỗ Thị Sửu", date(1970, 1, 1), citizen_id="2" * 12)
    # The same commune, one without a CCCD: kept.
    same_1 = _old(household(world, village_b))
    same_2 = _old(household(world, village_b))
    _person(same_1, "Vũ Văn Dần", date(1990, 3, 3), citizen_id="3" * 12)
    _person(same_2, "Vũ Văn Dần", date(1990, 3, 3))
    # Two communes, one household registered since the 2024 round: kept.
    moved_old, moved_new = _old(household(world, village_a)), household(world, village_c)
    _person(moved_old, "Hà Thị Mão", date(2015, 9, 9))
    _person(moved_new, "Hà Thị Mão", date(2015, 9, 9))

    found = [f for f in _report(world).findings if f.kind == "duplicate_person"]
    assert sorted(f.detail["name"] for f in found) == ["Hà Thị Mão", "Vũ Văn Dần"]
    by_name = {f.detail["name"]: f for f in found}
    assert set(by_name["Vũ Văn Dần"].households) == {str(same_1.public_id), str(same_2.public_id)}
    assert by_name["Vũ Văn Dần"].detail["same_commune"] is True
    assert set(by_name["Hà Thị Mão"].households) == {
        str(moved_old.public_id),
        str(moved_new.public_id),
    }


def test_a_share_of_overrides_twice_the_district_is_a_finding_only_beyond_chance():
    """The chance of k or more at the district's rate (Poisson): 3 where 2 are expected happens
    one year in three; 8 where 1 is expected, about one in a hundred thousand."""
    tail = integrity._poisson_tail
    assert tail(3, 2.0) == pytest.approx(1 - 5 * 2.718281828459045**-2)
    assert tail(8, 1.0) < 1e-4 < tail(5, 1.0)
    assert tail(0, 3.0) == 1.0 and tail(1, 0.0) == 0.0
    assert thresholds().override_chance == Decimal("0.001")
