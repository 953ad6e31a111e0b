"""Villages (thôn / tổ dân phố) as the commune officer keeps them: the places households live.

The unit tree (areas) knows how a village is coded and named; who may add or change one, and the
audit row, live here, a floor above the tree.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from accounts.scoping import can_change_unit, communes_for_village_creation
from accounts.services import audit_record
from areas.models import AdminUnit
from areas.services import village_amend, village_insert


@transaction.atomic
def village_create(*, actor: User, commune: AdminUnit, name: str, kind: str) -> AdminUnit:
    """A commune officer (or an admin) adds a village under a commune."""
    if not communes_for_village_creation(actor).filter(pk=commune.pk).exists():
        raise PermissionDenied
    village = village_insert(commune=commune, name=name, kind=kind)
    audit_record(
        actor=actor,
        action="village_create",
        target=village,
        unit=village,
        changes={"name": village.name},
    )
    return village


@transaction.atomic
def village_update(
    *, actor: User, village: AdminUnit, name: str, kind: str, is_active: bool
) -> AdminUnit:
    """Rename a village, change its kind, or retire it (villages are never deleted)."""
    if village.level != AdminUnit.Level.VILLAGE or not can_change_unit(actor, village):
        raise PermissionDenied
    changed = village_amend(village=village, name=name, kind=kind, is_active=is_active)
    if changed:
        audit_record(
            actor=actor, action="village_update", target=village, unit=village, changes=changed
        )
    return village
