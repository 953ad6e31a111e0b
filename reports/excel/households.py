"""The detailed list of poor / near-poor households: a write-only workbook, streamed.

`reports.selectors.household_list` fetches the rows (one query, in chunks); this module only lays
them out, a new sheet whenever one reaches Excel's row limit. Every text is written as an inline
string (`_SheetStream`), never a formula, whatever it begins with.

Each sheet opens with the official heading, the title, unit and period of the layout kit (rows
written in order before the table: a write-only sheet keeps row heights in its rows and merged
cells in a list written after them); the last one ends with the signature block.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from decimal import Decimal
from os import PathLike
from typing import IO, Any, cast
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from reports.selectors import (
    HOUSEHOLD_CHUNK_SIZE,
    ReportScope,
    household_list,
    household_list_count,
)
from survey.models import Classification

from .cells import safe_text
from .layout import (
    BODY,
    BOLD,
    BOX,
    CENTER,
    FORM_HOUSEHOLDS,
    HEADER_FILL,
    ITALIC,
    NOTE_ALIGN,
    NUMBERING_NOTE,
    SMALL_ITALIC,
    Line,
    Piece,
    Signing,
    fitted,
    heading_lines,
    line_height,
    measure_line,
    new_workbook,
    period_line,
    period_words,
    print_setup,
    signature_lines,
    text_lines,
    title_lines,
    unit_line,
)

# Excel's limit per sheet, header row included. A module constant so that tests can lower it.
MAX_SHEET_ROWS = 1_048_576
HOUSEHOLD_SHEET = "Danh sach ho"


def _household_columns(with_district: bool) -> list[tuple[str, float]]:
    # Narrow enough that the list, fit to an A4 landscape page's width, stays readable: long
    # texts wrap in their cells (the rows grow: no merged cells there).
    return [
        ("STT", 6),
        *([("Huyện", 16)] if with_district else []),
        ("Xã", 16),
        ("Thôn", 14),
        ("Họ và tên chủ hộ", 22),
        ("Địa chỉ", 20),
        ("Phân loại", 12),
        ("Số nhân khẩu", 8),
        ("Điểm thu nhập", 8),
        ("Điểm thiếu hụt", 8),
        ("Các chỉ số thiếu hụt", 32),
        ("Điều chỉnh so với kết quả tính", 11),
        ("Lý do điều chỉnh", 24),
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
        self.body_style: int | None = None  # the style of the table's cells: bordered, wrapped
        self._styles: dict[tuple[Any, ...], int] = {}
        super().__init__(ws)  # opens the temporary file through get_stream

    def style(self, font: Any, align: Any, *, fill: Any = None, border: Any = None) -> int:
        """The workbook's style id for these font, alignment, fill and border."""
        key = (font, align, fill, border)
        if key not in self._styles:
            cell = WriteOnlyCell(self.ws)
            cell.font = font
            cell.alignment = align
            if fill is not None:
                cell.fill = fill
            if border is not None:
                cell.border = border
            self._styles[key] = cell.style_id
        return self._styles[key]

    def write_line(self, line: Line) -> None:
        """A line of the layout kit on the next row: its pieces (merged across their columns,
        the merge written after the rows by openpyxl) and its height."""
        self.row_count += 1
        row = self.row_count
        cells = []
        for piece in line.pieces:
            style = self.style(piece.font, piece.align, fill=piece.fill)
            text = safe_text(piece.text)
            cells.append(
                f'<c r="{_LETTERS[piece.first - 1]}{row}" s="{style}" t="inlineStr">'
                f"<is><t>{xml_escape(text)}</t></is></c>"
            )
            if piece.last > piece.first:
                cast(Any, self.ws).merged_cells.add(  # set up by openpyxl, not in its stubs
                    f"{_LETTERS[piece.first - 1]}{row}:{_LETTERS[piece.last - 1]}{row}"
                )
        height = "" if line.height is None else f' ht="{line.height}" customHeight="1"'
        self._file.write(f'<row r="{row}"{height}>{"".join(cells)}</row>')

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

    def write_values(
        self, values: Sequence[object], style_id: int | None = None, height: float | None = None
    ) -> None:
        """One row of the table; with a style, empty cells are written too (their border)."""
        self.row_count += 1
        row = self.row_count
        style = "" if style_id is None else f' s="{style_id}"'
        cells = []
        for letter, value in zip(_LETTERS, values, strict=False):
            if value is None or value == "":
                if style:
                    cells.append(f'<c r="{letter}{row}"{style}/>')
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
        ht = "" if height is None else f' ht="{height}" customHeight="1"'
        self._file.write(f'<row r="{row}"{ht}>{"".join(cells)}</row>')


_LETTERS = [get_column_letter(i) for i in range(1, 64)]


# The classes listed, in the title ("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025").
_TITLE_WORDS = {
    "poor": "HỘ NGHÈO",
    "near_poor": "HỘ CẬN NGHÈO",
    "average": "HỘ CÓ MỨC SỐNG TRUNG BÌNH",
    "not_poor": "HỘ KHÔNG NGHÈO",
}
_BODY_ALIGN = Alignment(vertical="center", wrap_text=True)


class _Layout:
    """What every sheet of one household list repeats: the lines above the table, the header."""

    def __init__(
        self,
        scope: ReportScope,
        columns: list[tuple[str, float]],
        signing: Signing,
        classes: Sequence[str],
    ) -> None:
        self.columns = columns
        self.widths = [width for _label, width in columns]
        self.dated = signing.dated or timezone.localdate()
        self.signing = signing
        issuer = signing.issuer(scope, self.dated)
        listed = ", ".join(_TITLE_WORDS.get(c, c.upper()) for c in classes)
        title = f"DANH SÁCH {listed} {period_words(scope.review_round)}"
        self.top: list[Line | None] = [
            *heading_lines(self.widths, issuer, FORM_HOUSEHOLDS),
            None,  # a blank row
            *title_lines(
                self.widths,
                title,
                (f"Đơn vị: {unit_line(scope.unit)}", BOLD, True),
                (period_line(scope), ITALIC, False),
            ),
            measure_line(self.widths, "người, điểm"),
        ]
        self.header_row = len(self.top) + 1
        self.header_height = line_height(
            BOLD, max(text_lines(label, width, BOLD) for label, width in columns)
        )
        self.bottom = [
            fitted([Piece(1, len(columns), NUMBERING_NOTE, SMALL_ITALIC, NOTE_ALIGN)], self.widths),
            *signature_lines(self.widths, signing, self.dated),
        ]

    def rows_per_sheet(self, limit: int) -> int:
        """Households a sheet holds within `limit` rows, the heading and signature included."""
        return max(1, limit - self.header_row - len(self.bottom))


def _household_sheet(workbook: Workbook, number: int, layout: _Layout) -> tuple[Any, _SheetStream]:
    title = HOUSEHOLD_SHEET if number == 1 else f"{HOUSEHOLD_SHEET} ({number})"
    ws = workbook.create_sheet(title)
    # Column widths, frozen pane and print setup come before the rows in the sheet's XML.
    for index, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header_row = layout.header_row
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    print_setup(ws)
    stream = _SheetStream(ws)
    ws._writer = stream
    stream.write_top()
    stream.open_rows()
    for line in layout.top:
        if line is None:
            stream.write_values([])
        else:
            stream.write_line(line)
    header = stream.style(BOLD, CENTER, fill=HEADER_FILL, border=BOX)
    stream.write_values(
        [label for label, _width in layout.columns], style_id=header, height=layout.header_height
    )
    stream.body_style = stream.style(BODY, _BODY_ALIGN, border=BOX)
    return ws, stream


def households_export(
    scope: ReportScope,
    out: str | PathLike[str] | IO[bytes],
    *,
    classes: Sequence[str] = ("poor", "near_poor"),
    signing: Signing | None = None,
    progress: Callable[[int, int], object] | None = None,
    progress_every: int = HOUSEHOLD_CHUNK_SIZE,
) -> int:
    """Write the scope's poor / near-poor households, one row each; return the number of rows.

    The rows come from `reports.selectors.household_list` (one query, streamed in chunks) and go
    to a write-only workbook: memory stays flat however many rows. No citizen IDs or birth dates.
    A sheet holds at most `MAX_SHEET_ROWS` rows including its heading (and, on the last sheet,
    the signature block); the numbering runs on across sheets. `signing` as for the summary
    workbook (`report_workbook`).

    `progress(rows_done, rows_total)`, for a background job's progress bar: called before the
    first row, after every `progress_every` rows (one chunk of the query by default: a job writes
    its progress row at most once a chunk) and when the rows are written. Asking for it costs one
    COUNT query more; rows_total is that count (or the rows written, if more came meanwhile).
    """
    total = 0
    if progress is not None:
        total = household_list_count(scope, classes)
        progress(0, total)
    households = household_list(scope, classes)
    columns = _household_columns(households.with_district)
    layout = _Layout(scope, columns, signing or Signing(), classes)
    last_column = get_column_letter(len(columns))
    indicator_labels = {i.key: i.label_vi for i in scope.standard.indicators}
    class_labels = {value: str(label) for value, label in Classification.choices}
    per_sheet = layout.rows_per_sheet(MAX_SHEET_ROWS)
    # Characters a line of the wrapped columns holds (a little less than the width allows).
    width = dict(columns)
    chars_head, chars_address, chars_deprived, chars_reason = (
        max(1, int((width[label] - 1) / 1.1))
        for label in ("Họ và tên chủ hộ", "Địa chỉ", "Các chỉ số thiếu hụt", "Lý do điều chỉnh")
    )
    chars_place = max(1, int((width["Thôn"] - 1) / 1.1))  # the narrowest of the places
    heights: list[float | None] = [None, None, *(line_height(BODY, n) for n in range(2, 20))]
    most_lines = len(heights)

    workbook = new_workbook(write_only=True)
    workbook.properties.creator = "ranoheo"
    sheets: list[tuple[Any, _SheetStream]] = []
    in_sheet = per_sheet
    written = 0
    stream: _SheetStream | None = None
    body: int | None = None
    for record in households.rows:
        if stream is None or in_sheet >= per_sheet:
            sheets.append(_household_sheet(workbook, len(sheets) + 1, layout))
            stream = sheets[-1][1]
            body = stream.body_style
            in_sheet = 0
        *places, head, address, final, computed, members, income, points, deprived, reason = record
        written += 1
        in_sheet += 1
        if progress is not None and written % progress_every == 0:
            progress(written, max(total, written))
        listed = "; ".join(indicator_labels.get(key, key) for key in deprived or ())
        # Neither LibreOffice nor Excel reliably grows a row for wrapped text: the row gets the
        # height of its longest text, estimated from its length (a few integer operations).
        # (One line more than whole lines of text: generous where a text fills its last line.)
        lines = 1 + max(
            len(listed) // chars_deprived,
            len(reason) // chars_reason,
            len(address) // chars_address,
            len(head) // chars_head,
            len(max(places, key=len)) // chars_place,
        )
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
                listed,
                "Có" if final != computed else "Không",
                reason,
            ],
            body,
            heights[lines] if lines < most_lines else line_height(BODY, lines),
        )
    if not sheets:
        sheets.append(_household_sheet(workbook, 1, layout))
    for ws, sheet_stream in sheets:
        ws.auto_filter.ref = f"A{layout.header_row}:{last_column}{sheet_stream.row_count}"
    last = sheets[-1][1]
    for line in layout.bottom:
        last.write_line(line)
    workbook.save(out)
    if progress is not None:
        progress(written, written)
    return written
