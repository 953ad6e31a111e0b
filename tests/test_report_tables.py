"""The official tables 04–09, 11, 14–15 (reports.tables): every cell, page and workbook, both bases.

A province built by hand: households in three communes of two districts of Hà Nam, each with the
facts its form keeps at submission, its deprivations and its class in 2024. Every expectation is
counted here from that list, never read from the code under test.
"""

import importlib
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from openpyxl import load_workbook

from areas.models import AdminUnit
from areas.services import unit_resolve
from households.ethnicity import ETHNIC_GROUPS
from households.models import Member
from households.services import member_add
from reports.excel.summary import report_workbook
from reports.selectors import COUNTED, report_scope, report_tables
from survey.engine import get_standard
from survey.models import ResponseDeprivation, SurveyResponse
from survey.services import response_start, response_submit, response_update
from tests.factories import household, result
from tests.test_workbook_render import render  # noqa: F401  (the fixture)

TARGETS = ("poor", "near_poor")
NAMES = dict(ETHNIC_GROUPS)
STANDARD = get_standard("vn-2022-2025")
KEYS = [i.key for i in STANDARD.indicators]
CHILD_KEYS = ["nutrition", "child_school_attendance"]
CITIZEN_ID = "035090001234"
KINDS = ["unit_deprivations", "policy_groups", "ethnicity", "children", "lists"]

# village index, class 2025, status, members, head's ethnic group, groups, children, deprived,
# class in 2024 (approved) or None
SPEC = [
    (0, "poor", "approved", 4, "08", {"head_minority"}, 2, ["nutrition", "water_source"], "poor"),
    (0, "poor", "approved", 3, "01", {"has_social_allowance", "has_person_of_merit"}, 0,
     ["health_insurance"], None),
    (0, "near_poor", "approved", 5, "02", {"head_minority", "no_labour_capacity"}, 1,
     ["child_school_attendance"], "poor"),
    (0, "near_poor", "posted", 2, "01", set(), 1, ["nutrition"], None),
    (0, "average", "approved", 3, "01", set(), 0, [], "near_poor"),
    (0, None, None, 2, "01", set(), 0, [], "poor"),  # poor in 2024, not reviewed in 2025
    (1, "poor", "approved", 6, "03", {"head_minority"}, 3,
     ["nutrition", "child_school_attendance", "housing_area"], None),
    (1, "poor", "posted", 2, "", set(), 0, ["water_source"], None),  # no head recorded
    (1, "near_poor", "draft", 2, "01", set(), 1, ["nutrition"], None),  # never counted
    (2, "near_poor", "approved", 3, "01", {"has_social_allowance"}, 0, [], "near_poor"),
    (2, "poor", "approved", 1, "08", {"head_minority", "no_labour_capacity"}, 0, [], None),
]  # fmt: skip
GROUP_FLAGS = {
    "minority": "head_minority",
    "no_labour": "no_labour_capacity",
    "merit": "has_person_of_merit",
    "allowance": "has_social_allowance",
}


def rate(count: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture
def province(world):
    """The spec's households, 2025 forms (with their deprivation rows) and 2024 approved forms."""
    made = []
    for index, (v, final, status, members, ethnic, flags, kids, deprived, before) in enumerate(
        SPEC
    ):
        village = world["villages"][v]
        h = household(world, village)
        Member.objects.filter(household=h).update(citizen_id=f"0350900{index:05d}")
        response = None
        if final:
            response = result(
                world,
                h,
                2025,
                final,
                status=status,
                members=members,
                head_ethnicity=ethnic,
                child_count=kids,
                **{flag: True for flag in flags},
            )
            ResponseDeprivation.objects.bulk_create(
                ResponseDeprivation(response=response, indicator=k) for k in deprived
            )
            SurveyResponse.objects.filter(pk=response.pk).update(deprived=deprived)
        if before:
            result(world, h, 2024, before, members=members, head_ethnicity=ethnic)
        made.append((h, village, response))
    return made


def counted(basis: str, unit: AdminUnit, world, target: str | None = None) -> list:
    """The spec rows counted on `basis` under `unit` (in class `target`, or poor or near-poor)."""
    statuses = COUNTED[basis]
    rows = []
    for row in SPEC:
        v, final, status = row[:3]
        village = world["villages"][v]
        if not village.path.startswith(unit.path) or status not in statuses:
            continue
        if final == target or (target is None and final in TARGETS):
            rows.append(row)
    return rows


def units_of(scope) -> list[AdminUnit]:
    return scope.children() or [scope.unit]


# --- Reading the page and the workbook ------------------------------------------------------------


def page_rows(body: str) -> list[list[str]]:
    """Every row of every table body on the page, as the texts of its cells."""
    rows = []
    for tbody in re.findall(r"<tbody>(.*?)</tbody>", body, re.S):
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S):
            rows.append(
                [
                    re.sub(r"<[^>]+>", "", c).strip()
                    for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
                ]
            )
    return rows


def shown(value) -> str:
    """A number as the page shows it (Vietnamese format: decimal comma)."""
    if value is None:
        return ""
    return str(value).replace(".", ",")


def sheet_row(ws, label: str, occurrence: int = 0) -> list:
    found = [
        [c.value for c in row]
        for row in ws.iter_rows()
        if row[0].value == label and any(isinstance(c.value, (int, float)) for c in row[1:])
    ]
    assert len(found) > occurrence, f"no row {label!r} in {ws.title}"
    return found[occurrence]


def fraction(value: Decimal | None):
    return None if value is None else pytest.approx(float(value / 100))


def page(client, rnd, unit, kind, basis):
    url = reverse(
        "reports:report",
        kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id, "kind": kind},
    )
    response = client.get(f"{url}?basis={basis}")
    assert response.status_code == 200, (kind, unit)
    return response.content.decode()


# --- Expectations counted here -------------------------------------------------------------------


def expected_deprivations(basis, unit, world, target):
    rows = counted(basis, unit, world, target)
    counts = {k: sum(1 for r in rows if k in r[7]) for k in KEYS}
    return len(rows), sum(counts.values()), counts


def expected_groups(basis, unit, world, target):
    rows = counted(basis, unit, world, target)
    cells = [len(rows)]
    for flag in GROUP_FLAGS.values():
        cells.append(sum(1 for r in rows if flag in r[5]))
    cells.append(sum(1 for r in rows if not r[5]))
    return cells


def expected_children(basis, unit, world, target):
    rows = [r for r in counted(basis, unit, world, target) if r[6] > 0]
    cells = [len(rows), sum(r[6] for r in rows)]
    for key in CHILD_KEYS:
        n = sum(1 for r in rows if key in r[7])
        cells.append((n, rate(n, len(rows))))
    return cells


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_province_tables_by_district_hold_the_counts_made_here(
    basis, world, province, province_reader, client_for
):
    rnd = world["rounds"][2025]
    unit = rnd.province
    scope = report_scope(rnd, unit, basis=basis)
    units = units_of(scope)
    assert len(units) > 2  # every district, those without forms as rows of zeros
    client = client_for(province_reader)
    book = load_workbook(io.BytesIO(report_workbook(scope)))

    # Biểu 04–07: one page, two tables (poor, near-poor); four sheets
    body_rows = page_rows(page(client, rnd, unit, "unit_deprivations", basis))
    assert len(body_rows) == 2 * (len(units) + 1)
    for t, target in enumerate(TARGETS):
        count_ws = book[("B04 Thieu hut ngheo - so ho", "B06 Thieu hut can ngheo - so ho")[t]]
        rate_ws = book[("B05 Thieu hut ngheo - ty le", "B07 Thieu hut can ngheo - ty le")[t]]
        for i, row_unit in enumerate([*units, unit]):
            label = row_unit.name if i < len(units) else "Tổng cộng"
            households, total, counts = expected_deprivations(basis, row_unit, world, target)
            expected_page = [label, shown(households), shown(total)]
            for key in KEYS:
                expected_page += [shown(counts[key]), shown(rate(counts[key], households))]
            assert body_rows[t * (len(units) + 1) + i] == expected_page
            assert sheet_row(count_ws, label)[1:] == [households, total, *counts.values()]
            assert sheet_row(rate_ws, label)[1:] == [
                households,
                total,
                *(fraction(rate(counts[k], households)) for k in KEYS),
            ]

    # Biểu 08
    body_rows = page_rows(page(client, rnd, unit, "policy_groups", basis))
    ws = book["B08 Nhom chinh sach"]
    for i, row_unit in enumerate([*units, unit]):
        label = row_unit.name if i < len(units) else "Tổng cộng"
        cells = [n for target in TARGETS for n in expected_groups(basis, row_unit, world, target)]
        assert body_rows[i] == [label, *map(shown, cells)]
        assert sheet_row(ws, label)[1:] == cells

    # Biểu 09: the groups present, in the official order, the household without a head last
    rows = counted(basis, unit, world)
    codes = sorted({r[4] for r in rows}, key=lambda c: c or "99")
    body_rows = page_rows(page(client, rnd, unit, "ethnicity", basis))
    ws = book["B09 Dan toc"]
    totals = {t: len(counted(basis, unit, world, t)) for t in TARGETS}
    assert len(body_rows) == len(codes) + 1
    for i, code in enumerate([*codes, "total"]):
        mine = rows if code == "total" else [r for r in rows if r[4] == code]
        label = "Tổng cộng" if code == "total" else NAMES.get(code, "Chưa rõ (hộ chưa có chủ hộ)")
        cells = []
        for target in TARGETS:
            of_class = [r for r in mine if r[1] == target]
            cells += [
                len(of_class),
                sum(r[3] for r in of_class),
                rate(len(of_class), totals[target]),
            ]
        assert body_rows[i] == [label, *map(shown, cells)]
        assert sheet_row(ws, label)[1:] == [
            c if n % 3 != 2 else fraction(c) for n, c in enumerate(cells)
        ]

    # Biểu 11
    body_rows = page_rows(page(client, rnd, unit, "children", basis))
    ws = book["B11 Tre em"]
    for i, row_unit in enumerate([*units, unit]):
        label = row_unit.name if i < len(units) else "Tổng cộng"
        page_cells, sheet_cells = [label], []
        for target in TARGETS:
            households, children, *pairs = expected_children(basis, row_unit, world, target)
            page_cells += [shown(households), shown(children)]
            sheet_cells += [households, children]
            for n, r in pairs:
                page_cells += [shown(n), shown(r)]
                sheet_cells += [n, fraction(r)]
        assert body_rows[i] == page_cells
        assert sheet_row(ws, label)[1:] == sheet_cells

    # Biểu 14–15 are a commune's: a province's page sends to the export, its workbook has none
    assert "export_report" in page(client, rnd, unit, "lists", basis)
    assert not [name for name in book.sheetnames if name.startswith(("B14", "B15"))]


def expected_list(basis, world, commune, target, made):
    """(head, village, members, ethnic group, groups) of the commune's list, in name order."""
    rows = []
    for (h, village, _response), spec in zip(made, SPEC, strict=True):
        if spec in counted(basis, commune, world, target):
            rows.append((h.head_name, village.name, spec[3], spec[4], spec[5]))
    return sorted(rows, key=lambda r: r[0])


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_commune_lists_and_exits_hold_the_households_counted_here(
    basis, world, province, officer_a, commune_a, client_for
):
    rnd = world["rounds"][2025]
    scope = report_scope(rnd, commune_a, basis=basis)
    client = client_for(officer_a)
    body = page(client, rnd, commune_a, "lists", basis)
    book = load_workbook(io.BytesIO(report_workbook(scope)))
    tables = page_rows(body)
    labels = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}
    short = {
        "head_minority": "DTTS",
        "no_labour_capacity": "Không có lao động",
        "has_person_of_merit": "Có công",
        "has_social_allowance": "Trợ cấp XH",
    }
    order = list(short)
    expected_lists = {}
    for target in TARGETS:
        members = [
            [
                head,
                village,
                spec_members,
                labels[target],
                NAMES.get(code, ""),
                "; ".join(short[f] for f in order if f in flags),
            ]
            for head, village, spec_members, code, flags in expected_list(
                basis, world, commune_a, target, province
            )
        ]
        expected_lists[("members", target)] = members
        # Exits: in the class in 2024 (approved counts on both bases), not in it now
        exits = []
        for (h, village, _response), spec in zip(province, SPEC, strict=True):
            _v, final, status, n, code, _flags, *_rest, before = spec
            if before != target or not village.path.startswith(commune_a.path):
                continue
            now = final if status in COUNTED[basis] else None
            if now == target:
                continue
            now_label = {
                "poor": "Hộ nghèo",
                "near_poor": "Hộ cận nghèo",
                "average": "Hộ có mức sống trung bình",
            }.get(now or "", "Không còn trong danh sách rà soát đợt này")
            exits.append([h.head_name, village.name, n, now_label, NAMES.get(code, ""), ""])
        expected_lists[("exits", target)] = sorted(exits, key=lambda r: r[0])
    assert expected_lists[("exits", "poor")] and expected_lists[("exits", "near_poor")]

    # Page: four tables in order: poor, near-poor, exits from poor, exits from near-poor
    sheets = {
        ("members", "poor"): "B14 DS ho ngheo",
        ("members", "near_poor"): "B14 DS ho can ngheo",
        ("exits", "poor"): "B15 Ho thoat ngheo",
        ("exits", "near_poor"): "B15 Ho thoat can ngheo",
    }
    position = 0
    for key, sheet_name in sheets.items():
        want = expected_lists[key]
        got = tables[position : position + max(len(want), 1)]
        position += max(len(want), 1)
        if not want:
            assert got == [["Không có hộ nào."]]
        else:
            assert [[r[1], r[2], r[3], r[6], r[7], r[8]] for r in got] == [
                [a, b, shown(c), d, e, f] for a, b, c, d, e, f in want
            ]
            assert [r[0] for r in got] == [str(i) for i in range(1, len(want) + 1)]
        ws = book[sheet_name]
        numbered = [
            [c.value for c in row] for row in ws.iter_rows() if isinstance(row[0].value, int)
        ]
        assert [[r[1], r[2], r[3], r[6], r[7] or "", r[8] or ""] for r in numbered] == want
        assert sheet_row(ws, f"Tổng số: {len(want)} hộ")[3] == sum(r[2] for r in want)
    assert position == len(tables)
    # No citizen ID and no birth date anywhere: not on the page, not in the workbook
    values = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for text in (body, " ".join(values)):
        assert "0350900" not in text
        assert "CCCD" not in text and "Ngày sinh" not in text and "ngày sinh" not in text
        assert "1970" not in text  # the heads' birth year


def test_a_commune_officer_gets_only_his_commune(
    world, province, officer_a, commune_a, commune_b, client_for
):
    rnd = world["rounds"][2025]
    client = client_for(officer_a)
    province_unit = rnd.province
    district = unit_resolve("352", edition=province_unit.edition)
    for kind in KINDS:
        for unit in (commune_b, district, province_unit):
            url = reverse(
                "reports:report",
                kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id, "kind": kind},
            )
            assert client.get(url).status_code == 404, (kind, unit)
        body = page(client, rnd, commune_a, kind, "submitted")
        assert world["villages"][0].name in body or kind == "ethnicity"
        for other in world["villages"][1:]:
            assert other.name not in body
    # His commune's tables count his commune only
    tables = report_tables(report_scope(rnd, commune_a, basis="submitted"))
    assert tables.policy_groups.total.counts["poor"]["total"] == 2
    assert tables.ethnicity.total.near_poor == 2


def test_the_table_pages_make_a_fixed_number_of_queries(
    world, province, province_reader, client_for
):
    from tests.test_query_counts import count_queries

    rnd = world["rounds"][2025]
    client = client_for(province_reader)
    commune = unit_resolve("13504", edition=rnd.province.edition)
    urls = [
        reverse(
            "reports:report",
            kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id, "kind": kind},
        )
        + "?basis=submitted"
        for kind in KINDS
        for unit in (rnd.province, commune)
    ]
    few = [count_queries(client, url) for url in urls]
    for village in world["villages"]:
        for final in ("poor", "near_poor", "poor"):
            r = result(world, household(world, village), 2025, final, child_count=1)
            ResponseDeprivation.objects.create(response=r, indicator="nutrition")
            result(world, household(world, village), 2024, final)
    assert [count_queries(client, url) for url in urls] == few


def test_submission_keeps_the_allowance_the_heads_group_and_the_children(
    officer_a, household_a, round_2025
):
    member_add(
        actor=officer_a,
        household=household_a,
        values={
            "full_name": "Nguyễn Thị Bé",
            "birth_year": 2015,
            "sex": "female",
            "relationship": "child",
        },
    )
    member_add(
        actor=officer_a,
        household=household_a,
        values={
            "full_name": "Nguyễn Văn Già",
            "birth_year": 1940,
            "sex": "male",
            "relationship": "parent",
            "monthly_social_allowance": 500000,
        },
    )
    Member.objects.filter(household=household_a, relationship="head").update(ethnicity="08")
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={
            "screening": "proceed",
            "floor_area_m2": 40,
            "wall_durable": True,
            "column_durable": True,
            "roof_durable": True,
            "water_source": "piped",
            "latrine_hygienic": True,
            "information_means": [],
            "income_score_manual": 100,
            "poverty_causes": ["illness"],
            "support_needs": ["health"],
        },
        expected_version=response.version,
    )
    response = response_submit(
        actor=officer_a, response=response, expected_version=response.version
    )
    assert response.has_social_allowance
    assert response.head_ethnicity == "08" and response.head_minority
    assert response.child_count == 1  # born 2015: 10 in 2025; the 1940 parent is not


def test_the_backfill_takes_the_snapshot_from_present_members(world, officer_a):
    h = household(world, world["villages"][0])
    member_add(
        actor=officer_a,
        household=h,
        values={"full_name": "Con", "birth_year": 2012, "sex": "male", "relationship": "child"},
    )
    member_add(
        actor=officer_a,
        household=h,
        values={
            "full_name": "Bà",
            "birth_year": 1945,
            "sex": "female",
            "relationship": "parent",
            "monthly_social_allowance": 360000,
        },
    )
    Member.objects.filter(household=h, relationship="head").update(ethnicity="03")
    old = result(world, h, 2024, "poor")  # born 2012: 12 in 2024, a child
    draft = result(world, household(world, world["villages"][0]), 2025, "", status="draft")
    migration = importlib.import_module("survey.migrations.0013_backfill_response_policy_snapshot")
    migration.backfill(django_apps, None)
    old.refresh_from_db()
    assert (old.has_social_allowance, old.head_ethnicity, old.child_count) == (True, "03", 1)
    draft.refresh_from_db()
    assert (draft.has_social_allowance, draft.head_ethnicity, draft.child_count) == (False, "", 0)


def test_the_standards_mark_the_childrens_indicators():
    assert [i.key for i in STANDARD.indicators if i.concerns_children] == CHILD_KEYS


def test_the_commune_workbook_renders_every_official_sheet_whole(
    world,
    province,
    render,  # noqa: F811
    commune_a,
):
    from datetime import date

    from reports.excel.layout import NATION, Signing
    from reports.excel.official import (
        ETHNIC_COLUMNS,
        LIST_COLUMNS,
        children_columns,
        deprivation_columns,
        group_columns,
    )
    from tests.test_workbook_render import assert_headers_whole, assert_on_pages

    rnd = world["rounds"][2025]
    signing = Signing(
        unit=commune_a, prepared_by="Nguyễn Văn Lập", place="Bình Nghĩa", dated=date(2026, 12, 2)
    )
    scope = report_scope(rnd, commune_a, basis="submitted")
    content = report_workbook(scope, signing=signing)
    sheets = len(load_workbook(io.BytesIO(content)).sheetnames)
    # 01–03, 04; official 04–07, 08, 09, 11; lists 14–15 (two each); 10, 16; 01a–03a
    assert sheets == 4 + 4 + 3 + 4 + 2 + 3
    text = render(content, "xa-13504-bieu")
    # Every sheet on its pages with its heading and its signature block
    assert text.count(NATION) == sheets
    assert text.count("Bình Nghĩa, ngày 02 tháng 12 năm 2026") == sheets
    for number in ("04", "05", "06", "07", "08", "09", "11", "14", "15"):
        assert f"Biểu số {number}" in text
    assert_on_pages(
        text,
        "SỐ HỘ NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN NĂM 2025",
        "TỶ LỆ HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN NĂM 2025",
        "HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM CHÍNH SÁCH NĂM 2025",
        "HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC NĂM 2025",
        "TRẺ EM DƯỚI 16 TUỔI TRONG HỘ NGHÈO, HỘ CẬN NGHÈO VÀ CÁC CHỈ SỐ THIẾU HỤT NĂM 2025",
        "DANH SÁCH HỘ NGHÈO NĂM 2025",
        "DANH SÁCH HỘ CẬN NGHÈO THOÁT KHỎI DIỆN CẬN NGHÈO NĂM 2025",
        "Hmông",
        # a wrapped text in a list row: its row grows to show it whole
        "Không còn trong danh sách rà soát đợt này",
    )
    tables = report_tables(scope)
    dimensions = {d.key: d.label_vi for d in STANDARD.dimensions}
    for target in TARGETS:
        for measure in ("count", "rate"):
            assert_headers_whole(
                text, deprivation_columns(tables.deprivations_by_unit[target], measure, dimensions)
            )
    assert_headers_whole(text, group_columns())
    assert_headers_whole(text, ETHNIC_COLUMNS)
    assert_headers_whole(text, children_columns([i.label_vi for i in tables.children.indicators]))
    assert_headers_whole(text, LIST_COLUMNS)
    for h, _village, _response in province[:3]:
        assert h.head_name in text
