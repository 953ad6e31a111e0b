"""Free text typed into a form, made safe to store and to print.

Names and addresses end up on lists posted at the village hall and in the commune's decision. A
right-to-left override (U+202E) or an invisible zero-width space can make a printed name read
differently from what is stored, or make two equal names differ for search and duplicate checks.
So every free-text input is cleaned at the form layer, before validation (lengths are measured on
the clean text):

- direction controls (embeddings, overrides, isolates, LRM/RLM/ALM) and zero-width characters
  (ZWSP, ZWNJ, ZWJ, word joiner, BOM) are removed; none of them belongs in Vietnamese text;
- the rest is normalised to NFC, so "Nguyễn" typed with combining marks (as some keyboards and
  macOS file names send it) equals the precomposed one, diacritics kept.

NUL bytes are not stripped here: Django's CharField refuses them (ProhibitNullCharactersValidator),
and the user sees a form error, in Vietnamese (Django's own `vi` catalogue leaves it in English).

Every form of the project mixes in `CleanTextMixin` (tests/test_text_hygiene.py checks that).
"""

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# U+061C ALM; U+200B-U+200D zero-width space/non-joiner/joiner; U+200E/U+200F LRM/RLM;
# U+202A-U+202E embeddings and overrides; U+2060 word joiner; U+2066-U+2069 isolates; U+FEFF BOM.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean_text(value: str) -> str:
    """Remove direction controls and zero-width characters, then normalise to NFC."""
    return unicodedata.normalize("NFC", INVISIBLE.sub("", value))


# Django's message has no Vietnamese translation; every CharField of our forms uses this one.
NO_NUL = ProhibitNullCharactersValidator(
    message=_("Nội dung có ký tự không hợp lệ (ký tự rỗng NUL): hãy gõ lại, đừng dán từ tệp khác.")
)


def is_free_text(field: forms.Field) -> bool:
    """A field whose value is typed text; passwords are left exactly as typed."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class CleanTextMixin(_FormBase):
    """Cleans every free-text field's submitted value with `clean_text` before validation.

    Put it first: `class HouseholdForm(CleanTextMixin, forms.ModelForm)`. It works on the bound
    data, so fields added in `__init__` (the survey sections built from a standard) are covered too.
    """

    def full_clean(self) -> None:
        if self.is_bound:
            self.data = self._with_clean_text(self.data)
        for field in self.fields.values():  # each form instance has its own copy of its fields
            if isinstance(field, forms.CharField):
                field.validators = [
                    NO_NUL if isinstance(v, ProhibitNullCharactersValidator) else v
                    for v in field.validators
                ]
        super().full_clean()

    def _with_clean_text(self, data: Any) -> Any:
        keys = [self.add_prefix(name) for name, field in self.fields.items() if is_free_text(field)]
        keys = [key for key in keys if key in data]
        if not keys:
            return data
        data = data.copy()
        for key in keys:
            if hasattr(data, "setlist"):
                data.setlist(key, [_clean(value) for value in data.getlist(key)])
            else:
                data[key] = _clean(data[key])
        return data


def unaccent(text: str) -> str:
    """Vietnamese text without diacritics ("Nguyễn Văn Đức" → "Nguyen Van Duc")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _clean(value: object) -> object:
    return clean_text(value) if isinstance(value, str) else value
