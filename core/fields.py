"""Form fields the project shares.

`MoneyField`: an amount in đồng, typed the way officers write it. "36.000.000", "36 000 000" and
"36000000" are the same 36 million; the field shows it back grouped with "." (the Vietnamese
thousands separator), and static/js/app.js groups the digits as they are typed in any input
marked `data-money`. Years and codes are never grouped: they do not use this field.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# Digits, or groups of three separated by one kind of separator: "." (Vietnamese), "," (English),
# a space, a no-break space or a narrow no-break space (what a phone keyboard or a paste may give).
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[., \u00a0\u202f])\d{3})(?:(?P=sep)\d{3})*")


def group_thousands(value: int) -> str:
    """36000000 → "36.000.000"."""
    return f"{value:,}".replace(",", ".")


def parse_money(text: str) -> int | None:
    """ "36.000.000", "36 000 000", "36000000" → 36000000; None if it is not a whole amount."""
    text = text.strip()
    if text.isdigit() and text.isascii():
        return int(text)
    if _GROUPED.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    return None


class MoneyInput(forms.TextInput):
    """A text input (not type=number, which refuses "36.000.000") with a numeric keyboard."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "numeric", "data-money": "", "autocomplete": "off", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return group_thousands(value)
        if isinstance(value, str) and (amount := parse_money(value)) is not None:
            return group_thousands(amount)
        return super().format_value(value)


class MoneyField(forms.IntegerField):
    """A whole amount in đồng, never negative."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Hãy nhập số tiền bằng chữ số, ví dụ 36.000.000."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        amount = parse_money(str(value))
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No min/max/step attributes: they belong to type=number inputs.
        return {}
