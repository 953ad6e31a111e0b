"""In headless Chromium: the commune officer uploads a household list, reads the preview and
confirms."""

import pytest
from playwright.sync_api import Page, expect

from households.models import Household
from tests.conftest import PASSWORD
from tests.test_household_import import GOOD, person, workbook

pytestmark = pytest.mark.browser


def _upload(page: Page, rows: list[dict]) -> None:
    xlsx = {"name": "ds.xlsx", "mimeType": "application/octet-stream", "buffer": workbook(rows)}
    page.set_input_files("input[type=file]", files=[xlsx])
    page.get_by_role("button", name="Tải lên và xem trước").click()


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "xa-13504")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_an_officer_uploads_a_list_reads_the_preview_and_confirms(
    page: Page, live_server, officer_a, village_a, household_a
):
    base = live_server.url
    _log_in(page, base)
    page.goto(f"{base}/households/")
    page.get_by_role("link", name="Nhập từ Excel").click()
    # A file with a mistake first: the preview names the row and nothing is written.
    bad = [*GOOD, person("0201", "Ngô Văn Hà", Thôn="Thôn Không Có")]
    page.set_input_files(
        "input[type=file]",
        files=[
            {"name": "ds.xlsx", "mimeType": "application/octet-stream", "buffer": workbook(bad)}
        ],
    )
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.get_by_text("Tệp có 1 lỗi: chưa ghi gì.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Không có thôn “Thôn Không Có”", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("button", name="Xác nhận và ghi")).to_have_count(0)
    assert not Household.objects.filter(number="0101").exists()
    # Fixed in Excel and uploaded again: the preview counts, then the confirmation writes.
    page.get_by_role("link", name="Tải lên lại").click()
    page.set_input_files(
        "input[type=file]",
        files=[
            {"name": "ds.xlsx", "mimeType": "application/octet-stream", "buffer": workbook(GOOD)}
        ],
    )
    page.get_by_role("button", name="Tải lên và xem trước").click()
    counts = page.locator("table").first
    expect(counts).to_contain_text("Hộ")
    expect(counts.locator("tr", has_text="Hộ").first).to_contain_text("2")
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()  # listed, not deleted
    page.get_by_role("button", name="Xác nhận và ghi").click()
    expect(page.get_by_text("Đã nhập: thêm 2 hộ")).to_be_visible()
    assert Household.objects.filter(number__in=["0101", "0102"]).count() == 2
