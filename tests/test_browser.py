"""End to end in headless Chromium: an officer fills Phiếu A and B and watches the running score."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_officer_fills_the_forms_and_the_running_score_follows(
    page: Page, live_server, officer_a, household_a, round_2025
):
    base = live_server.url
    login(page, base, "xa-13504")
    expect(page.locator("h1")).to_contain_text("Xã Bình Nghĩa")
    # Bootstrap is served by the app itself: the navbar is styled without any CDN.
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"

    page.goto(f"{base}/households/{household_a.public_id}/")
    page.click("text=Bắt đầu rà soát hộ này")
    page.select_option("#id_screening", "proceed")
    page.click("text=Lưu và tiếp")
    expect(page).to_have_url(re.compile(r"/housing/$"))
    page.fill("#id_floor_area_m2", "6")
    for name in ("wall_durable", "column_durable", "roof_durable"):
        page.select_option(f"#id_{name}", "true")
    page.select_option("#id_water_source", "surface")
    page.select_option("#id_latrine_hygienic", "false")
    page.click("text=Lưu và tiếp")
    page.click("text=4. Điểm và thu nhập")

    # The score updates as the officer types (htmx), before anything is saved.
    page.fill("#id_income_score_manual", "120")
    page.keyboard.press("Tab")
    expect(page.locator("#score")).to_contain_text("Hộ nghèo")
    page.fill("#id_income_score_manual", "200")
    page.keyboard.press("Tab")
    expect(page.locator("#score")).to_contain_text("Hộ không nghèo")

    page.fill("#id_income_score_manual", "130")
    page.click("text=Lưu và tiếp")
    page.click("text=Nộp phiếu")
    expect(page.locator("main")).to_contain_text("Đã nộp phiếu")
    expect(page.locator("main .card")).to_contain_text("Hộ nghèo")
