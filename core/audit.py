"""Turning values into what the audit trail stores: JSON-safe, and never a whole citizen ID.

The audit trail is read by district and provincial staff and kept for years: it stores only the
last digits of a citizen ID (CCCD), and plain values (a model by its key, a date as ISO text).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model

MASKED_FIELDS = frozenset({"citizen_id"})


def audit_value(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def mask_identifier(value: Any) -> Any:
    return f"…{value[-4:]}" if isinstance(value, str) and value else value


def audit_diff(
    obj: Model, values: Mapping[str, Any], *, masked: Iterable[str] = MASKED_FIELDS
) -> dict[str, list[Any]]:
    """What `values` would change on `obj`, as [old, new] pairs ready for the audit trail."""
    hidden = set(masked)
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            show = mask_identifier if field in hidden else audit_value
            changes[field] = [show(old), show(new)]
    return changes
