"""In headless Chromium: an amount in đồng is grouped with "." as the officer types it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from survey.services import response_start
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_income_typed_digit_by_digit_is_grouped_and_saved(
    page: Page, live_server, officer_a, household_a, round_2025
):
    draft = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "xa-13504")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    url = reverse(
        "survey:response_section", kwargs={"public_id": draft.public_id, "section": "income"}
    )
    page.goto(f"{base}{url}")
    wages = page.locator("#id_income__wages")
    wages.press_sequentially("36000000")
    expect(wages).to_have_value("36.000.000")
    # A digit typed in the middle keeps the caret after it: 36.000.000 → 361.000.000 after "1".
    wages.evaluate("e => e.setSelectionRange(2, 2)")
    wages.press("1")
    expect(wages).to_have_value("361.000.000")
    assert wages.evaluate("e => e.selectionStart") == 3
    # Deleting a digit regroups: Backspace after "361" → 36.000.000 again.
    wages.press("Backspace")
    expect(wages).to_have_value("36.000.000")
    page.click("button[name=stay]")
    expect(page.locator("#id_income__wages")).to_have_value("36.000.000")
    draft.refresh_from_db()
    assert draft.income_by_source["wages"] == 36_000_000
