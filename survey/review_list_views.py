"""A commune's list of households to review in a round, the form that adds to it, and the
printable list of a village."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.scoping import get_visible_unit_or_404, unit_param, visible_units
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import form_add_service_error, message_service_error
from households.models import Household
from households.selectors import households_changeable

from .forms import ReviewListAddForm
from .models import ReviewListEntry, ReviewRound, SurveyResponse
from .review_list import review_list_add, review_list_build, review_list_entries
from .selectors import round_get_or_404


@dataclass
class ListedHousehold:
    household: Household
    form_status: str | None
    entries: list[ReviewListEntry] = field(default_factory=list)

    @property
    def form_status_label(self) -> str:
        if not self.form_status:
            return ""
        return str(SurveyResponse.Status(self.form_status).label)


def _grouped(entries: list[ReviewListEntry]) -> list[tuple[AdminUnit, list[ListedHousehold]]]:
    """Entries (ordered by village, then household) as villages, each with its households."""
    villages: list[tuple[AdminUnit, list[ListedHousehold]]] = []
    for entry in entries:
        household = entry.household
        if not villages or villages[-1][0].pk != household.village_id:
            villages.append((household.village, []))
        rows = villages[-1][1]
        if not rows or rows[-1].household.pk != household.pk:
            rows.append(ListedHousehold(household, getattr(entry, "form_status", None)))
        rows[-1].entries.append(entry)
    return villages


def _can_act(user: User, commune: AdminUnit) -> bool:
    return user.is_admin or (user.role == User.Role.COMMUNE_OFFICER and user.unit_id == commune.pk)


def _round_and_commune(
    request: AuthedHttpRequest, round_id: str, commune_id: str
) -> tuple[ReviewRound, AdminUnit]:
    review_round = round_get_or_404(request.user, round_id)
    commune = get_visible_unit_or_404(request.user, commune_id)
    if commune.level != AdminUnit.Level.COMMUNE or not commune.path.startswith(
        review_round.province.path
    ):
        raise Http404
    return review_round, commune


@require_http_methods(["GET", "POST"])
def review_list(request: AuthedHttpRequest, round_id: str, commune_id: str) -> HttpResponse:
    review_round, commune = _round_and_commune(request, round_id, commune_id)
    can_act = _can_act(request.user, commune) and review_round.status == ReviewRound.Status.OPEN
    # A commune has thousands of households: the add form's choice is narrowed to one village.
    village = unit_param(request.user, request.GET.get("village", ""))
    if village is not None and village.parent_id != commune.pk:
        raise Http404
    households = (
        households_changeable(request.user)
        .filter(commune=commune, status=Household.Status.ACTIVE)
        .select_related("village")
        .order_by("village__path", "head_name_key", "id")
    )
    if village is not None:
        households = households.filter(village=village)
    form = ReviewListAddForm(request.POST or None, households=households)
    if request.method == "POST":
        if not can_act:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_list_add(actor=request.user, review_round=review_round, **data)
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                name = data["household"].head_name
                messages.success(
                    request, _("Đã thêm hộ %(h)s vào danh sách rà soát.") % {"h": name}
                )
                return redirect(
                    "survey:review_list", round_id=review_round.public_id, commune_id=commune_id
                )
    entries = list(review_list_entries(review_round, commune))
    return render(
        request,
        "survey/review_list.html",
        {
            "round": review_round,
            "commune": commune,
            "villages": _grouped(entries),
            "count": len({e.household_id for e in entries}),
            "can_act": can_act,
            "form": form if can_act else None,
            "village": village,
            "village_choices": visible_units(request.user)
            .filter(parent=commune, level=AdminUnit.Level.VILLAGE, is_active=True)
            .order_by("path"),
        },
    )


@require_POST
def review_list_build_view(
    request: AuthedHttpRequest, round_id: str, commune_id: str
) -> HttpResponse:
    review_round, commune = _round_and_commune(request, round_id, commune_id)
    try:
        added = review_list_build(actor=request.user, review_round=review_round, commune=commune)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Đã đưa %(n)s hộ nghèo, cận nghèo của đợt trước vào danh sách.") % {"n": len(added)},
        )
    return redirect("survey:review_list", round_id=review_round.public_id, commune_id=commune_id)


def review_list_print(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    """A village's list on A4, to read out and post: names, addresses and sources only (no
    citizen ID, no birth date)."""
    review_round = round_get_or_404(request.user, round_id)
    village = get_visible_unit_or_404(request.user, village_id)
    if village.level != AdminUnit.Level.VILLAGE or not village.path.startswith(
        review_round.province.path
    ):
        raise Http404
    assert village.parent is not None  # a village's parent is its commune
    entries = list(
        review_list_entries(review_round, village.parent).filter(household__village=village)
    )
    grouped = _grouped(entries)
    return render(
        request,
        "survey/print_review_list.html",
        {"round": review_round, "village": village, "rows": grouped[0][1] if grouped else []},
    )
