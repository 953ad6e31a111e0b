"""One optimistic lock for every record a user edits in a form (households, members, accounts).

Each such record has a `version` starting at 1. A form carries the version it was opened at; the
service moves the version on only if nobody saved the record since. A missing, zero or garbled
version is never "no check": it counts as stale, so a crafted or truncated POST cannot overwrite.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

STALE = 0  # what an unreadable version becomes: matches no record (versions start at 1)


class StaleEdit(ValidationError):
    """Someone saved the same record since this form was opened: nothing was overwritten."""


def version_bump(obj: Any, expected: int | None, message: str = "") -> None:
    """Move `obj`'s version on only if nobody saved it since `expected`; else raise StaleEdit."""
    updated = 0
    if expected:
        updated = (
            type(obj).objects.filter(pk=obj.pk, version=expected).update(version=F("version") + 1)
        )
    if not updated:
        raise StaleEdit(
            message
            or _(
                "Bản ghi này vừa được người khác lưu sau khi bạn mở trang. Thay đổi của bạn chưa "
                "được lưu: hãy xem nội dung mới bên dưới rồi nhập lại phần của bạn."
            )
        )
    obj.version = expected + 1  # type: ignore[operator]


def posted_version(data: Any, key: str = "version") -> int:
    """The version a plain (non-Django-form) POST carries; anything unreadable is stale."""
    raw = str(data.get(key, "") or "")
    return int(raw) if raw.isdigit() else STALE


class VersionField(forms.IntegerField):
    """The hidden version of an edit form: missing, zero or garbled cleans to STALE, never None."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        raw = str(value or "").strip()
        return int(raw) if raw.isdigit() else STALE
