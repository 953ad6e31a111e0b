"""The one place that answers: which units may this user see, and which may they change.

Every queryset a user reaches goes through here. Out of scope is a 404, never a 403, so a user
cannot tell "not yours" from "does not exist".

- admin: every unit, reads and changes;
- province staff: reads the province's subtree; changes nothing in the tree;
- district staff: reads the district's subtree; changes nothing in the tree;
- commune officer: reads the commune and its villages; changes its villages and creates new ones;
  makes, re-assigns and disables the surveyors' and village heads' accounts of the commune;
- surveyor (rà soát viên) and village head (trưởng thôn): their unit is their commune, but they
  read only the villages assigned to them (`User.villages`); an unassigned village of the same
  commune, and the commune itself, are a 404. They change no unit record.

What each may do there, beyond reading:
- `form_units`: villages where the user fills and submits forms (Phiếu A, Phiếu B): admins all,
  officers their commune's villages, surveyors and village heads their assigned villages. Phiếu B
  scores the members' own facts (age, schooling, health insurance, disability...), so those who
  fill it may also correct the facts of a household's present members there. Registering, editing
  the household record, adding members, recording that a member left or died, splitting, merging
  and closing households stay the officer's (`changeable_units`): they change who is counted.
- `meeting_units`: villages whose meeting the user records: officers their commune's villages,
  village heads their assigned villages, admins all; surveyors none.
- posting, complaints, approval and the commune's accounts stay the officer's.

Scoping knows units, not surveys: what a user may see of rounds, households or forms is each app's
selector over these unit rules (e.g. `survey.selectors.rounds_visible`).
"""

from typing import TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from areas.models import AdminUnit

from .models import User

M = TypeVar("M", bound=Model)


def _unit_root(user: User) -> AdminUnit | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.unit


def reaches_everything(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_admin)


def _assigned_villages(user: User, root: AdminUnit) -> QuerySet[AdminUnit]:
    """A surveyor's or village head's villages, only those inside their commune (a subquery)."""
    return AdminUnit.objects.filter(
        field_users=user, level=AdminUnit.Level.VILLAGE, path__startswith=root.path
    )


def _assigned_village_ids(user: User) -> frozenset[int]:
    """The same, as ids, fetched once per request (the user object lives for one request)."""
    cached: frozenset[int] | None = getattr(user, "_assigned_village_ids", None)
    if cached is None:
        root = _unit_root(user)
        cached = frozenset(
            _assigned_villages(user, root).values_list("pk", flat=True) if root else ()
        )
        user._assigned_village_ids = cached  # type: ignore[attr-defined]
    return cached


def scope_filter(user: User, unit_field: str = "unit") -> Q:
    """A filter over a model whose `unit_field` points to an AdminUnit: the user's reach."""
    if reaches_everything(user):
        return Q()
    root = _unit_root(user)
    if root is None:
        return Q(pk__in=[])
    if user.is_field_worker:
        return Q(**{f"{unit_field}__in": _assigned_villages(user, root)})
    return Q(**{f"{unit_field}__path__startswith": root.path})


def scoped(user: User, queryset: QuerySet[M], unit_field: str = "unit") -> QuerySet[M]:
    return queryset.filter(scope_filter(user, unit_field))


def visible_units(user: User) -> QuerySet[AdminUnit]:
    if reaches_everything(user):
        return AdminUnit.objects.all()
    root = _unit_root(user)
    if root is None:
        return AdminUnit.objects.none()
    if user.is_field_worker:
        return AdminUnit.objects.filter(pk__in=_assigned_villages(user, root))
    return AdminUnit.objects.filter(path__startswith=root.path)


def _commune_villages(root: AdminUnit) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(path__startswith=root.path, level=AdminUnit.Level.VILLAGE)


def form_units(user: User) -> QuerySet[AdminUnit]:
    """Villages where the user fills and submits forms (and corrects members' facts)."""
    if reaches_everything(user):
        return AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
    root = _unit_root(user)
    if root is None:
        return AdminUnit.objects.none()
    if user.role == User.Role.COMMUNE_OFFICER:
        return _commune_villages(root)
    if user.is_field_worker:
        return AdminUnit.objects.filter(pk__in=_assigned_villages(user, root))
    return AdminUnit.objects.none()


def can_fill_forms(user: User, village: AdminUnit) -> bool:
    """`form_units` for one village already fetched (no query but one per request for a
    surveyor or village head)."""
    if village.level != AdminUnit.Level.VILLAGE:
        return False
    if reaches_everything(user):
        return True
    root = _unit_root(user)
    if root is None:
        return False
    if user.role == User.Role.COMMUNE_OFFICER:
        return village.path.startswith(root.path)
    if user.is_field_worker:
        return village.pk in _assigned_village_ids(user)
    return False


def meeting_units(user: User) -> QuerySet[AdminUnit]:
    """Villages whose village meeting the user records: where they fill forms, but a surveyor's."""
    if user.role == User.Role.SURVEYOR:
        return AdminUnit.objects.none()
    return form_units(user)


def can_record_meeting(user: User, village: AdminUnit) -> bool:
    """`meeting_units` for one village already fetched."""
    if user.role == User.Role.SURVEYOR:
        return False
    return can_fill_forms(user, village)


def changeable_units(user: User) -> QuerySet[AdminUnit]:
    """Units whose own record the user may change: admins all, officers their villages."""
    if reaches_everything(user):
        return AdminUnit.objects.all()
    root = _unit_root(user)
    if root is None or user.role != User.Role.COMMUNE_OFFICER:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(path__startswith=root.path, level=AdminUnit.Level.VILLAGE)


def can_change_unit(user: User, unit: AdminUnit) -> bool:
    """`changeable_units` for one unit already fetched, without a query (the same rule)."""
    if reaches_everything(user):
        return True
    root = _unit_root(user)
    if root is None or user.role != User.Role.COMMUNE_OFFICER:
        return False
    return unit.level == AdminUnit.Level.VILLAGE and unit.path.startswith(root.path)


def unit_param(user: User, value: str) -> AdminUnit | None:
    """The unit a query parameter names (`?unit=`, `?village=`): None when absent, else a unit the
    user may see, or a 404."""
    return get_visible_unit_or_404(user, value) if value else None


def get_unit_or_404(user: User, public_id: "UUID | str") -> tuple[AdminUnit, bool]:
    """A unit the user may see, and whether they may change it: one query."""
    unit = get_visible_unit_or_404(user, public_id)
    return unit, can_change_unit(user, unit)


def communes_for_village_creation(user: User) -> QuerySet[AdminUnit]:
    """Communes under which the user may create villages."""
    communes = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE)
    if reaches_everything(user):
        return communes
    root = _unit_root(user)
    if root is None or user.role != User.Role.COMMUNE_OFFICER:
        return AdminUnit.objects.none()
    return communes.filter(pk=root.pk)


def get_visible_unit_or_404(user: User, public_id: "UUID | str") -> AdminUnit:
    """A unit the user may see; a malformed id (from a query string) is a 404 too."""
    try:
        UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    unit = (
        visible_units(user).select_related("edition", "parent").filter(public_id=public_id).first()
    )
    if unit is None:
        raise Http404
    return unit


def get_changeable_unit_or_404(user: User, public_id: "UUID | str") -> AdminUnit:
    unit = changeable_units(user).select_related("parent").filter(public_id=public_id).first()
    if unit is None:
        raise Http404
    return unit


def get_village_parent_or_404(user: User, public_id: "UUID | str") -> AdminUnit:
    """The commune under which the user may add a village; anything else is a 404."""
    unit = communes_for_village_creation(user).filter(public_id=public_id).first()
    if unit is None:
        raise Http404
    return unit


def can_manage_accounts(user: User) -> bool:
    return reaches_everything(user)


def field_account_commune(user: User) -> AdminUnit | None:
    """The commune whose surveyors' and village heads' accounts the user manages: an officer's
    own commune (the admin manages every account on the admin pages instead)."""
    root = _unit_root(user)
    if root is None or user.role != User.Role.COMMUNE_OFFICER:
        return None
    return root


def field_accounts(user: User) -> QuerySet[User]:
    """Surveyors and village heads of the officer's commune; nobody else (others are a 404)."""
    commune = field_account_commune(user)
    if commune is None:
        return User.objects.none()
    return User.objects.filter(unit=commune, role__in=User.FIELD_ROLES)


def field_account_villages(user: User) -> QuerySet[AdminUnit]:
    """Villages an officer may assign: the active villages of the commune."""
    commune = field_account_commune(user)
    if commune is None:
        return AdminUnit.objects.none()
    return _commune_villages(commune).filter(is_active=True).order_by("code")


def province_path_of(unit: AdminUnit) -> str:
    """The path of the province a unit lies in ("<edition>/<province>/")."""
    edition, province = unit.path.split("/")[:2]
    return f"{edition}/{province}/"


def provinces_taking_part(user: User) -> QuerySet[AdminUnit]:
    """Provinces whose review rounds the user takes part in: everyone under a province takes part
    in its rounds (admins in every province's)."""
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    if reaches_everything(user):
        return provinces
    root = _unit_root(user)
    if root is None:
        return provinces.none()
    return provinces.filter(path=province_path_of(root))


def provinces_managed(user: User) -> QuerySet[AdminUnit]:
    """Provinces whose rounds, Phiếu A criteria and targets the user manages (provincial staff)."""
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    if reaches_everything(user):
        return provinces
    root = _unit_root(user)
    if root is None or user.role != User.Role.PROVINCE_STAFF:
        return provinces.none()
    return provinces.filter(pk=root.pk)


def reads_nation(user: User) -> bool:
    """The national summary (reports.national) reads every province: admins only, who reach
    everything; for anyone else the page is a 404."""
    return reaches_everything(user)


def reads_integrity(user: User) -> bool:
    """The integrity findings (reports.integrity) are for the levels that check the communes:
    district staff, provincial staff and admins. A commune's own officers, surveyors and village
    heads do not see them (the page is a 404 for them, like anything out of reach): a signal about
    a commune is for those who look at it from above."""
    if not user.is_authenticated or not user.is_active:
        return False
    return reaches_everything(user) or user.role in (
        User.Role.DISTRICT_STAFF,
        User.Role.PROVINCE_STAFF,
    )
