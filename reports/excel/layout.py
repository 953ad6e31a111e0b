"""The official-table layout kit: every workbook of the reports is laid out with it.

An official summary table (biểu tổng hợp) has a title, the unit and the period above it, a header of
merged multi-row labels with a row of column numbers ("A", "1", "2=3+4+5"…) under it, the rows and a
bold totals row, notes, then the signature block (place and date, who prepared it, the head of the
unit) and an A4 landscape print setup that repeats the header on every page. `Sheet` builds one
such sheet; the household list uses the same header style and print setup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from areas.models import AdminUnit
from reports.selectors import BASIS_LABELS, ReportScope
from survey.models import ReviewRound

from .cells import safe_text, write_text

COUNT = "#,##0"
PERCENT = "0.00%"
POINTS = "+0.00;-0.00;0.00"

FONT = "Times New Roman"
BODY = Font(name=FONT, size=11)
BOLD = Font(name=FONT, size=11, bold=True)
ITALIC = Font(name=FONT, size=11, italic=True)
SMALL_ITALIC = Font(name=FONT, size=9, italic=True)
TITLE = Font(name=FONT, size=14, bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

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
# A marked note: something in the table the reader must check before signing.
WARNING = Font(name=FONT, size=11, bold=True, color="C00000")
WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")


def place_name(unit: AdminUnit) -> str:
    """The place written before the date of a signature block: "Huyện Bình Lục" → "Bình Lục"."""
    for prefix in _KIND_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


# --- One official table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    label: str
    group: str | None = None  # columns with the same group share a merged cell above their labels
    width: float = 12
    number: str = ""  # the column-number row of official tables: "A", "1", "2=3+4+5"…


def period_words(review_round: ReviewRound) -> str:
    if review_round.kind == ReviewRound.Kind.REGULAR and review_round.month:
        return f"THÁNG {review_round.month} NĂM {review_round.year}"
    return f"NĂM {review_round.year}"


def unit_line(unit: AdminUnit) -> str:
    names = [u.name for u in unit.ancestors()]
    return ", ".join([unit.name, *reversed(names)])


def pct(value: Decimal | None) -> Decimal | None:
    """A rate in percent (12.34) as the fraction a '0.00%' cell holds (0.1234)."""
    return None if value is None else value / 100


class Sheet:
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
        cell.alignment = CENTER
        self.merge(self.row, 1, self.width)
        self.ws.row_dimensions[self.row].height = 20 if font is TITLE else 16
        self.row += 1

    def preamble(self, title: str, scope: ReportScope, unit_line: str, *extra: str) -> None:
        self.banner(title, TITLE)
        self.banner(f"Đơn vị: {unit_line}", BOLD, user_text=True)
        rnd = scope.review_round
        self.banner(
            f"Đợt rà soát: {rnd} ({rnd.starts_on:%d/%m/%Y} – {rnd.ends_on:%d/%m/%Y}) · "
            f"Số liệu: {BASIS_LABELS[scope.basis]}",
            ITALIC,
        )
        for line in extra:
            self.banner(line, ITALIC)
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
            cell.font = SMALL_ITALIC
            cell.alignment = CENTER
            cell.border = BOX
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
        cell.font = BOLD
        cell.alignment = CENTER
        cell.border = BOX
        cell.fill = HEADER_FILL

    def section(self, text: str) -> None:
        """A bold line across the table ("I. Số hộ")."""
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = BOLD
        cell.alignment = LEFT
        for col in range(1, self.width + 1):
            self.ws.cell(row=self.row, column=col).border = BOX
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
        font = BOLD if bold else BODY
        row = self.row
        cell = write_text(self.ws.cell(row=row, column=1), label)
        cell.font = font
        cell.alignment = CENTER if bold and label_span == 1 else LEFT
        cell.border = BOX
        for col in range(2, label_span + 1):
            self.ws.cell(row=row, column=col).border = BOX
        self.merge(row, 1, label_span)
        first_value = label_span + 1
        if second_label is not None:
            cell = write_text(self.ws.cell(row=row, column=2), second_label)
            cell.font = font
            cell.alignment = LEFT
            cell.border = BOX
            first_value = 3
        for col, (value, number_format) in enumerate(values, start=first_value):
            cell = self.ws.cell(row=row, column=col, value=value)
            cell.number_format = number_format
            cell.font = font
            cell.alignment = RIGHT
            cell.border = BOX
            if bold:
                cell.fill = TOTAL_FILL
        if bold:
            self.ws.cell(row=row, column=1).fill = TOTAL_FILL
        self.row += 1
        return row

    def note(self, text: str) -> None:
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = SMALL_ITALIC
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.merge(self.row, 1, self.width)
        self.ws.row_dimensions[self.row].height = 28
        self.row += 1

    def warning(self, text: str) -> int:
        """A marked note across the table (bold red on yellow); `text` may hold user text."""
        row = self.row
        cell = write_text(self.ws.cell(row=row, column=1), text)
        cell.font = WARNING
        cell.fill = WARNING_FILL
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.merge(row, 1, self.width)
        width = sum(column.width for column in self.columns)
        self.ws.row_dimensions[row].height = 15.0 * -(-len(text) // max(1, int(width))) + 3
        self.row += 1
        return row

    # Signature block and print setup

    def signatures(self, prepared_by: str, place: str, dated: date) -> None:
        self.row += 1
        side = max(2, self.width // 3)
        left = (1, min(side, self.width))
        right = (max(self.width - side + 1, left[1] + 1), max(self.width, left[1] + 1))
        where = safe_text(place).strip() or "……………"
        lines: list[tuple[tuple[int, int], str, Font, bool]] = [
            (right, f"{where}, ngày {dated:%d} tháng {dated:%m} năm {dated:%Y}", ITALIC, True),
        ]
        for (left_text, left_font), (right_text, right_font) in (
            (("Người lập biểu", BOLD), ("Thủ trưởng đơn vị", BOLD)),
            (("(Ký, ghi rõ họ tên)", ITALIC), ("(Ký tên, đóng dấu)", ITALIC)),
        ):
            lines.append((left, left_text, left_font, False))
            lines.append((right, right_text, right_font, True))
        row = self.row
        for (first, last), text, font, advance in lines:
            cell = self.ws.cell(row=row, column=first)
            write_text(cell, text)
            cell.font = font
            cell.alignment = CENTER
            self.merge(row, first, last)
            if advance:
                row += 1
        row += 3  # room to sign
        if prepared_by.strip():
            cell = write_text(self.ws.cell(row=row, column=left[0]), prepared_by.strip())
            cell.font = BOLD
            cell.alignment = CENTER
            self.merge(row, left[0], left[1])
        self.row = row + 1

    def print_setup(self) -> None:
        print_setup(self.ws)


def print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
