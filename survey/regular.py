"""The regular (monthly) review's own rules (QĐ 24/2021/QĐ-TTg, Điều 5).

A regular round reviews the households that apply: the household hands its application (Mẫu số
04) to the commune, and the commune chairman decides within 15 days of it. Neither rule refuses
anything here: a household the commune finds on its own may still be reviewed, and a late
decision is still the decision. The village page shows, for each form of a regular round, the
application it rests on and the day the decision is due, and warns when one is missing or late.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ReviewListEntry, ReviewRound, SurveyResponse

# "trong thời hạn 15 ngày" (QĐ 24/2021/QĐ-TTg, Điều 5; counted here in calendar days, as read).
DECISION_DAYS = 15
BASIS_REGULAR = gettext_lazy("QĐ 24/2021/QĐ-TTg, Điều 5")


@dataclass(frozen=True)
class RegularCase:
    response: SurveyResponse
    applied_on: date | None
    due_on: date | None
    warning: str


def regular_cases(
    review_round: ReviewRound, responses: Sequence[SurveyResponse], today: date
) -> list[RegularCase]:
    """For a regular round: each form with its application, due day and warning (one query)."""
    if review_round.kind != ReviewRound.Kind.REGULAR or not responses:
        return []
    applied = dict(
        ReviewListEntry.objects.filter(
            review_round=review_round,
            household__in=[r.household_id for r in responses],
            source=ReviewListEntry.Source.APPLICATION,
            applied_on__isnull=False,
        )
        .order_by("household_id", "-applied_on")
        .values_list("household_id", "applied_on")
    )  # the earliest application wins: ordered newest first, the dict keeps the last (oldest)
    cases = []
    for response in responses:
        applied_on = applied.get(response.household_id)
        due_on = applied_on + timedelta(days=DECISION_DAYS) if applied_on else None
        cases.append(
            RegularCase(response, applied_on, due_on, _warning(response, applied_on, due_on, today))
        )
    return cases


def _warning(
    response: SurveyResponse, applied_on: date | None, due_on: date | None, today: date
) -> str:
    name = str(response.household)
    if applied_on is None or due_on is None:
        return _(
            "%(h)s: chưa ghi đơn đề nghị của hộ (Mẫu số 04) trong danh sách rà soát của đợt: rà "
            "soát thường xuyên xét theo đơn của hộ (%(basis)s)."
        ) % {"h": name, "basis": BASIS_REGULAR}
    decided = None if response.status != SurveyResponse.Status.APPROVED else response.decision_date
    if decided is not None and decided > due_on:
        return _(
            "%(h)s: quyết định ngày %(d)s, sau %(n)s ngày kể từ ngày nộp đơn %(a)s (hạn %(due)s, "
            "%(basis)s)."
        ) % {
            "h": name,
            "d": f"{decided:%d/%m/%Y}",
            "n": (decided - applied_on).days,
            "a": f"{applied_on:%d/%m/%Y}",
            "due": f"{due_on:%d/%m/%Y}",
            "basis": BASIS_REGULAR,
        }
    if decided is None and today > due_on:
        return _(
            "%(h)s: đã quá hạn %(due)s (%(n)s ngày kể từ ngày nộp đơn %(a)s) mà chưa có quyết "
            "định của Chủ tịch UBND xã (%(basis)s)."
        ) % {
            "h": name,
            "due": f"{due_on:%d/%m/%Y}",
            "n": DECISION_DAYS,
            "a": f"{applied_on:%d/%m/%Y}",
            "basis": BASIS_REGULAR,
        }
    return ""
