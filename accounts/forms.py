from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from areas.models import TreeEdition
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
