"""The sheets of the causes of poverty (Biểu 10) and of the support needs, in the summary
workbook: by child unit, poor households (I) then near-poor households (II), the households per
cause (or need) and their rate of the base. They lay out `ReportTables.poverty_causes` and
`.support_needs` (reports.needs), the very tables the pages show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from reports.needs import AnswerRow, AnswerTable
from reports.selectors import ReportTables

from .layout import COUNT, PERCENT, Col, Sheet, pct

CAUSES_SHEET = "Nguyen nhan ngheo"
NEEDS_SHEET = "Nhu cau ho tro"
# This software's numbering (see reports.excel.layout): 10 is the causes table of the list of
# standard tables; the support needs are not on that list and take the next free number.
FORM_CAUSES = "10"
FORM_NEEDS = "16"


def answer_columns(table: AnswerTable, answer_word: str) -> tuple[Col, ...]:
    """Unit, base, then (households, rate) under each answer, then households not answered."""
    columns = [Col("Đơn vị", width=26, number="A"), Col("Tổng số hộ", width=9, number="1")]
    for index, (_key, label) in enumerate(table.choices):
        households = 2 + 2 * index
        columns.append(Col("Số hộ", label, width=7, number=str(households)))
        columns.append(Col("Tỷ lệ (%)", label, width=8, number=f"{households + 1}={households}/1"))
    last = 2 + 2 * len(table.choices)
    columns.append(Col(f"Hộ chưa ghi {answer_word}", width=10, number=str(last)))
    return tuple(columns)


def _values(row: AnswerRow, table: AnswerTable) -> list[tuple[Any, str]]:
    values: list[tuple[Any, str]] = [(row.households, COUNT)]
    for households, rate in row.cells(table.keys):
        values += [(households, COUNT), (pct(rate), PERCENT)]
    values.append((row.unanswered, COUNT))
    return values


SHEETS = (
    # (question, sheet, form, title, answer word)
    (
        "causes",
        CAUSES_SHEET,
        FORM_CAUSES,
        "HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO",
        "nguyên nhân",
    ),
    ("needs", NEEDS_SHEET, FORM_NEEDS, "NHU CẦU HỖ TRỢ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO", "nhu cầu"),
)


def needs_sheets(
    workbook: Workbook,
    tables: ReportTables,
    *,
    period: str,
    start: Callable[..., None],
    finish: Callable[[Sheet], None],
) -> None:
    """Add the two sheets to the summary workbook; `start` and `finish` are its own (heading,
    title, header; signatures, print setup)."""
    for question, name, form, title, word in SHEETS:
        both = tables.poverty_causes if question == "causes" else tables.support_needs
        sheet = Sheet(workbook, name, answer_columns(both["poor"], word))
        start(sheet, f"PHÂN TÍCH {title} {period}", form, "hộ, %")
        for heading, target in (("I. Hộ nghèo", "poor"), ("II. Hộ cận nghèo", "near_poor")):
            table = both[target]
            sheet.section(heading)
            for row in table.rows:
                sheet.data_row(row.label, _values(row, table))
            sheet.data_row(table.total.label, _values(table.total, table), bold=True)
        sheet.note(
            "Tỷ lệ = số hộ / tổng số hộ nghèo (hoặc cận nghèo) của đơn vị (cột 1). Một hộ có thể "
            f"ghi nhiều {word} nên các cột không cộng lại bằng cột 1. Hộ chưa ghi: kết quả nhập từ "
            "danh sách năm trước hoặc phiếu nộp trước khi có câu hỏi này."
        )
        finish(sheet)
