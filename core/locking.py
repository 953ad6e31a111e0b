"""One optimistic lock for every record a user edits in a form (households, members, accounts).

Each such record has a `version` starting at 1. A form carries the version it was opened at; the
service moves the version on only if nobody saved the record since. A missing, zero or garbled
version is never "no check": it counts as stale, so a crafted or truncated POST cannot overwrite.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Model
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


@dataclass(frozen=True)
class Difference:
    """One field where the record as saved differs from what this user typed, in words."""

    name: str
    label: str
    saved: str
    yours: str


def shown(field: forms.Field, value: Any) -> str:
    """A value as the user reads it: the choice's label, có/không, dd/mm/yyyy, — for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Model):
        return str(getattr(value, "name", value))
    choices = dict(getattr(field, "choices", ()) or ())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def differences(form: forms.BaseForm, saved: Any, names: Iterable[str]) -> list[Difference]:
    """Where `saved` (just re-read) and the valid `form` disagree, field by field, in words."""
    rows = []
    for name in names:
        field = form.fields.get(name)
        if field is None or name == "version":
            continue
        mine, theirs = form.cleaned_data.get(name), getattr(saved, name, None)
        if mine != theirs and not (mine in (None, "") and theirs in (None, "")):
            rows.append(
                Difference(
                    name=name,
                    label=str(field.label or name),
                    saved=shown(field, theirs),
                    yours=shown(field, mine),
                )
            )
    return rows


def stale_context(data: Any, form: forms.BaseForm, saved: Any) -> dict[str, Any]:
    """What `includes/stale_edit.html` shows after a refused save: the differences in words, and
    the user's own values (from the POST `data`) ready to be re-applied deliberately at the
    version now saved. The page's main form should show `saved`."""
    return {
        "differences": differences(form, saved, form.fields),
        "mine": [
            (name, values)
            for name, values in data.lists()
            if name not in {"csrfmiddlewaretoken", "version"}
        ],
        "saved_version": saved.version,
    }
