"""End to end in headless Chromium: an officer fills Phiếu A and B and watches the running score."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def csp_violations(page: Page):
    """Console errors the Content-Security-Policy caused on any page the test opened: none allowed.

    Chromium reports a blocked inline script, inline style, eval or outside resource as a console
    error starting "Refused to ..." and naming the "Content Security Policy" directive.
    """
    seen: list[str] = []

    def listen(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", listen)
    yield seen
    assert seen == [], seen


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_officer_fills_the_forms_and_the_running_score_follows(
    page: Page, live_server, officer_a, household_a, round_2025, csp_violations
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


def test_pages_work_under_the_content_security_policy(
    page: Page, live_server, province_reader, village_a, round_2025, csp_violations
):
    """No inline script or style: the navbar menu (Bootstrap's JS) and the report's basis picker
    (static/js/app.js, formerly an onchange attribute) still work, and nothing is refused."""
    base = live_server.url
    page.set_viewport_size({"width": 600, "height": 900})
    login(page, base, "tinh-35")
    header = page.request.get(f"{base}/").headers
    assert "default-src 'self'" in header["content-security-policy"]
    # Bootstrap's collapse (its own JS file) opens the menu on a narrow screen.
    page.click("button.navbar-toggler")
    expect(page.locator("#nav")).to_be_visible()
    page.click("text=Báo cáo")
    expect(page.locator("select[name=basis]")).to_be_visible()
    page.select_option("select[name=basis]", "submitted")
    expect(page).to_have_url(re.compile(r"basis=submitted"))
    # The print button is wired by app.js, not an onclick attribute (print itself is stubbed:
    # the test only needs to see that the click reaches window.print).
    page.goto(
        base
        + reverse(
            "survey:posting_list",
            kwargs={"round_id": round_2025.public_id, "village_id": village_a.public_id},
        )
    )
    assert page.locator("[onclick]").count() == 0
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("[data-print]")
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
