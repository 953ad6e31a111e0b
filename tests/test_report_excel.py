"""Excel downloads and `export_report`: the cells hold the numbers counted here, formula-like text
stays text, the household list streams across sheets without personal identifiers, and scoping
holds for both download URLs and for the command."""

import io
import re
import zipfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from areas.models import AdminUnit
from areas.services import unit_resolve
from core.text import unaccent
from households.models import Household, Member
from reports.excel import cells as excel_cells
from reports.excel import households as household_list_book
from reports.excel.households import households_export
from reports.excel.layout import MOTTO, NATION, Signing, download_names, place_name
from reports.excel.summary import report_workbook
from reports.selectors import report_scope
from survey.engine import get_standard
from survey.models import ProvinceTarget, ResponseDeprivation, ReviewRound, SurveyResponse
from tests.factories import household, result

FORMULA_LIKE = ['=HYPERLINK("http://x","bấm")', "+1", "-2+3", "@SUM(A1)", "=1+1"]


def pct(count: int, total: int) -> Decimal:
    """The rate a '0.00%' cell holds: count/total, rounded half-up to 0.01 of a percent."""
    percent = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return percent / 100


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def row_of(ws, label: str, column: int = 1) -> list:
    for row in ws.iter_rows():
        if row[column - 1].value == label:
            return list(row)
    raise AssertionError(f"no row {label!r} in {ws.title}")


def texts_of(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def unit_line_of(ws) -> str:
    """The "Đơn vị: …" line under the title."""
    return next(t for t in texts_of(ws) if t.startswith("Đơn vị: "))


def cell_with(ws, text: str):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"no cell {text!r} in {ws.title}")


def household_rows(ws) -> list[list]:
    """The household rows of a list sheet: those numbered in column A, under the header."""
    return [[c.value for c in row] for row in ws.iter_rows() if isinstance(row[0].value, int)]


def all_values(workbook) -> list:
    return [cell.value for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def sheet_xml(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def assert_no_formula(content: bytes) -> None:
    for name, xml in sheet_xml(content).items():
        assert not re.search(r"<f[ >/]", xml), name


@pytest.fixture
def made(world):
    """Results of the 2025 round (and one movement from 2024), as in test_reports."""
    va, vb, vc = world["villages"]
    rows = [
        (va, "poor", "approved", 4, {"head_minority": True}),
        (va, "poor", "approved", 2, {"has_person_of_merit": True}),
        (va, "near_poor", "approved", 5, {}),
        (va, "average", "approved", 3, {}),
        (va, "not_poor", "approved", 6, {}),
        (va, "poor", "posted", 7, {}),  # counted only on the "submitted" basis
        (vb, "near_poor", "approved", 1, {"no_labour_capacity": True}),
        (vb, "poor", "draft", 2, {}),  # never counted
        (vc, "poor", "approved", 2, {}),
    ]
    responses = []
    for village, final, status, members, flags in rows:
        h = household(world, village)
        responses.append(result(world, h, 2025, final, status=status, members=members, **flags))
    overridden = household(world, va)
    responses.append(result(world, overridden, 2025, "near_poor", computed="poor", members=2))
    # One household of commune A: poor in 2024, near-poor in 2025 (the override above is new).
    moved = household(world, va)
    result(world, moved, 2024, "poor", members=3)
    responses.append(result(world, moved, 2025, "near_poor", members=3))
    # Submission stores the deprived keys twice: on the response, and one row each for reports.
    deprived = responses[:3]
    SurveyResponse.objects.filter(pk__in=[r.pk for r in deprived]).update(deprived=["water_source"])
    ResponseDeprivation.objects.bulk_create(
        ResponseDeprivation(response=r, indicator="water_source") for r in deprived
    )
    return {"rows": rows, "responses": responses}


def test_summary_sheet_cells_hold_the_counts_and_rates_counted_here(world, made):
    rnd = world["rounds"][2025]
    province = rnd.province
    ProvinceTarget.objects.create(
        province=province, year=2025, target_poverty_rate="0.05", recorded_by=world["admin"]
    )
    content = report_workbook(
        report_scope(rnd, province),
        signing=Signing(prepared_by="Trần Thị Lập", place="Hà Nam", dated=date(2026, 12, 2)),
    )
    book = open_book(content)
    # The summary's sheets, then the official tables' (tests/test_report_tables.py).
    assert book.sheetnames[:4] == [
        "Tong hop",
        "Bien dong ho ngheo",
        "Bien dong ho can ngheo",
        "Thieu hut",
    ]
    # Then the official tables', the causes and needs (Biểu 10, 16) and the split by area.
    later = book.sheetnames[4:]
    for name in (
        "Nguyen nhan ngheo",
        "Nhu cau ho tro",
        "Tong hop theo khu vuc",
        "Ho ngheo theo khu vuc",
        "Ho can ngheo theo khu vuc",
    ):
        assert name in later
    assert later.index("Nhu cau ho tro") < later.index("Tong hop theo khu vuc")
    ws = book["Tong hop"]
    # The official heading: the issuing body (no preparer's unit given: the report's unit's
    # office) on the left, the motto on the right, the form number, then the title.
    assert (ws["A1"].value, ws["A2"].value) == ("UBND TỈNH HÀ NAM", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG")
    assert ws["A2"].font.b and ws["A3"].value == "Biểu số 01"
    nation, motto = cell_with(ws, NATION), cell_with(ws, MOTTO)
    assert (nation.row, motto.row, nation.column) == (1, 2, motto.column)
    assert nation.font.b and motto.font.u == "single"
    left = next(r for r in ws.merged_cells.ranges if r.min_row == 1 and r.min_col == 1)
    assert left.max_col < nation.column  # the two blocks never share a column
    assert ws["A5"].value == "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025"
    assert "Tỉnh Hà Nam" in ws["A6"].value
    assert "Kết quả đã phê duyệt" in ws["A7"].value and "2025" in ws["A7"].value
    assert cell_with(ws, "Đơn vị tính: hộ, người, %").row == 8

    va, vb, _vc = world["villages"]
    approved = [r for r in made["rows"] if r[2] == "approved"]
    binh_luc = [r for r in approved if r[0] in (va, vb)]
    poor = sum(1 for r in binh_luc if r[1] == "poor")
    near = sum(1 for r in binh_luc if r[1] == "near_poor") + 2  # the override, the moved one
    row = row_of(ws, "Huyện Bình Lục")
    values = [c.value for c in row]
    assert values[1] == 1000 + 800
    assert values[2] == len(binh_luc) + 2
    assert (values[3], values[5]) == (poor, 4 + 2)
    assert values[4] == pytest.approx(float(pct(poor, 1800)))
    assert (values[6], values[8]) == (near, 5 + 1 + 2 + 3)
    assert values[7] == pytest.approx(float(pct(near, 1800)))
    assert (values[9], values[11]) == (1, 3)
    assert values[12] == 1  # one override
    assert values[13] == 15 - 2  # Bình Lục's communes without a total (only A and B have one)
    assert row[3].number_format == "#,##0" and row[4].number_format == "0.00%"
    assert row_of(ws, "Thành phố Phủ Lý")[3].value == 1

    total = row_of(ws, "Tổng cộng")
    assert total[0].font.b and total[3].font.b
    assert total[1].value == 3800
    assert total[13].value == 98 - 3
    assert total[3].value == 3
    assert total[4].value == pytest.approx(float(pct(3, 3800)))
    # Target and gap (percentage points) under the table.
    target = row_of(ws, "Tỷ lệ hộ nghèo mục tiêu năm 2025 của tỉnh")
    assert target[4].value == pytest.approx(0.0005) and target[4].number_format == "0.00%"
    gap = row_of(ws, "Chênh lệch: tỷ lệ thực tế trừ mục tiêu (điểm phần trăm)")
    assert gap[4].value == pytest.approx(float(pct(3, 3800) * 100 - Decimal("0.05")))

    # Header: merged over two rows and across groups; frozen below it; A4 landscape fit to width.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A5:N5", "A9:A10", "B9:B10", "D9:F9", "G9:I9", "J9:L9", "M9:M10", "N9:N10"} <= merged
    assert ws["D9"].value == "Hộ nghèo" and ws["D10"].value == "Số hộ"
    assert ws.freeze_panes == "B12"
    # Wrapped header labels get rows high enough: "Số hộ có kết quả cuối cùng khác kết quả
    # tính" (merged over rows 9 and 10, 16 wide) takes three lines.
    assert ws.row_dimensions[9].height + ws.row_dimensions[10].height > 2 * 15
    # Every cell of the table is bordered, from the header to the totals row (bold).
    total_row = row_of(ws, "Tổng cộng")[0].row
    for row in ws.iter_rows(min_row=9, max_row=total_row, max_col=14):
        for cell in row:
            if isinstance(cell, MergedCell):  # inside a merged label: its range has the box
                continue
            assert cell.border.left.style == "thin" and cell.border.right.style == "thin"
    # The signature block: after a blank row under the table's notes, in the sheet's columns.
    dated = cell_with(ws, "Hà Nam, ngày 02 tháng 12 năm 2026")
    assert all(c.value is None for c in ws[dated.row - 1])
    assert dated.row > total_row + 2
    signer = cell_with(ws, "Người lập biểu")
    head = cell_with(ws, "Thủ trưởng đơn vị")
    assert signer.row == head.row == dated.row + 1 and head.column == dated.column
    assert cell_with(ws, "Trần Thị Lập").column == signer.column
    assert all(r.max_col <= 14 for r in ws.merged_cells.ranges)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # Fit to the page's width; these short sheets fit one page (no signature block left
        # alone on a second page).
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 1
        assert sheet.print_title_rows
        texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert "Người lập biểu" in texts and "Thủ trưởng đơn vị" in texts
        assert "Trần Thị Lập" in texts
        assert any(re.fullmatch(r"Hà Nam, ngày \d\d tháng \d\d năm \d{4}", t) for t in texts)
    assert ws.print_title_rows == "$9:$11"


def test_movement_deprivation_and_group_sheets_hold_the_counts(world, made):
    rnd = world["rounds"][2025]
    district = unit_resolve("352", edition=rnd.province.edition)
    book = open_book(
        report_workbook(report_scope(rnd, district), signing=Signing(dated=date(2025, 12, 20)))
    )

    ws = book["Bien dong ho ngheo"]
    assert ws["A3"].value == "Biểu số 02" and book["Bien dong ho can ngheo"]["A3"].value == (
        "Biểu số 03"
    )
    assert ws["A5"].value == "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO NĂM 2025"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A10:A11", "B10:B11", "C10:F10", "G10:G11", "H10:L10", "M10:M11"} <= merged
    assert ws["C10"].value == "Giảm trong kỳ" and ws["D11"].value == "Trở thành hộ cận nghèo"
    assert ws.freeze_panes == "B13"
    households_total, persons_total = [
        [c.value for c in row] for row in ws.iter_rows() if row[0].value == "Tổng cộng"
    ]
    # Poor in 2024: one household (3 persons), near-poor in 2025. Poor in 2025: 2 in commune A.
    assert households_total[1:] == [1, 1, 1, 0, 0, 0, 2, 0, 0, 2, 0, 2]
    assert persons_total[1:] == [3, 3, 3, 0, 0, 0, 6, 0, 0, 6, 0, 6]
    commune_a = row_of(ws, "Xã Bình Nghĩa")
    assert [c.value for c in commune_a][1:] == households_total[1:]
    for row in ws.iter_rows(min_row=13):
        values = [c.value for c in row]
        if isinstance(values[1], int):
            start, dec, pending, inc, end = values[1], values[2], values[6], values[7], values[12]
            assert start - dec - pending + inc == end, values
            assert dec == sum(values[3:6]) and inc == sum(values[8:12])

    near = book["Bien dong ho can ngheo"]
    near_total = next(row for row in near.iter_rows() if row[0].value == "Tổng cộng")
    assert near["D11"].value == "Trở thành hộ nghèo"
    assert [c.value for c in near_total][1:] == [0, 0, 0, 0, 0, 0, 4, 1, 0, 3, 0, 4]

    dep = book["Thieu hut"]
    label = get_standard("vn-2022-2025").indicator("water_source").label_vi
    water = row_of(dep, label, column=2)
    assert (water[2].value, water[4].value) == (2, 1)
    assert water[3].value == pytest.approx(1.0)  # both poor households of the district
    assert water[5].value == pytest.approx(0.25)  # 1 of 4 near-poor
    denominators = row_of(dep, "Tổng số hộ (mẫu số của tỷ lệ)")
    assert (denominators[2].value, denominators[4].value) == (2, 4)
    assert dep["A3"].value == "Biểu số 04"
    # Bordered to the table's last column, though the row's last value is in column E.
    assert all(c.border.right.style == "thin" for c in denominators[:6])
    assert row_of(dep, "Tổng số lượt thiếu hụt")[2].value == 2

    # Biểu 08: per class, total, minority, no labour, merit, allowance, other (none of them).
    groups = book["B08 Nhom chinh sach"]
    assert groups["A3"].value == "Biểu số 08"
    # In 2025 the district's office in charge of poverty reduction was agriculture's.
    assert (groups["A1"].value, groups["A2"].value) == (
        "UBND HUYỆN BÌNH LỤC",
        "PHÒNG NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    )
    a = [c.value for c in row_of(groups, "Xã Bình Nghĩa")]
    b = [c.value for c in row_of(groups, "Xã Tràng An")]
    assert a[1:] == [2, 1, 0, 1, 0, 0, 3, 0, 0, 0, 0, 3]
    assert b[1:] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]
    assert [c.value for c in row_of(groups, "Tổng cộng")][1:] == [
        2,
        1,
        0,
        1,
        0,
        0,
        4,
        0,
        1,
        0,
        0,
        3,
    ]
    texts = {c.value for c in groups["A"] if isinstance(c.value, str)}
    assert "Bình Lục, ngày 20 tháng 12 năm 2025" not in texts  # place not given: dots
    assert any(str(v).startswith("……………, ngày 20 tháng 12 năm 2025") for v in all_values(book))


def test_formula_like_unit_names_stay_text_in_the_workbook(world, made, commune_a):
    va = world["villages"][0]
    AdminUnit.objects.filter(pk=va.pk).update(name=FORMULA_LIKE[0])
    rnd = world["rounds"][2025]
    content = report_workbook(
        report_scope(rnd, commune_a),
        signing=Signing(prepared_by="=cmd|' /C calc'!A0", place="+Bình Nghĩa"),
    )
    assert_no_formula(content)
    ws = open_book(content)["Tong hop"]
    row = row_of(ws, FORMULA_LIKE[0])
    assert row[0].data_type == "s"
    assert row[3].value == 2  # the village's two poor households
    values = all_values(open_book(content))
    assert "=cmd|' /C calc'!A0" in values


def test_safe_text_forces_strings_in_both_workbook_modes(tmp_path):
    from openpyxl import Workbook

    normal = Workbook()
    ws = normal.active
    for row, text in enumerate([*FORMULA_LIKE, "#N/A", "bình\x07thường"], start=1):
        excel_cells.write_text(ws.cell(row=row, column=1), text)
    normal.save(tmp_path / "normal.xlsx")
    streamed = Workbook(write_only=True)
    ws2 = streamed.create_sheet("x")
    for text in [*FORMULA_LIKE, "#N/A"]:
        ws2.append([excel_cells.text_cell(ws2, text), "ok"])
    streamed.save(tmp_path / "streamed.xlsx")
    for name in ("normal.xlsx", "streamed.xlsx"):
        content = (tmp_path / name).read_bytes()
        assert_no_formula(content)
        cells = [c for row in open_book(content).active.iter_rows() for c in row]
        assert {c.data_type for c in cells} == {"s"}
        assert [c.value for c in cells if c.column == 1][:5] == FORMULA_LIKE
    assert open_book((tmp_path / "normal.xlsx").read_bytes()).active["A7"].value == "bìnhthường"


def test_household_list_is_streamed_across_sheets_without_personal_identifiers(
    world, made, monkeypatch, tmp_path
):
    va = world["villages"][0]
    responses = made["responses"]
    # Formula-like text typed by users, and identifiers that must not leave the registry.
    first = responses[0].household
    Household.objects.filter(pk=first.pk).update(head_name=FORMULA_LIKE[0], address="+84 912")
    Member.objects.filter(household=first).update(
        citizen_id="035070000123", birth_date=date(1970, 5, 17)
    )
    # Two households per sheet: 9 rows of heading, title and header, 9 of notes and signatures.
    monkeypatch.setattr(household_list_book, "MAX_SHEET_ROWS", 9 + 2 + 9)
    rnd = world["rounds"][2025]
    district = va.parent.parent
    out = tmp_path / "ds.xlsx"
    written = households_export(report_scope(rnd, district), out)

    approved = [r for r in made["rows"] if r[2] == "approved" and r[0] in world["villages"][:2]]
    expected = sum(1 for r in approved if r[1] in ("poor", "near_poor")) + 2
    assert written == expected == 6
    content = out.read_bytes()
    book = open_book(content)
    assert book.sheetnames == ["Danh sach ho", "Danh sach ho (2)", "Danh sach ho (3)"]
    first = book.worksheets[0]
    header = [c.value for c in first[9]]
    assert header == [
        "STT",
        "Huyện",
        "Xã",
        "Thôn",
        "Họ và tên chủ hộ",
        "Địa chỉ",
        "Phân loại",
        "Số nhân khẩu",
        "Điểm thu nhập",
        "Điểm thiếu hụt",
        "Các chỉ số thiếu hụt",
        "Điều chỉnh so với kết quả tính",
        "Lý do điều chỉnh",
    ]
    rows = [row for ws in book.worksheets for row in household_rows(ws)]
    assert all(ws.max_row <= 20 for ws in book.worksheets)
    # Every sheet has the heading and the header; the last one the signature block.
    for ws in book.worksheets:
        assert (ws["A1"].value, ws["A2"].value) == (
            "UBND HUYỆN BÌNH LỤC",
            "PHÒNG NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
        )
        assert ws["A3"].value == "Biểu số 14"
        assert ws["A5"].value.startswith("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025")
        assert "Huyện Bình Lục" in ws["A6"].value
        assert ws["A9"].value == "STT" and ws.freeze_panes == "A10"
        assert NATION in texts_of(ws) and MOTTO in texts_of(ws)
        assert ws.row_dimensions[9].height > 15  # "Điều chỉnh so với kết quả tính" wraps
        # Every cell of the table bordered, empty ones too.
        for row in ws.iter_rows(min_row=9, max_row=ws.max_row - 9, max_col=13):
            assert all(c.border.left.style == "thin" for c in row)
        assert {str(r) for r in ws.merged_cells.ranges} >= {"A5:M5", "A6:M6"}
    assert int(first.page_setup.fitToWidth) == 1 and int(first.page_setup.fitToHeight) == 0
    assert "Người lập biểu" in texts_of(book.worksheets[-1])
    assert "Người lập biểu" not in texts_of(book.worksheets[0])
    assert [r[0] for r in rows] == list(range(1, 7))
    assert sorted(r[6] for r in rows) == ["Hộ cận nghèo"] * 4 + ["Hộ nghèo"] * 2
    by_head = {r[4]: r for r in rows}
    flagged = by_head[FORMULA_LIKE[0]]
    assert flagged[5] == "+84 912" and flagged[7] == 4
    assert flagged[1:4] == ["Huyện Bình Lục", "Xã Bình Nghĩa", "Thôn Đông"]
    assert flagged[10] == get_standard("vn-2022-2025").indicator("water_source").label_vi
    overridden = [r for r in rows if r[11] == "Có"]
    assert len(overridden) == 1 and overridden[0][12] == "lý do"
    assert_no_formula(content)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(min_row=10) for c in row]
    assert all(c.data_type == "s" for c in cells if c.value in (FORMULA_LIKE[0], "+84 912"))
    everything = " ".join(str(v) for v in all_values(book))
    assert "035070000123" not in everything
    assert "17/05/1970" not in everything and "1970-05-17" not in everything
    assert 1970 not in all_values(book) and "1970" not in all_values(book)


def test_exports_run_a_constant_number_of_queries_however_many_households(world, made, commune_a):
    from reports.aggregates import fold_all

    rnd = world["rounds"][2025]
    district = commune_a.parent

    def run() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as listed:
            rows = households_export(report_scope(rnd, commune_a), io.BytesIO())
        fold_all()  # the workbook's own queries, not the fold of the rows just written
        with CaptureQueriesContext(connection) as summed:
            report_workbook(report_scope(rnd, district))
        return rows, len(listed), len(summed)

    run()  # the round's province and tree edition, cached on the round from then on
    rows_before, listed_before, summed_before = run()
    for village in world["villages"]:
        for final in ("poor", "near_poor", "average"):
            result(world, household(world, village), 2025, final)
    rows_after, listed_after, summed_after = run()
    assert rows_after == rows_before + 2
    assert (listed_after, summed_after) == (listed_before, summed_before)


def test_an_empty_household_list_still_has_its_header(world, commune_b):
    rnd = world["rounds"][2025]
    out = io.BytesIO()
    assert households_export(report_scope(rnd, commune_b), out) == 0
    book = open_book(out.getvalue())
    assert book.sheetnames == ["Danh sach ho"]
    assert book.active["A5"].value == "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025"
    assert book.active["A9"].value == "STT" and household_rows(book.active) == []
    assert book.active.freeze_panes == "A10"
    assert "Người lập biểu" in texts_of(book.active)
    out = io.BytesIO()
    households_export(report_scope(rnd, commune_b), out, classes=["average"])
    title = open_book(out.getvalue()).active["A5"].value
    assert title == "DANH SÁCH HỘ CÓ MỨC SỐNG TRUNG BÌNH NĂM 2025"  # the classes listed


# --- Download URLs -------------------------------------------------------------------------------


def url(name: str, rnd: ReviewRound, unit: AdminUnit, **query: str) -> str:
    path = reverse(
        f"report_downloads:{name}", kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id}
    )
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def filename(response) -> str:
    match = re.fullmatch(
        r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)",
        response["Content-Disposition"],
    )
    assert match, response["Content-Disposition"]
    ascii_name, readable = match[1], unquote(match[2])
    assert ascii_name.isascii() and re.fullmatch(r"[a-z0-9.-]+", ascii_name)
    assert unaccent(readable).lower().replace(" - ", "-").replace(" ", "-") == ascii_name
    return ascii_name


def test_officer_a_downloads_commune_a_but_gets_404_for_commune_b_and_the_district(
    world, made, officer_a, commune_a, commune_b, client_for
):
    rnd = world["rounds"][2025]
    client = client_for(officer_a)
    response = client.get(url("households", rnd, commune_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="danh-sach-ho-2025-xa-binh-nghia-13504-da-duyet-{today}.xlsx"; '
        "filename*=UTF-8''"
        + quote(f"Danh sách hộ - 2025 - Xã Bình Nghĩa 13504 - đã duyệt - {today}.xlsx", safe="")
    )
    rows = household_rows(open_book(response.content).active)
    assert len(rows) == 5  # commune A: 2 poor, 3 near-poor (approved)
    response = client.get(url("workbook", rnd, commune_a))
    assert response.status_code == 200
    assert filename(response) == f"tong-hop-2025-xa-binh-nghia-13504-da-duyet-{today}.xlsx"
    assert row_of(open_book(response.content)["Tong hop"], "Thôn Đông")[3].value == 2
    submitted = client.get(url("workbook", rnd, commune_a, basis="submitted"))
    assert submitted.status_code == 200
    assert filename(submitted) == f"tong-hop-2025-xa-binh-nghia-13504-da-nop-{today}.xlsx"
    assert client.get(url("workbook", rnd, commune_a, basis="nonsense")).status_code == 404
    village = world["villages"][0]
    assert client.get(url("households", rnd, village)).status_code == 200

    assert client.get(url("households", rnd, commune_b)).status_code == 404
    assert client.get(url("workbook", rnd, commune_b)).status_code == 404
    assert client.get(url("households", rnd, commune_a.parent)).status_code == 404
    assert client.get(url("workbook", rnd, commune_a.parent)).status_code == 404


def test_district_reader_downloads_the_district_workbook_only(
    world, made, district_reader, commune_a, client_for, legacy_tree
):
    rnd = world["rounds"][2025]
    client = client_for(district_reader)
    district = district_reader.unit
    response = client.get(url("workbook", rnd, district))
    assert response.status_code == 200
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert filename(response) == f"tong-hop-2025-huyen-binh-luc-352-da-duyet-{today}.xlsx"
    assert len(open_book(response.content)["Tong hop"]["A"]) > 15
    # The district's household list is too large for a web request: the command writes it.
    assert client.get(url("households", rnd, district)).status_code == 404
    assert client.get(url("households", rnd, commune_a)).status_code == 200
    phu_ly = unit_resolve("347", edition=legacy_tree)
    assert phu_ly.name == "Thành phố Phủ Lý"
    assert client.get(url("workbook", rnd, phu_ly)).status_code == 404
    assert client.get(url("workbook", rnd, rnd.province)).status_code == 404


def test_province_reader_and_admin_download_the_province_workbook(
    world, made, province_reader, admin, client_for
):
    rnd = world["rounds"][2025]
    for user in (province_reader, admin):
        response = client_for(user).get(url("workbook", rnd, rnd.province))
        assert response.status_code == 200
        assert row_of(open_book(response.content)["Tong hop"], "Tổng cộng")[3].value == 3


def heading_and_signature(content: bytes) -> tuple[str, str, str, str]:
    """(parent body, issuer, date line, preparer's name) of a workbook's first sheet."""
    ws = open_book(content).worksheets[0]
    dated = next(t for t in texts_of(ws) if ", ngày " in t)
    signer = cell_with(ws, "Người lập biểu")
    names = [
        row[0].value
        for row in ws.iter_rows(
            min_row=signer.row + 2, min_col=signer.column, max_col=signer.column
        )
        if isinstance(row[0].value, str)
    ]
    return ws["A1"].value, ws["A2"].value, dated, names[0]


def test_the_downloading_users_unit_issues_the_workbook_and_their_name_prepares_it(
    world, made, officer_a, district_reader, admin, commune_a, client_for
):
    rnd = world["rounds"][2025]
    today = timezone.localdate()
    on = f"ngày {today:%d} tháng {today:%m} năm {today:%Y}"
    officer_a.first_name, officer_a.last_name = "Lê Thị", "Hoa"
    officer_a.save(update_fields=["first_name", "last_name"])
    for name in ("workbook", "households"):
        content = client_for(officer_a).get(url(name, rnd, commune_a)).content
        assert heading_and_signature(content) == (
            "UBND HUYỆN BÌNH LỤC",
            "UBND XÃ BÌNH NGHĨA",
            f"Bình Nghĩa, {on}",
            "Lê Thị Hoa",
        )
    # District staff download a commune's list: their office issues it, at Bình Lục.
    content = client_for(district_reader).get(url("households", rnd, commune_a)).content
    assert heading_and_signature(content) == (
        "UBND HUYỆN BÌNH LỤC",
        "PHÒNG NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
        f"Bình Lục, {on}",
        "huyen-352",
    )
    # An administrator serves no unit: the report's unit issues it; no name: the username.
    admin.first_name = admin.last_name = ""
    admin.save(update_fields=["first_name", "last_name"])
    content = client_for(admin).get(url("workbook", rnd, rnd.province)).content
    assert heading_and_signature(content) == (
        "UBND TỈNH HÀ NAM",
        "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
        f"Hà Nam, {on}",
        "admin",
    )
    # A village's list is issued by its commune.
    content = client_for(admin).get(url("households", rnd, world["villages"][0])).content
    assert heading_and_signature(content) == (
        "UBND HUYỆN BÌNH LỤC",
        "UBND XÃ BÌNH NGHĨA",
        f"Bình Nghĩa, {on}",
        "admin",
    )


def test_downloads_of_different_unit_round_or_basis_never_share_a_name(
    world, made, officer_a, district_reader, commune_a, client_for
):
    rnd = world["rounds"][2025]
    names = [
        filename(client_for(user).get(url(kind, review_round, unit, **query)))
        for user, kind, review_round, unit, query in (
            (officer_a, "workbook", rnd, commune_a, {}),
            (officer_a, "workbook", rnd, commune_a, {"basis": "submitted"}),
            (officer_a, "workbook", world["rounds"][2024], commune_a, {}),
            (officer_a, "households", rnd, commune_a, {}),
            (officer_a, "households", rnd, commune_a, {"basis": "submitted"}),
            (district_reader, "workbook", rnd, commune_a.parent, {}),
            (district_reader, "workbook", rnd, commune_a, {}),  # same as the first
        )
    ]
    assert len(set(names)) == len(names) - 1 and names[0] == names[-1]
    assert all(name.isascii() for name in names)
    # A regular round's files carry its month.
    regular = ReviewRound.objects.create(
        province=rnd.province,
        year=2025,
        kind="regular",
        month=5,
        standard_code="vn-2022-2025",
        starts_on=date(2025, 5, 1),
        ends_on=date(2025, 5, 31),
        opened_by=world["admin"],
    )
    ascii_name, readable = download_names(
        "summary", report_scope(regular, commune_a), date(2026, 12, 2)
    )
    assert ascii_name == "tong-hop-2025-thang-05-xa-binh-nghia-13504-da-duyet-2026-12-02.xlsx"
    assert readable == "Tổng hợp - 2025 tháng 05 - Xã Bình Nghĩa 13504 - đã duyệt - 2026-12-02.xlsx"


def test_the_place_of_the_date_line_drops_the_kind_of_unit_unless_the_name_is_a_number(
    legacy_tree,
):
    assert place_name(unit_resolve("347", edition=legacy_tree)) == "Phủ Lý"
    assert place_name(unit_resolve("13504", edition=legacy_tree)) == "Bình Nghĩa"
    assert place_name(AdminUnit(name="Phường 1", level="commune")) == "Phường 1"
    assert place_name(AdminUnit(name="Tỉnh Hà Nam", level="province")) == "Hà Nam"


def test_anonymous_download_is_sent_to_login(world, commune_a, client):
    rnd = world["rounds"][2025]
    for name in ("workbook", "households"):
        response = client.get(url(name, rnd, commune_a))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- export_report --------------------------------------------------------------------------------


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


def test_command_writes_the_district_workbook_for_a_year(world, made, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    printed = export("--round", "2025", "--unit", "352", "--out", str(out))
    assert str(out) in printed and "15 dòng" in printed
    book = load_workbook(out)
    ws = book["Tong hop"]
    assert "Huyện Bình Lục" in unit_line_of(ws)
    assert row_of(ws, "Xã Bình Nghĩa")[3].value == 2
    assert row_of(ws, "Tổng cộng")[3].value == 2
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert any(t.startswith("Bình Lục, ngày") for t in texts)
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.xlsx"]


def test_command_by_round_id_with_a_user_in_scope(world, made, officer_a, tmp_path):
    rnd = world["rounds"][2025]
    out = tmp_path / "xa.xlsx"
    export(
        "--round", str(rnd.public_id), "--unit", "13504", "--out", str(out), "--user", "xa-13504"
    )
    book = load_workbook(out)
    assert row_of(book["Tong hop"], "Thôn Đông")[3].value == 2
    texts = {c.value for c in book["Tong hop"]["A"] if isinstance(c.value, str)}
    assert "xa-13504" in texts  # prepared by: the user's full name (here: the username)


def test_command_refuses_a_unit_outside_the_users_scope_and_writes_nothing(
    world, made, officer_a, tmp_path
):
    out = tmp_path / "huyen.xlsx"
    with pytest.raises(CommandError, match="ngoài phạm vi") as refused:
        export("--round", "2025", "--unit", "352", "--out", str(out), "--user", "xa-13504")
    assert refused.value.returncode != 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--round", "2025", "--unit", "99999"], "Không tìm thấy đơn vị"),
        (["--round", "2019", "--unit", "352"], "Không có đợt rà soát định kỳ năm 2019"),
        (["--round", "abc", "--unit", "352"], "không hợp lệ"),
        (
            ["--round", "6f1c1f52-7a55-4f4e-9a51-0f2b7a1f0c11", "--unit", "352"],
            "Không tìm thấy đợt",
        ),
        (["--round", "2025", "--unit", "352", "--user", "nobody"], "Không tìm thấy tài khoản"),
    ],
)
def test_command_refuses_unknown_rounds_units_and_users(world, tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        export(*args, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_command_writes_the_household_list_of_a_district(world, made, tmp_path):
    out = tmp_path / "ds.xlsx"
    printed = export("--round", "2025", "--unit", "352", "--out", str(out), "--households")
    assert "6 dòng" in printed
    rows = household_rows(load_workbook(out).active)
    assert len(rows) == 6
    submitted = tmp_path / "ds-tam-tinh.xlsx"
    printed = export(
        "--round", "2025", "--unit", "352", "--out", str(submitted), "--households",
        "--basis", "submitted",
    )  # fmt: skip
    assert "7 dòng" in printed  # the posted poor household counts on this basis


def test_command_picks_the_round_whose_province_holds_the_unit(world, made, tmp_path):
    call_command("load_units", stdout=io.StringIO())
    ninh_binh = unit_resolve("37")
    ReviewRound.objects.create(
        province=ninh_binh,
        year=2025,
        kind="periodic",
        standard_code="vn-2022-2025",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 14),
        opened_by=world["admin"],
    )
    out = tmp_path / "a.xlsx"
    export("--round", "2025", "--unit", "352", "--out", str(out))  # only in the legacy tree
    assert "Huyện Bình Lục" in unit_line_of(load_workbook(out)["Tong hop"])
    export("--round", "2025", "--unit", "37", "--out", str(out))
    assert "Ninh Bình" in unit_line_of(load_workbook(out)["Tong hop"])
    # 13504 is Xã Bình Nghĩa (Hà Nam) in the legacy tree and a commune of Ninh Bình today.
    with pytest.raises(CommandError, match="nhiều đợt"):
        export("--round", "2025", "--unit", "13504", "--out", str(tmp_path / "b.xlsx"))
    assert not Path(tmp_path / "b.xlsx").exists()
