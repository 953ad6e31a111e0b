"""A village's page in a round: meeting, posting, complaints, approval, and the printable lists."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.scoping import can_record_meeting, get_unit_or_404
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import run_service_step
from households.models import Household
from survey.engine import get_standard

from .forms import (
    ComplaintForm,
    ComplaintResolveForm,
    DecisionForm,
    MeetingForm,
    PostingForm,
    RecheckForm,
)
from .models import (
    Classification,
    Complaint,
    Recheck,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
    VillageMeeting,
    VillagePosting,
)
from .regular import DECISION_DAYS, regular_cases
from .results import result_sections
from .selectors import response_get_or_404, responses_visible, round_get_or_404
from .workflow import (
    approval_blockers,
    complaint_record,
    complaint_resolve,
    late_steps,
    meeting_record,
    opinions_of,
    posting_of,
    posting_start,
    posting_window,
    postings_of,
    recheck_record,
    responses_approve,
)

S = SurveyResponse.Status


def _round_and_village(
    request: AuthedHttpRequest, round_id: str, village_id: str
) -> tuple[ReviewRound, AdminUnit, bool]:
    """The round and the village, both in the user's scope, and whether the user acts on it."""
    review_round = round_get_or_404(request.user, round_id)
    village, can_act = get_unit_or_404(request.user, village_id)
    if village.level != AdminUnit.Level.VILLAGE or not village.path.startswith(
        review_round.province.path
    ):
        raise Http404
    return review_round, village, can_act


# What a surveyor or village head is told when a step is not theirs, in a village they can see
# (a village they cannot see is a 404 before this): the rule, and nothing is changed.
MEETING_RULE = gettext_lazy(
    "Chỉ trưởng thôn của thôn này hoặc cán bộ xã được ghi kết quả họp thôn: rà soát viên điền "
    "và nộp phiếu, không ghi họp thôn. Chưa có gì thay đổi."
)
COMMUNE_RULE = gettext_lazy(
    "Niêm yết công khai, ghi khiếu nại và phê duyệt do cán bộ xã thực hiện: rà soát viên và "
    "trưởng thôn không làm các bước này. Chưa có gì thay đổi."
)


def _refuse(request: AuthedHttpRequest, may: bool, rule: Any) -> bool:
    """Whether to stop here: a step the user may not take is a clear message for the commune's
    surveyors and village heads (the village is theirs), a 404 for anyone else."""
    if may:
        return False
    if not request.user.is_field_worker:
        raise Http404
    messages.error(request, str(rule))
    return True


def _village_forms(request: AuthedHttpRequest, review_round: ReviewRound, village: AdminUnit):  # type: ignore[no-untyped-def]
    """The village's forms in the round the user may see: a plain queryset, for subqueries."""
    return responses_visible(request.user).filter(review_round=review_round, village=village)


def _village_responses(request: AuthedHttpRequest, review_round: ReviewRound, village: AdminUnit):  # type: ignore[no-untyped-def]
    return (
        _village_forms(request, review_round, village)
        .select_related("household", "household__commune", "village")
        .annotate(open_complaints=Count("complaints", filter=Q(complaints__resolved_on=None)))
        .order_by("household__head_name_key", "id")
    )


# The forms list of the village page, a page at a time: a village has up to several hundred.
FORMS_PER_PAGE = 100
# Only the list's columns: a form's explanation and answers are read on its own page.
LIST_DEFERRED = (
    "explanation",
    "facts_snapshot",
    "card_answers",
    "direct_answers",
    "income_by_source",
)


def _with_labels(responses: Iterable[SurveyResponse]) -> list[SurveyResponse]:
    """Each form's status and classifications read out, from dictionaries made once a request
    (`get_FOO_display` rebuilds its choices and translates them again on every row)."""
    statuses = {value: str(label) for value, label in S.choices}
    classes = {value: str(label) for value, label in Classification.choices}
    responses = list(responses)
    for r in responses:
        r.status_label = statuses.get(r.status, r.status)  # type: ignore[attr-defined]
        r.computed_label = classes.get(r.computed_classification, "")  # type: ignore[attr-defined]
        r.final_label = classes.get(r.final_classification, "")  # type: ignore[attr-defined]
    return responses


def village_workspace(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    today = timezone.localdate()
    forms_here = _village_forms(request, review_round, village)
    responses = _village_responses(request, review_round, village)
    # How many forms in each status, over the whole village (the list below is one page of it).
    counts = dict(
        forms_here.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    # The steps act on the forms of one status each, all of them (a meeting decides on every
    # form submitted): fetched by status, not by reading the whole village.
    to_meet = _with_labels(responses.filter(status=S.SUBMITTED))
    to_recheck = _with_labels(responses.filter(status=S.DISPUTED))
    posted = _with_labels(responses.filter(status=S.POSTED))
    # What the meeting said about each disputed household: the reason of its last dispute.
    disputes = dict(
        ResponseTransition.objects.filter(
            response__in=[r.pk for r in to_recheck], to_status=S.DISPUTED
        )
        .order_by("response_id", "at", "id")
        .values_list("response_id", "reason")
    )
    rechecks = (
        Recheck.objects.filter(response__in=forms_here.values("pk"))
        .select_related("response__household")
        .order_by("checked_on", "id")
    )
    postings = postings_of(posted)
    opinions = opinions_of(posted, postings)
    blockers = {
        r.pk: approval_blockers(
            r,
            today,
            postings=postings,
            open_complaints=r.open_complaints,  # type: ignore[attr-defined]
            opinions=opinions,
        )
        for r in posted
    }
    not_started = (
        Household.objects.filter(village=village, status=Household.Status.ACTIVE)
        .exclude(pk__in=forms_here.values("household_id"))
        .order_by("head_name_key")
    )
    windows = [
        (posting, posting_window(posting.starts_on, posting.counted_from or posting.starts_on))
        for posting in VillagePosting.objects.filter(review_round=review_round, village=village)
    ]
    complaints = (
        Complaint.objects.filter(response__in=forms_here.values("pk"))
        .select_related("response__household")
        .order_by("received_on", "id")
    )
    # The list can show one status (the home board's counts link here); the steps above see all.
    status = request.GET.get("status", "")
    listed = responses.filter(status=status) if status in S.values else responses
    page = Paginator(listed.defer(*LIST_DEFERRED), FORMS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_labels(page.object_list)
    # A regular round's forms are the households that applied: few, each with its own deadline.
    regular = (
        regular_cases(review_round, list(responses), today)
        if review_round.kind == ReviewRound.Kind.REGULAR
        else []
    )
    return render(
        request,
        "survey/village_workspace.html",
        {
            "round": review_round,
            "village": village,
            "page": page,
            "responses": page.object_list,
            "total_forms": sum(counts.values()),
            "status_counts": [(value, label, counts.get(value, 0)) for value, label in S.choices],
            "status": S(status) if status in S.values else None,
            "can_act": can_act,
            "can_meet": can_record_meeting(request.user, village),
            "to_meet": to_meet,
            "posted": [(r, blockers[r.pk], opinions.get(r.pk)) for r in posted],
            "to_recheck": [(r, disputes.get(r.pk, "")) for r in to_recheck],
            "rechecks": rechecks,
            "recheck_form": RecheckForm(initial={"checked_on": today}),
            "has_agreed": bool(counts.get(S.AGREED) or counts.get(S.RECHECKED)),
            "not_started": not_started,
            "complaints": complaints,
            "windows": windows,
            "late_steps": late_steps([review_round], village).get(review_round.pk, []),
            "regular": regular,
            "decision_days": DECISION_DAYS,
            "today": today,
            "meeting_form": MeetingForm(initial={"held_on": today}),
            "posting_form": PostingForm(initial={"starts_on": today}),
            "complaint_form": ComplaintForm(responses=posted, initial={"received_on": today}),
            "decision_form": DecisionForm(initial={"decision_date": today}),
            "resolve_form": ComplaintResolveForm(initial={"resolved_on": today}),
        },
    )


def _back(review_round: ReviewRound, village: AdminUnit) -> HttpResponse:
    return redirect(
        "survey:village_workspace", round_id=review_round.public_id, village_id=village.public_id
    )


def _form_errors(request: AuthedHttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _chosen(
    request: AuthedHttpRequest, responses: list[SurveyResponse], prefix: str
) -> dict[str, list[SurveyResponse]]:
    chosen: dict[str, list[SurveyResponse]] = {}
    for response in responses:
        value = request.POST.get(f"{prefix}{response.public_id}", "")
        if value:
            chosen.setdefault(value, []).append(response)
    return chosen


@require_POST
def meeting_new(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    review_round, village, _can_act = _round_and_village(request, round_id, village_id)
    if _refuse(request, can_record_meeting(request.user, village), MEETING_RULE):
        return _back(review_round, village)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(review_round, village)
    responses = list(_village_responses(request, review_round, village))
    chosen = _chosen(request, responses, "decision_")
    run_service_step(
        request,
        lambda: meeting_record(
            actor=request.user,
            review_round=review_round,
            village=village,
            agreed=chosen.get("agreed", []),
            disputed=chosen.get("disputed", []),
            **form.cleaned_data,
        ),
        _("Đã ghi kết quả họp thôn."),
    )
    return _back(review_round, village)


@require_POST
def recheck_new(
    request: AuthedHttpRequest, round_id: str, village_id: str, response_id: str
) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    if not can_act:
        raise Http404
    response = (
        _village_responses(request, review_round, village).filter(public_id=response_id).first()
    )
    if response is None:
        raise Http404
    form = RecheckForm(request.POST)
    if form.is_valid():
        run_service_step(
            request,
            lambda: recheck_record(actor=request.user, response=response, **form.cleaned_data),
            _("Đã ghi kết quả phúc tra."),
        )
    else:
        _form_errors(request, form)
    return _back(review_round, village)


@require_POST
def posting_new(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    if _refuse(request, can_act, COMMUNE_RULE):
        return _back(review_round, village)
    form = PostingForm(request.POST)
    if form.is_valid():
        run_service_step(
            request,
            lambda: posting_start(
                actor=request.user, review_round=review_round, village=village, **form.cleaned_data
            ),
            _("Đã bắt đầu niêm yết."),
        )
    else:
        _form_errors(request, form)
    return _back(review_round, village)


@require_POST
def complaint_new(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    if _refuse(request, can_act, COMMUNE_RULE):
        return _back(review_round, village)
    posted = [r for r in _village_responses(request, review_round, village) if r.status == S.POSTED]
    form = ComplaintForm(request.POST, responses=posted)
    if form.is_valid():
        data = form.cleaned_data
        response = next(r for r in posted if str(r.public_id) == data["response"])
        run_service_step(
            request,
            lambda: complaint_record(
                actor=request.user,
                response=response,
                received_on=data["received_on"],
                content=data["content"],
                complainant=data["complainant"],
            ),
            _("Đã ghi khiếu nại."),
        )
    else:
        _form_errors(request, form)
    return _back(review_round, village)


@require_POST
def complaint_close(
    request: AuthedHttpRequest, round_id: str, village_id: str, complaint_id: str
) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    if _refuse(request, can_act, COMMUNE_RULE):
        return _back(review_round, village)
    complaint = Complaint.objects.filter(
        public_id=complaint_id,
        response__in=_village_responses(request, review_round, village),
    ).first()
    if complaint is None:
        raise Http404
    form = ComplaintResolveForm(request.POST)
    if form.is_valid():
        run_service_step(
            request,
            lambda: complaint_resolve(actor=request.user, complaint=complaint, **form.cleaned_data),
            _("Đã ghi kết quả giải quyết khiếu nại."),
        )
    else:
        _form_errors(request, form)
    return _back(review_round, village)


@require_POST
def approve(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    review_round, village, can_act = _round_and_village(request, round_id, village_id)
    if _refuse(request, can_act, COMMUNE_RULE):
        return _back(review_round, village)
    form = DecisionForm(request.POST)
    if form.is_valid():
        responses = list(_village_responses(request, review_round, village))
        chosen = _chosen(request, responses, "approve_").get("on", [])
        run_service_step(
            request,
            lambda: responses_approve(actor=request.user, responses=chosen, **form.cleaned_data),
            _("Đã phê duyệt."),
        )
    else:
        _form_errors(request, form)
    return _back(review_round, village)


# --- Printable pages (A4): no citizen IDs, no birth dates -----------------------------------------


def posting_list(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    """The list posted in the village: entries, those staying and exits (no CCCD, no birth date)."""
    review_round, village, _can_act = _round_and_village(request, round_id, village_id)
    responses = [
        r
        for r in _village_responses(request, review_round, village)
        if r.status not in {S.DRAFT, S.RETURNED}
    ]
    previous, sections = result_sections(review_round, responses)
    shown = [r for section in sections for r, _before in section.rows]
    posting = posting_of(shown[0]) if shown else None
    return render(
        request,
        "survey/print_posting_list.html",
        {
            "round": review_round,
            "village": village,
            "sections": sections,
            "previous": previous,
            "posting": posting,
        },
    )


def approval_list(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    """The list attached to the chairman's decision: the households posted or approved, by
    section, exits included (QĐ 24/2021/QĐ-TTg, Điều 4 bước 4)."""
    review_round, village, _can_act = _round_and_village(request, round_id, village_id)
    responses = [
        r
        for r in _village_responses(request, review_round, village)
        if r.status in {S.POSTED, S.APPROVED}
    ]
    previous, sections = result_sections(review_round, responses)
    # The decisions already signed for these households (one, unless approved in parts).
    decisions = sorted(
        {(r.decision_number, r.decision_date) for r in responses if r.status == S.APPROVED},
        key=lambda pair: (pair[1], pair[0]),
    )
    return render(
        request,
        "survey/print_approval_list.html",
        {
            "round": review_round,
            "village": village,
            "sections": sections,
            "previous": previous,
            "decisions": decisions,
        },
    )


def minutes_template(request: AuthedHttpRequest, round_id: str, village_id: str) -> HttpResponse:
    """The village meeting's minutes: as recorded once a meeting is, a blank form before."""
    review_round, village, _can_act = _round_and_village(request, round_id, village_id)
    meetings = list(
        VillageMeeting.objects.filter(review_round=review_round, village=village).select_related(
            "recorded_by"
        )
    )
    chosen = request.GET.get("meeting", "")
    meeting = next((m for m in meetings if str(m.public_id) == chosen), None) or (
        meetings[0] if meetings else None
    )
    if meeting is not None:
        decided = (
            ResponseTransition.objects.filter(meeting=meeting)
            .select_related("response__household")
            .order_by("response__household__head_name_key", "id")
        )
        rows: list[tuple[SurveyResponse, bool | None]] = [
            (t.response, t.to_status == S.AGREED) for t in decided
        ]
    else:
        rows = [
            (r, None)
            for r in _village_responses(request, review_round, village)
            if r.status in {S.SUBMITTED, S.DISPUTED, S.AGREED}
        ]
    return render(
        request,
        "survey/print_minutes.html",
        {
            "round": review_round,
            "village": village,
            "rows": rows,
            "meeting": meeting,
            "meetings": meetings,
        },
    )


def score_sheet(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    response = response_get_or_404(request.user, public_id)
    if not response.explanation:
        raise Http404
    members = response.household.members.filter(status="present").order_by("id")
    return render(
        request,
        "survey/print_score_sheet.html",
        {
            "response": response,
            "members": members,
            "standard": get_standard(response.standard_code or response.review_round.standard_code),
            "today": timezone.localdate(),
        },
    )
