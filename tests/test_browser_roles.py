"""End to end in headless Chromium, on a laptop and on a phone: the surveyor of a village fills and
submits a household's form, then the village head records the village meeting that agrees on it.
Neither sees the posting, the approval nor the commune's account pages."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from survey.models import SurveyResponse
from tests.test_browser import axe_violations, csp_violations, login  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_surveyor_submits_a_form_and_the_village_head_records_the_meeting(
    width,
    page: Page,
    live_server,
    surveyor_a,
    village_head_a,
    village_a,
    village_a2,
    household_a,
    round_2025,
    csp_violations,  # noqa: F811
):
    base = live_server.url
    page.set_viewport_size(WIDTHS[width])

    # The surveyor: his board shows his village only; he starts, fills and submits the form.
    login(page, base, "rsv-13504")
    expect(page.locator("h1")).to_contain_text("Rà soát viên")
    board = page.locator("main")
    expect(board).to_contain_text("Thôn Đông")
    expect(board).not_to_contain_text("Thôn Nam")
    found = axe_violations(page, f"surveyor board {width}")
    workspace = reverse(
        "survey:village_workspace",
        kwargs={"round_id": round_2025.public_id, "village_id": village_a.public_id},
    )
    page.locator(f"main a[href='{workspace}']:visible").first.click()
    expect(page).to_have_url(re.compile(re.escape(workspace) + "$"))
    expect(page.locator("#meeting")).to_have_count(0)
    page.click("#not-started a:has-text('Nguyễn Văn An')")
    page.click("text=Bắt đầu rà soát hộ này")
    page.select_option("#id_screening", "stop")
    page.fill("#id_screening_reason", "Hộ có xe ô tô")
    page.click("text=Lưu và tiếp")
    expect(page).to_have_url(re.compile(r"/housing/$"))
    response = SurveyResponse.objects.get(household=household_a, review_round=round_2025)
    page.goto(base + reverse("survey:response_section", args=[response.public_id, "result"]))
    page.click("main button:has-text('Nộp phiếu')")
    expect(page.locator("main")).to_contain_text("Đã nộp phiếu")
    response.refresh_from_db()
    assert response.status == "submitted" and response.submitted_by == surveyor_a
    nav = page.locator("nav.navbar")
    expect(nav.locator("a[href='/reports/']")).to_have_count(0)
    expect(nav.locator(f"a[href='{reverse('accounts:field_list')}']")).to_have_count(0)

    # The village head: records the meeting of his village, and sees no posting or approval.
    page.context.clear_cookies()
    login(page, base, "tt-13504-1")
    expect(page.locator("h1")).to_contain_text("Trưởng thôn")
    page.locator(f"main a[href='{workspace}']:visible").first.click()
    expect(page.locator("#meeting")).to_be_visible()
    expect(page.locator("#posting")).to_have_count(0)
    expect(page.locator("#approval")).to_have_count(0)
    found += axe_violations(page, f"village head workspace {width}")
    page.fill("#id_held_on", "15/10/2025")
    page.fill("#id_attendance", "32")
    page.fill("#id_chaired_by", "Trưởng thôn Đông")
    page.check(f"input[name='decision_{response.public_id}'][value='agreed']")
    page.click("text=Ghi kết quả họp")
    expect(page.locator("main")).to_contain_text("Đã ghi kết quả họp thôn")
    response.refresh_from_db()
    assert response.status == "agreed"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (width, overflow)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_officer_makes_a_village_heads_account_and_reads_its_one_time_password(
    width,
    page: Page,
    live_server,
    officer_a,
    village_a,
    village_a2,
    csp_violations,  # noqa: F811
):
    base = live_server.url
    page.set_viewport_size(WIDTHS[width])
    login(page, base, "xa-13504")
    if width == "phone":
        page.click(".navbar-toggler")  # the menu folds away on a phone
    page.locator(f"nav a[href='{reverse('accounts:field_list')}']").click()
    expect(page.locator("h1")).to_contain_text("Rà soát viên, trưởng thôn")
    found = axe_violations(page, f"field list {width}")
    page.click("text=Tạo tài khoản")
    found += axe_violations(page, f"field form {width}")
    page.fill("#id_username", "tt-13504-2")
    page.fill("#id_full_name", "Trưởng Thôn Nam")
    page.check("input[name='role'][value='village_head']")
    page.check(f"input[name='villages'][value='{village_a2.public_id}']")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Đã tạo tài khoản")
    password = page.locator(".otp").inner_text().strip()
    assert len(password) == 12
    head = User.objects.get(username="tt-13504-2")
    assert head.check_password(password) and head.must_change_password
    assert [v.name for v in head.villages.all()] == ["Thôn Nam"]
    assert found == [], "\n".join(found)
