"""Demo data for `make demo`: the Hà Nam legacy tree, villages, and one account per role."""

import os
from dataclasses import dataclass

from django.db import transaction

from areas.models import AdminUnit
from areas.services import edition_get, unit_resolve, units_load_legacy

from .models import User
from .services import audit_record

DEMO_VILLAGES = {
    "13504": ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4"],
    "13510": ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4"],
}
DEMO_ACCOUNTS = [
    ("admin", User.Role.ADMIN, None, "Quản trị hệ thống"),
    ("tinh-35", User.Role.PROVINCE_STAFF, "35", "Cán bộ Sở, tỉnh Hà Nam"),
    ("huyen-352", User.Role.DISTRICT_STAFF, "352", "Cán bộ phòng, huyện Bình Lục"),
    ("xa-13504", User.Role.COMMUNE_OFFICER, "13504", "Cán bộ xã Bình Nghĩa"),
    ("xa-13510", User.Role.COMMUNE_OFFICER, "13510", "Cán bộ xã Tràng An"),
    # Below the commune, made by the officer in real use (accounts/commune/): in the 2024 round,
    # Thôn 3 waits for its meeting and Thôn 4 has drafts (survey/demo_world.py CURRENT_STEPS).
    ("rsv-13504", User.Role.SURVEYOR, "13504", "Rà soát viên Thôn 3, Thôn 4, xã Bình Nghĩa"),
    ("tt-13504-3", User.Role.VILLAGE_HEAD, "13504", "Trưởng Thôn 3, xã Bình Nghĩa"),
]
# The villages (codes) of the demo's surveyors and village heads.
DEMO_FIELD_VILLAGES = {"rsv-13504": ["13504-03", "13504-04"], "tt-13504-3": ["13504-03"]}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or "demo"


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Idempotent: running it again leaves one copy of everything and resets the demo passwords."""
    units_load_legacy()
    edition = edition_get(legacy=True)
    for commune_code, names in DEMO_VILLAGES.items():
        commune = unit_resolve(commune_code, edition=edition)
        for number, name in enumerate(names, start=1):
            code = f"{commune.code}-{number:02d}"
            AdminUnit.objects.get_or_create(
                edition=edition,
                code=code,
                defaults={
                    "parent": commune,
                    "level": AdminUnit.Level.VILLAGE,
                    "kind": AdminUnit.Kind.THON,
                    "name": name,
                    "path": f"{commune.path}{code}/",
                },
            )
    logins = []
    for username, role, unit_code, full_name in DEMO_ACCOUNTS:
        unit = unit_resolve(unit_code, edition=edition) if unit_code else None
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "unit": unit, "first_name": full_name}
        )
        user.role, user.unit, user.first_name = role, unit, full_name
        user.is_active, user.must_change_password = True, False
        user.set_password(demo_password())
        user.save()
        if created:
            audit_record(actor=None, action="user_create", target=user, unit=unit)
        shown = unit.name if unit else "—"
        if username in DEMO_FIELD_VILLAGES:
            villages = AdminUnit.objects.filter(
                edition=edition, code__in=DEMO_FIELD_VILLAGES[username]
            ).order_by("code")
            user.villages.set(villages)
            shown = f"{shown}: {', '.join(v.name for v in villages)}"
        logins.append(DemoLogin(username, str(User.Role(role).label), shown))
    return logins
