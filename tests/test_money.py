"""Amounts of money are grouped the Vietnamese way, in the pages and in the inputs."""

import re

import pytest
from django.urls import reverse

from core.fields import MoneyField
from households.models import Member
from survey.services import response_start


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("36.000.000", 36_000_000),
        ("36 000 000", 36_000_000),
        ("36\u00a0000\u00a0000", 36_000_000),
        ("36000000", 36_000_000),
        ("36,000,000", 36_000_000),
        (" 1.500 ", 1_500),
        ("0", 0),
    ],
)
def test_a_money_field_reads_an_amount_however_it_is_grouped(typed, amount):
    assert MoneyField().clean(typed) == amount


@pytest.mark.parametrize("typed", ["36.00.000", "36,5", "3.6000.000", "36.000 000", "abc", "-5"])
def test_a_money_field_refuses_what_is_not_a_whole_amount_in_vietnamese(typed):
    field = MoneyField()
    with pytest.raises(Exception) as caught:
        field.clean(typed)
    assert "Hãy nhập số tiền bằng chữ số, ví dụ 36.000.000." in str(caught.value)


@pytest.fixture
def draft(officer_a, household_a, round_2025):
    return response_start(actor=officer_a, review_round=round_2025, household=household_a)


def input_named(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def income_url(response):
    return reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": "income"}
    )


def test_income_typed_with_dots_is_saved_and_shown_back_grouped(officer_a, draft, client_for):
    client = client_for(officer_a)
    page = client.get(income_url(draft)).content.decode()
    field = input_named(page, "income__wages")
    assert 'inputmode="numeric"' in field and "data-money" in field
    assert 'type="number"' not in field  # a number input refuses "36.000.000"

    posted = client.post(
        income_url(draft),
        {"version": draft.version, "income__wages": "36.000.000", "income__crops": "1 200 000"},
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.income_by_source == {"wages": 36_000_000, "crops": 1_200_000}

    again = client.get(income_url(draft)).content.decode()
    wages = input_named(again, "income__wages")
    assert 'value="36.000.000"' in wages
    crops = input_named(again, "income__crops")
    assert 'value="1.200.000"' in crops


def test_a_wrong_amount_is_shown_back_with_a_vietnamese_message(officer_a, draft, client_for):
    page = client_for(officer_a).post(
        income_url(draft), {"version": draft.version, "income__wages": "36tr"}
    )
    assert page.status_code == 200
    assert "Hãy nhập số tiền bằng chữ số, ví dụ 36.000.000." in page.content.decode()


def test_a_members_monthly_allowance_is_a_grouped_amount_in_the_form_and_the_trail(
    officer_a, household_a, client_for
):
    client = client_for(officer_a)
    url = reverse("households:member_new", kwargs={"public_id": household_a.public_id})
    response = client.post(
        url,
        {
            "version": "0",
            "full_name": "Trần Thị Bình",
            "birth_year": "1950",
            "sex": "female",
            "ethnicity": "01",
            "relationship": "spouse",
            "monthly_social_allowance": "1.500.000",
            "education": "primary",
            "employment": "self_employed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get(full_name="Trần Thị Bình")
    assert member.monthly_social_allowance == 1_500_000
    edit = reverse("households:member_edit", kwargs={"public_id": member.public_id})
    field = input_named(client.get(edit).content.decode(), "monthly_social_allowance")
    assert 'value="1.500.000"' in field and "data-money" in field
    trail = client.get(reverse("accounts:audit_list")).content.decode()
    assert "1.500.000" in trail
