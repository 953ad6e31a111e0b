"""Free text is stored and printed without invisible direction or zero-width characters, in NFC."""

import importlib
import inspect
import unicodedata
from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.text import CleanTextMixin, clean_text
from households.models import Household, Member
from survey.models import SurveyResponse
from survey.services import response_start, response_submit, response_update

RLO = "\u202e"
ZWSP = "\u200b"
NAME_NFC = "Nguyễn Văn Tư"
NAME_NFD = unicodedata.normalize("NFD", NAME_NFC)
INVISIBLES = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff"
)


def registration(village, head_name: str, address: str) -> dict[str, object]:
    return {
        "village": village.pk,
        "address": address,
        "head-full_name": head_name,
        "head-birth_year": "1972",
        "head-sex": "male",
        "head-ethnicity": "01",
        "head-education": "primary",
        "head-employment": "self_employed",
        "head-monthly_social_allowance": "0",
    }


def test_every_invisible_direction_or_width_character_is_removed_and_diacritics_kept():
    assert NAME_NFD != NAME_NFC
    for char in INVISIBLES:
        assert clean_text(f"{char}Nguy{char}ễn{char}") == "Nguyễn"
    assert clean_text(NAME_NFD) == NAME_NFC
    assert clean_text("Đặng Thị Ánh Tuyết, thôn Thượng") == "Đặng Thị Ánh Tuyết, thôn Thượng"


def test_a_spoofed_name_and_address_are_stored_and_printed_clean(
    officer_a, village_a, round_2025, client_for
):
    client = client_for(officer_a)
    response = client.post(
        reverse("households:new"),
        registration(village_a, f"{RLO}{NAME_NFC}", f"Xóm{ZWSP} 3{ZWSP}, {RLO}đường Lê Lợi"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get()
    assert household.head_name == NAME_NFC
    assert household.address == "Xóm 3, đường Lê Lợi"
    assert Member.objects.get().full_name == NAME_NFC

    form = response_start(actor=officer_a, review_round=round_2025, household=household)
    response_update(
        actor=officer_a,
        response=form,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=form.version,
    )
    form = response_submit(actor=officer_a, response=form, expected_version=form.version)
    SurveyResponse.objects.filter(pk=form.pk).update(
        final_classification="poor", override_reason="Họp thôn đề nghị"
    )
    kwargs = {"round_id": round_2025.public_id, "village_id": village_a.public_id}
    pages = [
        reverse("survey:posting_list", kwargs=kwargs),
        reverse("survey:minutes_template", kwargs=kwargs),
        reverse("households:detail", kwargs={"public_id": household.public_id}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert NAME_NFC in body, url
        assert not any(char in body for char in INVISIBLES), url
    assert "Xóm 3, đường Lê Lợi" in client.get(pages[-1]).content.decode()


def test_text_typed_with_combining_marks_is_stored_precomposed(
    admin, officer_a, village_a, client_for
):
    client_for(officer_a).post(
        reverse("households:new"), registration(village_a, NAME_NFD, "Xóm 1")
    )
    household = Household.objects.get()
    assert household.head_name == NAME_NFC
    assert Member.objects.get().full_name == NAME_NFC
    # Beyond names (which the household service also composes): an account's name, a reason.
    client_for(admin).post(
        reverse("accounts:user_add"),
        {"username": "xa-nfd", "full_name": NAME_NFD, "role": "admin"},
    )
    assert User.objects.get(username="xa-nfd").first_name == NAME_NFC
    reason = unicodedata.normalize("NFD", "Chuyển đến Hà Nội")
    client_for(officer_a).post(
        reverse("households:close", kwargs={"public_id": household.public_id}),
        {"status": "moved_away", "reason": reason},
    )
    household.refresh_from_db()
    assert household.status_reason == "Chuyển đến Hà Nội"


def test_length_is_measured_on_the_clean_text(officer_a, village_a, client_for):
    """300 visible characters padded with zero-width spaces still fit the 300-character address."""
    address = ("a" + ZWSP) * 300
    response = client_for(officer_a).post(
        reverse("households:new"), registration(village_a, NAME_NFC, address)
    )
    assert response.status_code == 302
    assert Household.objects.get().address == "a" * 300


def test_village_names_account_names_and_reasons_are_cleaned_too(
    admin, officer_a, village_a, household_a, client_for
):
    admin_client = client_for(admin)
    admin_client.post(
        reverse("accounts:user_add"),
        {"username": "xa-moi", "full_name": f"{RLO}Trần{ZWSP} Thị Hoa", "role": "admin"},
    )
    assert User.objects.get(username="xa-moi").first_name == "Trần Thị Hoa"

    client = client_for(officer_a)
    client.post(
        reverse("households:close", kwargs={"public_id": household_a.public_id}),
        {"status": "moved_away", "reason": f"Chuyển{ZWSP} đi {RLO}Hà Nội"},
    )
    household_a.refresh_from_db()
    assert household_a.status_reason == "Chuyển đi Hà Nội"
    assert AuditEvent.objects.get(action="household_close").reason == "Chuyển đi Hà Nội"


def test_every_form_of_the_project_cleans_its_text():
    """A new form that forgets the mixin would let spoofed text through: none may."""
    missing = []
    for module_name in ("accounts.forms", "households.forms", "survey.forms", "reports.forms"):
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module_name
                and issubclass(cls, forms.BaseForm)
                and not issubclass(cls, CleanTextMixin)
            ):
                missing.append(f"{module_name}.{name}")
    assert missing == []


def test_posting_window_place_is_cleaned(officer_a, village_a, round_2025, client_for):
    """The posting's place is printed on the posted list: cleaned like a name."""
    from survey.forms import PostingForm

    start = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    form = PostingForm({"starts_on": start, "place": f"Nhà văn hoá{ZWSP} {RLO}thôn"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == "Nhà văn hoá thôn"
