"""The review procedure in code (QĐ 24/2021/QĐ-TTg, Điều 4; TT 07/2021/TT-BLĐTBXH).

`STEPS` below is the procedure: every change of a form's status is one of its rows (from which
statuses, to which, who may take it, what it needs), and `transition` is the only function that
changes `SurveyResponse.status`. It checks the row, then writes the status, a ResponseTransition
(who, when, why, at which meeting or posting) and an audit row in the caller's transaction.

draft → submitted → agreed / disputed at the village meeting (a disputed household is re-checked,
phúc tra, before it is posted: kept, or back to draft for correction and a new meeting) → posted
(3 working days without weekends and public holidays; complaints) → approved by the commune
chairman's decision. District or provincial staff may return a form with a reason at any step
before approval; an approved form is locked and reopens only with a reason.

Above the forms (rows with subject "commune", "district" or "round", taken by
`stage_transition`): in a periodic round the commune sends its posted result for the opinion of
the level above (its district; the province on the two-level tree, basis unverified), which
precedes approval (QĐ 24/2021/QĐ-TTg, Điều 4 bước 4); the commune hands in its approved result
(then locked until the level above reopens it with a reason), the district hands in to the
province, and the province closes the round.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value
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
    OpinionItem,
    OpinionRequest,
    Recheck,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
    UnitRoundState,
    UnitTransition,
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
    # Steps of a commune, a district or the round (STEPS rows whose subject is not a form):
    OPINION = "opinion"  # the level the commune reports to: its district's staff, or the
    # province's on the two-level tree (or an admin)
    ABOVE = "above"  # district or provincial staff above the unit (or an admin)
    DISTRICT = "district"  # the district's own staff (or an admin)
    PROVINCE = "province"  # the round's provincial staff (or an admin)


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str
    who: Who
    label: str | Promise
    needs: str | Promise
    # What the step moves: a form ("response", SurveyResponse.Status), a commune or a district
    # (UnitRoundState.Stage), or the round itself (ReviewRound.Status); and where its rule
    # comes from, named in every refusal.
    subject: str = "response"
    basis: str | Promise = ""


# --- Steps above the forms: the district's opinion and the hand-in up the tree -------------------
U = UnitRoundState.Stage
R = ReviewRound.Status
# "Báo cáo, xin ý kiến Chủ tịch UBND cấp huyện" before the commune recognises the poor and
# near-poor households and those leaving (QĐ 24/2021/QĐ-TTg, Điều 4 bước 4).
BASIS_OPINION = gettext_lazy("QĐ 24/2021/QĐ-TTg, Điều 4 bước 4")
# From 1 July 2025 there are no districts: the commune reports to the province. The article of
# TT 13/2025/TT-BNNMT that says so could not be sourced.
BASIS_TWO_LEVEL = gettext_lazy(
    "chưa kiểm chứng: từ 01/7/2025 không còn cấp huyện, xã báo cáo tỉnh (TT 13/2025/TT-BNNMT, "
    "chưa tìm được nội dung điều khoản)"
)
# The order and the deadlines of the hand-in between levels are the province's plan each year.
BASIS_HAND_IN = gettext_lazy(
    "kế hoạch rà soát của tỉnh (thứ tự và hạn nộp từng cấp); QĐ 24/2021/QĐ-TTg, Điều 4 bước 4"
)
UNIT_STEPS = (
    Step(
        "opinion_request",
        frozenset({U.OPEN, U.OPINION}),
        U.SENT,
        Who.COMMUNE,
        gettext_lazy("Gửi xin ý kiến cấp trên"),
        gettext_lazy(
            "Đợt rà soát định kỳ; có hộ đã hết thời hạn niêm yết chưa được xin ý kiến; không có "
            "lần xin ý kiến nào đang chờ trả lời."
        ),
        "commune",
        BASIS_OPINION,
    ),
    Step(
        "opinion_give",
        frozenset({U.SENT}),
        U.OPINION,
        Who.OPINION,
        gettext_lazy("Cho ý kiến về kết quả của xã"),
        gettext_lazy("Xã đã gửi xin ý kiến; thống nhất, hoặc ý kiến về từng hộ."),
        "commune",
        BASIS_OPINION,
    ),
    Step(
        "commune_hand_in",
        frozenset({U.OPEN, U.OPINION}),
        U.HANDED_IN,
        Who.COMMUNE,
        gettext_lazy("Nộp kết quả lên cấp trên"),
        gettext_lazy(
            "Mọi phiếu của xã trong đợt đã được phê duyệt; không có lần xin ý kiến nào đang chờ."
        ),
        "commune",
        BASIS_HAND_IN,
    ),
    Step(
        "commune_reopen",
        frozenset({U.HANDED_IN}),
        U.OPEN,
        Who.ABOVE,
        gettext_lazy("Mở lại kết quả xã đã nộp"),
        gettext_lazy("Lý do mở lại; huyện của xã chưa nộp lên tỉnh."),
        "commune",
        BASIS_HAND_IN,
    ),
    Step(
        "district_hand_in",
        frozenset({U.OPEN}),
        U.HANDED_IN,
        Who.DISTRICT,
        gettext_lazy("Xác nhận và nộp lên tỉnh"),
        gettext_lazy("Mọi xã của huyện đã nộp kết quả."),
        "district",
        BASIS_HAND_IN,
    ),
    Step(
        "district_reopen",
        frozenset({U.HANDED_IN}),
        U.OPEN,
        Who.ABOVE,
        gettext_lazy("Mở lại kết quả huyện đã nộp"),
        gettext_lazy("Lý do mở lại."),
        "district",
        BASIS_HAND_IN,
    ),
    Step(
        "round_close",
        frozenset({R.OPEN}),
        R.CLOSED,
        Who.PROVINCE,
        gettext_lazy("Kết thúc đợt rà soát"),
        gettext_lazy("Mọi huyện (trên cây không có cấp huyện: mọi xã) của tỉnh đã nộp kết quả."),
        "round",
        BASIS_HAND_IN,
    ),
)

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
            frozenset({S.SUBMITTED}),
            S.AGREED,
            Who.VILLAGE,
            gettext_lazy("Họp thôn thống nhất"),
            gettext_lazy("Ngày họp trong đợt và không sau hôm nay, số người dự, người chủ trì."),
        ),
        Step(
            "meeting_dispute",
            frozenset({S.SUBMITTED}),
            S.DISPUTED,
            Who.VILLAGE,
            gettext_lazy("Họp thôn chưa thống nhất"),
            gettext_lazy("Như trên, và ý kiến của cuộc họp."),
        ),
        Step(
            "response_recheck",
            frozenset({S.DISPUTED}),
            S.RECHECKED,
            Who.COMMUNE,
            gettext_lazy("Phúc tra: giữ kết quả"),
            gettext_lazy(
                "Ngày phúc tra (không trước ngày họp thôn, không sau hôm nay), người phúc tra, "
                "kết quả phúc tra (chưa kiểm chứng: thực hành của các địa phương)."
            ),
        ),
        Step(
            "response_recheck_correct",
            frozenset({S.DISPUTED}),
            S.DRAFT,
            Who.COMMUNE,
            gettext_lazy("Phúc tra: sửa phiếu"),
            gettext_lazy("Như trên; phiếu về “Đang nhập” để sửa, nộp lại và đưa ra họp thôn lại."),
        ),
        Step(
            "posting_start",
            frozenset({S.AGREED, S.RECHECKED}),
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
            frozenset({S.SUBMITTED, S.AGREED, S.DISPUTED, S.RECHECKED, S.POSTED}),
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
        *UNIT_STEPS,
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
    check_unlocked({r.review_round_id for r in responses}, {r.commune_id for r in responses})
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


# Phúc tra of a disputed household: QĐ 24/2021 does not spell it out in the text we could read;
# it is the practice of provincial guidance (the village meeting's doubt is checked in the field
# before anything is posted), so its rules say "chưa kiểm chứng".
BASIS_RECHECK = gettext_lazy("chưa kiểm chứng: theo hướng dẫn thực hành của các địa phương")


def _disputing_meeting(response: SurveyResponse) -> VillageMeeting | None:
    found = (
        ResponseTransition.objects.filter(
            response=response, to_status=S.DISPUTED, meeting__isnull=False
        )
        .select_related("meeting")
        .order_by("-at", "-id")
        .first()
    )
    return found.meeting if found else None


@transaction.atomic
def recheck_record(
    *,
    actor: User,
    response: SurveyResponse,
    checked_on: date,
    checked_by: str,
    findings: str,
    outcome: str,
) -> Recheck:
    """Record the re-check (phúc tra) of a household the village meeting disputed.

    Confirmed: the result stands and the household joins the next posting. Corrected: the form
    goes back to draft, to be corrected, submitted again and taken to a village meeting again.
    """
    _check_commune_actor(actor, response.village)
    response = (
        SurveyResponse.objects.select_for_update()
        .select_related("household", "village")
        .get(pk=response.pk)
    )
    if response.status != S.DISPUTED:
        raise ValidationError(
            _("%(h)s: chỉ phúc tra hộ mà họp thôn chưa thống nhất (phiếu đang “%(s)s”).")
            % {"h": response.household, "s": response.get_status_display()}
        )
    if outcome not in Recheck.Outcome.values:
        raise ValidationError({"outcome": _("Hãy chọn kết luận phúc tra.")})
    if not checked_by.strip():
        raise ValidationError({"checked_by": _("Hãy ghi người phúc tra.")})
    if not findings.strip():
        raise ValidationError({"findings": _("Hãy ghi kết quả phúc tra.")})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("Ngày phúc tra không được sau hôm nay.")})
    meeting = _disputing_meeting(response)
    if meeting is not None and checked_on < meeting.held_on:
        raise ValidationError(
            {
                "checked_on": _(
                    "Ngày phúc tra không được trước ngày họp thôn chưa thống nhất (%(d)s): phúc "
                    "tra là để trả lời ý kiến của cuộc họp (%(basis)s)."
                )
                % {"d": f"{meeting.held_on:%d/%m/%Y}", "basis": BASIS_RECHECK}
            }
        )
    recheck = Recheck.objects.create(
        response=response,
        meeting=meeting,
        checked_on=checked_on,
        checked_by=" ".join(checked_by.split()),
        findings=findings.strip(),
        outcome=outcome,
        recorded_by=actor,
    )
    action = (
        "response_recheck" if outcome == Recheck.Outcome.CONFIRMED else "response_recheck_correct"
    )
    transition(
        [response],
        action,
        actor=actor,
        reason=recheck.findings,
        details={"checked_on": f"{checked_on:%d/%m/%Y}", "checked_by": recheck.checked_by},
    )
    return recheck


def posting_window(starts_on: date, recorded_on: date) -> WorkingPeriod:
    """The posting window: 3 working days from the later of its start and the day it is recorded.

    Counting from the recording day when a paper posting is typed in late means that a start
    date in the past can never shorten the time residents have to complain.
    """
    return working_period(max(starts_on, recorded_on), POSTING_WORKING_DAYS)


def _last_meeting_date(responses: Sequence[SurveyResponse]) -> date | None:
    """The last day the households to post were discussed: their meetings and re-checks."""
    ids = [r.pk for r in responses]
    met = ResponseTransition.objects.filter(
        response__in=ids, to_status__in=[S.AGREED, S.DISPUTED], meeting__isnull=False
    ).aggregate(last=Max("meeting__held_on"))["last"]
    checked = Recheck.objects.filter(response__in=ids).aggregate(last=Max("checked_on"))["last"]
    return max((d for d in (met, checked) if d is not None), default=None)


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
        .filter(
            review_round=review_round,
            village=village,
            status__in=STEPS["posting_start"].sources,
        )
        .order_by("id")
    )
    if not agreed:
        raise ValidationError(
            _("Thôn chưa có hộ nào được họp thôn thống nhất hoặc đã phúc tra để niêm yết.")
        )
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
                    "Ngày bắt đầu niêm yết không được trước ngày họp thôn hoặc phúc tra (%(d)s): "
                    "chỉ niêm yết danh sách đã được họp thôn thống nhất hoặc đã phúc tra."
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
    opinions: "dict[int, OpinionItem | None] | None" = None,
) -> list[str]:
    """Why a household cannot be approved yet (empty when it can).

    `postings` (from `postings_of`), `open_complaints` and `opinions` (from `opinions_of`) may
    be given when the caller fetched them for many households at once. In a periodic round the
    level above must have given its opinion on the household as last posted (QĐ 24/2021/QĐ-TTg,
    Điều 4 bước 4); a comment does not block, it shows beside the household.
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
    if opinions is None:
        opinions = opinions_of([response], {response.pk: posting} if posting else {})
    if response.pk in opinions:
        item = opinions[response.pk]
        if item is None or not item.request.is_given:
            problems.append(
                (
                    _("%(h)s: chưa có ý kiến của cấp trên về kết quả của hộ (%(basis)s).")
                    if item is None
                    else _("%(h)s: đã gửi xin ý kiến cấp trên, chưa có ý kiến (%(basis)s).")
                )
                % {"h": name, "basis": opinion_basis(response.village)}
            )
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
    opinions = opinions_of(chosen, postings)
    problems = []
    for response in chosen:
        problems += approval_blockers(
            response,
            today,
            postings=postings,
            open_complaints=complaints.get(response.pk, 0),
            opinions=opinions,
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


# --- Above the forms: the opinion of the level above, and the hand-in up the tree -----------------
#
# Periodic rounds only for the opinion: a regular (monthly) round has no district opinion, its
# forms are approved after their posting, and the commune hands in directly. Each step below is a
# row of STEPS (subject "commune", "district" or "round") taken by `stage_transition`.


def _district_tree(unit: AdminUnit) -> bool:
    """Whether a commune (or a village) lies under a district, read from its path without a
    query: "<edition>/<province>/<district>/<commune>/" has four parts."""
    parts = len(unit.path.strip("/").split("/"))
    return parts >= (5 if unit.level == AdminUnit.Level.VILLAGE else 4)


def opinion_basis(unit: AdminUnit) -> str:
    """Where the commune's duty to ask the level above comes from (unverified on the
    two-level tree)."""
    return str(BASIS_OPINION if _district_tree(unit) else BASIS_TWO_LEVEL)


def step_basis(step: Step, unit: AdminUnit) -> str:
    if step.subject == "commune" and not _district_tree(unit):
        return str(BASIS_TWO_LEVEL)
    return str(step.basis)


def _may_act_on_unit(actor: User, who: Who, unit: AdminUnit) -> bool:
    if not actor.is_active:
        return False
    if actor.is_admin:
        return True
    root = actor.unit
    if root is None:
        return False
    staff = actor.role in {User.Role.DISTRICT_STAFF, User.Role.PROVINCE_STAFF}
    if who == Who.COMMUNE:
        return actor.role == User.Role.COMMUNE_OFFICER and root.pk == unit.pk
    if who == Who.OPINION:
        return staff and unit.parent_id == root.pk
    if who == Who.ABOVE:
        return staff and root.pk != unit.pk and unit.path.startswith(root.path)
    if who == Who.DISTRICT:
        return actor.role == User.Role.DISTRICT_STAFF and root.pk == unit.pk
    if who == Who.PROVINCE:
        return actor.role == User.Role.PROVINCE_STAFF and root.pk == unit.pk
    return False


def may_take_step(actor: User, action: str, unit: AdminUnit) -> bool:
    """Whether `actor` is one who takes this commune, district or round step on `unit` (for
    showing a button; the stage is checked when the step is taken)."""
    return _may_act_on_unit(actor, STEPS[action].who, unit)


def unit_stage(review_round: ReviewRound, unit: AdminUnit) -> str:
    state = UnitRoundState.objects.filter(review_round=review_round, unit=unit).first()
    return state.stage if state else U.OPEN


def _refusal(step: Step, unit: AdminUnit, current_label: str) -> ValidationError:
    return ValidationError(
        _(
            "%(u)s đang ở bước “%(s)s”: không thể “%(step)s”. Quy định: %(needs)s "
            "(căn cứ: %(basis)s)."
        )
        % {
            "u": unit.name,
            "s": current_label,
            "step": step.label,
            "needs": step.needs,
            "basis": step_basis(step, unit),
        }
    )


def _closed_round_error(review_round: ReviewRound) -> ValidationError:
    return ValidationError(
        _(
            "%(r)s đã kết thúc: không thay đổi được kết quả nào của đợt. Quy định: tỉnh kết "
            "thúc đợt khi mọi cấp dưới đã nộp (căn cứ: %(basis)s)."
        )
        % {"r": review_round, "basis": BASIS_HAND_IN}
    )


def stage_transition(
    *,
    actor: User,
    action: str,
    review_round: ReviewRound,
    unit: AdminUnit,
    reason: str = "",
    details: dict[str, object] | None = None,
) -> UnitRoundState | None:
    """Take a commune's, a district's or the round's step (a STEPS row whose subject is not a
    form): check who and the stage it starts from, write the new stage, a UnitTransition (who,
    when, why) and an audit row. Returns the unit's state (None for the round's own step).

    Raises PermissionDenied when the actor does not take this step on `unit`, ValidationError
    naming the rule and its basis when the unit (or the round) is not at a stage the step
    starts from. The caller holds the transaction; a refusal raised after this rolls it back.
    """
    step = STEPS[action]
    if step.subject == "response":
        raise ValueError(action)
    if not _may_act_on_unit(actor, step.who, unit):
        raise PermissionDenied
    locked_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    state: UnitRoundState | None = None
    if step.subject == "round":
        current, current_label = locked_round.status, locked_round.get_status_display()
    else:
        if locked_round.status == R.CLOSED:
            raise _closed_round_error(review_round)
        state, _created = UnitRoundState.objects.select_for_update().get_or_create(
            review_round=review_round, unit=unit
        )
        current, current_label = state.stage, state.get_stage_display()
    if current not in step.sources:
        raise _refusal(step, unit, str(current_label))
    now = timezone.now()
    if state is None:
        ReviewRound.objects.filter(pk=review_round.pk).update(status=step.target)
        review_round.status = step.target
    else:
        state.stage = step.target
        state.version += 1
        if step.target == U.HANDED_IN:
            state.handed_in_at = now
        state.save(update_fields=["stage", "version", "handed_in_at", "updated_at"])
    UnitTransition.objects.create(
        review_round=review_round,
        unit=unit,
        action=action,
        from_stage=current,
        to_stage=step.target,
        actor=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=action,
        target=state or review_round,
        unit=unit,
        changes={"status" if state is None else "stage": [current, step.target], **(details or {})},
        reason=reason,
    )
    return state


def check_unlocked(round_ids: set[int], commune_ids: set[int]) -> None:
    """Refuse any change to forms of a commune that has handed in its result, or of a closed
    round (one query). The level above reopens the hand-in with a reason."""
    handed_in = UnitRoundState.objects.filter(
        review_round=OuterRef("pk"), unit_id__in=commune_ids, stage=U.HANDED_IN
    )
    locked = list(
        ReviewRound.objects.filter(pk__in=round_ids)
        .filter(Q(status=R.CLOSED) | Exists(handed_in))
        .select_related("province")
    )
    if not locked:
        return
    review_round = locked[0]
    if review_round.status == R.CLOSED:
        raise _closed_round_error(review_round)
    state = (
        UnitRoundState.objects.filter(
            review_round=review_round, unit_id__in=commune_ids, stage=U.HANDED_IN
        )
        .select_related("unit")
        .first()
    )
    assert state is not None
    raise ValidationError(
        _(
            "%(c)s đã nộp kết quả %(r)s lên cấp trên: số liệu của xã đã khoá, không sửa được "
            "phiếu nào. Cán bộ huyện hoặc tỉnh mở lại kết quả đã nộp (có lý do) nếu cần sửa "
            "(căn cứ: %(basis)s)."
        )
        % {
            "c": state.unit.name,
            "r": review_round,
            "basis": step_basis(STEPS["commune_hand_in"], state.unit),
        }
    )


def opinions_of(
    responses: Sequence[SurveyResponse], postings: dict[int, VillagePosting]
) -> dict[int, OpinionItem | None]:
    """For each form of a periodic round, the opinion item sent at the posting it was last posted
    in (a given one first), or None when none was sent; forms of regular rounds need no opinion
    and are left out. Two queries, whatever the number of forms."""
    periodic = set(
        ReviewRound.objects.filter(
            pk__in={r.review_round_id for r in responses}, kind=ReviewRound.Kind.PERIODIC
        ).values_list("pk", flat=True)
    )
    needing = [r for r in responses if r.review_round_id in periodic]
    found: dict[int, OpinionItem | None] = {r.pk: None for r in needing}
    items = (
        OpinionItem.objects.filter(response__in=[r.pk for r in needing])
        .select_related("request")
        .order_by("request__given_at", "id")  # given ones last: they win below
    )
    for item in items:
        posting = postings.get(item.response_id)
        if posting is not None and item.posting_id == posting.pk:
            found[item.response_id] = item
    return found


def _commune_of_round(review_round: ReviewRound, commune: AdminUnit) -> None:
    if commune.level != AdminUnit.Level.COMMUNE or not commune.path.startswith(
        review_round.province.path
    ):
        raise ValidationError(_("Xã không thuộc tỉnh của đợt rà soát."))


@transaction.atomic
def opinion_request(
    *, actor: User, review_round: ReviewRound, commune: AdminUnit
) -> OpinionRequest:
    """The commune sends its proposed result to the level above for its opinion: every household
    whose posting window has ended and that was not yet sent at that posting. Periodic rounds
    only (QĐ 24/2021/QĐ-TTg, Điều 4 bước 4); a regular round has no district opinion."""
    _commune_of_round(review_round, commune)
    assert commune.parent is not None
    basis = opinion_basis(commune)
    if review_round.kind != ReviewRound.Kind.PERIODIC:
        raise ValidationError(
            _(
                "Chỉ đợt rà soát định kỳ mới xin ý kiến cấp trên (căn cứ: %(basis)s); đợt "
                "thường xuyên phê duyệt sau khi niêm yết."
            )
            % {"basis": basis}
        )
    posted = list(
        SurveyResponse.objects.select_for_update()
        .select_related("household", "village")
        .filter(review_round=review_round, commune=commune, status=S.POSTED)
        .order_by("village__path", "household__head_name_key", "id")
    )
    postings = postings_of(posted)
    sent = opinions_of(posted, postings)
    today = timezone.localdate()
    chosen = [
        r
        for r in posted
        if r.pk in postings and postings[r.pk].ends_on < today and sent.get(r.pk) is None
    ]
    stage_transition(
        actor=actor,
        action="opinion_request",
        review_round=review_round,
        unit=commune,
        details={"households": len(chosen)},
    )
    if not chosen:
        raise ValidationError(
            _(
                "Chưa có hộ nào hết thời hạn niêm yết mà chưa xin ý kiến: chỉ gửi xin ý kiến kết "
                "quả đã niêm yết công khai xong (căn cứ: %(basis)s)."
            )
            % {"basis": basis}
        )
    request = OpinionRequest.objects.create(
        review_round=review_round,
        commune=commune,
        asked=commune.parent,
        basis=basis,
        sent_by=actor,
    )
    OpinionItem.objects.bulk_create(
        OpinionItem(request=request, response=r, posting=postings[r.pk]) for r in chosen
    )
    return request


@transaction.atomic
def opinion_give(
    *,
    actor: User,
    request: OpinionRequest,
    agreed: bool,
    opinion: str = "",
    comments: dict[int, str] | None = None,
) -> OpinionRequest:
    """The level above records its opinion on a commune's proposed result: agreement, or a
    comment per household (a comment does not block approval; it shows beside the household on
    the approval page)."""
    comments = {pk: text.strip() for pk, text in (comments or {}).items() if text.strip()}
    if request.is_given:
        raise ValidationError(
            _(
                "Lần xin ý kiến này đã có ý kiến: không ghi lại được; xã gửi lần mới cho các hộ "
                "niêm yết sau (căn cứ: %(basis)s)."
            )
            % {"basis": opinion_basis(request.commune)}
        )
    if not agreed and not comments and not opinion.strip():
        raise ValidationError(
            {"opinion": _("Không thống nhất: hãy ghi ý kiến chung hoặc ý kiến về từng hộ.")}
        )
    stage_transition(
        actor=actor,
        action="opinion_give",
        review_round=request.review_round,
        unit=request.commune,
        reason=opinion.strip(),
        details={"agreed": agreed, "comments": len(comments)},
    )
    items = {item.pk: item for item in request.items.all()}
    if set(comments) - set(items):
        raise ValidationError(_("Có ý kiến về hộ không thuộc lần xin ý kiến này."))
    for pk, text in comments.items():
        items[pk].comment = text
    OpinionItem.objects.bulk_update([items[pk] for pk in comments], ["comment"])
    request.agreed, request.opinion = agreed, opinion.strip()
    request.given_by, request.given_at = actor, timezone.now()
    request.save(update_fields=["agreed", "opinion", "given_by", "given_at"])
    return request


HAND_IN_LISTED = 20


@transaction.atomic
def commune_hand_in(*, actor: User, review_round: ReviewRound, commune: AdminUnit) -> None:
    """The commune hands in its approved result: every form of the round approved. Its numbers
    are then locked (`check_unlocked`) until the level above reopens the hand-in."""
    _commune_of_round(review_round, commune)
    stage_transition(actor=actor, action="commune_hand_in", review_round=review_round, unit=commune)
    forms = SurveyResponse.objects.filter(review_round=review_round, commune=commune)
    if not forms.exists():
        raise ValidationError(_("Xã chưa có phiếu nào trong đợt: chưa có kết quả để nộp."))
    waiting = list(
        forms.exclude(status=S.APPROVED)
        .select_related("household", "village")
        .order_by("village__path", "household__head_name_key", "id")[: HAND_IN_LISTED + 1]
    )
    if waiting:
        shown = [
            _("%(h)s (%(v)s): phiếu đang “%(s)s”, chưa phê duyệt.")
            % {"h": r.household, "v": r.village.name, "s": r.get_status_display()}
            for r in waiting[:HAND_IN_LISTED]
        ]
        if len(waiting) > HAND_IN_LISTED:
            more = forms.exclude(status=S.APPROVED).count() - HAND_IN_LISTED
            shown.append(_("… và %(n)s phiếu khác.") % {"n": more})
        raise ValidationError(
            [
                _(
                    "Chưa nộp được: mọi phiếu của xã phải được phê duyệt trước khi nộp "
                    "(căn cứ: %(basis)s)."
                )
                % {"basis": step_basis(STEPS["commune_hand_in"], commune)},
                *shown,
            ]
        )


def _check_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": _("Mở lại kết quả đã nộp phải ghi lý do.")})
    return reason.strip()


@transaction.atomic
def commune_reopen(
    *, actor: User, review_round: ReviewRound, commune: AdminUnit, reason: str
) -> None:
    """District or provincial staff reopen a commune's hand-in, with a reason (its forms can then
    be reopened and corrected). Not while the commune's district has handed in to the province."""
    reason = _check_reason(reason)
    stage_transition(
        actor=actor,
        action="commune_reopen",
        review_round=review_round,
        unit=commune,
        reason=reason,
    )
    district = commune.parent
    if (
        district is not None
        and district.level == AdminUnit.Level.DISTRICT
        and unit_stage(review_round, district) == U.HANDED_IN
    ):
        raise ValidationError(
            _(
                "%(d)s đã nộp kết quả lên tỉnh: cán bộ tỉnh mở lại kết quả của huyện trước "
                "(căn cứ: %(basis)s)."
            )
            % {"d": district.name, "basis": BASIS_HAND_IN}
        )


def _missing_children(review_round: ReviewRound, parent: AdminUnit, level: str) -> list[AdminUnit]:
    handed_in = UnitRoundState.objects.filter(
        review_round=review_round, unit=OuterRef("pk"), stage=U.HANDED_IN
    )
    return list(
        AdminUnit.objects.filter(parent=parent, level=level, is_active=True)
        .exclude(Exists(handed_in))
        .order_by("path")
    )


@transaction.atomic
def district_hand_in(*, actor: User, review_round: ReviewRound, district: AdminUnit) -> None:
    """The district confirms its communes' results and hands in to the province: every commune
    of the district has handed in."""
    if district.level != AdminUnit.Level.DISTRICT or not district.path.startswith(
        review_round.province.path
    ):
        raise ValidationError(_("Huyện không thuộc tỉnh của đợt rà soát."))
    stage_transition(
        actor=actor, action="district_hand_in", review_round=review_round, unit=district
    )
    missing = _missing_children(review_round, district, AdminUnit.Level.COMMUNE)
    if missing:
        raise ValidationError(
            _(
                "Chưa nộp được: còn %(n)s xã chưa nộp kết quả (%(names)s). Quy định: %(needs)s "
                "(căn cứ: %(basis)s)."
            )
            % {
                "n": len(missing),
                "names": ", ".join(u.name for u in missing),
                "needs": STEPS["district_hand_in"].needs,
                "basis": BASIS_HAND_IN,
            }
        )


@transaction.atomic
def district_reopen(
    *, actor: User, review_round: ReviewRound, district: AdminUnit, reason: str
) -> None:
    """Provincial staff reopen a district's hand-in, with a reason."""
    reason = _check_reason(reason)
    stage_transition(
        actor=actor,
        action="district_reopen",
        review_round=review_round,
        unit=district,
        reason=reason,
    )


@transaction.atomic
def round_close(*, actor: User, review_round: ReviewRound) -> None:
    """The province closes the round when every unit directly below it (its districts, or its
    communes on the two-level tree) has handed in; a closed round refuses every change."""
    province = review_round.province
    stage_transition(actor=actor, action="round_close", review_round=review_round, unit=province)
    missing = [
        u
        for u in AdminUnit.objects.filter(parent=province, is_active=True).order_by("path")
        if u.level in {AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE}
    ]
    handed = set(
        UnitRoundState.objects.filter(
            review_round=review_round, unit__in=missing, stage=U.HANDED_IN
        ).values_list("unit_id", flat=True)
    )
    missing = [u for u in missing if u.pk not in handed]
    if missing:
        raise ValidationError(
            _(
                "Chưa kết thúc được: còn %(n)s đơn vị chưa nộp kết quả (%(names)s). Quy định: "
                "%(needs)s (căn cứ: %(basis)s)."
            )
            % {
                "n": len(missing),
                "names": ", ".join(u.name for u in missing[:30]),
                "needs": STEPS["round_close"].needs,
                "basis": BASIS_HAND_IN,
            }
        )
