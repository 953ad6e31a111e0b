"""The official tables of reports.tables in the summary workbook: deprivations by unit (biểu
04–07), policy groups (08), ethnic groups (09), children (11) and, for a commune or a village, the
lists of poor and near-poor households and of those that left each class (14–15).

Laid out with the layout kit like the other sheets (heading, title, merged header with column
numbers, totals row, notes, signature block, print setup); the numbers are `ReportTables`', the
same the pages show. The lists carry the columns an officer files: no citizen ID, no birth date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports.selectors import ReportTables
from reports.tables import (
    GROUP_KEYS,
    GROUP_LABELS,
    LIST_LEVELS,
    TARGET_LABELS,
    TARGETS,
    DeprivationsByUnit,
    ListRow,
)

from .cells import write_text
from .layout import (
    BODY,
    BOX,
    COUNT,
    LEFT,
    PERCENT,
    RIGHT,
    Col,
    Sheet,
    line_height,
    pct,
    text_lines,
)

# Start(sheet, title, form, measure, *extra lines) and finish(sheet): the summary workbook's.
Start = Callable[..., None]
Finish = Callable[[Sheet], None]

SCORE = "0.0"
UNIT_COL = Col("Đơn vị", width=24, number="A")
NOUNS = {"poor": "HỘ NGHÈO", "near_poor": "HỘ CẬN NGHÈO"}
DEPRIVATION_SHEETS = {
    ("poor", "count"): ("B04 Thieu hut ngheo - so ho", "04"),
    ("poor", "rate"): ("B05 Thieu hut ngheo - ty le", "05"),
    ("near_poor", "count"): ("B06 Thieu hut can ngheo - so ho", "06"),
    ("near_poor", "rate"): ("B07 Thieu hut can ngheo - ty le", "07"),
}
GROUP_SHEET = "B08 Nhom chinh sach"
ETHNIC_SHEET = "B09 Dan toc"
CHILDREN_SHEET = "B11 Tre em"
LIST_SHEETS = {
    ("members", "poor"): ("B14 DS ho ngheo", "14"),
    ("members", "near_poor"): ("B14 DS ho can ngheo", "14"),
    ("exits", "poor"): ("B15 Ho thoat ngheo", "15"),
    ("exits", "near_poor"): ("B15 Ho thoat can ngheo", "15"),
}


def deprivation_columns(
    table: DeprivationsByUnit, measure: str, dimensions: dict[str, str]
) -> list[Col]:
    noun = TARGET_LABELS[table.target].lower()
    word = "Số hộ thiếu hụt" if measure == "count" else "Tỷ lệ hộ thiếu hụt (%)"
    columns = [
        UNIT_COL,
        Col(f"Tổng số {noun}", width=11, number="1"),
        Col("Tổng số lượt thiếu hụt", width=11, number="2"),
    ]
    for index, indicator in enumerate(table.indicators, start=3):
        columns.append(
            Col(
                indicator.label_vi,
                f"{word} theo chiều: {dimensions.get(indicator.dimension, indicator.dimension)}",
                width=11,
                number=str(index),
            )
        )
    return columns


def group_columns() -> list[Col]:
    columns = [UNIT_COL]
    number = 1
    for target in TARGETS:
        group = TARGET_LABELS[target]
        columns.append(Col("Tổng số", group, width=9, number=str(number)))
        for offset, key in enumerate(GROUP_KEYS, start=1):
            columns.append(Col(GROUP_LABELS[key], group, width=13, number=str(number + offset)))
        number += len(GROUP_KEYS) + 1
    return columns


ETHNIC_COLUMNS = (
    Col("Dân tộc (của chủ hộ)", width=24, number="A"),
    Col("Số hộ", "Hộ nghèo", width=10, number="1"),
    Col("Nhân khẩu", "Hộ nghèo", width=10, number="2"),
    Col("Tỷ lệ trong tổng số hộ nghèo (%)", "Hộ nghèo", width=13, number="3"),
    Col("Số hộ", "Hộ cận nghèo", width=10, number="4"),
    Col("Nhân khẩu", "Hộ cận nghèo", width=10, number="5"),
    Col("Tỷ lệ trong tổng số hộ cận nghèo (%)", "Hộ cận nghèo", width=13, number="6"),
)


def children_columns(labels: list[str]) -> list[Col]:
    columns = [UNIT_COL]
    number = 1
    for target in TARGETS:
        group = TARGET_LABELS[target]
        households = number
        columns.append(Col("Số hộ có trẻ em dưới 16 tuổi", group, width=11, number=str(number)))
        columns.append(Col("Số trẻ em dưới 16 tuổi", group, width=10, number=str(number + 1)))
        number += 2
        for label in labels:
            columns.append(Col(f"{label}: số hộ thiếu hụt", group, width=11, number=str(number)))
            columns.append(
                Col(
                    f"{label}: tỷ lệ (%)",
                    group,
                    width=9,
                    number=f"{number + 1}={number}/{households}",
                )
            )
            number += 2
    return columns


LIST_COLUMNS = (
    Col("STT", width=5, number="A"),
    Col("Họ và tên chủ hộ", width=22, number="B"),
    Col("Thôn", width=14, number="C"),
    Col("Số nhân khẩu", width=8, number="1"),
    Col("Điểm thu nhập (điểm A)", width=9, number="2"),
    Col("Điểm thiếu hụt (điểm B)", width=9, number="3"),
    Col("Phân loại", width=14, number="D"),
    Col("Dân tộc", width=10, number="E"),
    Col("Nhóm chính sách", width=18, number="F"),
)


def _list_row(sheet: Sheet, row: ListRow) -> None:
    """A list row: the head's and village's names are user text (written as strings)."""
    r = sheet.row
    values: list[tuple[Any, str | None]] = [
        (row.number, None),
        (row.head, "text"),
        (row.village, "text"),
        (row.members, COUNT),
        (row.income_score, SCORE),
        (row.deprivation_score, COUNT),
        (row.classification, "text"),
        (row.ethnic_group, "text"),
        (row.groups, "text"),
    ]
    lines = 1
    for col, (value, kind) in enumerate(values, start=1):
        cell = sheet.ws.cell(row=r, column=col)
        if kind == "text":
            write_text(cell, value)
            cell.alignment = LEFT
            # openpyxl fits no row height: a wrapped text needs its lines (layout.text_lines)
            lines = max(lines, text_lines(str(value or ""), sheet.widths[col - 1], BODY))
        else:
            cell.value = value
            cell.alignment = RIGHT
            if kind:
                cell.number_format = kind
        cell.font = BODY
        cell.border = BOX
    if lines > 1:
        sheet.ws.row_dimensions[r].height = line_height(BODY, lines)
    sheet.row += 1


def official_sheets(
    workbook: Any, tables: ReportTables, period: str, start: Start, finish: Finish
) -> None:
    """Add the official tables' sheets to the summary workbook (after its own sheets)."""
    scope = tables.scope
    standard = scope.standard
    dimensions = {d.key: d.label_vi for d in standard.dimensions}

    # Biểu 04–07
    for (target, measure), (name, form) in DEPRIVATION_SHEETS.items():
        table = tables.deprivations_by_unit[target]
        sheet = Sheet(workbook, name, deprivation_columns(table, measure, dimensions))
        what = "SỐ" if measure == "count" else "TỶ LỆ"
        start(
            sheet,
            f"{what} {NOUNS[target]} THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN {period}",
            form,
            "hộ, lượt" if measure == "count" else "hộ, lượt, %",
        )
        for row in [*table.rows, table.total]:
            cells: list[tuple[Any, str]] = [(row.households, COUNT), (row.deprivations, COUNT)]
            for count, rate in row.cells(table.keys):
                cells.append((count, COUNT) if measure == "count" else (pct(rate), PERCENT))
            sheet.data_row(row.label, cells, bold=row is table.total)
        sheet.note(
            "Tổng số lượt thiếu hụt = tổng các cột chỉ số (một hộ có thể thiếu hụt nhiều chỉ số). "
            + (
                f"Tỷ lệ = số hộ thiếu hụt chỉ số / tổng số {TARGET_LABELS[target].lower()} (cột 1)."
                if measure == "rate"
                else f"Chỉ số theo chuẩn nghèo {standard.code}."
            )
        )
        finish(sheet)

    # Biểu 08
    groups = tables.policy_groups
    sheet = Sheet(workbook, GROUP_SHEET, group_columns())
    start(sheet, f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM CHÍNH SÁCH {period}", "08", "hộ")
    for group_row in [*groups.rows, groups.total]:
        counts = [(n, COUNT) for target in TARGETS for n in group_row.cells(target)]
        sheet.data_row(group_row.label, counts, bold=group_row is groups.total)
    sheet.note(
        "Một hộ có thể thuộc nhiều nhóm, nên tổng các nhóm có thể lớn hơn tổng số. Hộ dân tộc "
        "thiểu số: chủ hộ là người dân tộc thiểu số. Hộ khác: không thuộc nhóm nào kể trên."
    )
    finish(sheet)

    # Biểu 09
    ethnic = tables.ethnicity
    sheet = Sheet(workbook, ETHNIC_SHEET, ETHNIC_COLUMNS)
    start(sheet, f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC {period}", "09", "hộ, người, %")
    for group in [*ethnic.rows, ethnic.total]:
        sheet.data_row(
            group.label,
            [
                (group.poor, COUNT),
                (group.poor_persons, COUNT),
                (pct(ethnic.poor_share(group)), PERCENT),
                (group.near_poor, COUNT),
                (group.near_poor_persons, COUNT),
                (pct(ethnic.near_poor_share(group)), PERCENT),
            ],
            bold=group is ethnic.total,
        )
    sheet.note("Theo dân tộc của chủ hộ; chỉ ghi các dân tộc có hộ nghèo hoặc hộ cận nghèo.")
    finish(sheet)

    # Biểu 11
    kids = tables.children
    sheet = Sheet(workbook, CHILDREN_SHEET, children_columns([i.label_vi for i in kids.indicators]))
    start(
        sheet,
        f"TRẺ EM DƯỚI 16 TUỔI TRONG HỘ NGHÈO, HỘ CẬN NGHÈO VÀ CÁC CHỈ SỐ THIẾU HỤT {period}",
        "11",
        "hộ, trẻ em, %",
    )
    for kid_row in [*kids.rows, kids.total]:
        kid_cells: list[tuple[Any, str]] = []
        for target in TARGETS:
            kid_cells += [(kid_row.households[target], COUNT), (kid_row.children[target], COUNT)]
            for key in kids.keys:
                kid_cells += [
                    (kid_row.deprived[target][key], COUNT),
                    (pct(kid_row.rate(target, key)), PERCENT),
                ]
        sheet.data_row(kid_row.label, kid_cells, bold=kid_row is kids.total)
    sheet.note(
        "Trẻ em: thành viên dưới 16 tuổi trong năm rà soát. Tỷ lệ = số hộ thiếu hụt / số hộ có "
        "trẻ em. Các chỉ số liên quan trẻ em theo đánh dấu trong dữ liệu chuẩn nghèo (chưa đối "
        "chiếu văn bản)."
    )
    finish(sheet)

    # Biểu 14–15: a commune's or a village's lists (larger units: the household export)
    if scope.unit.level not in LIST_LEVELS:
        return
    lists = tables.household_lists
    previous = lists.previous_round
    for (which, target), (name, form) in LIST_SHEETS.items():
        noun = NOUNS[target]
        rows = lists.members[target] if which == "members" else lists.exits[target]
        columns = list(LIST_COLUMNS)
        if which == "exits":
            columns[6] = Col("Phân loại đợt này", width=14, number="D")
        sheet = Sheet(workbook, name, columns)
        if which == "members":
            start(sheet, f"DANH SÁCH {noun} {period}", form, "hộ, người")
        else:
            start(
                sheet,
                f"DANH SÁCH {noun} THOÁT KHỎI DIỆN {noun[3:]} {period}",
                form,
                "hộ, người",
                f"So với đợt {str(previous).lower()}"
                if previous
                else "Không có đợt rà soát định kỳ trước.",
            )
        for household in rows:
            _list_row(sheet, household)
        sheet.data_row(
            f"Tổng số: {len(rows)} hộ",
            [(sum(r.members or 0 for r in rows), COUNT)],
            bold=True,
            label_span=3,
        )
        if which == "exits":
            sheet.note(
                "Hộ thuộc diện trong đợt trước nhưng không còn thuộc diện đó trong đợt này; số "
                "nhân khẩu, điểm và thôn là của đợt trước."
            )
        finish(sheet)
