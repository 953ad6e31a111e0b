"""Hostile score-card uploads are refused with a Vietnamese reason, a 400, and nothing changed.

Each file is built here (tools/hostile_workbooks.py streams the big parts into the zip, so a
2,000,000-cell row costs the test a few MB). An admin first installs a good card; after each
refused upload the same card is still the active one and no second audit row exists.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from survey.models import InstalledScoreCard
from tools import hostile_workbooks as hostile

from .test_score_card_upload import GOOD_OPTIONS, REGIONS, UPLOAD, workbook_bytes


@pytest.fixture
def installed(admin, client_for):
    """An admin's client, with a good card already installed (one audit row)."""
    client = client_for(admin)
    response = client.post(
        UPLOAD,
        {"file": SimpleUploadedFile("bang-diem.xlsx", workbook_bytes(REGIONS, GOOD_OPTIONS))},
    )
    assert response.status_code == 302
    return client


def _card_state():
    return list(
        InstalledScoreCard.objects.order_by("pk").values_list("pk", "is_active", "options")
    ), AuditEvent.objects.filter(action="score_card_install").count()


def _refused(client, content: bytes, name: str = "bang-diem.xlsx") -> str:
    before = _card_state()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert _card_state() == before
    assert before[1] == 1 and len(before[0]) == 1 and before[0][0][1]  # still the good card
    return response.content.decode()


def test_a_row_of_two_million_cells_is_refused_at_the_column_cap(installed):
    content = hostile.wide_row(2_000_000)
    assert len(content) < 10 * 1024 * 1024  # under the size cap: the column cap must stop it
    body = _refused(installed, content)
    assert "Trang Diem, dòng 1 có ô ở quá 100 cột" in body


def test_a_huge_shared_strings_part_is_refused_from_the_zip_directory(installed):
    content = hostile.huge_shared_strings(100)
    assert len(content) < 1024 * 1024
    body = _refused(installed, content)
    assert "Tệp Excel khi giải nén quá lớn" in body


def test_a_zip_whose_sheet_xml_is_broken_is_refused_not_a_500(installed):
    body = _refused(installed, hostile.broken_sheet_xml())
    assert "Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx" in body


def test_a_file_over_the_size_cap_is_refused(installed):
    body = _refused(installed, hostile.over_size(11))
    assert "Tệp quá lớn (11,0 MB): chỉ nhận tệp tối đa 10,0 MB." in body


def test_a_request_far_over_the_cap_is_refused_before_its_body_is_parsed(installed, settings):
    settings.WORKBOOK_MAX_BYTES = 1024 * 1024
    before = _card_state()
    # 4 MB body: over 1 MB + the 2.5 MB allowance for other fields; the middleware answers.
    response = installed.post(
        UPLOAD, {"file": SimpleUploadedFile("bang-diem.xlsx", hostile.over_size(4))}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "chỉ nhận tệp tối đa 1,0 MB" in body
    assert "Tệp tải lên bị từ chối" in body
    assert _card_state() == before


def test_an_xlsm_with_a_vba_project_is_refused(installed):
    body = _refused(installed, hostile.macro_enabled(), name="bang-diem.xlsm")
    assert "Không nhận tệp Excel có macro" in body


def test_a_macro_workbook_renamed_xlsx_is_still_refused(installed):
    body = _refused(installed, hostile.macro_enabled(), name="bang-diem.xlsx")
    assert "Không nhận tệp Excel có macro" in body


def test_a_text_file_renamed_xlsx_is_refused(installed):
    body = _refused(installed, hostile.text_renamed())
    assert "Tệp không phải là tệp Excel (.xlsx) đọc được." in body


def test_an_old_xls_file_is_refused_with_a_hint(installed):
    body = _refused(installed, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "bang-diem.xls")
    assert "Không nhận tệp Excel 97-2003 (.xls)" in body


def test_an_encrypted_workbook_is_refused_with_a_hint(installed):
    # Excel saves a password-protected .xlsx inside an OLE container, not a zip.
    body = _refused(installed, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert "Tệp Excel có mật khẩu" in body


def test_the_upload_form_still_installs_a_good_card_after_refusals(installed):
    _refused(installed, hostile.broken_sheet_xml())
    options = [*GOOD_OPTIONS[:2]]
    response = installed.post(
        UPLOAD, {"file": SimpleUploadedFile("moi.xlsx", workbook_bytes(REGIONS, options))}
    )
    assert response.status_code == 302
    active = InstalledScoreCard.objects.get(is_active=True)
    assert len(active.options) == 2
    assert reverse("survey:standard_detail", kwargs={"code": "vn-2022-2025"}) in response.url
