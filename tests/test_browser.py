"""End to end in headless Chromium: an officer fills Phiếu A and B and watches the running score."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from areas.services import unit_resolve
from households.services import household_register
from survey.services import response_start
from survey.workflow import response_return
from tests.conftest import HEAD, PASSWORD
from tests.factories import household, result

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
    # Poor so far: the causes and needs are asked before the form can be submitted.
    expect(page).to_have_url(re.compile(r"/needs/$"))
    expect(page.locator("#needs-rule")).to_contain_text("phải trả lời phần này")
    page.check("input[name=poverty_causes][value=capital]")
    page.check("input[name=support_needs][value=production]")
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


# --- Accessibility: axe-core (bundled by axe-playwright-python) on the main pages of each role ----

AXE = Axe()
# WCAG 2.1 A and AA rules; a violation of impact "serious" or "critical" fails the test.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}


def axe_violations(page: Page, label: str) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations on the page, one line per element."""
    results = AXE.run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            for node in violation["nodes"]:
                found.append(
                    f"{label}: {violation['id']} ({violation['impact']}) {node['target']} "
                    f"{node.get('failureSummary', '')[:200]}"
                )
    return found


@pytest.fixture
def a11y_world(world, officer_a, district_reader, province_reader, admin):
    """A household of commune A with a draft form, and submitted results for the report chart."""
    village = world["villages"][0]
    review_round = world["rounds"][2025]
    h = household_register(actor=officer_a, village=village, address="Xóm 1", head=HEAD)
    response = response_start(actor=officer_a, review_round=review_round, household=h)
    for _ in range(2):
        result(world, household(world, village), 2025, "poor", members=3, status="submitted")
    result(world, household(world, village), 2025, "near_poor", members=2, status="submitted")
    sent_back = result(world, household(world, village), 2025, "poor", status="submitted")
    response_return(actor=district_reader, response=sent_back, reason="Thiếu diện tích nhà ở")
    return {
        "round": review_round,
        "village": village,
        "household": h,
        "response": response,
        "returned": sent_back,
    }


def role_pages(a11y_world, legacy_tree) -> dict[str, list[tuple[str, str]]]:
    review_round, village = a11y_world["round"], a11y_world["village"]
    report = reverse(
        "reports:report",
        kwargs={
            "round_id": review_round.public_id,
            "unit_id": unit_resolve("35", edition=legacy_tree).public_id,
            "kind": "summary",
        },
    )
    district_report = reverse(
        "reports:report",
        kwargs={
            "round_id": review_round.public_id,
            "unit_id": unit_resolve("352", edition=legacy_tree).public_id,
            "kind": "summary",
        },
    )
    by_area = reverse(
        "reports:report",
        kwargs={
            "round_id": review_round.public_id,
            "unit_id": unit_resolve("35", edition=legacy_tree).public_id,
            "kind": "areas",
        },
    )
    return {
        "xa-13504": [
            ("board", "/"),
            ("household list", reverse("households:list")),
            ("household", reverse("households:detail", args=[a11y_world["household"].public_id])),
            (
                "form section",
                reverse(
                    "survey:response_section",
                    args=[a11y_world["response"].public_id, "housing"],
                ),
            ),
            (
                "needs section",
                reverse(
                    "survey:response_section",
                    args=[a11y_world["response"].public_id, "needs"],
                ),
            ),
            (
                "village page",
                reverse(
                    "survey:village_workspace",
                    kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
                ),
            ),
            (
                "returned form",
                reverse(
                    "survey:response_section",
                    args=[a11y_world["returned"].public_id, "screening"],
                ),
            ),
            ("round page", reverse("survey:round_detail", args=[review_round.public_id])),
        ],
        "huyen-352": [("board", "/"), ("report", district_report)],
        "tinh-35": [
            ("board", "/"),
            ("report", report),
            ("report by area", by_area),
            ("causes report", report.replace("/summary/", "/causes/")),
        ],
        "admin": [("accounts", reverse("accounts:user_list"))],
    }


def test_main_pages_of_every_role_pass_axe_at_laptop_and_phone_widths(
    page: Page, live_server, a11y_world, legacy_tree, csp_violations
):
    """axe-core finds no serious or critical WCAG 2.1 AA violation on the pages each role uses
    most, on a laptop (1366 px) and on a phone (390 px)."""
    base = live_server.url
    found: list[str] = []
    for username, pages in role_pages(a11y_world, legacy_tree).items():
        page.context.clear_cookies()
        login(page, base, username)
        expect(page.locator("form[action$='/logout/']")).to_have_count(1)
        for name, path in pages:
            page.goto(base + path)
            assert page.url.endswith(path), (username, name, page.url)
            for width, (w, h) in WIDTHS.items():
                page.set_viewport_size({"width": w, "height": h})
                found += axe_violations(page, f"{username} {name} {width}")
    assert found == [], "\n".join(found)


# --- On a phone: the running score stays in view; touch targets are at least 44 px -------------

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_running_score_is_a_bar_in_view_that_opens_the_explanation(
    page: Page, live_server, a11y_world, csp_violations
):
    base = live_server.url
    login(page, base, "xa-13504")
    section = reverse("survey:response_section", args=[a11y_world["response"].public_id, "housing"])
    page.set_viewport_size(PHONE)
    # Bootstrap scrolls smoothly unless the user asks for reduced motion: measure after the scroll.
    page.emulate_media(reduced_motion="reduce")
    page.goto(base + section)
    bar = page.locator("#score .score-bar summary")
    expect(bar).to_be_visible()
    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] and box["height"] >= 44
    expect(page.locator("#score .score-panel")).to_be_hidden()
    # The officer types at the top of a long form: the bar stays at the bottom of the screen.
    page.fill("#id_floor_area_m2", "6")
    page.keyboard.press("Tab")
    expect(bar).to_be_in_viewport()
    page.mouse.wheel(0, 400)
    expect(bar).to_be_in_viewport()
    # Opening the bar shows the full explanation (a <details>: no script needed).
    explanation = page.locator("#score .score-bar-body")
    expect(explanation).to_be_hidden()
    bar.click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("Chưa đủ thông tin")
    # The form's last button is not hidden under the bar when scrolled to the end.
    bar.click()  # close it again
    save = page.locator("main form button[name=stay]")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    save_box, bar_box = save.bounding_box(), bar.bounding_box()
    assert save_box["y"] + save_box["height"] <= bar_box["y"], (save_box, bar_box)
    # Nor is a button reached with the keyboard.
    page.evaluate("window.scrollTo(0, 0)")
    page.focus("#id_floor_area_m2")
    while not save.evaluate("e => e === document.activeElement"):
        page.keyboard.press("Tab")
    # Leaving a field refreshes the score (htmx swaps #score): measure the bar once it is back.
    page.wait_for_load_state("networkidle")
    expect(bar).to_be_visible()
    save_box, bar_box = save.bounding_box(), bar.bounding_box()
    assert save_box["y"] + save_box["height"] <= bar_box["y"], (save_box, bar_box)


def test_on_a_laptop_the_full_score_panel_stays_beside_the_form(
    page: Page, live_server, a11y_world, csp_violations
):
    base = live_server.url
    login(page, base, "xa-13504")
    section = reverse("survey:response_section", args=[a11y_world["response"].public_id, "housing"])
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base + section)
    panel = page.locator("#score .score-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#score .score-bar")).to_be_hidden()
    form_box = page.locator("main form").first.bounding_box()
    panel_box = panel.bounding_box()
    assert panel_box["x"] >= form_box["x"] + form_box["width"], (panel_box, form_box)
    assert panel_box["y"] < form_box["y"] + 200  # beside the top of the form, not under it


def test_touch_targets_are_at_least_44_px_on_a_phone(
    page: Page, live_server, a11y_world, csp_violations
):
    """Buttons, links in tables, radio and checkbox hit areas and navbar items, at 390 px."""
    base = live_server.url
    page.set_viewport_size(PHONE)
    login(page, base, "xa-13504")
    review_round, village = a11y_world["round"], a11y_world["village"]
    small: list[str] = []

    def check(selector: str, what: str) -> None:
        items = page.locator(selector)
        assert items.count() > 0, (what, selector)
        for i in range(items.count()):
            item = items.nth(i)
            if not item.is_visible():
                continue
            box = item.bounding_box()
            if box["height"] < 44 or box["width"] < 44:
                small.append(f"{what} {selector}#{i}: {box['width']:.0f}×{box['height']:.0f}")

    page.click("button.navbar-toggler")
    expect(page.locator("#nav")).to_be_visible()
    check("button.navbar-toggler", "board")
    check("#nav .nav-link", "board")
    page.goto(base + reverse("households:list"))
    check("main table a", "household list")
    check("main .btn", "household list")
    page.goto(
        base
        + reverse(
            "survey:village_workspace",
            kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
        )
    )
    check("main table a", "village page")
    check("main .btn", "village page")
    # A radio's hit area is its label: clicking the label's edge chooses it.
    check("#meeting ~ form td label:has(input[type=radio])", "village page")
    page.goto(
        base
        + reverse("survey:response_section", args=[a11y_world["response"].public_id, "housing"])
    )
    check("main .form-check:has(input[type=checkbox])", "form section")
    check("main form .btn", "form section")
    assert small == [], "\n".join(small)
