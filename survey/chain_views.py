"""The hand-in up the tree: a commune's result page (send for the opinion of the level above,
record that opinion, hand in, reopen), the progress board of a district or a province (district
hand-in and reopen, round close). Each view parses, scopes, calls one service in
survey.workflow, and redirects with its message."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import get_visible_unit_or_404
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import run_service_step

from .forms import OpinionForm, ReasonForm
from .models import OpinionItem, OpinionRequest, ReviewRound, UnitRoundState, UnitTransition
from .progress import days_late, district_deadline_of, progress_board
from .selectors import round_get_or_404
from .workflow import (
    STEPS,
    commune_deadline_of,
    commune_hand_in,
    commune_reopen,
    district_hand_in,
    district_reopen,
    may_take_step,
    opinion_give,
    opinion_request,
    round_close,
    step_basis,
)


def _unit_of_round(
    request: AuthedHttpRequest, review_round: ReviewRound, unit_id: str, level: str
) -> AdminUnit:
    unit = get_visible_unit_or_404(request.user, unit_id)
    if unit.level != level or not unit.path.startswith(review_round.province.path):
        raise Http404
    return unit


def _history(review_round: ReviewRound, unit: AdminUnit) -> list[tuple[UnitTransition, str]]:
    """The unit's steps, newest first, each with its label in the table of steps."""
    rows = (
        UnitTransition.objects.filter(review_round=review_round, unit=unit)
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )
    return [
        (row, str(STEPS[row.action].label if row.action in STEPS else row.action)) for row in rows
    ]


def commune_result(request: AuthedHttpRequest, round_id: str, commune_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    commune = _unit_of_round(request, review_round, commune_id, AdminUnit.Level.COMMUNE)
    user, today = request.user, timezone.localdate()
    state = UnitRoundState.objects.filter(review_round=review_round, unit=commune).first()
    stage = state.stage if state else UnitRoundState.Stage.OPEN
    board = progress_board(user, review_round, commune, today)
    row = board.communes[0] if board.communes else None
    requests = list(
        OpinionRequest.objects.filter(review_round=review_round, commune=commune)
        .select_related("sent_by", "given_by", "asked")
        .order_by("-sent_at", "-id")[:20]
    )
    items = (
        OpinionItem.objects.filter(request__in=requests)
        .select_related("response__household", "response__village", "posting")
        .order_by("response__village__path", "response__household__head_name_key", "id")
    )
    by_request: dict[int, list[OpinionItem]] = {}
    for item in items:
        by_request.setdefault(item.request_id, []).append(item)
    may_give = may_take_step(user, "opinion_give", commune)
    pending = next((r for r in requests if not r.is_given), None)
    deadline = commune_deadline_of(review_round)
    handed_at = state.handed_in_at if state and stage == UnitRoundState.Stage.HANDED_IN else None
    return render(
        request,
        "survey/commune_result.html",
        {
            "round": review_round,
            "commune": commune,
            "stage": UnitRoundState.Stage(stage),
            "state": state,
            "row": row,
            "deadline": deadline,
            "late": days_late(deadline, handed_at, today),
            "requests": [(r, by_request.get(r.pk, [])) for r in requests],
            "pending": pending,
            "opinion_form": (
                OpinionForm(items=by_request.get(pending.pk, [])) if pending and may_give else None
            ),
            "may_send": may_take_step(user, "opinion_request", commune)
            and review_round.kind == ReviewRound.Kind.PERIODIC,
            "may_hand_in": may_take_step(user, "commune_hand_in", commune),
            "may_reopen": may_take_step(user, "commune_reopen", commune),
            "opinion_basis": step_basis(STEPS["opinion_give"], commune),
            "hand_in_basis": step_basis(STEPS["commune_hand_in"], commune),
            "reason_form": ReasonForm(),
            "history": _history(review_round, commune),
            "is_open": review_round.status == ReviewRound.Status.OPEN,
        },
    )


def _back_to_commune(review_round: ReviewRound, commune: AdminUnit) -> HttpResponse:
    return redirect(
        "survey:commune_result", round_id=review_round.public_id, commune_id=commune.public_id
    )


@require_POST
def commune_send(request: AuthedHttpRequest, round_id: str, commune_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    commune = _unit_of_round(request, review_round, commune_id, AdminUnit.Level.COMMUNE)
    run_service_step(
        request,
        lambda: opinion_request(actor=request.user, review_round=review_round, commune=commune),
        _("Đã gửi kết quả của xã xin ý kiến cấp trên."),
    )
    return _back_to_commune(review_round, commune)


@require_POST
def commune_opinion(
    request: AuthedHttpRequest, round_id: str, commune_id: str, request_id: str
) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    commune = _unit_of_round(request, review_round, commune_id, AdminUnit.Level.COMMUNE)
    asked = (
        OpinionRequest.objects.filter(
            review_round=review_round, commune=commune, public_id=request_id
        )
        .select_related("review_round__province", "commune")
        .first()
    )
    if asked is None or not may_take_step(request.user, "opinion_give", commune):
        raise Http404
    items = list(asked.items.select_related("response__household"))
    form = OpinionForm(request.POST, items=items)
    if form.is_valid():
        run_service_step(
            request,
            lambda: opinion_give(
                actor=request.user,
                request=asked,
                agreed=form.cleaned_data["verdict"] == OpinionForm.AGREE,
                opinion=form.cleaned_data["opinion"],
                comments=form.comments(),
            ),
            _("Đã ghi ý kiến về kết quả của xã."),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return _back_to_commune(review_round, commune)


@require_POST
def commune_hand_in_view(
    request: AuthedHttpRequest, round_id: str, commune_id: str
) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    commune = _unit_of_round(request, review_round, commune_id, AdminUnit.Level.COMMUNE)
    run_service_step(
        request,
        lambda: commune_hand_in(actor=request.user, review_round=review_round, commune=commune),
        _("Đã nộp kết quả của xã lên cấp trên: số liệu của xã đã khoá."),
    )
    return _back_to_commune(review_round, commune)


def _reason(request: AuthedHttpRequest) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
def commune_reopen_view(request: AuthedHttpRequest, round_id: str, commune_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    commune = _unit_of_round(request, review_round, commune_id, AdminUnit.Level.COMMUNE)
    run_service_step(
        request,
        lambda: commune_reopen(
            actor=request.user,
            review_round=review_round,
            commune=commune,
            reason=_reason(request),
        ),
        _("Đã mở lại kết quả của xã."),
    )
    return _back_to_commune(review_round, commune)


# --- The progress board of a district or a province -----------------------------------------------


def round_progress(request: AuthedHttpRequest, round_id: str) -> HttpResponse:
    """For each unit below: its step and whether it is late (`?unit=` a district below)."""
    review_round = round_get_or_404(request.user, round_id)
    user = request.user
    unit_id = request.GET.get("unit", "")
    root = get_visible_unit_or_404(user, unit_id) if unit_id else user.unit
    root = root or review_round.province  # admins serve no unit
    if root.level not in {AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT} or not (
        root.path.startswith(review_round.province.path)
    ):
        raise Http404
    today = timezone.localdate()
    board = progress_board(user, review_round, root, today)
    root_state = UnitRoundState.objects.filter(review_round=review_round, unit=root).first()
    is_district = root.level == AdminUnit.Level.DISTRICT
    deadline = district_deadline_of(review_round) if is_district else None
    handed_at = root_state.handed_in_at if root_state and root_state.stage == "handed_in" else None
    return render(
        request,
        "survey/round_progress.html",
        {
            "round": review_round,
            "root": root,
            "board": board,
            "today": today,
            "commune_deadline": commune_deadline_of(review_round),
            "district_deadline": district_deadline_of(review_round),
            "root_stage": UnitRoundState.Stage(root_state.stage if root_state else "open"),
            "root_late": days_late(deadline, handed_at, today) if deadline else 0,
            "may_hand_in": is_district and may_take_step(user, "district_hand_in", root),
            "may_reopen_districts": not is_district
            and any(
                may_take_step(user, "district_reopen", r.unit) for r in board.districts if r.unit
            ),
            "may_close": not is_district and may_take_step(user, "round_close", root),
            "is_open": review_round.status == ReviewRound.Status.OPEN,
            "hand_in_basis": STEPS["district_hand_in"].basis,
            "reason_form": ReasonForm(),
            "history": _history(review_round, root),
        },
    )


def _back_to_progress(review_round: ReviewRound, unit: AdminUnit | None = None) -> HttpResponse:
    url = redirect("survey:round_progress", round_id=review_round.public_id)
    if unit is not None:
        url["Location"] += f"?unit={unit.public_id}"
    return url


@require_POST
def district_hand_in_view(
    request: AuthedHttpRequest, round_id: str, district_id: str
) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    district = _unit_of_round(request, review_round, district_id, AdminUnit.Level.DISTRICT)
    run_service_step(
        request,
        lambda: district_hand_in(actor=request.user, review_round=review_round, district=district),
        _("Đã xác nhận và nộp kết quả của huyện lên tỉnh."),
    )
    return _back_to_progress(review_round, district)


@require_POST
def district_reopen_view(
    request: AuthedHttpRequest, round_id: str, district_id: str
) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    district = _unit_of_round(request, review_round, district_id, AdminUnit.Level.DISTRICT)
    run_service_step(
        request,
        lambda: district_reopen(
            actor=request.user,
            review_round=review_round,
            district=district,
            reason=_reason(request),
        ),
        _("Đã mở lại kết quả của huyện."),
    )
    return _back_to_progress(review_round)


@require_POST
def round_close_view(request: AuthedHttpRequest, round_id: str) -> HttpResponse:
    review_round = round_get_or_404(request.user, round_id)
    run_service_step(
        request,
        lambda: round_close(actor=request.user, review_round=review_round),
        _("Đã kết thúc đợt rà soát."),
    )
    return _back_to_progress(review_round)
