"""The reports as Excel workbooks, laid out like the official summary tables (openpyxl).

`report_workbook` lays out what `reports.selectors` computes (one sheet per report); it never counts
anything itself. `households_export` streams the detailed list of poor / near-poor households into
a write-only workbook, a new sheet whenever one reaches Excel's row limit.

Text typed by users (unit names, household heads, addresses, reasons) must stay text: openpyxl
stores a text that begins with "=" as a formula, which Excel evaluates on opening. In ordinary
sheets it goes through `write_text`; in rows appended to write-only sheets through `text_cell`;
the household list writes every text as an inline string (`_SheetStream`), never a formula.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from os import PathLike
from typing import IO, Any, cast
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import (
    ERROR_CODES,
    ILLEGAL_CHARACTERS_RE,
    Cell,
    MergedCell,
    WriteOnlyCell,
)
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from areas.models import AdminUnit
from survey.models import Classification, ReviewRound, SurveyResponse

from .selectors import (
    BASIS_LABELS,
    MovementRow,
    Movements,
    ReportScope,
    SummaryRow,
    deprivations,
    movements_both,
    summary,
)

# Excel's limit per sheet, header row included. A module constant so that tests can lower it.
MAX_SHEET_ROWS = 1_048_576
# Rows fetched per round trip when streaming the household list.
CHUNK_SIZE = 2000
# Excel keeps at most this many characters in a cell.
MAX_CELL_CHARS = 32_767
# Texts a spreadsheet may take for the start of a formula (CSV/DDE injection).
FORMULA_STARTS = ("=", "+", "-", "@")

SUMMARY_SHEET = "Tong hop"
POOR_MOVEMENT_SHEET = "Bien dong ho ngheo"
NEAR_POOR_MOVEMENT_SHEET = "Bien dong ho can ngheo"
DEPRIVATION_SHEET = "Thieu hut"
GROUP_SHEET = "Nhom doi tuong"
HOUSEHOLD_SHEET = "Danh sach ho"

COUNT = "#,##0"
PERCENT = "0.00%"
POINTS = "+0.00;-0.00;0.00"

FONT = "Times New Roman"
_BODY = Font(name=FONT, size=11)
_BOLD = Font(name=FONT, size=11, bold=True)
_ITALIC = Font(name=FONT, size=11, italic=True)
_SMALL_ITALIC = Font(name=FONT, size=9, italic=True)
_TITLE = Font(name=FONT, size=14, bold=True)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

# Name prefixes of unit kinds, dropped for the place before the date ("Bình Lục, ngày…").
_KIND_PREFIXES = (
    "Thành phố ",
    "Thị xã ",
    "Thị trấn ",
    "Huyện ",
    "Quận ",
    "Xã ",
    "Phường ",
    "Tỉnh ",
    "Đặc khu ",
)


# --- Text that stays text -------------------------------------------------------------------------


def safe_text(value: object) -> str:
    """User text as a cell may hold it: no control characters XML forbids, at most Excel's limit.

    The result must still be written with `write_text` or `text_cell`, which force a string cell
    (a text beginning with "=" would otherwise be stored as a formula).
    """
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_CELL_CHARS]


def _needs_forcing(text: str) -> bool:
    # openpyxl turns "=…" into a formula and "#N/A"-like texts into error cells; "+", "-", "@" are
    # kept as strings already, but are forced too so that no reader guesses otherwise.
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


def write_text(cell: Cell | MergedCell, value: object) -> Cell:
    """Put user text in a cell of an ordinary worksheet as a string, never a formula."""
    assert isinstance(cell, Cell), "text goes in the top-left cell of a merged range"
    cell.value = safe_text(value)
    # After the assignment: the value setter is what infers "f" (formula) from a leading "=".
    cell.data_type = "s"
    return cell


def text_cell(ws: Any, value: object, *, font: Font | None = None) -> Cell | str:
    """User text for a row appended to a write-only worksheet.

    A plain string when openpyxl keeps it a string anyway (cheap: one cell object is reused for
    those), else a WriteOnlyCell forced to a string.
    """
    text = safe_text(value)
    if font is None and not _needs_forcing(text):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def place_name(unit: AdminUnit) -> str:
    """The place written before the date of a signature block: "Huyện Bình Lục" → "Bình Lục"."""
    for prefix in _KIND_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


# --- Layout helpers for the summary workbook ------------------------------------------------------


@dataclass(frozen=True)
class Col:
    label: str
    group: str | None = None  # columns with the same group share a merged cell above their labels
    width: float = 12
    number: str = ""  # the column-number row of official tables: "A", "1", "2=3+4+5"…


def _period_words(review_round: ReviewRound) -> str:
    if review_round.kind == ReviewRound.Kind.REGULAR and review_round.month:
        return f"THÁNG {review_round.month} NĂM {review_round.year}"
    return f"NĂM {review_round.year}"


def _unit_line(unit: AdminUnit) -> str:
    names = [u.name for u in unit.ancestors()]
    return ", ".join([unit.name, *reversed(names)])


def _pct(value: Decimal | None) -> Decimal | None:
    """A rate in percent (12.34) as the fraction a '0.00%' cell holds (0.1234)."""
    return None if value is None else value / 100


class _Sheet:
    """One report sheet: title and period, a merged multi-row header, rows, signature block."""

    def __init__(self, workbook: Workbook, name: str, columns: Sequence[Col]) -> None:
        self.ws: Worksheet = workbook.create_sheet(name)
        self.columns = list(columns)
        self.width = len(self.columns)
        self.row = 1
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width

    # Cells

    def merge(self, row: int, first: int, last: int, end_row: int | None = None) -> None:
        if last > first or (end_row or row) > row:
            self.ws.merge_cells(
                start_row=row, start_column=first, end_row=end_row or row, end_column=last
            )

    def banner(self, text: str, font: Font, *, user_text: bool = False) -> None:
        cell = self.ws.cell(row=self.row, column=1)
        if user_text:
            write_text(cell, text)
        else:
            cell.value = text
        cell.font = font
        cell.alignment = _CENTER
        self.merge(self.row, 1, self.width)
        self.ws.row_dimensions[self.row].height = 20 if font is _TITLE else 16
        self.row += 1

    def preamble(self, title: str, scope: ReportScope, unit_line: str, *extra: str) -> None:
        self.banner(title, _TITLE)
        self.banner(f"Đơn vị: {unit_line}", _BOLD, user_text=True)
        rnd = scope.review_round
        self.banner(
            f"Đợt rà soát: {rnd} ({rnd.starts_on:%d/%m/%Y} – {rnd.ends_on:%d/%m/%Y}) · "
            f"Số liệu: {BASIS_LABELS[scope.basis]}",
            _ITALIC,
        )
        for line in extra:
            self.banner(line, _ITALIC)
        self.row += 1

    def header(self) -> None:
        """Two rows of labels (groups merged across, ungrouped labels merged down), then numbers."""
        top = self.row
        index = 0
        while index < self.width:
            column = self.columns[index]
            col = index + 1
            if column.group is None:
                self._head_cell(top, col, column.label)
                self._head_cell(top + 1, col, None)
                self.merge(top, col, col, end_row=top + 1)
                index += 1
                continue
            last = index
            while last + 1 < self.width and self.columns[last + 1].group == column.group:
                last += 1
            for i in range(index, last + 1):
                self._head_cell(top, i + 1, column.group if i == index else None)
                self._head_cell(top + 1, i + 1, self.columns[i].label)
            self.merge(top, col, last + 1)
            index = last + 1
        for col, column in enumerate(self.columns, start=1):
            cell = self.ws.cell(row=top + 2, column=col, value=column.number or None)
            cell.font = _SMALL_ITALIC
            cell.alignment = _CENTER
            cell.border = _BOX
        self.ws.row_dimensions[top].height = self._height(top_row=True)
        self.ws.row_dimensions[top + 1].height = self._height(top_row=False)
        self.row = top + 3
        self.ws.freeze_panes = f"B{self.row}"
        self.ws.print_title_rows = f"{top}:{top + 2}"

    def _height(self, *, top_row: bool) -> float:
        """Enough height for the longest wrapped label of a header row (about 1.1 chars a unit)."""
        lines = 1
        index = 0
        while index < self.width:
            column = self.columns[index]
            span = [column]
            if column.group is not None:
                while (
                    index + len(span) < self.width
                    and self.columns[index + len(span)].group == column.group
                ):
                    span.append(self.columns[index + len(span)])
            if top_row:
                # Ungrouped labels are merged over both rows: they get half their lines here.
                text = column.group or ""
                width = sum(c.width for c in span)
            else:
                text = column.label if column.group else ""
                width = column.width
            lines = max(lines, -(-len(text) // max(1, int(width * 1.1))))
            if column.group is None and top_row:
                lines = max(lines, -(-len(column.label) // max(1, int(column.width * 2.2))))
            index += len(span) if top_row else 1
        return 15.0 * lines + 3

    def _head_cell(self, row: int, col: int, value: str | None) -> None:
        cell = self.ws.cell(row=row, column=col, value=value)
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.border = _BOX
        cell.fill = _HEADER_FILL

    def section(self, text: str) -> None:
        """A bold line across the table ("I. Số hộ")."""
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = _BOLD
        cell.alignment = _LEFT
        for col in range(1, self.width + 1):
            self.ws.cell(row=self.row, column=col).border = _BOX
        self.merge(self.row, 1, self.width)
        self.row += 1

    def data_row(
        self,
        label: str,
        values: Iterable[tuple[Any, str]],
        *,
        bold: bool = False,
        label_span: int = 1,
        second_label: str | None = None,
    ) -> int:
        """The label (user text: forced to a string) over `label_span` columns, or the label and
        `second_label` in columns A and B; then (value, number format) per column."""
        font = _BOLD if bold else _BODY
        row = self.row
        cell = write_text(self.ws.cell(row=row, column=1), label)
        cell.font = font
        cell.alignment = _CENTER if bold and label_span == 1 else _LEFT
        cell.border = _BOX
        for col in range(2, label_span + 1):
            self.ws.cell(row=row, column=col).border = _BOX
        self.merge(row, 1, label_span)
        first_value = label_span + 1
        if second_label is not None:
            cell = write_text(self.ws.cell(row=row, column=2), second_label)
            cell.font = font
            cell.alignment = _LEFT
            cell.border = _BOX
            first_value = 3
        for col, (value, number_format) in enumerate(values, start=first_value):
            cell = self.ws.cell(row=row, column=col, value=value)
            cell.number_format = number_format
            cell.font = font
            cell.alignment = _RIGHT
            cell.border = _BOX
            if bold:
                cell.fill = _TOTAL_FILL
        if bold:
            self.ws.cell(row=row, column=1).fill = _TOTAL_FILL
        self.row += 1
        return row

    def note(self, text: str) -> None:
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = _SMALL_ITALIC
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.merge(self.row, 1, self.width)
        self.ws.row_dimensions[self.row].height = 28
        self.row += 1

    # Signature block and print setup

    def signatures(self, prepared_by: str, place: str, dated: date) -> None:
        self.row += 1
        side = max(2, self.width // 3)
        left = (1, min(side, self.width))
        right = (max(self.width - side + 1, left[1] + 1), max(self.width, left[1] + 1))
        where = safe_text(place).strip() or "……………"
        lines: list[tuple[tuple[int, int], str, Font, bool]] = [
            (right, f"{where}, ngày {dated:%d} tháng {dated:%m} năm {dated:%Y}", _ITALIC, True),
        ]
        for (left_text, left_font), (right_text, right_font) in (
            (("Người lập biểu", _BOLD), ("Thủ trưởng đơn vị", _BOLD)),
            (("(Ký, ghi rõ họ tên)", _ITALIC), ("(Ký tên, đóng dấu)", _ITALIC)),
        ):
            lines.append((left, left_text, left_font, False))
            lines.append((right, right_text, right_font, True))
        row = self.row
        for (first, last), text, font, advance in lines:
            cell = self.ws.cell(row=row, column=first)
            write_text(cell, text)
            cell.font = font
            cell.alignment = _CENTER
            self.merge(row, first, last)
            if advance:
                row += 1
        row += 3  # room to sign
        if prepared_by.strip():
            cell = write_text(self.ws.cell(row=row, column=left[0]), prepared_by.strip())
            cell.font = _BOLD
            cell.alignment = _CENTER
            self.merge(row, left[0], left[1])
        self.row = row + 1

    def print_setup(self) -> None:
        _print_setup(self.ws)


def _print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


# --- The summary workbook -------------------------------------------------------------------------


SUMMARY_COLUMNS = (
    Col("Đơn vị", width=30, number="A"),
    Col("Tổng số hộ dân cư", width=13, number="1"),
    Col("Số hộ được rà soát", width=12, number="2"),
    Col("Số hộ", "Hộ nghèo", number="3"),
    Col("Tỷ lệ (%)", "Hộ nghèo", width=10, number="4=3/1"),
    Col("Nhân khẩu", "Hộ nghèo", number="5"),
    Col("Số hộ", "Hộ cận nghèo", number="6"),
    Col("Tỷ lệ (%)", "Hộ cận nghèo", width=10, number="7=6/1"),
    Col("Nhân khẩu", "Hộ cận nghèo", number="8"),
    Col("Số hộ", "Hộ có mức sống trung bình", number="9"),
    Col("Tỷ lệ (%)", "Hộ có mức sống trung bình", width=10, number="10=9/1"),
    Col("Nhân khẩu", "Hộ có mức sống trung bình", number="11"),
    Col("Số hộ có kết quả cuối cùng khác kết quả tính", width=16, number="12"),
)


def _summary_values(row: SummaryRow) -> list[tuple[Any, str]]:
    return [
        (row.total_households, COUNT),
        (row.surveyed, COUNT),
        (row.poor, COUNT),
        (_pct(row.poor_rate), PERCENT),
        (row.poor_persons, COUNT),
        (row.near_poor, COUNT),
        (_pct(row.near_poor_rate), PERCENT),
        (row.near_poor_persons, COUNT),
        (row.average, COUNT),
        (_pct(row.average_rate), PERCENT),
        (row.average_persons, COUNT),
        (row.overrides, COUNT),
    ]


def _movement_columns(target: str) -> tuple[Col, ...]:
    other = "hộ cận nghèo" if target == "poor" else "hộ nghèo"
    again = "Tái nghèo" if target == "poor" else "Tái cận nghèo"
    return (
        Col("Đơn vị", width=30, number="A"),
        Col("Đầu kỳ", width=11, number="1"),
        Col("Tổng số", "Giảm trong kỳ", width=10, number="2=3+4+5"),
        Col(f"Trở thành {other}", "Giảm trong kỳ", width=13, number="3"),
        Col("Vượt chuẩn cận nghèo", "Giảm trong kỳ", width=13, number="4"),
        Col("Khác (chuyển đi, chết, nhập hộ…)", "Giảm trong kỳ", width=15, number="5"),
        Col("Tổng số", "Tăng trong kỳ", width=10, number="6=7+8+9+10"),
        Col(f"Từ {other}", "Tăng trong kỳ", width=12, number="7"),
        Col(again, "Tăng trong kỳ", width=11, number="8"),
        Col("Phát sinh mới", "Tăng trong kỳ", width=11, number="9"),
        Col("Khác (tách hộ…)", "Tăng trong kỳ", width=12, number="10"),
        Col("Cuối kỳ", width=11, number="11=1-2+6"),
    )


def _movement_values(row: MovementRow) -> list[tuple[Any, str]]:
    values = (
        row.start,
        row.decreases,
        row.dec_other_class,
        row.dec_above_line,
        row.dec_other,
        row.increases,
        row.inc_other_class,
        row.inc_returned,
        row.inc_new,
        row.inc_other,
        row.end,
    )
    return [(value, COUNT) for value in values]


GROUP_COLUMNS = (
    Col("Đơn vị", width=30, number="A"),
    Col("Hộ nghèo", "Tổng số", number="1"),
    Col("Hộ cận nghèo", "Tổng số", number="2"),
    Col("Hộ nghèo", "Hộ dân tộc thiểu số", number="3"),
    Col("Hộ cận nghèo", "Hộ dân tộc thiểu số", number="4"),
    Col("Hộ nghèo", "Hộ có người có công với cách mạng", number="5"),
    Col("Hộ cận nghèo", "Hộ có người có công với cách mạng", number="6"),
    Col("Hộ nghèo", "Hộ không có người trong độ tuổi có khả năng lao động", number="7"),
    Col("Hộ cận nghèo", "Hộ không có người trong độ tuổi có khả năng lao động", number="8"),
)


def _group_values(row: SummaryRow) -> list[tuple[Any, str]]:
    values = (
        row.poor,
        row.near_poor,
        row.poor_minority,
        row.near_poor_minority,
        row.poor_merit,
        row.near_poor_merit,
        row.poor_no_labour,
        row.near_poor_no_labour,
    )
    return [(value, COUNT) for value in values]


DEPRIVATION_COLUMNS = (
    Col("Chiều thiếu hụt", width=16, number="A"),
    Col("Chỉ số thiếu hụt", width=36, number="B"),
    Col("Số hộ thiếu hụt", "Hộ nghèo", width=12, number="1"),
    Col("Tỷ lệ (%)", "Hộ nghèo", width=10, number="2"),
    Col("Số hộ thiếu hụt", "Hộ cận nghèo", width=12, number="3"),
    Col("Tỷ lệ (%)", "Hộ cận nghèo", width=10, number="4"),
)


def report_workbook(
    scope: ReportScope,
    *,
    prepared_by: str = "",
    place: str = "",
    dated: date | None = None,
) -> bytes:
    """The round's report for the scope's unit, by child unit: one sheet per report table."""
    dated = dated or timezone.localdate()
    rnd = scope.review_round
    period = _period_words(rnd)
    unit_line = _unit_line(scope.unit)
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    workbook.properties.title = f"Báo cáo rà soát hộ nghèo, hộ cận nghèo {period.lower()}"
    workbook.properties.creator = "ranoheo"

    def finish(sheet: _Sheet) -> None:
        sheet.signatures(prepared_by, place, dated)
        sheet.print_setup()

    # Tổng hợp
    report = summary(scope)
    sheet = _Sheet(workbook, SUMMARY_SHEET, SUMMARY_COLUMNS)
    sheet.preamble(f"TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO {period}", scope, unit_line)
    sheet.header()
    for row in report.rows:
        sheet.data_row(row.label, _summary_values(row))
    sheet.data_row(report.total.label, _summary_values(report.total), bold=True)
    sheet.note(
        "Tỷ lệ = số hộ / tổng số hộ dân cư của đơn vị (cột 1); để trống khi đơn vị chưa nhập "
        "tổng số hộ dân cư. Cột 12: số hộ được điều chỉnh khác kết quả tính theo bộ chỉ số."
    )
    if scope.unit.level == AdminUnit.Level.PROVINCE:
        sheet.row += 1
        sheet.data_row(
            f"Tỷ lệ hộ nghèo mục tiêu năm {rnd.year} của tỉnh"
            + ("" if report.target_rate is not None else " (chưa nhập)"),
            [(_pct(report.target_rate), PERCENT)],
            label_span=4,
        )
        sheet.data_row(
            "Chênh lệch: tỷ lệ thực tế trừ mục tiêu (điểm phần trăm)",
            [(report.target_gap, POINTS)],
            label_span=4,
        )
    finish(sheet)

    # Biến động hộ nghèo, hộ cận nghèo
    both = movements_both(scope)
    for target, name, noun in (
        ("poor", POOR_MOVEMENT_SHEET, "HỘ NGHÈO"),
        ("near_poor", NEAR_POOR_MOVEMENT_SHEET, "HỘ CẬN NGHÈO"),
    ):
        moves: Movements = both[target]
        before = moves.previous_round
        start = (
            f"Đầu kỳ: kết quả đợt {str(before).lower()}"
            if before
            else "Không có đợt rà soát định kỳ trước: đầu kỳ bằng 0."
        )
        sheet = _Sheet(workbook, name, _movement_columns(target))
        sheet.preamble(f"TỔNG HỢP DIỄN BIẾN {noun} {period}", scope, unit_line, start)
        sheet.header()
        for heading, rows, total in (
            ("I. Số hộ", moves.households, moves.households_total),
            ("II. Số nhân khẩu", moves.persons, moves.persons_total),
        ):
            sheet.section(heading)
            for movement in rows:
                sheet.data_row(movement.label, _movement_values(movement))
            sheet.data_row(total.label, _movement_values(total), bold=True)
        sheet.note("Cuối kỳ = Đầu kỳ − Giảm + Tăng (cột 11 = cột 1 − cột 2 + cột 6).")
        finish(sheet)

    # Thiếu hụt
    sheet = _Sheet(workbook, DEPRIVATION_SHEET, DEPRIVATION_COLUMNS)
    sheet.preamble(
        f"PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO, HỘ CẬN NGHÈO {period}",
        scope,
        unit_line,
    )
    sheet.header()
    sheet.data_row(
        "Tổng số hộ (mẫu số của tỷ lệ)",
        [(report.total.poor, COUNT), (None, PERCENT), (report.total.near_poor, COUNT)],
        bold=True,
        label_span=2,
    )
    standard = scope.standard
    dimension_label = {d.key: d.label_vi for d in standard.dimensions}
    items = deprivations(scope, report.total)
    first_of_dimension = sheet.row
    for index, item in enumerate(items):
        dimension = standard.indicator(item.key).dimension
        row_number = sheet.data_row(
            dimension_label.get(dimension, dimension),
            [
                (item.poor, COUNT),
                (_pct(item.poor_rate), PERCENT),
                (item.near_poor, COUNT),
                (_pct(item.near_poor_rate), PERCENT),
            ],
            second_label=item.label,
        )
        following = items[index + 1] if index + 1 < len(items) else None
        if following is None or standard.indicator(following.key).dimension != dimension:
            sheet.merge(first_of_dimension, 1, 1, end_row=row_number)
            first_of_dimension = row_number + 1
    sheet.data_row(
        "Tổng số lượt thiếu hụt",
        [
            (sum(r.poor for r in items), COUNT),
            (None, PERCENT),
            (sum(r.near_poor for r in items), COUNT),
        ],
        bold=True,
        label_span=2,
    )
    sheet.note(
        "Tỷ lệ = số hộ thiếu hụt chỉ số / tổng số hộ nghèo (hoặc cận nghèo) của đơn vị. "
        "Một hộ có thể thiếu hụt nhiều chỉ số."
    )
    finish(sheet)

    # Nhóm đối tượng
    sheet = _Sheet(workbook, GROUP_SHEET, GROUP_COLUMNS)
    sheet.preamble(
        f"PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO CÁC NHÓM ĐỐI TƯỢNG {period}", scope, unit_line
    )
    sheet.header()
    for row in report.rows:
        sheet.data_row(row.label, _group_values(row))
    sheet.data_row(report.total.label, _group_values(report.total), bold=True)
    sheet.note(
        "Hộ dân tộc thiểu số: chủ hộ là người dân tộc thiểu số. Một hộ có thể thuộc nhiều nhóm."
    )
    finish(sheet)

    workbook.active = 0
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The detailed household list (write-only, streamed) ------------------------------------------


def _household_columns(with_district: bool) -> list[tuple[str, float]]:
    return [
        ("STT", 7),
        *([("Huyện", 18)] if with_district else []),
        ("Xã", 18),
        ("Thôn", 16),
        ("Họ và tên chủ hộ", 24),
        ("Địa chỉ", 28),
        ("Phân loại", 14),
        ("Số nhân khẩu", 9),
        ("Điểm thu nhập", 10),
        ("Điểm thiếu hụt", 10),
        ("Các chỉ số thiếu hụt", 45),
        ("Điều chỉnh so với kết quả tính", 12),
        ("Lý do điều chỉnh", 36),
    ]


class _SheetStream(WorksheetWriter):
    """openpyxl's writer of one write-only sheet, its rows written as ready-made XML.

    openpyxl serialises rows a cell at a time, about 4,000 rows of this list a second on the
    reference machine: a province's million households would take four minutes. openpyxl still
    writes everything around the rows (sheet properties, frozen pane, column widths, page setup,
    autofilter) and packs the workbook; this class writes only the <sheetData> rows, where every
    text is an inline string: a formula is never written, whatever the text begins with.
    """

    def __init__(self, ws: Any) -> None:
        self.row_count = 0
        super().__init__(ws)  # opens the temporary file through get_stream

    def get_stream(self) -> Generator[None, Any, None]:  # type: ignore[override]
        with open(cast(str, self.out), "w", encoding="utf-8") as out:
            self._file = out
            out.write(f'<worksheet xmlns="{SHEET_MAIN_NS}">')
            try:
                while True:
                    element = yield
                    if element is not None:  # a part openpyxl writes: views, cols, page setup…
                        out.write(tostring(element).decode())
            except GeneratorExit:
                pass
            out.write("</worksheet>")

    def open_rows(self) -> None:
        self._file.write("<sheetData>")

    def write_rows(self) -> None:
        # Called by openpyxl when the workbook is saved: the rows are already written.
        self._file.write("</sheetData>")

    def write_values(self, values: Sequence[object], style_id: int | None = None) -> None:
        self.row_count += 1
        row = self.row_count
        style = "" if style_id is None else f' s="{style_id}"'
        cells = []
        for letter, value in zip(_LETTERS, values, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                text = safe_text(value)
                space = ' xml:space="preserve"' if text != text.strip() else ""
                cells.append(
                    f'<c r="{letter}{row}"{style} t="inlineStr">'
                    f"<is><t{space}>{xml_escape(text)}</t></is></c>"
                )
            elif isinstance(value, int | Decimal | float) and not isinstance(value, bool):
                cells.append(f'<c r="{letter}{row}"{style}><v>{value}</v></c>')
            else:
                raise TypeError(f"no cell for {type(value).__name__}")
        self._file.write(f'<row r="{row}">{"".join(cells)}</row>')


_LETTERS = [get_column_letter(i) for i in range(1, 64)]


def _household_sheet(
    workbook: Workbook, number: int, columns: list[tuple[str, float]]
) -> tuple[Any, _SheetStream]:
    title = HOUSEHOLD_SHEET if number == 1 else f"{HOUSEHOLD_SHEET} ({number})"
    ws = workbook.create_sheet(title)
    # Column widths, frozen pane and print setup come before the rows in the sheet's XML.
    for index, (_label, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws)
    stream = _SheetStream(ws)
    ws._writer = stream
    stream.write_top()
    stream.open_rows()
    header = WriteOnlyCell(ws)
    header.font = Font(bold=True)
    header.alignment = _CENTER
    header.fill = _HEADER_FILL
    header.border = _BOX
    stream.write_values([label for label, _width in columns], style_id=header.style_id)
    return ws, stream


def households_export(
    scope: ReportScope,
    out: str | PathLike[str] | IO[bytes],
    *,
    classes: Sequence[str] = ("poor", "near_poor"),
) -> int:
    """Write the scope's poor / near-poor households, one row each; return the number of rows.

    One query, streamed in chunks, and a write-only workbook: memory stays flat however many
    rows. No citizen IDs or birth dates. A sheet holds at most `MAX_SHEET_ROWS` rows including
    its header; the numbering runs on across sheets.
    """
    if not classes or set(classes) - set(Classification.values):
        raise ValueError(f"classes must be among {Classification.values}")
    with_district = scope.review_round.province.edition.has_districts
    columns = _household_columns(with_district)
    last_column = get_column_letter(len(columns))
    fields = [
        *(["commune__parent__name"] if with_district else []),
        "commune__name",
        "village__name",
        "household__head_name",
        "household__address",
        "final_classification",
        "computed_classification",
        "member_count",
        "income_score",
        "deprivation_score",
        "deprived",
        "override_reason",
    ]
    rows = (
        SurveyResponse.objects.filter(
            scope.response_filter(),
            status__in=scope.statuses,
            final_classification__in=list(classes),
        )
        .order_by("village__path", "household__head_name_key", "household_id")
        .values_list(*fields)
    )
    indicator_labels = {i.key: i.label_vi for i in scope.standard.indicators}
    class_labels = {value: str(label) for value, label in Classification.choices}
    per_sheet = max(1, MAX_SHEET_ROWS - 1)

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "ranoheo"
    sheets: list[tuple[Any, _SheetStream]] = []
    in_sheet = per_sheet
    written = 0
    stream: _SheetStream | None = None
    for record in rows.iterator(chunk_size=CHUNK_SIZE):
        if stream is None or in_sheet >= per_sheet:
            sheets.append(_household_sheet(workbook, len(sheets) + 1, columns))
            stream = sheets[-1][1]
            in_sheet = 0
        *places, head, address, final, computed, members, income, points, deprived, reason = record
        written += 1
        in_sheet += 1
        stream.write_values(
            [
                written,
                *places,
                head,
                address,
                class_labels.get(final, final),
                members,
                income,
                points,
                "; ".join(indicator_labels.get(key, key) for key in deprived or ()),
                "Có" if final != computed else "Không",
                reason,
            ]
        )
    if not sheets:
        sheets.append(_household_sheet(workbook, 1, columns))
    for ws, sheet_stream in sheets:
        ws.auto_filter.ref = f"A1:{last_column}{sheet_stream.row_count}"
    workbook.save(out)
    return written
