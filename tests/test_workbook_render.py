"""Workbooks as a person sees them: rendered to PDF by LibreOffice, read back with pdftotext.

Each workbook's pages must show the official heading (issuing body and motto), the title, every
word of every column header (a row too short for its wrapped label cuts words off the page) and
the signature block with the preparer's name and the place. openpyxl cannot tell any of that: only
a renderer lays out row heights, merged cells and the fit to the page width.

LibreOffice: `apt-get install libreoffice-calc poppler-utils` (`.ci/run` installs it). Where it is
missing the tests are skipped, unless REQUIRE_LIBREOFFICE (or REQUIRE_BROWSER) is set: then they
fail. Set WORKBOOK_RENDER_DIR to keep the PDFs for a look.
"""

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from areas.services import unit_resolve
from reports.excel.households import _household_columns, households_export
from reports.excel.layout import MOTTO, NATION, Signing
from reports.excel.official import group_columns
from reports.excel.summary import (
    DEPRIVATION_COLUMNS,
    SUMMARY_COLUMNS,
    _area_movement_columns,
    _movement_columns,
    report_workbook,
)
from reports.selectors import report_scope
from survey.models import ResponseDeprivation, SurveyResponse
from tests.factories import household, result

# The summary's four sheets and the official tables' (reports/excel/official.py): seven, and for
# a commune the four lists (biểu 14–15).
PROVINCE_SHEETS = 4 + 7 + 2 + 3  # 01–03, 04; official 04–07, 08, 09, 11; 10, 16; 01a–03a
COMMUNE_SHEETS = PROVINCE_SHEETS + 4

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


def need_libreoffice(soffice: str | None, pdftotext: str | None) -> None:
    """Skip where LibreOffice or pdftotext is missing, unless CI requires them: then fail."""
    if soffice and pdftotext:
        return
    if os.environ.get("REQUIRE_LIBREOFFICE") or os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(
            "REQUIRE_LIBREOFFICE is set but soffice or pdftotext is missing: "
            "apt-get install libreoffice-calc poppler-utils"
        )
    pytest.skip("no LibreOffice here: apt-get install libreoffice-calc poppler-utils")


def test_a_missing_libreoffice_fails_where_ci_requires_it_and_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    monkeypatch.setenv("REQUIRE_LIBREOFFICE", "1")
    with pytest.raises(pytest.fail.Exception):
        need_libreoffice(None, "/usr/bin/pdftotext")
    monkeypatch.delenv("REQUIRE_LIBREOFFICE")
    with pytest.raises(pytest.skip.Exception):
        need_libreoffice("/usr/bin/soffice", None)
    need_libreoffice("/usr/bin/soffice", "/usr/bin/pdftotext")  # both there: runs


@pytest.fixture
def render(tmp_path):
    need_libreoffice(SOFFICE, PDFTOTEXT)

    def run(content: bytes, name: str) -> str:
        xlsx = tmp_path / f"{name}.xlsx"
        xlsx.write_bytes(content)
        # A profile of its own: parallel runs of soffice with one profile clash.
        profile = (tmp_path / "lo-profile").as_uri()
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile}",
                "--headless",
                *("--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
        pdf = tmp_path / f"{name}.pdf"
        keep = os.environ.get("WORKBOOK_RENDER_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(pdf, Path(keep) / pdf.name)
        return subprocess.run(
            [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout

    return run


def words(text: str) -> list[str]:
    return re.findall(r"[^\s,.()/:;…]+", text)


def assert_on_pages(page_text: str, *texts: str) -> None:
    """Each text is on the pages, whatever line breaks or spacing the layout put in it."""
    flat = " ".join(page_text.split())
    for text in texts:
        missing = [w for w in words(text) if w not in flat]
        assert not missing, f"{text!r}: {missing} not on the rendered pages"


def assert_headers_whole(page_text: str, columns) -> None:
    for column in columns:
        assert_on_pages(page_text, column.label, column.group or "")


@pytest.fixture
def results(world):
    va, vb, _vc = world["villages"]
    made = []
    for village, final, members in ((va, "poor", 4), (va, "near_poor", 5), (vb, "poor", 2)):
        made.append(result(world, household(world, village), 2025, final, members=members))
    overridden = household(world, va)
    made.append(result(world, overridden, 2025, "near_poor", computed="poor", members=2))
    keys = ["water_source", "health_insurance", "housing_quality"]
    SurveyResponse.objects.filter(pk__in=[r.pk for r in made]).update(deprived=keys)
    ResponseDeprivation.objects.bulk_create(
        ResponseDeprivation(response=r, indicator=k) for r in made for k in keys
    )
    return made


def test_province_summary_workbook_renders_heading_headers_and_signatures(
    world, results, render, province_reader
):
    rnd = world["rounds"][2025]
    province = rnd.province
    signing = Signing(
        unit=province, prepared_by="Trần Thị Lập", place="Hà Nam", dated=date(2026, 12, 2)
    )
    text = render(report_workbook(report_scope(rnd, province), signing=signing), "tinh-35")
    # Every sheet with its heading, title and signature block.
    assert text.count(NATION) == PROVINCE_SHEETS
    assert len(re.findall(r"Độc\s+lập\s+-\s+Tự\s+do\s+-\s+Hạnh\s+phúc", text)) == PROVINCE_SHEETS
    assert text.count("UBND TỈNH HÀ NAM") == PROVINCE_SHEETS
    assert text.count("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG") == PROVINCE_SHEETS
    for number in ("01", "02", "03", "04", "08", "10", "16", "01a", "02a", "03a"):
        assert f"Biểu số {number}" in text
    assert (
        text.count("Người lập biểu") == PROVINCE_SHEETS
        and text.count("Thủ trưởng đơn vị") == PROVINCE_SHEETS
    )
    assert text.count("Trần Thị Lập") == PROVINCE_SHEETS
    assert text.count("Hà Nam, ngày 02 tháng 12 năm 2026") == PROVINCE_SHEETS
    assert_on_pages(
        text,
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025",
        "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO NĂM 2025",
        "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO NĂM 2025",
        "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025",
        "HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM CHÍNH SÁCH NĂM 2025",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN "
        "NĂM 2025",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN NĂM 2025",
        "Đơn vị tính: hộ, người, %",
    )
    for columns in (
        SUMMARY_COLUMNS,
        _movement_columns("poor"),
        _movement_columns("near_poor"),
        DEPRIVATION_COLUMNS,
        group_columns(),
        _area_movement_columns("poor"),
        _area_movement_columns("near_poor"),
    ):
        assert_headers_whole(text, columns)


def test_commune_summary_workbook_renders_the_commune_heading(world, results, render, commune_a):
    rnd = world["rounds"][2025]
    signing = Signing(
        unit=commune_a, prepared_by="xa-13504", place="Bình Nghĩa", dated=date(2026, 12, 2)
    )
    text = render(report_workbook(report_scope(rnd, commune_a), signing=signing), "xa-13504")
    assert text.count("UBND HUYỆN BÌNH LỤC") == COMMUNE_SHEETS
    assert text.count("UBND XÃ BÌNH NGHĨA") == COMMUNE_SHEETS
    assert text.count(NATION) == COMMUNE_SHEETS
    assert text.count("Bình Nghĩa, ngày 02 tháng 12 năm 2026") == COMMUNE_SHEETS
    assert text.count("Người lập biểu") == COMMUNE_SHEETS
    assert_headers_whole(text, SUMMARY_COLUMNS)
    assert_headers_whole(text, DEPRIVATION_COLUMNS)


def test_commune_household_list_renders_heading_header_and_signatures(
    world, results, render, commune_a, legacy_tree
):
    rnd = world["rounds"][2025]
    scope = report_scope(rnd, commune_a)
    signing = Signing(
        unit=commune_a, prepared_by="Nguyễn Văn Lập", place="Bình Nghĩa", dated=date(2026, 12, 2)
    )
    long_reason = (
        "Hộ có người ốm đau dài ngày, thu nhập thực tế thấp hơn mức tính theo bảng điểm; "
        "thôn họp ngày 10/11 thống nhất điều chỉnh kết thúc"
    )
    SurveyResponse.objects.filter(pk=results[3].pk).update(override_reason=long_reason)
    out = io.BytesIO()
    assert households_export(scope, out, signing=signing) == 3
    text = render(out.getvalue(), "danh-sach-13504")
    assert_on_pages(
        text,
        "UBND HUYỆN BÌNH LỤC",
        "UBND XÃ BÌNH NGHĨA",
        NATION,
        MOTTO,
        "Biểu số 14",
        "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025",
        "Xã Bình Nghĩa, Huyện Bình Lục, Tỉnh Hà Nam",
        "Người lập biểu",
        "Thủ trưởng đơn vị",
        "Nguyễn Văn Lập",
        "Bình Nghĩa, ngày 02 tháng 12 năm 2026",
    )
    for label, _width in _household_columns(with_district=False):
        assert_on_pages(text, label)
    # Long texts wrap in their cells and their rows grow: no line of them is cut.
    assert_on_pages(text, long_reason)
    standard = scope.standard
    for key in ("water_source", "health_insurance", "housing_quality"):
        assert_on_pages(text, standard.indicator(key).label_vi)
    district = unit_resolve("352", edition=legacy_tree)
    assert district.name in text  # the unit line names the district
