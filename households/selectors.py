"""Read-side queries over households, always through the user's scope."""

from uuid import UUID

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from accounts.scoping import can_change_unit, can_fill_forms, changeable_units, form_units, scoped
from areas.models import AdminUnit

from .citizen_id import normalize_citizen_id
from .models import Household, Member
from .text import search_key


def households_visible(user: User) -> QuerySet[Household]:
    return scoped(user, Household.objects.all(), "village")


def household_list_counted(user: User, village: AdminUnit | None) -> bool:
    """Whether the household list counts its rows exactly: for a village, a commune's officer and
    its surveyors and village heads (a few thousand households at most). Above a commune
    (district and province staff, admins) a count reads every household of the scope, a million
    in a large province, on every page: the list shows previous and next only
    (core.paging)."""
    if village is not None:
        return True
    unit = user.unit
    return unit is not None and unit.level in {AdminUnit.Level.COMMUNE, AdminUnit.Level.VILLAGE}


def household_list_order(
    user: User, households: QuerySet[Household], *, village: AdminUnit | None, searched: bool
) -> QuerySet[Household]:
    """The household list's order: by village, then the head's name.

    A search's households (a name, a CCCD) are found through their own indexes and then sorted,
    by the village's code: a few thousand rows at most.

    The whole list of a scope is read a page at a time from the index household_village_list
    (households/0007), hence by village id (the order villages were registered in) rather than
    the village's code: a sort key from another table made PostgreSQL join and sort every
    household of the scope for each page (0.12-0.25 s a page at 100,000 households, 0.5 ms from
    the index; EXPLAIN ANALYZE in decision record 0016). For a province, district or commune
    user the scope's village ids are also given as a list (the same households: the scope's own
    filter stays): joined through the unit's path alone, the planner may walk the index from the
    first village of the whole country and filter its way to this province, and for a commune it
    sorted all its households for each page (2.2 ms for 3,700, against 0.1 ms from the index:
    the officer's most used page, issue 14). Not for a search: with a
    name it would walk the index testing every household against the matches (6 s for "hai"
    at 100,000 households, against 0.1 s sorting the matches).
    """
    if searched:
        return households.order_by("village__code", "head_name_key", "id")
    unit = user.unit
    if (
        village is None
        and unit is not None
        and unit.level
        in {AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE}
    ):
        villages = AdminUnit.objects.filter(
            path__startswith=unit.path, level=AdminUnit.Level.VILLAGE
        ).values_list("pk", flat=True)
        households = households.filter(village_id__in=list(villages))
    return households.order_by("village_id", "head_name_key", "id")


def households_changeable(user: User) -> QuerySet[Household]:
    """Households the user may edit: those in villages the user may change (officers, admins)."""
    villages = changeable_units(user).filter(level=AdminUnit.Level.VILLAGE)
    return Household.objects.filter(village__in=villages)


def households_fillable(user: User) -> QuerySet[Household]:
    """Households whose forms the user fills, and whose members' facts they may correct: those
    in `form_units` (officers, admins, and surveyors and village heads in their villages)."""
    return Household.objects.filter(village__in=form_units(user))


def household_get_or_404(
    user: User, public_id: UUID | str, *, change: bool = False, fill: bool = False
) -> Household:
    if change:
        households = households_changeable(user)
    elif fill:
        households = households_fillable(user)
    else:
        households = households_visible(user)
    household = (
        households.select_related("commune", "village", "split_from", "merged_into")
        .filter(public_id=public_id)
        .first()
    )
    if household is None:
        raise Http404
    return household


def household_access(user: User, public_id: UUID | str) -> tuple[Household, bool]:
    """A household the user may see, and whether they may change it: one query."""
    household = household_get_or_404(user, public_id)
    return household, household.is_active and can_change_unit(user, household.village)


def can_fill_household(user: User, household: Household) -> bool:
    """Whether the user fills this (fetched) household's forms and corrects its members' facts."""
    return household.is_active and can_fill_forms(user, household.village)


def household_merge_targets(user: User, household: Household) -> QuerySet[Household]:
    """Households `household` may merge into: active, same commune, changeable, not itself."""
    return (
        households_changeable(user)
        .filter(commune=household.commune, status=Household.Status.ACTIVE)
        .exclude(pk=household.pk)
        .select_related("village")
        .order_by("village__code", "head_name_key", "id")
    )


def member_get_or_404(
    user: User, public_id: UUID | str, *, change: bool = False, facts: bool = False
) -> Member:
    """A member in reach; `change`: one the user may change (status: officers); `facts`: one
    whose facts the user may correct (also surveyors and village heads, for Phiếu B)."""
    members = Member.objects.all()
    if change:
        members = members.filter(household__in=households_changeable(user))
    elif facts:
        members = members.filter(household__in=households_fillable(user))
    member = (
        scoped(user, members, "household__village")
        .select_related("household", "household__village", "household__commune")
        .filter(public_id=public_id)
        .first()
    )
    if member is None:
        raise Http404
    return member


def household_search(
    user: User,
    *,
    name: str = "",
    citizen_id: str = "",
    include_inactive: bool = False,
) -> QuerySet[Household]:
    """By head name without accents ("Nguyen Van A" finds "Nguyễn Văn A"), or by a member's CCCD.

    The citizen ID arrives by POST: it must never sit in a URL or a server log.
    """
    qs = households_visible(user).select_related("village")
    if not include_inactive:
        qs = qs.filter(status=Household.Status.ACTIVE)
    present = Member.objects.filter(status=Member.Status.PRESENT)
    key = search_key(name)
    if key:
        # The households whose head or a present member has the name: one set of ids (a UNION,
        # each side served by a trigram index on PostgreSQL, migration households/0006). An OR
        # of the two made PostgreSQL test every household against the members, one by one: a
        # common name ("Hai") took minutes over a province of a million households.
        named = (
            Household.objects.filter(head_name_key__contains=key)
            .order_by()
            .values("pk")
            .union(present.filter(name_key__contains=key).order_by().values("household_id"))
        )
        qs = qs.filter(pk__in=named)
    cid = normalize_citizen_id(citizen_id)
    if cid:
        qs = qs.filter(pk__in=Member.objects.filter(citizen_id=cid).values("household_id"))
    return with_member_count(qs)


def with_member_count(qs: QuerySet[Household]) -> QuerySet[Household]:
    count = (
        Member.objects.filter(household=OuterRef("pk"), status=Member.Status.PRESENT)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(present_members=Coalesce(Subquery(count), 0))
