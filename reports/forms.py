from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextMixin


class RateField(forms.DecimalField):
    """A percentage typed the Vietnamese way ("2,5") or the English way ("2.5")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class TargetForm(CleanTextMixin, forms.Form):
    """The province's target poverty rate; the service checks the range (0 to 100)."""

    target = RateField(
        label=_("Tỷ lệ mục tiêu (%)"),
        error_messages={
            "required": _("Tỷ lệ mục tiêu phải là một số, ví dụ 2,5."),
            "invalid": _("Tỷ lệ mục tiêu phải là một số, ví dụ 2,5."),
        },
    )
    basis_text = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)


class FollowUpForm(CleanTextMixin, forms.Form):
    """What an inspector found on a second look at a finding (the service checks the rest)."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    outcome = forms.ChoiceField(
        label=_("Kết luận"),
        choices=[
            ("fine", _("Đã kiểm tra: không có sai sót")),
            ("corrected", _("Đã kiểm tra: đã sửa")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn kết luận.")},
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Hãy ghi đã kiểm tra những gì và thấy gì.")},
    )
