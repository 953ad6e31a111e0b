"""The sheet of integrity findings ("Dau hieu can xem xet") in the report workbook: for district
staff, provincial staff and admins only (the caller decides, see `report_workbook`)."""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook

from areas.models import AdminUnit

from ..integrity.findings import KIND_LABELS, integrity_report
from ..integrity.page import follow_ups_latest
from ..selectors import ReportScope
from .cells import write_text
from .layout import BODY, BOX, CENTER, COUNT, LEFT, RIGHT, Col, Sheet, line_height, text_lines

INTEGRITY_SHEET = "Dau hieu can xem xet"
# The project's own numbering after the official tables' and the support needs' (16): no
# official form exists for this.
FORM_INTEGRITY = "17"
INTEGRITY_COLUMNS = (
    Col("STT", width=5, number="A"),
    Col("Loại dấu hiệu", width=20, number="B"),
    Col("Đơn vị", width=18, number="C"),
    Col("Dấu hiệu và lý do cần xem xét", width=62, number="D"),
    Col("Số hộ", width=8, number="1"),
    Col("Kết quả xem xét gần nhất", width=30, number="2"),
)


def integrity_sheet(
    workbook: Workbook,
    scope: ReportScope,
    period: str,
    start: Callable[..., None],
    finish: Callable[[Sheet], None],
) -> None:
    """One row per finding: what was seen and why, the households concerned (their number: the
    names are on the page, within the reader's units), and the latest follow-up."""
    if scope.unit.level == AdminUnit.Level.VILLAGE:
        return
    report = integrity_report(scope.review_round, scope.unit)
    latest = follow_ups_latest(scope.review_round, [f.key for f in report.findings])
    sheet = Sheet(workbook, INTEGRITY_SHEET, INTEGRITY_COLUMNS)
    start(
        sheet,
        f"CÁC DẤU HIỆU CẦN XEM XÉT LẠI {period}",
        FORM_INTEGRITY,
        "dấu hiệu, hộ",
        "Số liệu: mọi phiếu đã nộp của đợt (gồm cả phiếu chưa phê duyệt), so với kết quả đã "
        "phê duyệt của đợt định kỳ trước. Mỗi dấu hiệu là câu hỏi để kiểm tra lại, không phải "
        "kết luận sai phạm.",
    )
    ws = sheet.ws
    for number, finding in enumerate(report.findings, start=1):
        row = sheet.row
        follow_up = latest.get(finding.key)
        follow = (
            f"{follow_up.get_outcome_display()}: {follow_up.note} "
            f"({follow_up.recorded_at:%d/%m/%Y})"
            if follow_up
            else "Chưa xem xét"
        )
        texts = [
            (1, str(number), CENTER),
            (2, KIND_LABELS[finding.kind], LEFT),
            (3, finding.unit.name, LEFT),
            (4, finding.explanation, LEFT),
            (6, follow, LEFT),
        ]
        lines = 1
        for col, text, align in texts:
            cell = write_text(ws.cell(row=row, column=col), text)
            cell.font, cell.alignment, cell.border = BODY, align, BOX
            lines = max(lines, text_lines(text, sheet.widths[col - 1], BODY))
        cell = ws.cell(row=row, column=5, value=len(finding.households) or None)
        cell.font, cell.alignment, cell.border, cell.number_format = BODY, RIGHT, BOX, COUNT
        ws.row_dimensions[row].height = line_height(BODY, lines)
        sheet.row += 1
    if not report.findings:
        sheet.data_row("Không thấy dấu hiệu nào cần xem xét trong đợt này.", [], label_span=6)
    sheet.note(
        "Ngưỡng nêu dấu hiệu và lý do của từng ngưỡng: reports/integrity/thresholds.py (tỉnh có "
        "thể đổi trong cấu hình INTEGRITY_THRESHOLDS). Kiểm định dồn điểm sát ngưỡng: xem trang "
        "Dấu hiệu cần xem xét."
    )
    finish(sheet)
