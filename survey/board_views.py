"""The home page: a work list of the open rounds for the unit the user serves.

`?unit=<public_id>` opens the board of a unit below (a district's or a commune's) within the user's
reach; anything else is a 404.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.scoping import reaches_everything, unit_param, visible_units
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit, TreeEdition

from .board import province_board, round_boards


def _unit_param(request: AuthedHttpRequest) -> AdminUnit | None:
    unit = unit_param(request.user, request.GET.get("unit", ""))
    if unit is not None and unit.is_village:
        raise Http404
    return unit


def board(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    unit = _unit_param(request) or user.unit
    if unit is None:
        if not reaches_everything(user):
            return render(request, "survey/board.html", {"unit": None, "today": today})
        # Admins serve no unit: one row per open round across provinces, and the unit tree.
        editions = TreeEdition.objects.order_by("-is_current", "code")
        provinces = (
            visible_units(user)
            .filter(level=AdminUnit.Level.PROVINCE)
            .select_related("edition")
            .order_by("-edition__is_current", "edition__code", "code")
        )
        return render(
            request,
            "survey/board_admin.html",
            {
                "rows": province_board(user),
                "editions": editions,
                "provinces": provinces,
                "today": today,
            },
        )
    ancestors = visible_units(user).filter(path__in=unit.ancestor_paths()).order_by("path")
    return render(
        request,
        "survey/board.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "boards": round_boards(user, unit, today),
            # A surveyor's or village head's villages, named at the top of their board.
            "assigned": visible_units(user).order_by("code") if user.is_field_worker else (),
            "today": today,
        },
    )
