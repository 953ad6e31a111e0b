"""Figures that were wrong (issue 12, section 1), checked cell by cell against counts done here.

- Rates only over communes whose total of resident households is known; the page and the sheet
  name the commune without one.
- Movements: households of the start whose new form is not counted yet are "pending", not gone;
  start − decreases − pending + increases = end on every row.
- The start is the previous round's approved result, by the unit each response was filed under
  then: a household that moved leaves its old unit's row and enters its new one; the first round
  of new Ninh Bình starts from old Hà Nam's round, carried over through the unit successions.
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from areas.models import AdminUnit, UnitSuccession
from areas.services import edition_get, successions_load, unit_resolve, units_load_current
from households.models import Household
from households.villages import village_create
from reports.excel.summary import POOR_MOVEMENT_SHEET, SUMMARY_SHEET, report_workbook
from reports.selectors import (
    MissingTotal,
    MovementRow,
    movements_both,
    rate,
    report_scope,
    summary,
)
from survey.models import CommuneTotal, ProvinceTarget, ReviewRound
from survey.selectors import previous_round
from tests.factories import household, result

CELLS = (
    "start",
    "dec_other_class",
    "dec_above_line",
    "dec_other",
    "pending",
    "inc_other_class",
    "inc_returned",
    "inc_new",
    "inc_other",
    "end",
)


def cells(row: MovementRow) -> dict[str, int]:
    """The row's non-zero cells, by name."""
    return {name: getattr(row, name) for name in CELLS if getattr(row, name)}


def by_label(rows: list[MovementRow]) -> dict[str, MovementRow]:
    return {row.label: row for row in rows}


def assert_every_row_balances(tables) -> None:
    for moves in tables.values():
        for row in [*moves.households, moves.households_total, *moves.persons, moves.persons_total]:
            assert row.start - row.decreases - row.pending + row.increases == row.end, row
            assert row.balanced, row


def move(h: Household, village: AdminUnit) -> None:
    """The household now lives in `village` (its earlier responses keep the unit of their time)."""
    Household.objects.filter(pk=h.pk).update(commune=village.parent, village=village)
    h.refresh_from_db()


def page(client, review_round, unit, kind, basis="approved") -> str:
    address = reverse(
        "reports:report",
        kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id, "kind": kind},
    )
    response = client.get(address, {"basis": basis})
    assert response.status_code == 200
    return response.content.decode()


def page_row(html: str, label: str) -> list[str]:
    """The text of each cell of the table row whose first cell reads `label`."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        texts = [
            re.sub(r"<[^>]+>", " ", c).split()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        texts = [" ".join(t) for t in texts]
        if texts and texts[0] == label:
            return texts
    raise AssertionError(f"no row {label!r}")


# --- 1. Rates over known totals -------------------------------------------------------------------


@pytest.fixture
def dong_du(world, legacy_tree):
    """Every commune of Hà Nam has its 2025 total (500 where the world gave none) except Xã Đồng
    Du (Bình Lục); a village there."""
    rnd = world["rounds"][2025]
    commune = unit_resolve("13516", edition=legacy_tree)
    have = CommuneTotal.objects.filter(review_round=rnd).values("commune_id")
    CommuneTotal.objects.bulk_create(
        CommuneTotal(
            review_round=rnd,
            commune=c,
            total_households=500,
            source="test",
            recorded_by=world["admin"],
        )
        for c in AdminUnit.objects.filter(
            edition=legacy_tree, level="commune", path__startswith=rnd.province.path
        )
        .exclude(pk__in=have)
        .exclude(pk=commune.pk)
    )
    village = village_create(actor=world["admin"], commune=commune, name="Thôn Đồng", kind="thon")
    va, vb, vc = world["villages"]
    for v, cls, n in [
        (va, "poor", 2),
        (va, "near_poor", 1),
        (vb, "poor", 1),
        (village, "poor", 9),
        (village, "near_poor", 2),
        (vc, "poor", 1),
    ]:
        for _ in range(n):
            result(world, household(world, v), 2025, cls)
    return commune


def test_rates_count_only_the_communes_whose_total_is_known(world, dong_du, legacy_tree):
    rnd = world["rounds"][2025]
    province = rnd.province
    ProvinceTarget.objects.create(
        province=province, year=2025, target_poverty_rate="0.03", recorded_by=world["admin"]
    )
    district = unit_resolve("352", edition=legacy_tree)
    totals = CommuneTotal.objects.filter(review_round=rnd)
    district_known = totals.filter(commune__parent=district).aggregate(n=Sum("total_households"))[
        "n"
    ]
    province_known = totals.aggregate(n=Sum("total_households"))["n"]
    assert district_known == 1000 + 800 + 12 * 500  # 15 communes, Đồng Du without a total

    report = summary(report_scope(rnd, province))
    binh_luc = {r.label: r for r in report.rows}["Huyện Bình Lục"]
    assert binh_luc.poor == 2 + 1 + 9  # every poor household is counted...
    assert binh_luc.total_households == district_known
    assert binh_luc.poor_rate == rate(2 + 1, district_known)  # ...but Đồng Du's in no rate
    assert binh_luc.poor_rate != rate(12, district_known)  # the figure shown before
    assert binh_luc.near_poor_rate == rate(1, district_known)
    assert (binh_luc.communes, binh_luc.communes_missing) == (15, 1)
    assert binh_luc.rate_partial and not binh_luc.rate_missing
    assert report.total.poor == 13
    assert report.total.poor_rate == rate(4, province_known)
    assert report.target_gap == rate(4, province_known) - Decimal("0.03")
    assert (report.total.communes, report.total.communes_missing) == (98, 1)
    assert report.missing_totals == [MissingTotal("Xã Đồng Du", "Huyện Bình Lục")]

    by_commune = {r.label: r for r in summary(report_scope(rnd, district)).rows}
    assert by_commune["Xã Đồng Du"].poor == 9
    assert by_commune["Xã Đồng Du"].poor_rate is None
    assert by_commune["Xã Đồng Du"].rate_missing
    assert by_commune["Xã Bình Nghĩa"].poor_rate == rate(2, 1000)
    # A village has no total of its own: no rate, and nothing missing.
    village_rows = summary(report_scope(rnd, dong_du)).rows
    assert [(r.poor, r.poor_rate, r.rate_missing) for r in village_rows] == [(9, None, False)]


def test_summary_page_and_sheet_name_the_commune_without_a_total(
    world, dong_du, legacy_tree, province_reader, client_for
):
    rnd = world["rounds"][2025]
    province = rnd.province
    province_known = CommuneTotal.objects.filter(review_round=rnd).aggregate(
        n=Sum("total_households")
    )["n"]
    client = client_for(province_reader)
    html = page(client, rnd, province, "summary")
    missing = re.search(r'<div id="missing-totals"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "1/98 xã chưa ghi tổng số hộ dân cư" in missing
    assert "Xã Đồng Du (Huyện Bình Lục)" in missing
    assert "thiếu 1/15 xã" in " ".join(page_row(html, "Huyện Bình Lục"))
    district_html = page(client, rnd, unit_resolve("352", edition=legacy_tree), "summary")
    assert page_row(district_html, "Xã Đồng Du")[1:5] == ["chưa ghi tổng số hộ", "11", "9", ""]

    ws = load_workbook(io.BytesIO(report_workbook(report_scope(rnd, province))))[SUMMARY_SHEET]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    [note] = [t for t in texts if t.startswith("CHÚ Ý")]
    assert "1/98 xã chưa ghi tổng số hộ dân cư" in note and "Xã Đồng Du (Huyện Bình Lục)" in note
    rows = {row[0].value: [c.value for c in row] for row in ws.iter_rows() if row[0].value}
    assert rows["Huyện Bình Lục"][13] == 1 and rows["Thành phố Phủ Lý"][13] == 0
    assert rows["Tổng cộng"][13] == 1
    assert rows["Tổng cộng"][1] == province_known
    assert rows["Tổng cộng"][4] == pytest.approx(float(rate(4, province_known) / 100))


# --- 2. Pending forms in the movements ------------------------------------------------------------


@pytest.fixture
def pending(world):
    """Commune A (Bình Nghĩa): households poor (or near-poor) in 2024 and their 2025 forms."""
    va = world["villages"][0]
    made = {}
    for name, before, members, after in [
        ("posted", "poor", 3, ("poor", "posted", 3)),  # counted on the submitted basis only
        ("no_form", "poor", 2, None),  # still resident, no form yet
        ("draft", "poor", 4, ("poor", "draft", 4)),  # never counted
        ("gone", "poor", 1, None),  # moved away: a decrease
        ("stay", "poor", 5, ("poor", "approved", 6)),
        ("near_returned", "near_poor", 2, ("near_poor", "returned", 2)),
    ]:
        h = household(world, va)
        result(world, h, 2024, before, members=members)
        if after:
            result(world, h, 2025, after[0], status=after[1], members=after[2])
        made[name] = h
    Household.objects.filter(pk=made["gone"].pk).update(status="moved_away")
    return made


def test_forms_not_counted_yet_are_pending_not_decreases(world, pending, legacy_tree):
    rnd = world["rounds"][2025]
    district = unit_resolve("352", edition=legacy_tree)
    tables = movements_both(report_scope(rnd, district))
    assert_every_row_balances(tables)
    poor, near = tables["poor"], tables["near_poor"]
    a = by_label(poor.households)["Xã Bình Nghĩa"]
    assert cells(a) == {"start": 5, "dec_other": 1, "pending": 3, "end": 1}
    assert cells(poor.households_total) == cells(a)
    assert all(not cells(r) for r in poor.households if r.label != "Xã Bình Nghĩa")
    persons = by_label(poor.persons)["Xã Bình Nghĩa"]
    assert cells(persons) == {
        "start": 3 + 2 + 4 + 1 + 5,
        "dec_other": 1,
        "pending": 3 + 2 + 4,
        "inc_other": 1,  # the household still poor gained a member
        "end": 6,
    }
    assert cells(by_label(near.households)["Xã Bình Nghĩa"]) == {"start": 1, "pending": 1}

    running = movements_both(report_scope(rnd, district, basis="submitted"))
    assert_every_row_balances(running)
    a = by_label(running["poor"].households)["Xã Bình Nghĩa"]
    assert cells(a) == {"start": 5, "dec_other": 1, "pending": 2, "end": 2}


def test_movements_page_and_sheet_show_the_pending_column(
    world, pending, legacy_tree, district_reader, client_for
):
    rnd = world["rounds"][2025]
    district = unit_resolve("352", edition=legacy_tree)
    html = page(client_for(district_reader), rnd, district, "movements")
    assert "Chưa có kết quả" in html
    assert "Đầu kỳ − giảm − chưa có kết quả + tăng = cuối kỳ ở mọi dòng" in html
    # Unit, start, decreases (sum, 3 kinds), pending, increases (sum, 4 kinds), end.
    assert page_row(html, "Xã Bình Nghĩa")[1:] == [
        *("5", "1", "0", "0", "1"),
        "3",
        *("0", "0", "0", "0", "0"),
        "1",
    ]
    ws = load_workbook(io.BytesIO(report_workbook(report_scope(rnd, district))))[
        POOR_MOVEMENT_SHEET
    ]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Chưa có kết quả (phiếu chưa được tính)" in texts
    assert any(t.startswith("Cuối kỳ = Đầu kỳ − Giảm − Chưa có kết quả + Tăng") for t in texts)
    households_row = next(row for row in ws.iter_rows() if row[0].value == "Xã Bình Nghĩa")
    assert [c.value for c in households_row][1:] == [5, 1, 0, 0, 1, 3, 0, 0, 0, 0, 0, 1]


# --- 3. A household that moved unit between the rounds --------------------------------------------


def test_a_household_that_moved_leaves_its_old_row_and_enters_its_new_one(world, legacy_tree):
    va, vb, vc = world["villages"]  # Bình Nghĩa, Tràng An (Bình Lục); Quang Trung (Phủ Lý)
    rnd = world["rounds"][2025]
    still_poor = household(world, va)
    result(world, still_poor, 2024, "poor", members=3)
    to_near = household(world, va)
    result(world, to_near, 2024, "poor", members=2)
    from_phu_ly = household(world, vc)
    result(world, from_phu_ly, 2024, "poor", members=4)
    move(still_poor, vb)
    move(to_near, vb)
    move(from_phu_ly, va)
    result(world, still_poor, 2025, "poor", members=3)
    result(world, to_near, 2025, "near_poor", members=2)
    result(world, from_phu_ly, 2025, "poor", members=4)

    district = unit_resolve("352", edition=legacy_tree)
    tables = movements_both(report_scope(rnd, district))
    assert_every_row_balances(tables)
    poor = by_label(tables["poor"].households)
    assert cells(poor["Xã Bình Nghĩa"]) == {"start": 2, "dec_other": 2, "inc_other": 1, "end": 1}
    assert cells(poor["Xã Tràng An"]) == {"inc_other": 1, "end": 1}
    # Within the district the move is no move: still poor, and poor → near-poor.
    district_total = cells(tables["poor"].households_total)
    assert district_total == {"start": 2, "dec_other_class": 1, "inc_other": 1, "end": 2}
    near = by_label(tables["near_poor"].households)
    assert cells(near["Xã Tràng An"]) == {"inc_other": 1, "end": 1}
    assert cells(tables["near_poor"].households_total) == {"inc_other_class": 1, "end": 1}
    persons = by_label(tables["poor"].persons)
    assert cells(persons["Xã Bình Nghĩa"]) == {"start": 5, "dec_other": 5, "inc_other": 4, "end": 4}

    province = movements_both(report_scope(rnd, rnd.province))
    assert_every_row_balances(province)
    rows = by_label(province["poor"].households)
    # A unit's figures are the same as a row of its parent's report and as its own total.
    assert cells(rows["Huyện Bình Lục"]) == district_total
    assert cells(rows["Thành phố Phủ Lý"]) == {"start": 1, "dec_other": 1}
    assert cells(province["poor"].households_total) == {
        "start": 3,
        "dec_other_class": 1,
        "end": 2,
    }


# --- 4. The first round of new Ninh Bình starts from old Hà Nam's ---------------------------------


@pytest.fixture
def ninh_binh(world, legacy_tree):
    """The current tree, the successions, the 2026 round of new Ninh Bình, and households of old
    Hà Nam (2025 results on the old tree) now living in new communes."""
    units_load_current()
    loaded = successions_load()
    assert loaded.created == 1 + 103 and loaded.skipped == 0
    current = edition_get()
    province = unit_resolve("37", edition=current)
    admin = world["admin"]
    rnd = ReviewRound.objects.create(
        province=province,
        year=2026,
        kind="periodic",
        standard_code="vn-2022-2025",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 14),
        opened_by=admin,
    )
    new = {
        code: village_create(
            actor=admin, commune=unit_resolve(code, edition=current), name="Thôn Mới", kind="thon"
        )
        for code in ("13504", "13291", "13366")  # Xã Bình Lục, Phường Phủ Lý, Phường Hà Nam
    }
    world["rounds"][2026] = rnd
    va, vb, vc = world["villages"]  # old Bình Nghĩa, Tràng An (→ Bình Lục); Quang Trung
    plan = [
        # name, old village, 2025 class, members, new village, 2026 class
        ("h1", va, "poor", 3, "13504", "poor"),
        ("h2", vb, "poor", 2, "13504", "near_poor"),
        ("h3", vc, "poor", 4, "13291", "poor"),  # Quang Trung → Phủ Lý (not its default)
        ("h4", vc, "poor", 1, "13504", "poor"),  # Quang Trung → Hà Nam (default), then moved
        ("h6", vc, "near_poor", 1, "13291", "poor"),
    ]
    for _name, old, before, members, code, after in plan:
        h = household(world, old)
        result(world, h, 2025, before, members=members)
        move(h, new[code])
        result(world, h, 2026, after, members=members)
    fresh = household(world, new["13504"])
    result(world, fresh, 2026, "poor", members=2)
    return rnd


def test_the_first_round_of_a_merged_province_starts_from_the_old_provinces_round(world, ninh_binh):
    rnd = ninh_binh
    assert previous_round(rnd) == world["rounds"][2025]
    quang_trung = UnitSuccession.objects.filter(
        predecessor__code="13285", predecessor__edition__has_districts=True
    )
    assert {(s.successor.code, s.is_default, s.verified) for s in quang_trung} == {
        ("13366", True, False),
        ("13291", False, False),
    }
    assert "vietnamadminunits" in quang_trung[0].source
    tables = movements_both(report_scope(rnd, rnd.province))
    assert tables["poor"].previous_rounds == [world["rounds"][2025]]
    assert_every_row_balances(tables)
    poor = by_label(tables["poor"].households)
    assert len(poor) == AdminUnit.objects.filter(parent=rnd.province).count()  # 129 communes
    assert cells(poor["Xã Bình Lục"]) == {
        "start": 2,  # h1 from Bình Nghĩa, h2 from Tràng An
        "dec_other_class": 1,  # h2
        "inc_new": 1,  # the new household
        "inc_other": 1,  # h4, moved in from Quang Trung's default successor
        "end": 3,
    }
    assert cells(poor["Phường Phủ Lý"]) == {"start": 1, "inc_other_class": 1, "end": 2}
    assert cells(poor["Phường Hà Nam"]) == {"start": 1, "dec_other": 1}
    named = {"Xã Bình Lục", "Phường Phủ Lý", "Phường Hà Nam"}
    assert all(not cells(r) for r in tables["poor"].households if r.label not in named)
    assert cells(tables["poor"].households_total) == {
        "start": 4,
        "dec_other_class": 1,
        "inc_other_class": 1,
        "inc_new": 1,
        "end": 5,
    }
    near = by_label(tables["near_poor"].households)
    assert cells(near["Xã Bình Lục"]) == {"inc_other_class": 1, "end": 1}
    assert cells(near["Phường Phủ Lý"]) == {"start": 1, "dec_other_class": 1}
    persons = by_label(tables["poor"].persons)
    assert cells(persons["Xã Bình Lục"]) == {
        "start": 3 + 2,
        "dec_other_class": 2,
        "inc_new": 2,
        "inc_other": 1,
        "end": 3 + 1 + 2,
    }


def test_the_movements_page_of_new_ninh_binh_names_old_ha_nams_round(world, ninh_binh, client_for):
    rnd = ninh_binh
    reader = User(username="tinh-37", role=User.Role.PROVINCE_STAFF, unit=rnd.province)
    reader.set_password("x")
    reader.save()
    html = page(client_for(reader), rnd, rnd.province, "movements")
    assert "Rà soát định kỳ năm 2025 (Tỉnh Hà Nam, trước sắp xếp)" in html
    assert page_row(html, "Xã Bình Lục")[1:] == [
        *("2", "1", "1", "0", "0"),
        "0",
        *("2", "0", "0", "1", "1"),
        "3",
    ]
    ws = load_workbook(io.BytesIO(report_workbook(report_scope(rnd, rnd.province))))[
        POOR_MOVEMENT_SHEET
    ]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("đợt rà soát định kỳ năm 2025 của Tỉnh Hà Nam (trước sắp xếp)" in t for t in texts)


def test_loading_the_successions_again_changes_nothing(ninh_binh):
    out = io.StringIO()
    call_command("load_units", "--successions", stdout=out)
    assert "thêm 0, giữ nguyên 104, bỏ qua 0" in out.getvalue()


def test_without_a_previous_round_every_household_is_new_and_nothing_pending(world):
    rnd = world["rounds"][2023]
    va = world["villages"][0]
    result(world, household(world, va), 2023, "poor", members=2)
    result(world, household(world, va), 2023, "near_poor", members=1, status="posted")
    tables = movements_both(report_scope(rnd, rnd.province))
    assert tables["poor"].previous_rounds == [] and tables["poor"].previous_round is None
    assert cells(tables["poor"].households_total) == {"inc_new": 1, "end": 1}
    assert not cells(tables["near_poor"].households_total)
    assert_every_row_balances(tables)
