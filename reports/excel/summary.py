"""The summary workbook: the round's report for a unit, by child unit, one sheet per report table.

It lays out `reports.selectors.report_tables` (the very object the report pages read) with the
layout kit; it never counts anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from areas.models import AdminUnit
from reports.selectors import (
    AreaMovementRow,
    MovementRow,
    ReportScope,
    ReportTables,
    Summary,
    SummaryRow,
    Unbalanced,
    report_tables,
)
from survey.models import ReviewRound

from .layout import (
    COUNT,
    FORM_DEPRIVATION,
    FORM_NEAR_POOR_AREAS,
    FORM_NEAR_POOR_MOVEMENT,
    FORM_POOR_AREAS,
    FORM_POOR_MOVEMENT,
    FORM_SUMMARY,
    FORM_SUMMARY_AREAS,
    PERCENT,
    POINTS,
    Col,
    Sheet,
    Signing,
    new_workbook,
    pct,
    period_words,
    unit_line,
)
from .needs import needs_sheets
from .official import official_sheets

SUMMARY_SHEET = "Tong hop"
POOR_MOVEMENT_SHEET = "Bien dong ho ngheo"
NEAR_POOR_MOVEMENT_SHEET = "Bien dong ho can ngheo"
DEPRIVATION_SHEET = "Thieu hut"
SUMMARY_AREAS_SHEET = "Tong hop theo khu vuc"
POOR_AREAS_SHEET = "Ho ngheo theo khu vuc"
NEAR_POOR_AREAS_SHEET = "Ho can ngheo theo khu vuc"

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
    Col("Số xã chưa ghi tổng số hộ dân cư", width=12, number="13"),
)


def _summary_values(row: SummaryRow) -> list[tuple[Any, str]]:
    return [
        (row.total_households, COUNT),
        (row.surveyed, COUNT),
        (row.poor, COUNT),
        (pct(row.poor_rate), PERCENT),
        (row.poor_persons, COUNT),
        (row.near_poor, COUNT),
        (pct(row.near_poor_rate), PERCENT),
        (row.near_poor_persons, COUNT),
        (row.average, COUNT),
        (pct(row.average_rate), PERCENT),
        (row.average_persons, COUNT),
        (row.overrides, COUNT),
        (row.communes_missing if row.communes else None, COUNT),
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
        Col("Chưa có kết quả (phiếu chưa được tính)", width=13, number="6"),
        Col("Tổng số", "Tăng trong kỳ", width=12, number="7=8+9+10+11"),
        Col(f"Từ {other}", "Tăng trong kỳ", width=12, number="8"),
        Col(again, "Tăng trong kỳ", width=11, number="9"),
        Col("Phát sinh mới", "Tăng trong kỳ", width=11, number="10"),
        Col("Khác (tách hộ, chuyển đến…)", "Tăng trong kỳ", width=12, number="11"),
        Col("Cuối kỳ", width=11, number="12=1-2-6+7"),
    )


def _movement_values(row: MovementRow) -> list[tuple[Any, str]]:
    values = (
        row.start,
        row.decreases,
        row.dec_other_class,
        row.dec_above_line,
        row.dec_other,
        row.pending,
        row.increases,
        row.inc_other_class,
        row.inc_returned,
        row.inc_new,
        row.inc_other,
        row.end,
    )
    return [(value, COUNT) for value in values]


def _area_movement_columns(target: str) -> tuple[Col, ...]:
    """Mẫu số 3's layout (rows I. urban, II. rural by unit): resident households, the start with
    its ethnic-minority households, the changes of Biểu 02/03 (with their pending column), the end
    with its rates, and how many communes have no total (their rates are over the others)."""
    other = "hộ cận nghèo" if target == "poor" else "hộ nghèo"
    again = "Tái nghèo" if target == "poor" else "Tái cận nghèo"
    return (
        Col("Đơn vị", width=28, number="A"),
        Col("Tổng số hộ dân cư", width=11, number="1"),
        Col("Số hộ", "Đầu kỳ", width=9, number="2"),
        Col("Trong đó: hộ dân tộc thiểu số", "Đầu kỳ", width=11, number="3"),
        Col("Tổng số", "Giảm trong kỳ", width=9, number="4=5+6+7"),
        Col(f"Trở thành {other}", "Giảm trong kỳ", width=11, number="5"),
        Col("Vượt chuẩn cận nghèo", "Giảm trong kỳ", width=11, number="6"),
        Col("Khác (chuyển đi, chết, nhập hộ…)", "Giảm trong kỳ", width=15, number="7"),
        Col("Chưa có kết quả (phiếu chưa được tính)", width=12, number="8"),
        Col("Tổng số", "Tăng trong kỳ", width=12, number="9=10+…+13"),
        Col(f"Từ {other}", "Tăng trong kỳ", width=10, number="10"),
        Col(again, "Tăng trong kỳ", width=9, number="11"),
        Col("Phát sinh mới", "Tăng trong kỳ", width=9, number="12"),
        Col("Khác (tách hộ, chuyển đến…)", "Tăng trong kỳ", width=10, number="13"),
        Col("Số hộ", "Cuối kỳ", width=9, number="14=2-4-8+9"),
        Col("Tỷ lệ (%)", "Cuối kỳ", width=9, number="15=14/1"),
        Col("Hộ dân tộc thiểu số", "Cuối kỳ", width=10, number="16"),
        Col("Tỷ lệ (%)", "Cuối kỳ", width=9, number="17=16/1"),
        Col("Số xã chưa ghi tổng số hộ dân cư", width=11, number="18"),
    )


def _area_movement_values(row: AreaMovementRow) -> list[tuple[Any, str]]:
    m = row.movement
    counts = (
        m.start,
        m.start_minority,
        m.decreases,
        m.dec_other_class,
        m.dec_above_line,
        m.dec_other,
        m.pending,
        m.increases,
        m.inc_other_class,
        m.inc_returned,
        m.inc_new,
        m.inc_other,
    )
    summary_row = row.summary_row
    return [
        (row.total_households, COUNT),
        *((value, COUNT) for value in counts),
        (m.end, COUNT),
        (pct(row.end_rate), PERCENT),
        (m.end_minority, COUNT),
        (pct(row.end_minority_rate), PERCENT),
        (summary_row.communes_missing if summary_row and summary_row.communes else None, COUNT),
    ]


AREA_RULE = (
    "Thành thị: các phường và thị trấn; nông thôn: các xã (đặc khu tính vào nông thôn), theo "
    "loại đơn vị hành chính cấp xã."
)
AREA_DISTRICTS = (
    " Huyện có cả xã và phường, thị trấn được ghi ở cả hai khu vực, mỗi khu vực với số liệu của "
    "các xã, phường, thị trấn thuộc khu vực đó."
)


# Wider than the table needs: room on the right for the national motto on one line.
DEPRIVATION_COLUMNS = (
    Col("Chiều thiếu hụt", width=18, number="A"),
    Col("Chỉ số thiếu hụt", width=44, number="B"),
    Col("Số hộ thiếu hụt", "Hộ nghèo", width=14, number="1"),
    Col("Tỷ lệ (%)", "Hộ nghèo", width=11, number="2"),
    Col("Số hộ thiếu hụt", "Hộ cận nghèo", width=14, number="3"),
    Col("Tỷ lệ (%)", "Hộ cận nghèo", width=11, number="4"),
)


def previous_words(before: ReviewRound, current: ReviewRound) -> str:
    """ "đợt rà soát định kỳ năm 2024", naming the province when it is an old one merged since."""
    words = f"đợt {str(before).lower()}"
    if before.province_id != current.province_id:
        words += f" của {before.province.name} (trước sắp xếp)"
    return words


def missing_totals_warning(report: Summary, *, named_in: str | None = None) -> str:
    """The marked note naming the communes without a total (their households are in no rate);
    `named_in`: the sheet that names them, on the sheets by area (they fit one page)."""
    names = (
        f"kể tên ở Biểu {named_in}"
        if named_in
        else "; ".join(
            f"{c.name} ({c.parent_name})" if c.parent_name else c.name
            for c in report.missing_totals
        )
    )
    return (
        f"CHÚ Ý: {report.total.communes_missing}/{report.total.communes} xã chưa ghi tổng số hộ "
        f"dân cư, tỷ lệ của đơn vị chứa các xã này chỉ tính trên các xã đã ghi: {names}."
    )


def unbalanced_warning(rows: list[Unbalanced]) -> str:
    """The marked note of a movement sheet whose rows do not add up (column 12 ≠ 1 − 2 − 6 + 7)."""
    where = "; ".join(
        f"{item.row.label} ({'số hộ' if item.measure == 'households' else 'số nhân khẩu'}: "
        f"{item.row.start} − {item.row.decreases} − {item.row.pending} + {item.row.increases} "
        f"≠ {item.row.end})"
        for item in rows
    )
    return (
        "CẢNH BÁO: số liệu không cân đối (Đầu kỳ − Giảm − Chưa có kết quả + Tăng khác Cuối kỳ) "
        f"ở: {where}. Kiểm tra lại số liệu trước khi ký."
    )


def report_workbook(
    scope: ReportScope, *, signing: Signing | None = None, with_integrity: bool = False
) -> bytes:
    """The round's report for the scope's unit, by child unit: one sheet per report table.

    `with_integrity`: also the sheet of integrity findings (reports.excel.integrity), for
    district staff, provincial staff and admins only (`accounts.scoping.reads_integrity`).

    `signing` says who prepares it (their unit's office issues it, see `layout.signing_unit`; by
    default the report's unit), the place and the day of the date line (by default today).
    """
    signing = signing or Signing()
    dated = signing.dated or timezone.localdate()
    rnd = scope.review_round
    period = period_words(rnd)
    unit_names = unit_line(scope.unit)
    tables = report_tables(scope)
    workbook = new_workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    workbook.properties.title = f"Báo cáo rà soát hộ nghèo, hộ cận nghèo {period.lower()}"
    workbook.properties.creator = "ranoheo"

    def start(sheet: Sheet, title: str, form: str, measure: str, *extra: str) -> None:
        sheet.preamble(
            title,
            scope,
            unit_names,
            *extra,
            form=form,
            measure=measure,
            signing=signing,
            dated=dated,
        )
        sheet.header()

    def finish(sheet: Sheet) -> None:
        sheet.signatures(signing, dated)
        sheet.print_setup()

    # Tổng hợp
    report = tables.summary
    sheet = Sheet(workbook, SUMMARY_SHEET, SUMMARY_COLUMNS)
    start(
        sheet,
        f"TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO {period}",
        FORM_SUMMARY,
        "hộ, người, %",
    )
    for row in report.rows:
        sheet.data_row(row.label, _summary_values(row))
    sheet.data_row(report.total.label, _summary_values(report.total), bold=True)
    sheet.note(
        "Tỷ lệ chỉ tính trên các xã đã ghi tổng số hộ dân cư: số hộ của các xã ấy / tổng số hộ dân "
        "cư của chúng (cột 1); để trống khi không xã nào của đơn vị đã ghi (thôn không có tổng số "
        "hộ riêng). Hộ của xã chưa ghi vẫn được đếm ở các cột số hộ. Cột 12: số hộ được điều chỉnh "
        "khác kết quả tính theo bộ chỉ số. Cột 13: số xã của đơn vị chưa ghi tổng số hộ dân cư."
    )
    if report.missing_totals:
        sheet.warning(missing_totals_warning(report))
    if scope.unit.level == AdminUnit.Level.PROVINCE:
        sheet.row += 1
        sheet.data_row(
            f"Tỷ lệ hộ nghèo mục tiêu năm {rnd.year} của tỉnh"
            + ("" if report.target_rate is not None else " (chưa nhập)"),
            [(pct(report.target_rate), PERCENT)],
            label_span=4,
            table=False,
        )
        sheet.data_row(
            "Chênh lệch: tỷ lệ thực tế trừ mục tiêu (điểm phần trăm)",
            [(report.target_gap, POINTS)],
            label_span=4,
            table=False,
        )
    finish(sheet)

    # Biến động hộ nghèo, hộ cận nghèo
    for target, name, noun, form in (
        ("poor", POOR_MOVEMENT_SHEET, "HỘ NGHÈO", FORM_POOR_MOVEMENT),
        ("near_poor", NEAR_POOR_MOVEMENT_SHEET, "HỘ CẬN NGHÈO", FORM_NEAR_POOR_MOVEMENT),
    ):
        moves = tables.movements[target]
        opening = (
            "Đầu kỳ: kết quả đã phê duyệt của "
            + "; ".join(previous_words(r, rnd) for r in moves.previous_rounds)
            if moves.previous_rounds
            else "Không có đợt rà soát định kỳ trước: đầu kỳ bằng 0."
        )
        sheet = Sheet(workbook, name, _movement_columns(target))
        start(sheet, f"TỔNG HỢP DIỄN BIẾN {noun} {period}", form, "hộ, người", opening)
        for heading, rows, total in (
            ("I. Số hộ", moves.households, moves.households_total),
            ("II. Số nhân khẩu", moves.persons, moves.persons_total),
        ):
            sheet.section(heading)
            for movement in rows:
                sheet.data_row(movement.label, _movement_values(movement))
            sheet.data_row(total.label, _movement_values(total), bold=True)
        sheet.note(
            "Cuối kỳ = Đầu kỳ − Giảm − Chưa có kết quả + Tăng (cột 12 = cột 1 − cột 2 − cột 6 + "
            "cột 7) ở mọi dòng. Cột 6: hộ đầu kỳ có trong diện nhưng chưa có kết quả được tính "
            "trong đợt này (phiếu chưa phê duyệt, hoặc hộ còn cư trú chưa có phiếu): không phải "
            "giảm. Hộ chuyển đơn vị giữa hai đợt: giảm khác ở đơn vị cũ, tăng khác ở đơn vị mới; "
            "dòng Tổng cộng không tính chuyển trong phạm vi báo cáo, nên các cột tăng, giảm của "
            "dòng này có thể khác tổng các dòng trên."
        )
        unbalanced = tables.unbalanced(target)
        if unbalanced:
            sheet.warning(unbalanced_warning(unbalanced))
        finish(sheet)

    # Thiếu hụt
    sheet = Sheet(workbook, DEPRIVATION_SHEET, DEPRIVATION_COLUMNS)
    start(
        sheet,
        f"PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO, HỘ CẬN NGHÈO {period}",
        FORM_DEPRIVATION,
        "hộ, %",
    )
    sheet.data_row(
        "Tổng số hộ (mẫu số của tỷ lệ)",
        [(report.total.poor, COUNT), (None, PERCENT), (report.total.near_poor, COUNT)],
        bold=True,
        label_span=2,
    )
    standard = scope.standard
    dimension_label = {d.key: d.label_vi for d in standard.dimensions}
    items = tables.deprivations
    first_of_dimension = sheet.row
    for index, item in enumerate(items):
        dimension = standard.indicator(item.key).dimension
        row_number = sheet.data_row(
            dimension_label.get(dimension, dimension),
            [
                (item.poor, COUNT),
                (pct(item.poor_rate), PERCENT),
                (item.near_poor, COUNT),
                (pct(item.near_poor_rate), PERCENT),
            ],
            second_label=item.label,
            fit_label=False,
        )
        following = items[index + 1] if index + 1 < len(items) else None
        if following is None or standard.indicator(following.key).dimension != dimension:
            sheet.merge_label(first_of_dimension, row_number)
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

    # Biểu 04–07, 08, 09, 11 and, for a commune or a village, 14–15
    official_sheets(workbook, tables, period, start, finish)
    needs_sheets(workbook, tables, period=period, start=start, finish=finish)
    _area_sheets(workbook, tables, period, start, finish)
    if with_integrity:
        from .integrity import integrity_sheet

        integrity_sheet(workbook, scope, period, start, finish)

    workbook.active = 0
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _area_sheets(
    workbook: Workbook,
    tables: ReportTables,
    period: str,
    start: Callable[..., None],
    finish: Callable[[Sheet], None],
) -> None:
    """Biểu 01a, 02a, 03a: the summary and the movement tables split into I. urban and II. rural,
    each area's row (its totals) over its units, the report's total at the bottom."""
    split = tables.areas
    rule = AREA_RULE + (
        AREA_DISTRICTS if tables.scope.child_level == AdminUnit.Level.DISTRICT else ""
    )
    sheet = Sheet(workbook, SUMMARY_AREAS_SHEET, SUMMARY_COLUMNS)
    start(
        sheet,
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN "
        + period,
        FORM_SUMMARY_AREAS,
        "hộ, người, %",
    )
    for part in split.parts:
        sheet.data_row(part.title, _summary_values(part.summary_total), subtotal=True)
        for row in part.summary_rows:
            sheet.data_row(row.label, _summary_values(row))
    total = split.summary_total
    sheet.data_row(total.label, _summary_values(total), bold=True)
    sheet.note(
        f"{rule} Tỷ lệ như ở Biểu 01: chỉ trên các xã đã ghi tổng số hộ dân cư (cột 1; cột 13: "
        "số xã chưa ghi). Tổng cộng = I + II, bằng dòng Tổng cộng của Biểu 01."
    )
    if tables.summary.missing_totals:
        sheet.warning(missing_totals_warning(tables.summary, named_in="01"))
    finish(sheet)

    for target, name, noun, form, whole in (
        ("poor", POOR_AREAS_SHEET, "HỘ NGHÈO", FORM_POOR_AREAS, "02"),
        ("near_poor", NEAR_POOR_AREAS_SHEET, "HỘ CẬN NGHÈO", FORM_NEAR_POOR_AREAS, "03"),
    ):
        moves = tables.movements[target]
        opening = (
            "Đầu kỳ: kết quả đã phê duyệt của "
            + "; ".join(previous_words(r, tables.scope.review_round) for r in moves.previous_rounds)
            if moves.previous_rounds
            else "Không có đợt rà soát định kỳ trước: đầu kỳ bằng 0."
        )
        sheet = Sheet(workbook, name, _area_movement_columns(target))
        start(
            sheet,
            f"TỔNG HỢP KẾT QUẢ RÀ SOÁT {noun} THEO KHU VỰC THÀNH THỊ, NÔNG THÔN {period}",
            form,
            "hộ, %",
            opening,
        )
        for part in split.parts:
            rows, area_row = part.movement(target)
            sheet.data_row(area_row.label, _area_movement_values(area_row), subtotal=True)
            for unit_row in rows:
                sheet.data_row(unit_row.label, _area_movement_values(unit_row))
        grand = split.movement_total(target)
        sheet.data_row(grand.label, _area_movement_values(grand), bold=True)
        sheet.note(
            f"{rule} Hộ dân tộc thiểu số: chủ hộ là người dân tộc thiểu số. Cuối kỳ = Đầu kỳ − "
            "Giảm − Chưa có kết quả + Tăng (cột 14 = cột 2 − cột 4 − cột 8 + cột 9) ở mọi dòng; "
            "số hộ như ở Biểu "
            f"{whole}. Cột 8: hộ đầu kỳ có trong diện nhưng chưa có kết quả được tính trong đợt "
            "này (phiếu chưa phê duyệt, hoặc hộ còn cư trú chưa có phiếu): không phải giảm. Hộ "
            "chuyển đơn vị hoặc chuyển khu vực giữa hai đợt: giảm khác ở nơi cũ, tăng khác ở nơi "
            "mới. Tỷ lệ chỉ tính trên các xã đã ghi tổng số hộ dân cư (cột 1), như ở Biểu 01a; tỷ "
            "lệ hộ dân tộc thiểu số (cột 17) để trống khi đơn vị có xã chưa ghi (cột 18)."
        )
        if tables.summary.missing_totals:
            sheet.warning(missing_totals_warning(tables.summary, named_in="01"))
        unbalanced = split.unbalanced(target)
        if unbalanced:
            sheet.warning(unbalanced_warning(unbalanced))
        finish(sheet)
