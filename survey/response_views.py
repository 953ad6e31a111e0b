"""The household's forms in a round: one page per section, a running score, submission."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scoping import can_change_unit
from accounts.types import AuthedHttpRequest
from core.errors import form_add_service_error, message_service_error
from core.locking import StaleEdit, posted_version
from households.models import Member
from households.selectors import household_get_or_404
from survey.engine import get_standard

from .forms import HousingForm, IncomeForm, NeedsForm, ReasonForm, ScreeningForm, SubmitForm
from .intake import card_is_usable, effective_card, response_evaluate
from .models import ScreeningCriterion, SurveyResponse
from .selectors import (
    response_access,
    response_get_or_404,
    response_last_return,
    round_get_or_404,
)
from .services import (
    POVERTY_CLASSES,
    carried_changes,
    response_apply,
    response_start,
    response_submit,
    response_update,
    section_carried,
    sections_to_confirm,
)
from .workflow import EDITABLE_STATUSES, can_return, may_take, response_reopen, response_return

SECTIONS = [
    ("screening", gettext_lazy("Phiếu A")),
    ("housing", gettext_lazy("Nhà ở, nước, vệ sinh, thông tin")),
    ("members", gettext_lazy("Thành viên")),
    ("income", gettext_lazy("Điểm và thu nhập")),
    ("needs", gettext_lazy("Nguyên nhân nghèo, nhu cầu hỗ trợ")),
    ("result", gettext_lazy("Kết quả và nộp")),
]


def _members(response: SurveyResponse) -> list[Member]:
    return list(response.household.members.filter(status=Member.Status.PRESENT).order_by("id"))


def _section_form(section: str, response: SurveyResponse, data: Any = None) -> Any:
    standard = get_standard(response.review_round.standard_code)
    if section == "screening":
        initial = {
            "screening": response.screening,
            "screening_reason": response.screening_reason,
            "screening_criteria": response.screening_criteria,
        }
        criteria = ScreeningCriterion.objects.filter(
            province=response.review_round.province, is_active=True
        )
        return ScreeningForm(data, initial=initial, criteria=criteria)
    if section == "housing":
        return HousingForm(data, standard=standard, response=response)
    if section == "income":
        card = effective_card(standard)
        usable = card if card_is_usable(card) else None
        return IncomeForm(data, standard=standard, response=response, card=usable)
    if section == "needs":
        return NeedsForm(data, response=response)
    return None


@require_POST
def response_begin(request: AuthedHttpRequest, round_id: str, household_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    household = household_get_or_404(request.user, household_id, fill=True)
    try:
        response = response_start(
            actor=request.user, review_round=review_round, household=household
        )
    except ValidationError as exc:
        message_service_error(request, exc)
        return redirect("households:detail", public_id=household.public_id)
    return redirect("survey:response_section", public_id=response.public_id, section="screening")


@require_http_methods(["GET", "POST"])
def response_section(request: AuthedHttpRequest, public_id: str, section: str) -> HttpResponse:
    if section not in dict(SECTIONS):
        raise Http404
    response, can_edit = response_access(request.user, public_id)
    form = _section_form(section, response, request.POST if request.method == "POST" else None)
    stale = False
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form is not None and form.is_valid():
            try:
                response_update(
                    actor=request.user,
                    response=response,
                    values=form.values(),
                    expected_version=posted_version(request.POST),
                    section=section,
                )
            except StaleEdit as exc:
                stale = True
                form.add_error(None, exc)
                response.refresh_from_db()
            except ValidationError as exc:
                form_add_service_error(form, exc, {})
            else:
                messages.success(request, _("Đã lưu nháp."))
                order = [key for key, _label in SECTIONS]
                following = order[min(order.index(section) + 1, len(order) - 1)]
                if "stay" in request.POST:
                    following = section
                return redirect(
                    "survey:response_section", public_id=response.public_id, section=following
                )
    evaluation = response_evaluate(response, _members(response))
    return render(
        request,
        "survey/response_section.html",
        {
            "response": response,
            "standard": get_standard(response.review_round.standard_code),
            "section": section,
            "sections": SECTIONS,
            "form": form,
            "can_edit": can_edit,
            # Adding a member changes who is counted: the officer's (surveyors correct facts).
            "can_add_members": can_change_unit(request.user, response.village),
            "carried": response.carried_from if section_carried(response, section) else None,
            "carried_changes": carried_changes(response, section),
            "to_confirm": sections_to_confirm(response),
            "is_draft": response.status in EDITABLE_STATUSES,
            "stale": stale,
            "evaluation": evaluation,
            # The needs section says whether the result so far makes it required.
            "needs_required": evaluation.complete
            and evaluation.explanation is not None
            and evaluation.explanation.classification in POVERTY_CLASSES,
            "members": _members(response) if section == "members" else None,
            "submit_form": SubmitForm(initial={"version": response.version}),
            "transitions": response.transitions.select_related("actor", "meeting", "posting")
            if section == "result"
            else (),
            "can_return": may_take(request.user, "response_return", response),
            "can_reopen": may_take(request.user, "response_reopen", response),
            "returned": response_last_return(response),
        },
    )


@require_POST
def response_preview(request: AuthedHttpRequest, public_id: str, section: str) -> HttpResponse:
    """The running score: apply what is on screen to an unsaved copy and ask the engine."""
    response = response_get_or_404(request.user, public_id, carried=False)
    form = _section_form(section, response, request.POST)
    if form is not None and form.is_valid():
        response_apply(response, form.values())
    evaluation = response_evaluate(response, _members(response))
    return render(request, "survey/_score.html", {"evaluation": evaluation, "response": response})


@require_POST
def response_submit_view(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    response = response_get_or_404(request.user, public_id, fill=True)
    form = SubmitForm(request.POST)
    url = reverse("survey:response_section", kwargs={"public_id": public_id, "section": "result"})
    if not form.is_valid():
        messages.error(request, _("Dữ liệu nộp không hợp lệ."))
        return redirect(url)
    try:
        response_submit(
            actor=request.user,
            response=response,
            expected_version=form.cleaned_data["version"],
            final_classification=form.cleaned_data["final_classification"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(request, _("Đã nộp phiếu."))
    return redirect(url)


@require_POST
def response_return_view(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    response = response_get_or_404(request.user, public_id)
    if not can_return(request.user, response):
        raise Http404
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Trả lại phiếu phải ghi lý do."))
        response_return(actor=request.user, response=response, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(request, _("Đã trả lại phiếu cho xã."))
    return redirect("survey:response_section", public_id=public_id, section="result")


@require_POST
def response_reopen_view(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    response = response_get_or_404(request.user, public_id, change=True)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Mở lại kết quả đã phê duyệt phải ghi lý do."))
        response_reopen(actor=request.user, response=response, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(request, _("Đã mở lại phiếu để sửa."))
    return redirect("survey:response_section", public_id=public_id, section="result")
