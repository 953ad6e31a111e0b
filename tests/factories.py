"""Builders for report tests: households and stored results made by hand, bypassing the forms.

Reports only read what submission stores, so these write those rows directly; the forms and the
engine have tests of their own.
"""

from django.utils import timezone

from households.models import Household
from households.services import household_register
from households.text import search_key
from survey.models import SurveyResponse

_cid = iter(range(100000, 999999))


def household(world, village, *, split_after_2024=False):
    admin = world["admin"]
    h = household_register(
        actor=admin,
        village=village,
        address="x",
        head={"full_name": f"Chủ hộ {next(_cid)}", "birth_year": 1970, "sex": "male"},
    )
    if split_after_2024:
        origin = household_register(
            actor=admin,
            village=village,
            address="x",
            head={"full_name": "Gốc", "birth_year": 1950, "sex": "male"},
        )
        Household.objects.filter(pk=h.pk).update(
            split_from=origin, created_at=timezone.make_aware(timezone.datetime(2025, 3, 1))
        )
    return h


def result(world, h, year, final, *, status="approved", members=3, computed=None, **flags):
    response = SurveyResponse.objects.create(
        review_round=world["rounds"][year],
        household=h,
        commune=h.commune,
        village=h.village,
        status=status,
        computed_classification=computed or final,
        final_classification=final,
        override_reason="lý do" if computed and computed != final else "",
        member_count=members,
        created_by=world["admin"],
        **flags,
    )
    return response


def many_households(village, n: int, prefix: str = "Hộ", start: int = 0) -> list[Household]:
    """`n` active households of `village`, written in bulk (a service call per household would
    make a list of hundreds slow to build), named "<prefix> <start>"... on four digits."""
    return Household.objects.bulk_create(
        Household(
            commune=village.parent,
            village=village,
            address="x",
            head_name=f"{prefix} {start + i:04d}",
            head_name_key=search_key(f"{prefix} {start + i:04d}"),
        )
        for i in range(n)
    )
