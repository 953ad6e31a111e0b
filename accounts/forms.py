from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit, TreeEdition
from areas.services import UnitNotFound, unit_resolve
from core.locking import VersionField
from core.text import CleanTextMixin

from .models import User


class LoginForm(CleanTextMixin, AuthenticationForm):
    # One message for a wrong password and an unknown user: the form never tells which.
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
    }


class OwnPasswordForm(CleanTextMixin, PasswordChangeForm):
    """The user's own new password; the rules: AUTH_PASSWORD_VALIDATORS (accounts/passwords.py)."""


class AccountForm(CleanTextMixin, forms.Form):
    username = forms.RegexField(
        label=_("Tên đăng nhập"),
        max_length=150,
        regex=r"^[a-z0-9][a-z0-9._-]*$",
        error_messages={"invalid": _("Chỉ dùng chữ thường không dấu, số, dấu chấm, gạch ngang.")},
    )
    full_name = forms.CharField(label=_("Họ và tên / ghi chú"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=User.Role.choices)
    edition = forms.ModelChoiceField(
        label=_("Danh mục đơn vị"),
        queryset=TreeEdition.objects.order_by("-is_current", "code"),
        required=False,
        empty_label=None,
    )
    # A unit picked by GSO code within an edition: light on a slow line, unlike a 3,000-row list.
    unit_code = forms.CharField(
        label=_("Mã đơn vị công tác"),
        max_length=16,
        required=False,
        help_text=_("Mã GSO của tỉnh, huyện hoặc xã. Để trống với tài khoản quản trị."),
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
    reason = forms.CharField(
        label=_("Lý do thay đổi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def __init__(self, *args, editing: User | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.fields["username"].disabled = True
        else:
            del self.fields["is_active"]
            del self.fields["reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        code = (data.get("unit_code") or "").strip()
        data["unit"] = None
        if role and role != User.Role.ADMIN:
            if not code:
                self.add_error("unit_code", _("Hãy nhập mã đơn vị công tác."))
            else:
                try:
                    data["unit"] = unit_resolve(code, edition=data.get("edition"))
                except UnitNotFound as exc:
                    self.add_error("unit_code", str(exc))
        return data


class UserSearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(label=_("Tìm tài khoản"), max_length=150, required=False)


FIELD_ROLE_CHOICES = [(role.value, role.label) for role in User.Role if role in User.FIELD_ROLES]


class FieldAccountForm(CleanTextMixin, forms.Form):
    """A surveyor's or village head's account, made by the commune officer."""

    username = AccountForm.base_fields["username"]
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=FIELD_ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Trưởng thôn điền phiếu như rà soát viên và ghi kết quả họp thôn của thôn."),
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Thôn được giao"),
        queryset=AdminUnit.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Thôn đã chọn không có trong danh mục."),
            "invalid_pk_value": _("Thôn đã chọn không có trong danh mục."),
        },
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
    version = VersionField()

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, villages: QuerySet[AdminUnit], editing: User | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        field = self.fields["villages"]
        # Any village is read back, so that one outside the commune gets the service's own
        # message; only the commune's active villages are offered.
        field.queryset = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)  # type: ignore[attr-defined]
        field.widget.choices = [(v.public_id, v.name) for v in villages]
        if editing is not None:
            del self.fields["username"]
        else:
            del self.fields["is_active"]
            del self.fields["version"]
