"""Password rules, with messages in Vietnamese (configured in AUTH_PASSWORD_VALIDATORS).

Accounts are created and reset by an admin, who reads the one-time password aloud to the commune
office: until the user picks a password of their own, the admin knows it. So the new password must
differ from the current one, and the usual rules apply (length, not common, not all digits, not
like the user name or full name). Django's `vi` catalogue translates most of its own messages but
not the minimum length (a plural form it lacks); those get our own text here.
"""

from types import SimpleNamespace
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.text import unaccent


class NotCurrentPasswordValidator:
    """The new password must not be the one in force (in a forced change: the one-time one)."""

    def validate(self, password: str, user: Any = None) -> None:
        encoded = getattr(user, "password", "") or ""
        # hashers.check_password, not user.check_password: no hash upgrade saved as a side effect.
        if encoded and check_password(password, encoded):
            raise ValidationError(
                _("Mật khẩu mới phải khác mật khẩu đang dùng (kể cả mật khẩu dùng một lần)."),
                code="password_unchanged",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu mới phải khác mật khẩu đang dùng.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu quá ngắn: cần ít nhất %(n)d ký tự.") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("Mật khẩu phải có ít nhất %(n)d ký tự.") % {"n": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Also compares with the names written without diacritics, as they are typed in a password.

    "nguyenvanan2025" is too close to the full name "Nguyễn Văn An", not to its accented form.
    """

    def validate(self, password: str, user: Any = None) -> None:
        super().validate(password, user)
        if user is None:
            return
        values = {name: str(getattr(user, name, "") or "") for name in self.user_attributes}
        for joiner in (" ", ""):
            plain = SimpleNamespace(
                _meta=user._meta,
                **{name: joiner.join(unaccent(value).split()) for name, value in values.items()},
            )
            super().validate(password, plain)  # type: ignore[arg-type]  # reads attributes only
