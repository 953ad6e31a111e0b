"""The detailed list of poor / near-poor households: a write-only workbook, streamed.

`reports.selectors.household_list` fetches the rows (one query, in chunks); this module only lays
them out, a new sheet whenever one reaches Excel's row limit. Every text is written as an inline
string (`_SheetStream`), never a formula, whatever it begins with.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from decimal import Decimal
from os import PathLike
from typing import IO, Any, cast
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from reports.selectors import ReportScope, household_list
from survey.models import Classification

from .cells import safe_text
from .layout import BOX, CENTER, HEADER_FILL, print_setup

# Excel's limit per sheet, header row included. A module constant so that tests can lower it.
MAX_SHEET_ROWS = 1_048_576
HOUSEHOLD_SHEET = "Danh sach ho"


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
    print_setup(ws)
    stream = _SheetStream(ws)
    ws._writer = stream
    stream.write_top()
    stream.open_rows()
    header = WriteOnlyCell(ws)
    header.font = Font(bold=True)
    header.alignment = CENTER
    header.fill = HEADER_FILL
    header.border = BOX
    stream.write_values([label for label, _width in columns], style_id=header.style_id)
    return ws, stream


def households_export(
    scope: ReportScope,
    out: str | PathLike[str] | IO[bytes],
    *,
    classes: Sequence[str] = ("poor", "near_poor"),
) -> int:
    """Write the scope's poor / near-poor households, one row each; return the number of rows.

    The rows come from `reports.selectors.household_list` (one query, streamed in chunks) and go
    to a write-only workbook: memory stays flat however many rows. No citizen IDs or birth dates.
    A sheet holds at most `MAX_SHEET_ROWS` rows including its header; the numbering runs on
    across sheets.
    """
    households = household_list(scope, classes)
    columns = _household_columns(households.with_district)
    last_column = get_column_letter(len(columns))
    indicator_labels = {i.key: i.label_vi for i in scope.standard.indicators}
    class_labels = {value: str(label) for value, label in Classification.choices}
    per_sheet = max(1, MAX_SHEET_ROWS - 1)

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "ranoheo"
    sheets: list[tuple[Any, _SheetStream]] = []
    in_sheet = per_sheet
    written = 0
    stream: _SheetStream | None = None
    for record in households.rows:
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
