"""A movement row that does not add up (start − decreases − pending + increases ≠ end) is flagged
to the reader: a Vietnamese warning naming the unit on the movements page, a marked note in the
workbook.

The app's own data balances by construction (every household falls in exactly one bucket), so the
unbalanced row is made honestly, by corrupting the data behind the app's back: a raw SQL UPDATE
gives one 2025 response a classification that no service ever writes ("lost"). That household
still starts the period poor (its 2024 result) but falls in no decrease bucket and does not end it,
so its commune's row is off by one household (and its three persons).
"""

import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from areas.services import unit_resolve
from reports.excel.layout import WARNING
from reports.excel.summary import NEAR_POOR_MOVEMENT_SHEET, POOR_MOVEMENT_SHEET, report_workbook
from reports.selectors import report_scope
from survey.models import SurveyResponse
from tests.factories import household, result

WARNING_TITLE = "Cảnh báo: số liệu biến động không cân đối"


@pytest.fixture
def district(world, legacy_tree):
    """Bình Lục: commune A (Bình Nghĩa) and commune B (Tràng An), both with balanced rows."""
    va, vb, _vc = world["villages"]
    for village in (va, vb):
        stay = household(world, village)
        result(world, stay, 2024, "poor", members=3)
        result(world, stay, 2025, "poor", members=3)
    return unit_resolve("352", edition=legacy_tree)


def corrupt_commune_a(world) -> None:
    """The data error the report must flag: written by raw SQL, which the app itself never does."""
    lost = household(world, world["villages"][0])
    result(world, lost, 2024, "poor", members=3)
    response = result(world, lost, 2025, "poor", members=3)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SurveyResponse._meta.db_table} "
            "SET final_classification = 'lost', computed_classification = 'lost' WHERE id = %s",
            [response.pk],
        )


def movements_page(client, world, district) -> str:
    address = reverse(
        "reports:report",
        kwargs={
            "round_id": world["rounds"][2025].public_id,
            "unit_id": district.public_id,
            "kind": "movements",
        },
    )
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def alert_of(page: str) -> str | None:
    found = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', page, re.S)
    return found.group(1) if found else None


def test_movements_page_warns_about_the_unit_whose_row_does_not_add_up(
    district_reader, world, district, client_for
):
    client = client_for(district_reader)
    assert alert_of(movements_page(client, world, district)) is None  # balanced: no warning

    corrupt_commune_a(world)
    alert = alert_of(movements_page(client, world, district))
    assert alert is not None
    assert WARNING_TITLE in alert
    # The commune's row and the district's total, households and persons, of the poor table only.
    assert "Hộ nghèo, số hộ: <strong>Xã Bình Nghĩa</strong> — 2 − 0 − 0 + 0 ≠ 1" in alert
    assert "Hộ nghèo, số người: <strong>Xã Bình Nghĩa</strong> — 6 − 0 − 0 + 0 ≠ 3" in alert
    assert "Hộ nghèo, số hộ: <strong>Tổng cộng</strong> — 3 − 0 − 0 + 0 ≠ 2" in alert
    assert "Xã Tràng An" not in alert
    assert "Hộ cận nghèo" not in alert


def test_workbook_movement_sheet_carries_a_marked_note_naming_the_unit(world, district):
    scope = report_scope(world["rounds"][2025], district)

    def notes(content: bytes, sheet: str) -> list:
        ws = load_workbook(io.BytesIO(content))[sheet]
        return [
            cell
            for row in ws.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and cell.value.startswith("CẢNH BÁO")
        ]

    balanced = report_workbook(scope)
    assert notes(balanced, POOR_MOVEMENT_SHEET) == []

    corrupt_commune_a(world)
    content = report_workbook(scope)
    [note] = notes(content, POOR_MOVEMENT_SHEET)
    assert "Xã Bình Nghĩa (số hộ: 2 − 0 − 0 + 0 ≠ 1)" in note.value
    assert "Xã Bình Nghĩa (số nhân khẩu: 6 − 0 − 0 + 0 ≠ 3)" in note.value
    assert "Tổng cộng (số hộ: 3 − 0 − 0 + 0 ≠ 2)" in note.value
    assert "Xã Tràng An" not in note.value
    assert note.data_type == "s"  # it holds unit names: user text stays text
    assert note.font.b and note.font.color.rgb.endswith(WARNING.color.rgb[-6:])
    # The note sits below the table, under the usual "Cuối kỳ = …" note.
    formula_note = next(
        c for row in note.parent.iter_rows() for c in row if str(c.value).startswith("Cuối kỳ = ")
    )
    assert note.row == formula_note.row + 1
    assert notes(content, NEAR_POOR_MOVEMENT_SHEET) == []
