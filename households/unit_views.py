"""The unit pages: a unit and its children, and the villages a commune officer keeps."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scoping import (
    communes_for_village_creation,
    get_changeable_unit_or_404,
    get_unit_or_404,
    get_village_parent_or_404,
    visible_units,
)
from accounts.types import AuthedHttpRequest
from core.errors import form_add_service_error

from .forms import VillageForm
from .villages import village_create, village_update


def unit_detail(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    unit, can_change = get_unit_or_404(request.user, public_id)
    visible = visible_units(request.user)
    children = visible.filter(parent=unit).annotate(child_count=Count("children")).order_by("code")
    can_add_village = communes_for_village_creation(request.user).filter(pk=unit.pk).exists()
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "ancestors": visible.filter(path__in=unit.ancestor_paths()).order_by("path"),
            "can_add_village": can_add_village,
            "can_edit": unit.is_village and can_change,
        },
    )


@require_http_methods(["GET", "POST"])
def village_add(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    commune = get_village_parent_or_404(request.user, public_id)
    form = VillageForm(request.POST or None)
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        try:
            village = village_create(
                actor=request.user,
                commune=commune,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": village.name})
            return redirect("units:unit_detail", public_id=commune.public_id)
    return render(request, "units/village_form.html", {"form": form, "commune": commune})


@require_http_methods(["GET", "POST"])
def village_edit(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    village = get_changeable_unit_or_404(request.user, public_id)
    initial = {"name": village.name, "kind": village.kind, "is_active": village.is_active}
    form = VillageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            village_update(
                actor=request.user,
                village=village,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã lưu %(name)s.") % {"name": village.name})
            return redirect("units:unit_detail", public_id=village.public_id)
    context = {"form": form, "commune": village.parent, "village": village}
    return render(request, "units/village_form.html", context)
