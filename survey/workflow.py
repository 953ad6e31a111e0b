"""The review procedure in code (QĐ 24/2021/QĐ-TTg, Điều 4; TT 07/2021/TT-BLĐTBXH).

`STEPS` below is the procedure: every change of a form's status is one of its rows (from which
statuses, to which, who may take it, what it needs), and `transition` is the only function that
changes `SurveyResponse.status`. It checks the row, then writes the status, a ResponseTransition
(who, when, why, at which meeting or posting) and an audit row in the caller's transaction.

draft → submitted → agreed / disputed at the village meeting → posted (3 working days without
weekends and public holidays; complaints) → approved by the commune chairman's decision. District or
provincial staff may return a form with a reason at any step before approval; an approved form is
locked and reopens only with a reason.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Value
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditEvent, User
from accounts.scoping import changeable_units, form_units, meeting_units, visible_units
from accounts.services import audit_event, audit_record
from areas.models import AdminUnit
from core.workdays import WorkingPeriod, working_period

from .models import (
    Complaint,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
    VillageMeeting,
    VillagePosting,
)

S = SurveyResponse.Status
# "Niêm yết công khai ... trong thời gian 03 ngày làm việc" (QĐ 24/2021/QĐ-TTg, Điều 4).
POSTING_WORKING_DAYS = 3


class Who(StrEnum):
    """Who may take a step, on the form's village."""

    COMMUNE = "commune"  # the commune's officer (or an admin)
    FIELD = "field"  # who fills forms there: the officer, its surveyors and village heads, an admin
    VILLAGE = "village"  # who records the village meeting: the officer, its village head, an admin
    REVIEWER = "reviewer"  # district or provincial staff above the commune (or an admin)


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str
    who: Who
    label: str | Promise
    needs: str | Promise


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "response_submit",
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            Who.FIELD,
            gettext_lazy("Nộp phiếu"),
            gettext_lazy(
                "Mọi câu trả lời đầy đủ, hộ có chủ hộ; kết quả cuối khác kết quả tính phải "
                "có lý do."
            ),
        ),
        Step(
            "meeting_agree",
            frozenset({S.SUBMITTED, S.DISPUTED}),
            S.AGREED,
            Who.VILLAGE,
            gettext_lazy("Họp thôn thống nhất"),
            gettext_lazy("Ngày họp trong đợt và không sau hôm nay, số người dự, người chủ trì."),
        ),
        Step(
            "meeting_dispute",
            frozenset({S.SUBMITTED, S.DISPUTED}),
            S.DISPUTED,
            Who.VILLAGE,
            gettext_lazy("Họp thôn chưa thống nhất"),
            gettext_lazy("Như trên, và ý kiến của cuộc họp."),
        ),
        Step(
            "posting_start",
            frozenset({S.AGREED}),
            S.POSTED,
            Who.COMMUNE,
            gettext_lazy("Niêm yết công khai"),
            gettext_lazy(
                "Nơi niêm yết; ngày bắt đầu không trước ngày họp thôn, không sau hôm nay và không "
                "sớm hơn ngày ghi vào phần mềm quá số ngày cho phép."
            ),
        ),
        Step(
            "response_approve",
            frozenset({S.POSTED}),
            S.APPROVED,
            Who.COMMUNE,
            gettext_lazy("Phê duyệt"),
            gettext_lazy(
                "Hết thời hạn niêm yết, mọi khiếu nại đã giải quyết, số và ngày quyết định của "
                "Chủ tịch UBND xã (sau ngày hết niêm yết, không sau hôm nay)."
            ),
        ),
        Step(
            "response_return",
            frozenset({S.SUBMITTED, S.AGREED, S.DISPUTED, S.POSTED}),
            S.RETURNED,
            Who.REVIEWER,
            gettext_lazy("Trả lại phiếu"),
            gettext_lazy("Lý do trả lại."),
        ),
        Step(
            "response_reopen",
            frozenset({S.APPROVED}),
            S.RETURNED,
            Who.COMMUNE,
            gettext_lazy("Mở lại kết quả đã phê duyệt"),
            gettext_lazy("Lý do mở lại."),
        ),
    )
}
EDITABLE_STATUSES = STEPS["response_submit"].sources
RETURNABLE = STEPS["response_return"].sources


def _may_act(actor: User, who: Who, village_ids: set[int]) -> bool:
    if who == Who.COMMUNE:
        units = changeable_units(actor)
    elif who == Who.FIELD:
        units = form_units(actor)
    elif who == Who.VILLAGE:
        units = meeting_units(actor)
    elif actor.is_admin or actor.role in {User.Role.DISTRICT_STAFF, User.Role.PROVINCE_STAFF}:
        units = visible_units(actor)
    else:
        return False
    return units.filter(pk__in=village_ids).count() == len(village_ids)


def may_take(actor: User, action: str, response: SurveyResponse) -> bool:
    """Whether `actor` may take this step on this form now (for showing or hiding a button)."""
    step = STEPS[action]
    return response.status in step.sources and _may_act(actor, step.who, {response.village_id})


def transition(
    responses: Sequence[SurveyResponse],
    action: str,
    *,
    actor: User,
    reason: str = "",
    meeting: VillageMeeting | None = None,
    posting: VillagePosting | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Take the step `action` for these forms: all of them, or (raising) none.

    Raises PermissionDenied when the actor may not take the step on a form's village, and
    ValidationError naming the household when a form is not in a status the step starts from.
    The caller holds the transaction (and locks the rows with select_for_update where it matters).
    """
    step = STEPS[action]
    if not responses:
        return
    if not _may_act(actor, step.who, {r.village_id for r in responses}):
        raise PermissionDenied
    wrong = [r for r in responses if r.status not in step.sources]
    if wrong:
        raise ValidationError(
            [
                _("%(h)s: phiếu đang “%(s)s”, không thể “%(step)s”.")
                % {"h": r.household, "s": r.get_status_display(), "step": step.label}
                for r in wrong
            ]
        )
    now = timezone.now()
    transitions, events = [], []
    for response in responses:
        transitions.append(
            ResponseTransition(
                response=response,
                from_status=response.status,
                to_status=step.target,
                actor=actor,
                reason=reason,
                meeting=meeting,
                posting=posting,
            )
        )
        events.append(
            audit_event(
                actor=actor,
                action=action,
                target=response,
                unit=response.village,
                changes={"status": [response.status, step.target], **(details or {})},
                reason=reason,
            )
        )
        response.status = step.target
        response.version += 1
        response.updated_at = now
    SurveyResponse.objects.filter(pk__in=[r.pk for r in responses]).update(
        status=step.target, version=F("version") + 1, updated_at=now
    )
    ResponseTransition.objects.bulk_create(transitions)
    AuditEvent.objects.bulk_create(events)


def _check_commune_actor(actor: User, village: AdminUnit) -> None:
    """Commune steps without a status change (complaints) belong to the commune's officers."""
    if not _may_act(actor, Who.COMMUNE, {village.pk}):
        raise PermissionDenied


def _responses_of(
    review_round: ReviewRound, village: AdminUnit, responses: Iterable[SurveyResponse]
) -> list[SurveyResponse]:
    chosen = list(responses)
    for response in chosen:
        if response.review_round_id != review_round.pk or response.village_id != village.pk:
            raise ValidationError(_("Có phiếu không thuộc thôn hoặc đợt rà soát này."))
    return chosen


# Where a rule comes from, shown with each refusal. The periodic review runs 1/9–14/12 and the
# meeting is part of it (QĐ 24/2021/QĐ-TTg, Điều 3, Điều 4 bước 2); the chairman recognises the
# households after the public posting (Điều 4 bước 3–4).
BASIS_ROUND = gettext_lazy("QĐ 24/2021/QĐ-TTg, Điều 3 và Điều 4")
BASIS_APPROVAL = gettext_lazy("QĐ 24/2021/QĐ-TTg, Điều 4 bước 3–4")


def _check_meeting_date(review_round: ReviewRound, held_on: date) -> None:
    """A village meeting happens within its round, and not in the future."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Ngày họp không được sau hôm nay.")})
    if not review_round.starts_on <= held_on <= review_round.ends_on:
        raise ValidationError(
            {
                "held_on": _(
                    "Ngày họp thôn phải trong thời gian của đợt rà soát (%(a)s – %(b)s): họp thôn "
                    "là một bước của đợt rà soát (%(basis)s)."
                )
                % {
                    "a": f"{review_round.starts_on:%d/%m/%Y}",
                    "b": f"{review_round.ends_on:%d/%m/%Y}",
                    "basis": BASIS_ROUND,
                }
            }
        )


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
    """Record a village meeting and what it concluded for each submitted household: the commune's
    officer, or the village head of that village."""
    if not _may_act(actor, Who.VILLAGE, {village.pk}):
        raise PermissionDenied
    agreed_list = _responses_of(review_round, village, agreed)
    disputed_list = _responses_of(review_round, village, disputed)
    if not agreed_list and not disputed_list:
        raise ValidationError(_("Hãy chọn các hộ được đưa ra họp."))
    if {r.pk for r in agreed_list} & {r.pk for r in disputed_list}:
        raise ValidationError(_("Một hộ không thể vừa thống nhất vừa chưa thống nhất."))
    if disputed_list and not notes.strip():
        raise ValidationError({"notes": _("Có hộ chưa thống nhất: hãy ghi ý kiến của cuộc họp.")})
    _check_meeting_date(review_round, held_on)
    meeting = VillageMeeting.objects.create(
        review_round=review_round,
        village=village,
        held_on=held_on,
        attendance=attendance,
        chaired_by=" ".join(chaired_by.split()),
        notes=notes.strip(),
        recorded_by=actor,
    )
    transition(agreed_list, "meeting_agree", actor=actor, meeting=meeting)
    transition(disputed_list, "meeting_dispute", actor=actor, meeting=meeting, reason=notes.strip())
    return meeting


def posting_window(starts_on: date, recorded_on: date) -> WorkingPeriod:
    """The posting window: 3 working days from the later of its start and the day it is recorded.

    Counting from the recording day when a paper posting is typed in late means that a start
    date in the past can never shorten the time residents have to complain.
    """
    return working_period(max(starts_on, recorded_on), POSTING_WORKING_DAYS)


def _last_meeting_date(responses: Sequence[SurveyResponse]) -> date | None:
    found = ResponseTransition.objects.filter(
        response__in=[r.pk for r in responses], to_status=S.AGREED, meeting__isnull=False
    ).aggregate(last=Max("meeting__held_on"))
    return found["last"]


@transaction.atomic
def posting_start(
    *,
    actor: User,
    review_round: ReviewRound,
    village: AdminUnit,
    starts_on: date,
    place: str,
    recorded_on: date | None = None,
) -> VillagePosting:
    """Post the households the village meeting agreed on, for 3 working days.

    The start is never before the meeting it follows, never in the future, and never earlier
    than a few days (POSTING_BACKDATE_GRACE_DAYS) before the day it is recorded: a backdated
    posting would let its window, and the complaints it exists for, pass unseen. `recorded_on`
    is today; only the demo, replaying a past round day by day, passes another day (no view can).
    """
    _check_commune_actor(actor, village)
    agreed = list(
        SurveyResponse.objects.select_for_update()
        .select_related("household", "village")
        .filter(review_round=review_round, village=village, status=S.AGREED)
        .order_by("id")
    )
    if not agreed:
        raise ValidationError(_("Thôn chưa có hộ nào được họp thôn thống nhất để niêm yết."))
    if not place.strip():
        raise ValidationError({"place": _("Hãy ghi nơi niêm yết.")})
    today = recorded_on or timezone.localdate()
    grace = settings.POSTING_BACKDATE_GRACE_DAYS
    if starts_on > today:
        raise ValidationError(
            {"starts_on": _("Ngày bắt đầu niêm yết không được sau hôm nay: hãy ghi khi đã dán.")}
        )
    if starts_on < today - timedelta(days=grace):
        raise ValidationError(
            {
                "starts_on": _(
                    "Ngày bắt đầu niêm yết không được sớm hơn ngày ghi vào phần mềm quá %(n)s "
                    "ngày (sớm nhất %(d)s): niêm yết ghi lùi ngày sẽ rút ngắn thời gian người dân "
                    "khiếu nại."
                )
                % {"n": grace, "d": f"{today - timedelta(days=grace):%d/%m/%Y}"}
            }
        )
    met_on = _last_meeting_date(agreed)
    if met_on is not None and starts_on < met_on:
        raise ValidationError(
            {
                "starts_on": _(
                    "Ngày bắt đầu niêm yết không được trước ngày họp thôn (%(d)s): chỉ niêm yết "
                    "danh sách đã được họp thôn thống nhất."
                )
                % {"d": f"{met_on:%d/%m/%Y}"}
            }
        )
    window = posting_window(starts_on, today)
    posting = VillagePosting.objects.create(
        review_round=review_round,
        village=village,
        starts_on=starts_on,
        recorded_on=today,
        counted_from=window.first,
        ends_on=window.last,
        place=place.strip(),
        recorded_by=actor,
    )
    transition(agreed, "posting_start", actor=actor, posting=posting)
    return posting


def posting_of(response: SurveyResponse) -> VillagePosting | None:
    return postings_of([response]).get(response.pk)


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
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Ngày nhận không được sau hôm nay.")})
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
    if resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": _("Ngày giải quyết không được sau hôm nay.")})
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
    for row in transitions:
        assert row.posting is not None
        found.setdefault(row.response_id, row.posting)
    return found


def open_complaints_of(responses: Iterable[SurveyResponse]) -> dict[int, int]:
    """How many unresolved complaints each response has, in one query."""
    rows = (
        Complaint.objects.filter(response__in=[r.pk for r in responses], resolved_on__isnull=True)
        .values("response_id")
        .annotate(n=Count("id"))
    )
    return {row["response_id"]: row["n"] for row in rows}


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
    if posting is None:
        problems.append(_("%(h)s: không tìm thấy đợt niêm yết của hộ.") % {"h": name})
    elif today <= posting.ends_on:
        problems.append(
            _("%(h)s: thôn đang niêm yết đến hết ngày %(d)s.")
            % {"h": name, "d": f"{posting.ends_on:%d/%m/%Y}"}
        )
    if open_complaints is None:
        open_complaints = response.complaints.filter(resolved_on__isnull=True).count()
    if open_complaints:
        problems.append(_("%(h)s: còn khiếu nại chưa giải quyết.") % {"h": name})
    return problems


def _check_decision_date(
    decision_date: date, today: date, postings: Sequence[VillagePosting]
) -> None:
    """The chairman decides after the posting window has passed, and not in the future."""
    if decision_date > today:
        raise ValidationError(
            {
                "decision_date": _(
                    "Ngày quyết định không được sau hôm nay (chưa kiểm chứng): hãy ghi ngày đã "
                    "ký quyết định."
                )
            }
        )
    earliest = max(p.ends_on for p in postings) + timedelta(days=1)
    if decision_date < earliest:
        raise ValidationError(
            {
                "decision_date": _(
                    "Ngày quyết định không được trước %(d)s: Chủ tịch UBND xã chỉ công nhận sau "
                    "khi hết thời hạn niêm yết công khai 03 ngày làm việc (%(basis)s)."
                )
                % {"d": f"{earliest:%d/%m/%Y}", "basis": BASIS_APPROVAL}
            }
        )


@transaction.atomic
def responses_approve(
    *,
    actor: User,
    responses: Iterable[SurveyResponse],
    decision_number: str,
    decision_date: date,
) -> int:
    """Approve by the commune chairman's decision: all the chosen households, or none."""
    chosen = list(
        SurveyResponse.objects.select_for_update()
        .select_related("household", "village")
        .filter(pk__in=[r.pk for r in responses])
        .order_by("id")
    )
    if not chosen:
        raise ValidationError(_("Hãy chọn các hộ được phê duyệt."))
    if not decision_number.strip():
        raise ValidationError({"decision_number": _("Hãy ghi số quyết định của Chủ tịch xã.")})
    if not _may_act(actor, Who.COMMUNE, {r.village_id for r in chosen}):
        raise PermissionDenied
    today = timezone.localdate()
    postings = postings_of(chosen)
    complaints = open_complaints_of(chosen)
    problems = []
    for response in chosen:
        problems += approval_blockers(
            response, today, postings=postings, open_complaints=complaints.get(response.pk, 0)
        )
    if problems:
        raise ValidationError(problems)
    _check_decision_date(decision_date, today, [postings[r.pk] for r in chosen])
    number = decision_number.strip()
    SurveyResponse.objects.filter(pk__in=[r.pk for r in chosen]).update(
        decision_number=number, decision_date=decision_date, approved_at=timezone.now()
    )
    transition(
        chosen,
        "response_approve",
        actor=actor,
        reason=_("Quyết định số %(n)s") % {"n": number},
    )
    return len(chosen)


# --- Steps after the commune deadline: a warning, never a refusal ---------------------------------


def commune_deadline_of(review_round: ReviewRound) -> date:
    """The day the commune reports by: the province's deadline, else the round's end."""
    return review_round.commune_deadline or review_round.ends_on


def late_steps(rounds: Sequence[ReviewRound], unit: AdminUnit) -> dict[int, list[str]]:
    """Meetings, postings and decisions of periodic rounds dated after the commune deadline, in
    the villages of `unit` (a village, or any unit above): per round, one line each, oldest first.

    Late work is still valid work: the deadline is the province's plan (the periodic review
    runs 1/9–14/12, QĐ 24/2021/QĐ-TTg, Điều 3), so the pages warn and nothing is refused.
    One query (a UNION of the three tables) for all the rounds of a board.
    """
    periodic = {r.pk: r for r in rounds if r.kind == ReviewRound.Kind.PERIODIC}
    if not periodic:
        return {}
    deadlines = {pk: commune_deadline_of(r) for pk, r in periodic.items()}
    labels = {
        "meeting": _("Họp thôn"),
        "posting": _("Niêm yết công khai"),
        "decision": _("Quyết định phê duyệt"),
    }

    def late(model: type[models.Model], day: str, step: str, **extra: object) -> QuerySet[Any]:
        after = Q(pk__in=[])
        for pk, deadline in deadlines.items():
            after |= Q(review_round_id=pk, **{f"{day}__gt": deadline})
        return (
            model._default_manager.filter(after, village__path__startswith=unit.path, **extra)
            .annotate(step=Value(step, output_field=CharField()))
            .values_list("review_round_id", day, "village__name", "step")
            .order_by()  # SQLite refuses ORDER BY (a default ordering) inside a UNION
        )

    rows = late(VillageMeeting, "held_on", "meeting").union(
        late(VillagePosting, "starts_on", "posting"),
        late(SurveyResponse, "decision_date", "decision", status=S.APPROVED),
    )
    found: dict[int, list[str]] = {}
    for round_pk, on, village, step in sorted(rows, key=lambda row: (row[0], row[1], row[2])):
        found.setdefault(round_pk, []).append(
            _(
                "%(v)s: %(step)s ngày %(d)s, sau hạn xã báo cáo %(h)s (hạn theo kế hoạch của "
                "tỉnh; rà soát định kỳ từ 01/9 đến 14/12, QĐ 24/2021/QĐ-TTg, Điều 3)."
            )
            % {
                "v": village,
                "step": labels[step],
                "d": f"{on:%d/%m/%Y}",
                "h": f"{deadlines[round_pk]:%d/%m/%Y}",
            }
        )
    return found


def can_return(actor: User, response: SurveyResponse) -> bool:
    """Whether the actor is one who returns forms on this village (whatever its status now)."""
    return _may_act(actor, STEPS["response_return"].who, {response.village_id})


@transaction.atomic
def response_return(*, actor: User, response: SurveyResponse, reason: str) -> SurveyResponse:
    """District or provincial staff send a form back to the commune, with a reason."""
    if not _may_act(actor, Who.REVIEWER, {response.village_id}):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Trả lại phiếu phải ghi lý do.")})
    transition([response], "response_return", actor=actor, reason=reason.strip())
    return response


@transaction.atomic
def response_reopen(*, actor: User, response: SurveyResponse, reason: str) -> SurveyResponse:
    """An approved result is locked; reopening it for correction needs a written reason."""
    _check_commune_actor(actor, response.village)
    if not reason.strip():
        raise ValidationError({"reason": _("Mở lại kết quả đã phê duyệt phải ghi lý do.")})
    transition([response], "response_reopen", actor=actor, reason=reason.strip())
    return response
