"""The review workflow as explicit transitions (TT 07/2021 and QĐ 24/2021 steps).

draft → submitted → agreed / disputed at the village meeting → posted (3 working days, complaints)
→ approved by the commune chairman's decision. District or provincial staff may return a form with
a reason at any step before approval; an approved form is locked and reopens only with a reason.
Only these functions change `SurveyResponse.status`; each writes a ResponseTransition and an audit
row in the same transaction.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import changeable_units, visible_units
from accounts.services import audit_record
from areas.models import AdminUnit

from .models import (
    Complaint,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
    VillageMeeting,
    VillagePosting,
)

S = SurveyResponse.Status
POSTING_WORKING_DAYS = 3
RETURNABLE = {S.SUBMITTED, S.AGREED, S.DISPUTED, S.POSTED}


def add_working_days(start: date, days: int) -> date:
    """The date of the `days`-th working day counting from `start` (weekends skipped).

    Public holidays are not known to the app: the officer moves the start if one falls inside.
    """
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    counted = 1
    while counted < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            counted += 1
    return current


def _transition(
    response: SurveyResponse,
    to_status: str,
    *,
    actor: User,
    reason: str = "",
    meeting: VillageMeeting | None = None,
    posting: VillagePosting | None = None,
    action: str,
) -> None:
    from_status = response.status
    response.status = to_status
    response.version += 1
    response.save(update_fields=["status", "version", "updated_at"])
    ResponseTransition.objects.create(
        response=response,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        meeting=meeting,
        posting=posting,
    )
    audit_record(
        actor=actor,
        action=action,
        target=response,
        unit=response.village,
        changes={"status": [from_status, to_status]},
        reason=reason,
    )


def _check_commune_actor(actor: User, village: AdminUnit) -> None:
    """Commune steps (meeting, posting, complaints, approval) belong to the commune's officers."""
    if not changeable_units(actor).filter(pk=village.pk).exists():
        raise PermissionDenied


def _responses_of(
    review_round: ReviewRound, village: AdminUnit, responses: Iterable[SurveyResponse]
) -> list[SurveyResponse]:
    chosen = list(responses)
    for response in chosen:
        if response.review_round_id != review_round.pk or response.village_id != village.pk:
            raise ValidationError(_("Có phiếu không thuộc thôn hoặc đợt rà soát này."))
    return chosen


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    review_round: ReviewRound,
    village: AdminUnit,
    held_on: date,
    attendance: int,
    chaired_by: str,
    notes: str = "",
    agreed: Iterable[SurveyResponse] = (),
    disputed: Iterable[SurveyResponse] = (),
) -> VillageMeeting:
    """Record a village meeting and what it concluded for each submitted household."""
    _check_commune_actor(actor, village)
    agreed_list = _responses_of(review_round, village, agreed)
    disputed_list = _responses_of(review_round, village, disputed)
    if not agreed_list and not disputed_list:
        raise ValidationError(_("Hãy chọn các hộ được đưa ra họp."))
    if {r.pk for r in agreed_list} & {r.pk for r in disputed_list}:
        raise ValidationError(_("Một hộ không thể vừa thống nhất vừa chưa thống nhất."))
    if disputed_list and not notes.strip():
        raise ValidationError({"notes": _("Có hộ chưa thống nhất: hãy ghi ý kiến của cuộc họp.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Ngày họp không được sau hôm nay.")})
    for response in agreed_list + disputed_list:
        if response.status not in {S.SUBMITTED, S.DISPUTED}:
            raise ValidationError(
                _("Hộ %(h)s đang ở trạng thái “%(s)s”: chỉ đưa ra họp các phiếu đã nộp.")
                % {"h": response.household, "s": response.get_status_display()}
            )
    meeting = VillageMeeting.objects.create(
        review_round=review_round,
        village=village,
        held_on=held_on,
        attendance=attendance,
        chaired_by=" ".join(chaired_by.split()),
        notes=notes.strip(),
        recorded_by=actor,
    )
    for response in agreed_list:
        _transition(response, S.AGREED, actor=actor, meeting=meeting, action="meeting_agree")
    for response in disputed_list:
        _transition(
            response,
            S.DISPUTED,
            actor=actor,
            meeting=meeting,
            reason=notes.strip(),
            action="meeting_dispute",
        )
    return meeting


@transaction.atomic
def posting_start(
    *, actor: User, review_round: ReviewRound, village: AdminUnit, starts_on: date, place: str
) -> VillagePosting:
    """Post the households the village meeting agreed on; the window is 3 working days."""
    _check_commune_actor(actor, village)
    agreed = list(
        SurveyResponse.objects.select_for_update().filter(
            review_round=review_round, village=village, status=S.AGREED
        )
    )
    if not agreed:
        raise ValidationError(_("Thôn chưa có hộ nào được họp thôn thống nhất để niêm yết."))
    if not place.strip():
        raise ValidationError({"place": _("Hãy ghi nơi niêm yết.")})
    posting = VillagePosting.objects.create(
        review_round=review_round,
        village=village,
        starts_on=starts_on,
        ends_on=add_working_days(starts_on, POSTING_WORKING_DAYS),
        place=place.strip(),
        recorded_by=actor,
    )
    for response in agreed:
        _transition(response, S.POSTED, actor=actor, posting=posting, action="posting_start")
    return posting


def posting_of(response: SurveyResponse) -> VillagePosting | None:
    transition = (
        response.transitions.filter(to_status=S.POSTED, posting__isnull=False)
        .select_related("posting")
        .order_by("-at", "-id")
        .first()
    )
    return transition.posting if transition else None


@transaction.atomic
def complaint_record(
    *,
    actor: User,
    response: SurveyResponse,
    received_on: date,
    content: str,
    complainant: str = "",
) -> Complaint:
    _check_commune_actor(actor, response.village)
    posting = posting_of(response)
    if response.status != S.POSTED or posting is None:
        raise ValidationError(_("Chỉ ghi khiếu nại về hộ đang niêm yết."))
    if not posting.starts_on <= received_on <= posting.ends_on:
        raise ValidationError(
            {
                "received_on": _("Ngày nhận phải trong thời gian niêm yết (%(a)s – %(b)s).")
                % {"a": f"{posting.starts_on:%d/%m/%Y}", "b": f"{posting.ends_on:%d/%m/%Y}"}
            }
        )
    if not content.strip():
        raise ValidationError({"content": _("Hãy ghi nội dung khiếu nại.")})
    complaint = Complaint.objects.create(
        posting=posting,
        response=response,
        received_on=received_on,
        complainant=complainant.strip(),
        content=content.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="complaint_record",
        target=complaint,
        unit=response.village,
        changes={"household": str(response.household)},
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *, actor: User, complaint: Complaint, resolution: str, resolved_on: date
) -> Complaint:
    _check_commune_actor(actor, complaint.response.village)
    if complaint.is_resolved:
        raise ValidationError(_("Khiếu nại này đã được giải quyết."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Hãy ghi kết quả giải quyết.")})
    if resolved_on < complaint.received_on:
        raise ValidationError({"resolved_on": _("Ngày giải quyết không trước ngày nhận.")})
    complaint.resolution, complaint.resolved_on = resolution.strip(), resolved_on
    complaint.resolved_by = actor
    complaint.save(update_fields=["resolution", "resolved_on", "resolved_by"])
    audit_record(
        actor=actor,
        action="complaint_resolve",
        target=complaint,
        unit=complaint.response.village,
        reason=complaint.resolution,
    )
    return complaint


def postings_of(responses: Iterable[SurveyResponse]) -> dict[int, VillagePosting]:
    """The posting each response was last posted in, for many responses in one query."""
    found: dict[int, VillagePosting] = {}
    transitions = (
        ResponseTransition.objects.filter(
            response__in=[r.pk for r in responses], to_status=S.POSTED, posting__isnull=False
        )
        .select_related("posting")
        .order_by("response_id", "-at", "-id")
    )
    for transition in transitions:
        assert transition.posting is not None
        found.setdefault(transition.response_id, transition.posting)
    return found


def approval_blockers(
    response: SurveyResponse,
    today: date,
    *,
    postings: dict[int, VillagePosting] | None = None,
    open_complaints: int | None = None,
) -> list[str]:
    """Why a household cannot be approved yet (empty when it can).

    `postings` (from `postings_of`) and `open_complaints` may be given when the caller fetched
    them for many households at once.
    """
    name = str(response.household)
    if response.status != S.POSTED:
        return [
            _("%(h)s: chưa niêm yết (đang “%(s)s”).")
            % {"h": name, "s": response.get_status_display()}
        ]
    problems = []
    posting = posting_of(response) if postings is None else postings.get(response.pk)
    if posting is not None and today <= posting.ends_on:
        problems.append(
            _("%(h)s: thôn đang niêm yết đến hết ngày %(d)s.")
            % {"h": name, "d": f"{posting.ends_on:%d/%m/%Y}"}
        )
    if open_complaints is None:
        open_complaints = response.complaints.filter(resolved_on__isnull=True).count()
    if open_complaints:
        problems.append(_("%(h)s: còn khiếu nại chưa giải quyết.") % {"h": name})
    return problems


@transaction.atomic
def responses_approve(
    *,
    actor: User,
    responses: Iterable[SurveyResponse],
    decision_number: str,
    decision_date: date,
) -> int:
    """Approve by the commune chairman's decision: all the chosen households, or none."""
    chosen = list(responses)
    if not chosen:
        raise ValidationError(_("Hãy chọn các hộ được phê duyệt."))
    if not decision_number.strip():
        raise ValidationError({"decision_number": _("Hãy ghi số quyết định của Chủ tịch xã.")})
    today = timezone.localdate()
    problems = []
    for response in chosen:
        _check_commune_actor(actor, response.village)
        problems += approval_blockers(response, today)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for response in chosen:
        response.decision_number, response.decision_date = decision_number.strip(), decision_date
        response.approved_at = now
        response.save(update_fields=["decision_number", "decision_date", "approved_at"])
        _transition(
            response,
            S.APPROVED,
            actor=actor,
            reason=_("Quyết định số %(n)s") % {"n": decision_number.strip()},
            action="response_approve",
        )
    return len(chosen)


def can_return(actor: User, response: SurveyResponse) -> bool:
    if actor.is_admin:
        return True
    if actor.role not in {User.Role.DISTRICT_STAFF, User.Role.PROVINCE_STAFF}:
        return False
    return visible_units(actor).filter(pk=response.village_id).exists()


@transaction.atomic
def response_return(*, actor: User, response: SurveyResponse, reason: str) -> SurveyResponse:
    """District or provincial staff send a form back to the commune, with a reason."""
    if not can_return(actor, response):
        raise PermissionDenied
    if response.status not in RETURNABLE:
        raise ValidationError(
            _("Không trả lại được phiếu đang “%(s)s”.") % {"s": response.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Trả lại phiếu phải ghi lý do.")})
    _transition(response, S.RETURNED, actor=actor, reason=reason.strip(), action="response_return")
    return response


@transaction.atomic
def response_reopen(*, actor: User, response: SurveyResponse, reason: str) -> SurveyResponse:
    """An approved result is locked; reopening it for correction needs a written reason."""
    _check_commune_actor(actor, response.village)
    if response.status != S.APPROVED:
        raise ValidationError(_("Chỉ mở lại phiếu đã phê duyệt."))
    if not reason.strip():
        raise ValidationError({"reason": _("Mở lại kết quả đã phê duyệt phải ghi lý do.")})
    _transition(response, S.RETURNED, actor=actor, reason=reason.strip(), action="response_reopen")
    return response
