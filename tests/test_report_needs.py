"""The causes-of-poverty (Biểu 10) and support-needs tables: every cell of the page and of the
workbook against counts made here, on both bases, for a province, a district and a commune;
scoped like every report; rendered by LibreOffice with every header whole."""

import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from areas.services import unit_resolve
from reports.excel.layout import Signing
from reports.excel.needs import CAUSES_SHEET, NEEDS_SHEET, answer_columns
from reports.excel.summary import report_workbook
from reports.needs import poverty_causes
from reports.selectors import COUNTED, report_scope
from survey.models import PovertyCause, ResponseCause, ResponseNeed, SupportNeed
from tests import test_workbook_render as rendering
from tests.factories import household, result
from tests.test_workbook_render import assert_headers_whole, assert_on_pages

render = rendering.render  # the LibreOffice fixture of the workbook render tests

QUESTIONS = {
    "causes": (PovertyCause, CAUSES_SHEET, ResponseCause, "cause"),
    "needs": (SupportNeed, NEEDS_SHEET, ResponseNeed, "need"),
}


@pytest.fixture
def units(world, legacy_tree):
    code = {"province": "35", "binh_luc": "352", "phu_ly": "347", "commune_a": "13504"}
    return {name: unit_resolve(c, edition=legacy_tree) for name, c in code.items()}


@pytest.fixture
def made(world):
    """Forms of 2025 with their answers, stored as submission stores them (rows only for poor and
    near-poor households: the average one has answers on its form and no rows)."""
    va, vb, vc = world["villages"]
    plan = [
        (va, "poor", "approved", ["land", "illness"], ["health", "production"]),
        (va, "poor", "approved", ["land"], ["housing"]),
        (va, "near_poor", "approved", ["labour", "other"], ["jobs"]),
        (va, "poor", "posted", ["capital"], ["water"]),  # counted on the "submitted" basis only
        (va, "average", "approved", [], []),
        (vb, "near_poor", "approved", ["illness"], ["health", "education"]),
        (vb, "poor", "approved", [], []),  # imported from last year's list: no answers
        (vb, "poor", "draft", [], []),  # never counted
        (vc, "poor", "approved", ["tools", "skills", "knowledge"], ["information"]),
        (vc, "near_poor", "submitted", ["illness"], ["other", "health"]),
        (vc, "near_poor", "returned", ["land"], ["health"]),  # sent back: not counted
    ]
    for village, final, status, causes, needs in plan:
        response = result(
            world,
            household(world, village),
            2025,
            final,
            status=status,
            poverty_causes=causes,
            support_needs=needs,
        )
        ResponseCause.objects.bulk_create(ResponseCause(response=response, cause=c) for c in causes)
        ResponseNeed.objects.bulk_create(ResponseNeed(response=response, need=n) for n in needs)
    # A 2024 form: another round, never counted in 2025.
    result(world, household(world, va), 2024, "poor", poverty_causes=["land"])
    return plan


def child_of(village, level):
    """The village's ancestor at the report's child level."""
    return {"village": village, "commune": village.parent, "district": village.parent.parent}[level]


def expected(plan, scope, question):
    """{target: {child name: (base, {key: households}, not answered)}} and the totals, counted
    here from the plan."""
    index = 3 if question == "causes" else 4
    keys = list(QUESTIONS[question][0].values)
    statuses = COUNTED[scope.basis]
    out = {}
    for target in ("poor", "near_poor"):
        table = {}
        for child in scope.children():
            table[child.name] = (0, dict.fromkeys(keys, 0), 0)
        total = [0, dict.fromkeys(keys, 0), 0]
        for village, final, status, *answers in plan:
            if final != target or status not in statuses:
                continue
            if not village.path.startswith(scope.unit.path):
                continue
            name = child_of(village, scope.child_level).name
            base, counts, blank = table[name]
            for key in answers[index - 3]:
                counts[key] += 1
                total[1][key] += 1
            unanswered = 0 if answers[index - 3] else 1
            table[name] = (base + 1, counts, blank + unanswered)
            total[0] += 1
            total[2] += unanswered
        out[target] = (table, tuple(total))
    return out


def rate_text(count, base):
    if not base:
        return ""
    value = (Decimal(count) * 100 / base).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return str(value).replace(".", ",")


def page_cells(body, question, target):
    """The rows of a table on the page: [label, cell, cell, …] as text."""
    table = body.split(f'id="table-{question}-{target}"')[1].split("</table>")[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[2:]:  # after the two header rows
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def page_url(review_round, unit, kind, basis):
    return (
        reverse(
            "reports:report",
            kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id, "kind": kind},
        )
        + f"?basis={basis}"
    )


def expected_line(label, base, counts, blank, keys):
    line = [label, str(base)]
    for key in keys:
        line += [str(counts[key]), rate_text(counts[key], base)]
    return [*line, str(blank)]


@pytest.mark.parametrize("basis", ["approved", "submitted"])
@pytest.mark.parametrize("unit_name", ["province", "binh_luc", "commune_a"])
@pytest.mark.parametrize("question", ["causes", "needs"])
def test_every_cell_of_the_page_is_the_count_made_here(
    world, made, units, admin, client_for, basis, unit_name, question
):
    rnd = world["rounds"][2025]
    unit = units[unit_name]
    scope = report_scope(rnd, unit, basis=basis)
    keys = list(QUESTIONS[question][0].values)
    page = client_for(admin).get(page_url(rnd, unit, question, basis))
    assert page.status_code == 200
    body = page.content.decode()
    for target, (table, total) in expected(made, scope, question).items():
        rows = page_cells(body, question, target)
        want = [expected_line(name, *table[name], keys) for name in table]
        want.append(expected_line("Tổng cộng", *total, keys))
        assert rows == want, (target, rows, want)
    assert "<svg" in body


def test_the_counts_are_not_trivial(world, made, units):
    """The plan does reach every kind of cell: a guard on the test above."""
    approved = poverty_causes(report_scope(world["rounds"][2025], units["province"]))
    submitted = poverty_causes(
        report_scope(world["rounds"][2025], units["province"], basis="submitted")
    )
    assert approved["poor"].total.households == 4 and approved["poor"].total.unanswered == 1
    assert approved["poor"].total.counts["land"] == 2
    assert approved["near_poor"].total.households == 2
    assert submitted["poor"].total.households == 5
    assert submitted["poor"].total.counts["capital"] == 1
    assert submitted["near_poor"].total.households == 3
    binh_luc = next(r for r in approved["poor"].rows if r.label == "Huyện Bình Lục")
    assert (binh_luc.households, binh_luc.counts["land"]) == (3, 2)
    assert binh_luc.cells(["land"]) == [(2, Decimal("66.67"))]


def sheet_rows(ws, heading):
    """The rows of section `heading` ("I. Hộ nghèo"), up to and with its total, as values."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == heading) + 1
    out = []
    for row in rows[start:]:
        out.append(list(row))
        if row[0] == "Tổng cộng":
            return out
    raise AssertionError("no total row")


@pytest.mark.parametrize("basis", ["approved", "submitted"])
@pytest.mark.parametrize("unit_name", ["province", "commune_a"])
def test_every_cell_of_both_sheets_is_the_count_made_here(world, made, units, basis, unit_name):
    rnd = world["rounds"][2025]
    scope = report_scope(rnd, units[unit_name], basis=basis)
    book = load_workbook(io.BytesIO(report_workbook(scope)))
    for question, (choices, sheet_name, _model, _field) in QUESTIONS.items():
        ws = book[sheet_name]
        keys = list(choices.values)
        for heading, target in (("I. Hộ nghèo", "poor"), ("II. Hộ cận nghèo", "near_poor")):
            table, total = expected(made, scope, question)[target]
            got = sheet_rows(ws, heading)
            want_labels = [*table, "Tổng cộng"]
            assert [r[0] for r in got] == want_labels
            for row, name in zip(got, want_labels, strict=True):
                base, counts, blank = total if name == "Tổng cộng" else table[name]
                assert row[1] == base and row[-1] == blank, (question, target, name)
                for i, key in enumerate(keys):
                    count, share = row[2 + 2 * i], row[3 + 2 * i]
                    assert count == counts[key], (question, target, name, key)
                    if base:
                        assert share == pytest.approx(counts[key] / base, abs=5e-5)
                    else:
                        assert share is None
        # Number formats: counts and percentages.
        first = next(r for r in ws.iter_rows() if r[0].value == "Tổng cộng")
        assert first[1].number_format == "#,##0" and first[3].number_format == "0.00%"
        assert first[0].font.b


def test_the_workbook_has_both_sheets_after_the_others(world, made, units):
    book = load_workbook(
        io.BytesIO(report_workbook(report_scope(world["rounds"][2025], units["province"])))
    )
    # After the official tables, before the split by area (Biểu 01a–03a).
    names = book.sheetnames
    assert names[names.index(CAUSES_SHEET) : names.index(CAUSES_SHEET) + 2] == [
        CAUSES_SHEET,
        NEEDS_SHEET,
    ]
    assert names.index(CAUSES_SHEET) > names.index("B08 Nhom chinh sach")
    causes = book[CAUSES_SHEET]
    assert causes["A3"].value == "Biểu số 10"
    titles = [c.value for c in causes["A"] if isinstance(c.value, str)]
    assert "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO NĂM 2025" in titles
    assert book[NEEDS_SHEET]["A3"].value == "Biểu số 16"


def test_each_role_reaches_exactly_its_units_on_both_reports(cast, world, made, units, client_for):
    rnd = world["rounds"][2025]
    reach = {
        "officer_a": {"commune_a"},
        "officer_b": set(),
        "district_reader": {"binh_luc", "commune_a"},
        "province_reader": set(units),
        "admin": set(units),
        "surveyor_a": set(),
        "village_head_a": set(),
    }
    for role, allowed in reach.items():
        client = client_for(cast[role])
        for name, unit in units.items():
            for kind in ("causes", "needs"):
                status = client.get(page_url(rnd, unit, kind, "approved")).status_code
                assert status == (200 if name in allowed else 404), (role, name, kind)
        workbook = reverse(
            "report_downloads:workbook",
            kwargs={"round_id": rnd.public_id, "unit_id": units["commune_a"].public_id},
        )
        expected_status = 200 if "commune_a" in allowed else 404
        assert client.get(workbook).status_code == expected_status, role


def test_a_province_of_another_round_is_a_404(world, made, units, province_reader_b, client_for):
    rnd = world["rounds"][2025]
    for kind in ("causes", "needs"):
        url = page_url(rnd, units["province"], kind, "approved")
        assert client_for(province_reader_b).get(url).status_code == 404


def test_the_sheets_render_with_every_header_whole(world, made, units, render):
    rnd = world["rounds"][2025]
    signing = Signing(
        unit=units["province"], prepared_by="Trần Thị Lập", place="Hà Nam", dated=date(2026, 12, 2)
    )
    text = render(report_workbook(report_scope(rnd, units["province"]), signing=signing), "needs")
    assert "Biểu số 10" in text and "Biểu số 16" in text
    assert_on_pages(
        text,
        "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO NĂM 2025",
        "PHÂN TÍCH NHU CẦU HỖ TRỢ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025",
        "I. Hộ nghèo",
        "II. Hộ cận nghèo",
    )
    scope = report_scope(rnd, units["province"])
    from reports.selectors import report_tables

    tables = report_tables(scope)
    assert_headers_whole(text, answer_columns(tables.poverty_causes["poor"], "nguyên nhân"))
    assert_headers_whole(text, answer_columns(tables.support_needs["poor"], "nhu cầu"))


def test_both_pages_and_the_workbook_are_constant_in_queries(world, units, admin, client_for):
    from tests.test_query_counts import count_queries

    rnd = world["rounds"][2025]
    client = client_for(admin)

    def grow(village, n):
        for i in range(n):
            final = ("poor", "near_poor")[i % 2]
            causes, needs = [["land", "illness"], ["capital"]][i % 2], [["health"], ["jobs"]][i % 2]
            r = result(world, household(world, village), 2025, final)
            ResponseCause.objects.bulk_create(ResponseCause(response=r, cause=c) for c in causes)
            ResponseNeed.objects.bulk_create(ResponseNeed(response=r, need=n) for n in needs)

    urls = [page_url(rnd, units["province"], kind, "approved") for kind in ("causes", "needs")]
    urls.append(
        reverse(
            "report_downloads:workbook",
            kwargs={"round_id": rnd.public_id, "unit_id": units["province"].public_id},
        )
    )
    grow(world["villages"][0], 2)
    few = [count_queries(client, url) for url in urls]
    grow(world["villages"][1], 8)
    grow(world["villages"][2], 8)
    assert [count_queries(client, url) for url in urls] == few
