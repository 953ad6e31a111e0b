import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scoping import provinces_managed, visible_units
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import form_add_service_error, message_service_error
from survey.engine import Standard, get_standard

from .forms import CommuneTotalForm, CriterionForm, RoundOpenForm
from .models import CommuneTotal, ScreeningCriterion, SurveyResponse
from .selectors import responses_visible, round_get_or_404, rounds_visible
from .services import (
    commune_total_record,
    communes_recordable,
    criterion_add,
    criterion_retire,
    round_open,
)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def round_list(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "survey/round_list.html",
        {
            "rounds": rounds_visible(request.user),
            "can_open": provinces_managed(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def round_new(request: AuthedHttpRequest) -> HttpResponse:
    provinces = provinces_managed(request.user).order_by("edition__code", "code")
    if not provinces.exists():
        raise Http404
    form = RoundOpenForm(request.POST or None, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        try:
            review_round = round_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã mở %(r)s.") % {"r": review_round})
            return redirect("survey:round_detail", public_id=review_round.public_id)
    return render(request, "survey/round_form.html", {"form": form})


def unverified_labels(standard: Standard) -> list[str]:
    """What the standard has not verified, by the names officers read in the standard itself."""
    fixed = {
        "review_years": _("Năm rà soát áp dụng"),
        "score_card": _("Bảng điểm ước lượng thu nhập (Phiếu B)"),
    }
    return [
        str(fixed.get(key) or standard.item_label(key) or key)
        for key in standard.unverified_items()
    ]


def round_detail(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, public_id)
    standard = get_standard(review_round.standard_code)
    communes = (
        visible_units(request.user)
        .filter(level=AdminUnit.Level.COMMUNE, path__startswith=review_round.province.path)
        .select_related("parent")
        .order_by("path")
    )
    totals = {
        t.commune_id: t
        for t in CommuneTotal.objects.filter(
            review_round=review_round, commune__in=communes
        ).select_related("recorded_by")
    }
    allowed = communes_recordable(request.user)
    rows = [
        {
            "commune": c,
            "total": totals.get(c.pk),
            "can_record": review_round.status == "open" and (allowed is None or c.pk in allowed),
        }
        for c in communes
    ]
    # One aggregate for the village table: counts of this round's forms by status.
    # The village table covers one commune: the officer's own, or the one picked in the list.
    commune_id = request.GET.get("commune", "")
    focus = communes.filter(public_id=commune_id).first() if _is_uuid(commune_id) else None
    if focus is None and len(rows) == 1:
        focus = communes.first()
    if focus is None and request.user.is_field_worker:
        focus = request.user.unit  # their villages' table, in their commune
    villages = (
        visible_units(request.user)
        .filter(level=AdminUnit.Level.VILLAGE, parent=focus)
        .select_related("parent")
        .annotate(
            **{
                f"n_{status}": Count(
                    "surveyresponse_village",
                    filter=Q(
                        surveyresponse_village__review_round=review_round,
                        surveyresponse_village__status=status,
                    ),
                )
                for status in SurveyResponse.Status.values
            }
        )
        .order_by("path")
    )
    for village in villages:  # in workflow order, as the table's headings
        village.status_counts = [  # type: ignore[attr-defined]
            getattr(village, f"n_{status}") for status in SurveyResponse.Status.values
        ]
    return render(
        request,
        "survey/round_detail.html",
        {
            "villages": villages,
            "focus": focus,
            "statuses": SurveyResponse.Status.choices,
            "round": review_round,
            "standard": standard,
            "unverified": unverified_labels(standard),
            "rows": rows,
            "recorded": len(totals),
            "total_form": CommuneTotalForm(),
        },
    )


@require_POST
def commune_total(request: AuthedHttpRequest, public_id: str, commune_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, public_id)
    commune = (
        visible_units(request.user)
        .filter(public_id=commune_id, level=AdminUnit.Level.COMMUNE)
        .first()
    )
    allowed = communes_recordable(request.user)
    if commune is None or (allowed is not None and commune.pk not in allowed):
        raise Http404
    form = CommuneTotalForm(request.POST)
    if form.is_valid():
        try:
            commune_total_record(
                actor=request.user,
                review_round=review_round,
                commune=commune,
                total_households=form.cleaned_data["total_households"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            message_service_error(request, exc)
        else:
            messages.success(request, _("Đã ghi tổng số hộ của %(c)s.") % {"c": commune.name})
    else:
        messages.error(
            request,
            _("Chưa ghi được: %(e)s")
            % {"e": " ".join(str(m) for errs in form.errors.values() for m in errs)},
        )
    return redirect("survey:round_detail", public_id=review_round.public_id)


def criteria(request: AuthedHttpRequest) -> HttpResponse:
    """Phiếu A criteria of the provinces the user manages (provincial staff, admins)."""
    provinces = provinces_managed(request.user).order_by("edition__code", "code")
    if not provinces.exists():
        raise Http404
    if request.method == "POST":
        form = CriterionForm(request.POST, provinces=provinces)
        if not form.is_valid():
            if form.out_of_scope():
                raise Http404
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, _("Chưa lưu được tiêu chí: %(e)s") % {"e": error})
            return redirect("survey:criteria")
        data = form.cleaned_data
        try:
            if data["retire"] is not None:
                criterion_retire(actor=request.user, criterion=data["retire"])
            else:
                criterion_add(actor=request.user, province=data["province"], text=data["text"])
        except ValidationError as exc:
            message_service_error(request, exc)
        else:
            messages.success(request, _("Đã lưu tiêu chí."))
        return redirect("survey:criteria")
    rows = [
        (p, ScreeningCriterion.objects.filter(province=p).order_by("-is_active", "position"))
        for p in provinces[:50]
    ]
    return render(request, "survey/criteria.html", {"rows": rows})


def overrides(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    """Every final classification that differs from the computed one: where target-chasing hides."""
    review_round = round_get_or_404(request.user, public_id)
    rows = (
        responses_visible(request.user)
        .filter(review_round=review_round)
        .exclude(final_classification="")
        .exclude(final_classification=F("computed_classification"))
        .select_related("household", "village", "commune", "submitted_by")
        .order_by("commune__path", "village__path", "household__head_name_key")
    )
    return render(request, "survey/overrides.html", {"round": review_round, "rows": rows})
