"""Text typed by users (unit names, household heads, addresses, reasons) must stay text.

openpyxl stores a text that begins with "=" as a formula, which Excel evaluates on opening. In
ordinary sheets user text goes through `write_text`; in rows appended to write-only sheets through
`text_cell`; the household list writes every text as an inline string, never a formula.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, MergedCell, WriteOnlyCell
from openpyxl.styles import Font

# Excel keeps at most this many characters in a cell.
MAX_CELL_CHARS = 32_767
# Texts a spreadsheet may take for the start of a formula (CSV/DDE injection).
FORMULA_STARTS = ("=", "+", "-", "@")


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
