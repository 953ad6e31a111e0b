"""The official-table layout kit: every workbook of the reports is laid out with it.

An official summary table (biểu tổng hợp) opens with the administrative heading: the issuing body on
the left (the parent body over the issuer, upper case: "UBND HUYỆN BÌNH LỤC" over "UBND XÃ BÌNH
NGHĨA"), the national motto on the right ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" over "Độc lập - Tự do
- Hạnh phúc", underlined), the form number ("Biểu số 01") and the unit of measure. Then the title,
the unit and the period, a header of merged multi-row labels with a row of column numbers ("A",
"1", "2=3+4+5"…) under it, the bordered rows and a bold totals row, notes, then, after a blank row,
the signature block (place and date, who prepared it, the head of the unit), and an A4 landscape
print setup, fit to the page width, that repeats the header on every page.

The heading, the title lines and the signature block are built here once, as `Line`s (pieces of
text over column spans, with a row height that shows them whole); `Sheet` writes them into an
ordinary worksheet, the household list streams the same lines into its write-only sheet.

Form numbers: the official appendix of report forms (TT 07/2021) could not be sourced (see the
domain research, §2.6). The numbers follow the list of 15 standard tables found there (01 overall
results, 02 and 03 movements of poor and near-poor households, 04–07 deprivations, 08 groups, 14–15
detailed lists) and every sheet says in a note that they are this software's numbering.

openpyxl does not fit row heights, and neither LibreOffice nor Excel grows a row for a merged cell:
every wrapped title, header or signature line gets a height computed from its text and the width of
the columns it spans (`text_lines`), generous rather than tight.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from areas.models import AdminUnit
from core.text import unaccent
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
HEAD = Font(name=FONT, size=12)  # the parent body of the heading
HEAD_BOLD = Font(name=FONT, size=12, bold=True)  # the issuer, the first motto line
MOTTO_FONT = Font(name=FONT, size=12, bold=True, underline="single")
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
RIGHT_WRAP = Alignment(horizontal="right", vertical="center", wrap_text=True)
NOTE_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

# A marked note: something in the table the reader must check before signing.
WARNING = Font(name=FONT, size=11, bold=True, color="C00000")
WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBERING_NOTE = (
    "Số hiệu biểu theo cách đánh số của phần mềm (chưa đối chiếu được với phụ lục biểu mẫu "
    "chính thức)."
)
# Form numbers of the workbooks' sheets (see the module's docstring: this software's numbering).
FORM_SUMMARY = "01"
FORM_POOR_MOVEMENT = "02"
FORM_NEAR_POOR_MOVEMENT = "03"
FORM_DEPRIVATION = "04"
FORM_GROUPS = "08"
FORM_HOUSEHOLDS = "14"
# The summary and the movement tables split into I. urban and II. rural ("a": a variant of 01–03).
FORM_SUMMARY_AREAS = "01a"
FORM_POOR_AREAS = "02a"
FORM_NEAR_POOR_AREAS = "03a"

# The poverty portfolio of a province's or district's people's committee: labour, invalids and
# social affairs until it moved to agriculture and environment (ND 35/2025/NĐ-CP, from 1 March
# 2025). The office named is the one in charge on the day the workbook is made.
PORTFOLIO_MOVED_ON = date(2025, 3, 1)
OFFICE_BEFORE = "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
OFFICE_AFTER = "NÔNG NGHIỆP VÀ MÔI TRƯỜNG"

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
    "Thôn ",
    "Tổ dân phố ",
)


def place_name(unit: AdminUnit) -> str:
    """The place written before the date of a signature block: "Huyện Bình Lục" → "Bình Lục".

    The kind is dropped as is the custom, except where the name is only a number ("Phường 1"
    stays "Phường 1").
    """
    for prefix in _KIND_PREFIXES:
        if unit.name.startswith(prefix):
            rest = unit.name[len(prefix) :]
            return unit.name if rest.strip().isdigit() else rest
    return unit.name


def signing_unit(user_unit: AdminUnit | None, report_unit: AdminUnit) -> AdminUnit:
    """The unit whose office issues a workbook: the preparer's, or the report's for an account
    without a unit (an administrator); a village's documents are issued by its commune."""
    unit = user_unit or report_unit
    if unit.level == AdminUnit.Level.VILLAGE and unit.parent is not None:
        return unit.parent
    return unit


def preparer_name(user: User) -> str:
    """The name on the "Người lập biểu" line: the person's name, else the account's username."""
    return (user.get_full_name() or "").strip() or user.username


def _committee(unit: AdminUnit) -> str:
    return f"UBND {unit.name.upper()}"


def issuing_body(unit: AdminUnit, dated: date) -> tuple[str, str]:
    """The two lines of the issuing body, upper case: (the parent body, the issuer).

    A commune issues as its people's committee under the district's (or, on a tree without
    districts, the province's); a district or province issues as the office in charge of poverty
    reduction under its people's committee.
    """
    office = OFFICE_BEFORE if dated < PORTFOLIO_MOVED_ON else OFFICE_AFTER
    if unit.level == AdminUnit.Level.PROVINCE:
        return _committee(unit), f"SỞ {office}"
    if unit.level == AdminUnit.Level.DISTRICT:
        return _committee(unit), f"PHÒNG {office}"
    parent = unit.parent
    return (_committee(parent) if parent is not None else ""), _committee(unit)


@dataclass(frozen=True)
class Signing:
    """Who issues a workbook, where and when: the heading and the signature block of every sheet."""

    unit: AdminUnit | None = None  # the issuing unit (`signing_unit`); None: the report's unit
    prepared_by: str = ""
    place: str = ""
    dated: date | None = None

    def issuer(self, scope: ReportScope, dated: date) -> tuple[str, str]:
        """The issuing body's two lines for a workbook of `scope`."""
        return issuing_body(signing_unit(self.unit, scope.unit), dated)


# --- Download names ------------------------------------------------------------------------------

# The basis of the numbers in a file name: two downloads of different bases never share a name.
BASIS_WORDS = {"approved": "đã duyệt", "submitted": "đã nộp"}
REPORT_WORDS = {"summary": "Tổng hợp", "households": "Danh sách hộ"}


def _slug(text: str) -> str:
    plain = unaccent(text).lower()
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in plain).split())


def download_names(kind: str, scope: ReportScope, made_on: date) -> tuple[str, str]:
    """The file names of a download: (ASCII, Vietnamese), from the report, the round (its month
    for a regular round), the unit (its name and code: names repeat across districts), the basis
    and the day: "tong-hop-2024-huyen-binh-luc-352-da-duyet-2026-12-02.xlsx"."""
    rnd = scope.review_round
    period = f"{rnd.year}" if not rnd.month else f"{rnd.year} tháng {rnd.month:02d}"
    words = [
        REPORT_WORDS[kind],
        period,
        f"{scope.unit.name} {scope.unit.code}",
        BASIS_WORDS.get(scope.basis, scope.basis),
        f"{made_on:%Y-%m-%d}",
    ]
    ascii_name = "-".join(_slug(word) for word in words) + ".xlsx"
    readable = " - ".join(safe_text(word).replace("/", "-").replace('"', "") for word in words)
    return ascii_name, readable + ".xlsx"


# --- Lines: text over column spans, with a height that shows it whole ----------------------------


def _char_width(char: str, bold: bool) -> float:
    # Times New Roman at 11 pt in column units: a unit is the width of a "0" of the workbook's
    # default font (`new_workbook`: Times New Roman too), 7 px, about 5.3 pt in Excel and 5.5 pt
    # in LibreOffice. Capitals about 0.7 em, small letters 0.48 em, digits 0.5 em, a space
    # 0.25 em, each with a little to spare; bold a little wider.
    if char == " ":
        return 0.55
    if char.isupper() or char in "%—–&@":
        return 1.52 if bold else 1.45
    if char.isdigit():
        return 1.12
    return 1.06 if bold else 1.0


def text_width(text: str, font: Font) -> float:
    """The width of `text` on one line, in column units."""
    scale = (font.sz or 11) / 11
    return sum(_char_width(c, bool(font.b)) for c in str(text)) * scale


def text_lines(text: str, width: float, font: Font) -> int:
    """How many lines `text` takes wrapped in `width` column units (the width of a "0" of the
    default 11-pt font), by greedy word wrap; generous, so that nothing is cut."""
    capacity = max(1.0, width - 1.0)
    space = text_width(" ", font)
    count = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split(" "):
            size = text_width(word, font)
            gap = space if used else 0.0
            if used and used + gap + size > capacity:
                lines += 1
                used = gap = 0.0
            while size > capacity:  # a word longer than the line breaks anywhere
                lines += 1
                size -= capacity
            used += gap + size
        count += lines
    return count


def line_height(font: Font, lines: int = 1) -> float:
    """Points for `lines` lines of `font`, with a little room above and below."""
    return round(lines * (font.sz or 11) * 1.3 + 4, 1)


@dataclass(frozen=True)
class Piece:
    first: int  # first and last column of the span (1-based)
    last: int
    text: str
    font: Font
    align: Alignment = CENTER
    user_text: bool = False  # typed by users: written as a string, never a formula
    fill: PatternFill | None = None


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    height: float | None = None  # None: the application's default height


def fitted(pieces: Sequence[Piece], widths: Sequence[float]) -> Line:
    """A line of pieces, as high as its longest wrapped piece needs."""
    height = max(
        (
            line_height(p.font, text_lines(p.text, sum(widths[p.first - 1 : p.last]), p.font))
            for p in pieces
            if p.text
        ),
        default=None,
    )
    return Line(tuple(pieces), height)


def two_blocks(
    widths: Sequence[float], left_need: float, right_need: float
) -> tuple[tuple[int, int], tuple[int, int]]:
    """A left and a right block of columns (first, last) that never share a column, each the
    narrowest span from its edge at least as wide as it needs; where the table is too narrow for
    both, the split that leaves the least of them short (their text wraps)."""
    count = len(widths)
    if count < 2:
        return (1, 1), (1, 1)
    left_last = next((k for k in range(1, count) if sum(widths[:k]) >= left_need), count - 1)
    right_first = next((k for k in range(count, 1, -1) if sum(widths[k - 1 :]) >= right_need), 2)
    if left_last < right_first:
        return (1, left_last), (right_first, count)

    def short(k: int) -> float:
        return max(0.0, left_need - sum(widths[:k])) + max(0.0, right_need - sum(widths[k:]))

    split = min(range(1, count), key=short)
    return (1, split), (split + 1, count)


def heading_lines(widths: Sequence[float], issuer: tuple[str, str], form: str) -> list[Line]:
    """The administrative heading: issuing body | motto, form number | unit of measure."""
    parent, body = issuer
    left_need = max(text_width(parent, HEAD), text_width(body, HEAD_BOLD)) + 3
    left, right = two_blocks(widths, left_need, text_width(NATION, HEAD_BOLD) + 3)
    lines: list[tuple[Piece, ...]] = []
    if parent:
        lines.append(
            (
                Piece(*left, parent, HEAD, user_text=True),
                Piece(*right, NATION, HEAD_BOLD),
            )
        )
        lines.append(
            (Piece(*left, body, HEAD_BOLD, user_text=True), Piece(*right, MOTTO, MOTTO_FONT))
        )
    else:
        lines.append(
            (Piece(*left, body, HEAD_BOLD, user_text=True), Piece(*right, NATION, HEAD_BOLD))
        )
        lines.append((Piece(*right, MOTTO, MOTTO_FONT),))
    lines.append((Piece(*left, f"Biểu số {form}", BOLD),))
    return [fitted(pieces, widths) for pieces in lines]


def measure_line(widths: Sequence[float], measure: str) -> Line:
    """ "Đơn vị tính: …" at the right, just above the table."""
    text = f"Đơn vị tính: {measure}"
    _left, right = two_blocks(widths, 1, text_width(text, ITALIC) + 3)
    return fitted([Piece(*right, text, ITALIC, RIGHT_WRAP)], widths)


def title_lines(widths: Sequence[float], title: str, *lines: tuple[str, Font, bool]) -> list[Line]:
    """The title (across the table) and the lines under it: (text, font, typed by users)."""
    last = len(widths)
    result = [fitted([Piece(1, last, title, TITLE)], widths)]
    for text, font, user_text in lines:
        result.append(fitted([Piece(1, last, text, font, user_text=user_text)], widths))
    return result


def signature_lines(widths: Sequence[float], signing: Signing, dated: date) -> list[Line]:
    """The signature block, under a blank line: the date line on the right, then who prepared the
    table (left) and the head of the unit (right), room to sign, the preparer's name."""
    where = safe_text(signing.place).strip() or "……………"
    date_text = f"{where}, ngày {dated:%d} tháng {dated:%m} năm {dated:%Y}"
    name = signing.prepared_by.strip()
    left_need = max(text_width("(Ký, ghi rõ họ tên)", ITALIC), text_width(name, BOLD)) + 3
    left, right = two_blocks(widths, left_need, text_width(date_text, ITALIC) + 3)
    blank = Line(())
    lines = [
        blank,
        fitted([Piece(*right, date_text, ITALIC, user_text=True)], widths),
        fitted(
            [Piece(*left, "Người lập biểu", BOLD), Piece(*right, "Thủ trưởng đơn vị", BOLD)],
            widths,
        ),
        fitted(
            [
                Piece(*left, "(Ký, ghi rõ họ tên)", ITALIC),
                Piece(*right, "(Ký tên, đóng dấu)", ITALIC),
            ],
            widths,
        ),
        blank,
        blank,
        blank,
    ]
    lines.append(fitted([Piece(*left, name, BOLD, user_text=True)] if name else [], widths))
    return lines


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


def period_line(scope: ReportScope) -> str:
    rnd = scope.review_round
    return (
        f"Đợt rà soát: {rnd} ({rnd.starts_on:%d/%m/%Y} – {rnd.ends_on:%d/%m/%Y}) · "
        f"Số liệu: {BASIS_LABELS[scope.basis]}"
    )


class Sheet:
    """One report sheet: heading, title and period, a merged multi-row header, bordered rows,
    notes, signature block."""

    def __init__(self, workbook: Workbook, name: str, columns: Sequence[Col]) -> None:
        self.ws: Worksheet = workbook.create_sheet(name)
        self.columns = list(columns)
        self.widths = [column.width for column in self.columns]
        self.width = len(self.columns)
        self.row = 1
        self._styles: dict[tuple[Any, ...], StyleArray] = {}
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width

    # Cells

    def style(
        self,
        cell: Any,
        font: Font,
        align: Alignment,
        *,
        number_format: str | None = None,
        fill: PatternFill | None = None,
        border: Border | None = BOX,
    ) -> None:
        """Give `cell` a font, an alignment, a number format, a fill and a border: the first
        time through openpyxl's setters, then by copying the style they made (setting each
        attribute hashes openpyxl's style objects, which was a third of a big workbook's time)."""
        key = (id(font), id(align), number_format, id(fill), id(border))
        made = self._styles.get(key)
        if made is not None:
            cell._style = copy(made)
            return
        cell.font = font
        cell.alignment = align
        if number_format is not None:
            cell.number_format = number_format
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        self._styles[key] = copy(cell._style)

    def merge(self, row: int, first: int, last: int, end_row: int | None = None) -> None:
        """`Worksheet.merge_cells`, with the edge cells' borders copied from cached styles.

        openpyxl gives each edge cell of the range the matching side of the top-left cell's
        border by adding Border objects, which hashes them: a third of a province workbook's
        time. This makes the same cells with the same styles (the sheets' XML is unchanged),
        each distinct edge style built once per sheet."""
        if not (last > first or (end_row or row) > row):
            return
        bottom = end_row or row
        ws = self.ws
        merged = MergedCellRange(
            ws, f"{get_column_letter(first)}{row}:{get_column_letter(last)}{bottom}"
        )
        ws.merged_cells.add(merged)
        start: Any = merged.start_cell
        border = start.border
        for r in range(row, bottom + 1):
            for c in range(first, last + 1):
                if r == row and c == first:
                    continue
                cell: Any = MergedCell(ws, row=r, column=c)
                ws._cells[(r, c)] = cell
                edges = (r == row, c == first, c == last, r == bottom)
                if not any(edges):
                    continue
                key = ("merged", start._style.borderId, edges)
                made = self._styles.get(key)
                if made is not None:
                    cell._style = copy(made)
                    continue
                # As openpyxl's MergedCellRange.format, side by side.
                for name, edge in zip(("top", "left", "right", "bottom"), edges, strict=True):
                    side = getattr(border, name)
                    if not edge or (side and side.style is None):
                        continue
                    cell.border += Border(**{name: side})
                self._styles[key] = copy(cell._style)

    def write_line(self, line: Line) -> int:
        """Write a line of the layout kit on the next row; return its row."""
        row = self.row
        for piece in line.pieces:
            cell = self.ws.cell(row=row, column=piece.first)
            if piece.user_text:
                write_text(cell, piece.text)
            else:
                cell.value = piece.text
            cell.font = piece.font
            cell.alignment = piece.align
            if piece.fill is not None:
                cell.fill = piece.fill
            self.merge(row, piece.first, piece.last)
        if line.height is not None:
            self.ws.row_dimensions[row].height = line.height
        self.row += 1
        return row

    def preamble(
        self,
        title: str,
        scope: ReportScope,
        unit_line: str,
        *extra: str,
        form: str,
        measure: str,
        signing: Signing,
        dated: date,
    ) -> None:
        """The heading (issuing body, motto, form number), the title, the unit and the period,
        the extra lines, then the unit of measure just above the table."""
        for line in heading_lines(self.widths, signing.issuer(scope, dated), form):
            self.write_line(line)
        self.row += 1
        for line in title_lines(
            self.widths,
            title,
            (f"Đơn vị: {unit_line}", BOLD, True),
            (period_line(scope), ITALIC, False),
            *((text, ITALIC, False) for text in extra),
        ):
            self.write_line(line)
        self.write_line(measure_line(self.widths, measure))

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
        upper, lower = self._header_heights()
        self.ws.row_dimensions[top].height = upper
        self.ws.row_dimensions[top + 1].height = lower
        self.row = top + 3
        self.ws.freeze_panes = f"B{self.row}"
        self.ws.print_title_rows = f"{top}:{top + 2}"

    def _header_heights(self) -> tuple[float, float]:
        """Heights of the two label rows that show every label whole: a group label needs its
        lines in the upper row, a column label under a group in the lower row, and an ungrouped
        label (merged over both) its lines in the two together."""
        upper_lines = lower_lines = 1
        both_lines = 1
        index = 0
        while index < self.width:
            column = self.columns[index]
            if column.group is None:
                both_lines = max(both_lines, text_lines(column.label, column.width, BOLD))
                index += 1
                continue
            span = [column]
            while (
                index + len(span) < self.width
                and self.columns[index + len(span)].group == column.group
            ):
                span.append(self.columns[index + len(span)])
            upper_lines = max(
                upper_lines, text_lines(column.group, sum(c.width for c in span), BOLD)
            )
            for member in span:
                lower_lines = max(lower_lines, text_lines(member.label, member.width, BOLD))
            index += len(span)
        # An ungrouped label spreads over both rows: add to the lower row what it still lacks.
        lower_lines = max(lower_lines, both_lines - upper_lines)
        return line_height(BOLD, upper_lines), line_height(BOLD, lower_lines)

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
        table: bool = True,
        fit_label: bool = True,
        subtotal: bool = False,
    ) -> int:
        """The label (user text: forced to a string) over `label_span` columns, or the label and
        `second_label` in columns A and B; then (value, number format) per column. A row of the
        table (`table`) is bordered across the whole width, and as high as its labels need.
        A `subtotal` row ("I. Thành thị", over the units of its part) is bold, its label at the
        left; a `bold` row is a total, its label centred."""
        bold = bold or subtotal
        font = BOLD if bold else BODY
        row = self.row
        cell = write_text(self.ws.cell(row=row, column=1), label)
        cell.font = font
        cell.alignment = CENTER if bold and label_span == 1 and not subtotal else LEFT
        self.merge(row, 1, label_span)
        # A label merged down over several rows (`fit_label=False`) is fitted by its caller.
        lines = text_lines(label, sum(self.widths[:label_span]), font) if fit_label else 1
        first_value = label_span + 1
        if second_label is not None:
            cell = write_text(self.ws.cell(row=row, column=2), second_label)
            cell.font = font
            cell.alignment = LEFT
            first_value = 3
            lines = max(lines, text_lines(second_label, self.widths[1], font))
        last = label_span
        fill = TOTAL_FILL if bold else None
        for col, (value, number_format) in enumerate(values, start=first_value):
            cell = self.ws.cell(row=row, column=col, value=value)
            self.style(cell, font, RIGHT, number_format=number_format, fill=fill)
            last = col
        for col in range(1, (self.width if table else last) + 1):
            if not first_value <= col <= last:  # (the values are bordered already)
                self.ws.cell(row=row, column=col).border = BOX
        if bold:
            self.ws.cell(row=row, column=1).fill = TOTAL_FILL
        if lines > 1:
            self.ws.row_dimensions[row].height = line_height(font, lines)
        self.row += 1
        return row

    def merge_label(
        self, first_row: int, last_row: int, column: int = 1, font: Font = BODY
    ) -> None:
        """Merge a label down over rows, growing the last row if they are too low for it."""
        self.merge(first_row, column, column, end_row=last_row)
        cell = self.ws.cell(row=first_row, column=column)
        need = line_height(font, text_lines(str(cell.value or ""), self.widths[column - 1], font))
        heights = [
            self.ws.row_dimensions[row].height or DEFAULT_ROW_POINTS
            for row in range(first_row, last_row + 1)
        ]
        if need > sum(heights):
            self.ws.row_dimensions[last_row].height = heights[-1] + need - sum(heights)

    def note(self, text: str) -> None:
        self.write_line(fitted([Piece(1, self.width, text, SMALL_ITALIC, NOTE_ALIGN)], self.widths))

    def warning(self, text: str) -> int:
        """A marked note across the table (bold red on yellow); `text` may hold user text."""
        return self.write_line(
            fitted(
                [
                    Piece(
                        1, self.width, text, WARNING, NOTE_ALIGN, user_text=True, fill=WARNING_FILL
                    )
                ],
                self.widths,
            )
        )

    # Signature block and print setup

    def signatures(self, signing: Signing, dated: date) -> None:
        """The form-numbering note, a blank row, then the signature block."""
        self.note(NUMBERING_NOTE)
        for line in signature_lines(self.widths, signing, dated):
            self.write_line(line)

    def print_setup(self) -> None:
        """A4 landscape fit to the page width; a sheet that would spill a little onto a second
        page (its signature block alone under a repeated header) is fit onto one page."""
        print_setup(self.ws)
        heights = self.ws.row_dimensions
        content = sum(heights[row].height or DEFAULT_ROW_POINTS for row in range(1, self.row))
        scale = min(1.0, PAGE_WIDTH_POINTS / (sum(self.widths) * COLUMN_UNIT_POINTS))
        if content * scale <= PAGE_HEIGHT_POINTS * 1.4:
            self.ws.page_setup.fitToHeight = 1


# A4 landscape within the margins of `print_setup`, in points; what a column unit and a row of
# the default height take when LibreOffice prints them.
PAGE_WIDTH_POINTS = (297 / 25.4 - 0.8) * 72
PAGE_HEIGHT_POINTS = (210 / 25.4 - 1.0 - 0.6) * 72
COLUMN_UNIT_POINTS = 5.5
DEFAULT_ROW_POINTS = 15.0


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook whose default font (the "Normal" style) is the tables' Times New Roman.

    The width of a column is counted in "0"s of that font: with openpyxl's default, Calibri,
    Excel and a LibreOffice without Calibri's metrics (it falls back to a wider font) disagree by
    a third, and text fitted for one is cut in the other. With Times New Roman (Liberation Serif
    in LibreOffice, the same metrics) both give a unit of about 5.3–5.5 pt.
    """
    workbook = Workbook(write_only=write_only)
    book = cast(Any, workbook)  # openpyxl keeps the default font and named styles private
    book._fonts = IndexedList([BODY])
    book._named_styles["Normal"].font = BODY
    return workbook


def print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
