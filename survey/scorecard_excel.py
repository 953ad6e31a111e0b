"""The income-proxy score card as an Excel file: a template to fill, and an all-or-nothing upload.

Layout (one workbook, two sheets):
- "Vung": one row per region — code, name, area ("rural"/"urban", or "nông thôn"/"thành thị"),
  province codes separated by commas (empty: every province of that area not listed elsewhere).
- "Diem": one row per answer option — item code, item text, choice ("single"/"multiple"),
  zero-if flag, option code, option text, then one column of points per region code (header row).
The engine validates the rows (`validate_score_card`); any problem rejects the whole file.
"""

from dataclasses import replace
from io import BytesIO
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import User
from accounts.services import audit_record
from core.workbooks import WorkbookLimits, open_workbook
from survey.engine import ScoreCard, Standard, validate_score_card

from .models import InstalledScoreCard

REGION_SHEET = "Vung"
POINTS_SHEET = "Diem"
REGION_HEADER = ["Mã vùng", "Tên vùng", "Khu vực (rural/urban)", "Mã các tỉnh (để trống: mọi tỉnh)"]
POINTS_FIXED = [
    "Mã câu hỏi",
    "Câu hỏi",
    "Loại (single/multiple)",
    "Về 0 điểm khi",
    "Mã phương án",
    "Phương án",
]
AREA_WORDS = {"nông thôn": "rural", "thành thị": "urban", "rural": "rural", "urban": "urban"}
MAX_ROWS = 5000  # a card has a few hundred options: more is a wrong file


def score_card_template(card: ScoreCard) -> bytes:
    """A workbook to fill in, pre-filled with the card the standard ships (possibly partial)."""
    workbook = Workbook()
    regions_sheet = workbook.active
    assert regions_sheet is not None
    regions_sheet.title = REGION_SHEET
    regions_sheet.append(REGION_HEADER)
    for region in card.regions:
        provinces = ", ".join(str(p) for p in sorted(region.provinces or ()))
        regions_sheet.append([region.key, region.label_vi, region.area, provinces])
    points_sheet = workbook.create_sheet(POINTS_SHEET)
    region_keys = [region.key for region in card.regions]
    points_sheet.append([*POINTS_FIXED, *region_keys])
    for item in card.items:
        for option in item.options:
            points_sheet.append(
                [
                    item.key,
                    item.label_vi,
                    item.choice,
                    item.zero_if_flag or "",
                    option.key,
                    option.label_vi,
                    *[option.points.get(key) for key in region_keys],
                ]
            )
    for sheet in (regions_sheet, points_sheet):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 40
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _score_card_limits() -> WorkbookLimits:
    return replace(WorkbookLimits.from_settings(), max_rows=MAX_ROWS)


def score_card_parse(
    file: IO[bytes], file_name: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the two sheets as the engine's plain dicts, each with its Excel row number.

    The file goes through the one safe reader (`core.workbooks`): size, zip, macro and row/column
    caps are checked there, and any refusal is a ValidationError with a Vietnamese message.
    """
    with open_workbook(file, name=file_name, limits=_score_card_limits()) as workbook:
        missing = [n for n in (REGION_SHEET, POINTS_SHEET) if n not in workbook.sheet_names]
        if missing:
            raise ValidationError(
                "Tệp thiếu trang: " + ", ".join(missing) + ". Hãy dùng tệp mẫu tải từ phần mềm."
            )
        regions: list[dict[str, Any]] = []
        for row in workbook.rows(REGION_SHEET):
            cells = [row.get(i) for i in range(4)]
            if row.number == 1 or all(_text(c) == "" for c in cells):
                continue
            area = _text(cells[2]).lower()
            regions.append(
                {
                    "row": row.number,
                    "key": _text(cells[0]),
                    "label_vi": _text(cells[1]),
                    "area": AREA_WORDS.get(area, area),
                    "provinces": _text(cells[3]) or None,
                }
            )
        region_columns: list[str] = []
        options: list[dict[str, Any]] = []
        for row in workbook.rows(POINTS_SHEET):
            if row.number == 1:
                region_columns = [_text(h) for h in row.values[len(POINTS_FIXED) :]]
                continue
            if all(_text(c) == "" for c in row.values):
                continue
            fixed = [row.get(i) for i in range(len(POINTS_FIXED))]
            points = {
                key: row.get(len(POINTS_FIXED) + i) for i, key in enumerate(region_columns) if key
            }
            options.append(
                {
                    "row": row.number,
                    "item": _text(fixed[0]),
                    "item_label_vi": _text(fixed[1]),
                    "choice": _text(fixed[2]),
                    "zero_if_flag": _text(fixed[3]) or None,
                    "option": _text(fixed[4]),
                    "option_label_vi": _text(fixed[5]),
                    "points": points,
                }
            )
    return regions, options


def score_card_errors(regions: list[dict[str, Any]], options: list[dict[str, Any]]) -> list[str]:
    messages = []
    for issue in validate_score_card(regions, options):
        sheet = REGION_SHEET if issue.where.startswith("region") else POINTS_SHEET
        if issue.row is not None:
            messages.append(f"Trang {sheet}, dòng {issue.row}: {issue.message_vi}")
        else:
            messages.append(f"Trang {sheet}: {issue.message_vi}")
    if not options:
        messages.append(f"Trang {POINTS_SHEET}: chưa có phương án nào.")
    return messages


@transaction.atomic
def score_card_install(
    *,
    actor: User,
    standard: Standard,
    file: IO[bytes],
    file_name: str,
    verified: bool,
    basis: str,
) -> InstalledScoreCard:
    """Install a card from an Excel file for a standard, or reject the whole file with reasons."""
    if not actor.is_admin:
        raise ValidationError("Chỉ quản trị viên được cài bảng điểm.")
    if standard.paths.get("score") is None or not standard.paths["score"].available:
        raise ValidationError("Chuẩn nghèo này không phân loại theo điểm: không cần bảng điểm.")
    regions, options = score_card_parse(file, file_name)
    errors = score_card_errors(regions, options)
    if errors:
        raise ValidationError(errors)
    if verified and not basis.strip():
        raise ValidationError("Bảng điểm chính thức phải ghi căn cứ (số hiệu văn bản, phụ lục).")
    InstalledScoreCard.objects.filter(standard_code=standard.code, is_active=True).update(
        is_active=False
    )
    card = InstalledScoreCard.objects.create(
        standard_code=standard.code,
        regions=regions,
        options=[{**o, "points": {k: _plain(v) for k, v in o["points"].items()}} for o in options],
        verified=verified,
        basis=basis.strip(),
        file_name=file_name[:200],
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="score_card_install",
        target=card,
        unit=None,
        changes={"standard": standard.code, "options": len(options), "verified": verified},
    )
    return card


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)
