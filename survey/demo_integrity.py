"""What the integrity page of the demo has to show (issue 13): in Thành phố Phủ Lý, a household
split off after the 2023 round that is poor now while the household it came from was not; and in
one of its communes, households taken out of poverty in 2024 by an override while their facts did
not change.

Invented like the rest of the demo, deterministic, idempotent (each part is recognised by its
reason and left alone on a second run).
"""

import random
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from areas.models import AdminUnit
from households.models import Household, Member

from .demo_world import CHAIN_DISTRICT_DONE, _write_results
from .models import (
    OpinionItem,
    ResponseCause,
    ResponseNeed,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
)

SPLIT_REASON = "Con trai ra ở riêng sau đợt rà soát năm trước (số liệu mẫu)"
EXIT_REASON = "Hộ đã có việc làm ổn định, đề nghị thoát nghèo (số liệu mẫu)"
EXITS = 4  # households of one commune taken out of poverty by an override
ABOVE = ["average", "not_poor"]


def _hard_number(commune: AdminUnit) -> str:
    """A household number whose demo hardship (see demo_world._write_results) is high: the new
    household's engine-computed result is then poor or near-poor, as the finding needs."""
    for n in range(1, 1000):
        number = f"T{n:03d}"
        rng = random.Random(f"demo-{commune.code}-{number}")  # noqa: S311 (invents people)
        if rng.betavariate(1.3, 5) > 0.6:
            return number
    return "T000"


def _same_history(response: SurveyResponse, beside: SurveyResponse) -> None:
    """The new household's form went through the steps of the form beside it (same village):
    the same meeting, posting and decision, and the district's agreed opinion."""
    steps = list(beside.transitions.order_by("at", "id"))
    made = ResponseTransition.objects.bulk_create(
        ResponseTransition(
            response=response,
            from_status=t.from_status,
            to_status=t.to_status,
            actor=t.actor,
            reason=t.reason,
            meeting=t.meeting,
            posting=t.posting,
        )
        for t in steps
    )
    for row, original in zip(made, steps, strict=True):
        row.at = original.at
    ResponseTransition.objects.bulk_update(made, ["at"])
    for item in OpinionItem.objects.filter(response=beside):
        OpinionItem.objects.create(request=item.request, response=response, posting=item.posting)


@transaction.atomic
def demo_seed_integrity(review_round: ReviewRound) -> int:
    """Plant the two signals in the district handed in (its results approved); returns what was
    planted (0 on a second run)."""
    from households.services import household_split

    planted = 0
    admin = User.objects.get(username="admin")
    district = AdminUnit.objects.get(
        edition=review_round.province.edition, code=CHAIN_DISTRICT_DONE
    )
    approved = SurveyResponse.objects.filter(
        review_round=review_round, status=SurveyResponse.Status.APPROVED, commune__parent=district
    )
    previous = ReviewRound.objects.get(
        province=review_round.province, kind=ReviewRound.Kind.PERIODIC, year=review_round.year - 1
    )
    before = SurveyResponse.objects.filter(
        review_round=previous, status=SurveyResponse.Status.APPROVED
    )

    # 1. A split: from a household above the near-poor line in 2023 and 2024, with at least
    # three members.
    if not Household.objects.filter(status_reason=SPLIT_REASON).exists():
        origin = (
            Household.objects.filter(
                pk__in=approved.filter(final_classification__in=ABOVE).values("household_id"),
                split_from__isnull=True,
            )
            .filter(pk__in=before.filter(final_classification__in=ABOVE).values("household_id"))
            .order_by("commune__code", "number", "id")
        )
        for source in origin[:50]:
            movers = list(
                source.members.filter(status=Member.Status.PRESENT)
                .exclude(relationship=Member.Relationship.HEAD)
                .order_by("id")
            )
            if len(movers) < 2:
                continue
            new = household_split(
                actor=admin,
                source=source,
                members=movers[:2],
                new_head=movers[0],
                address=f"{source.address} (nhà mới)",
                reason=SPLIT_REASON,
            )
            # Split in the spring of the round's year (the demo is seeded later): between the
            # previous round and this one, as the finding reads it.
            spring = timezone.make_aware(datetime(review_round.year, 3, 15, 9, 0))
            Household.objects.filter(pk=new.pk).update(
                number=_hard_number(source.commune), created_at=spring
            )
            new.refresh_from_db()
            officers = {u.unit_id: u for u in User.objects.filter(role=User.Role.COMMUNE_OFFICER)}
            decided = approved.filter(commune=source.commune).values_list(
                "decision_date", flat=True
            )
            (response,) = _write_results(
                review_round,
                [new],
                officers,
                admin,
                decided.first() or date(review_round.year, 12, 1),
            )
            _same_history(response, approved.get(household=source))
            planted += 1
            break

    # 2. Exits by override in one commune: poor (or near-poor) in 2023 and computed the same in
    # 2024, approved as average with a reason, the facts (deprivations, score) those the engine
    # read.
    if not SurveyResponse.objects.filter(
        review_round=review_round, override_reason=EXIT_REASON
    ).exists():
        staying = approved.filter(
            Q(
                final_classification="poor",
                computed_classification="poor",
                household__in=before.filter(final_classification="poor").values("household_id"),
            )
            | Q(
                final_classification="near_poor",
                computed_classification="near_poor",
                household__in=before.filter(final_classification="near_poor").values(
                    "household_id"
                ),
            )
        )
        by_commune: dict[int, list[int]] = {}
        for pk, commune_id in staying.order_by("commune__code", "id").values_list(
            "pk", "commune_id"
        ):
            by_commune.setdefault(commune_id, []).append(pk)
        if by_commune:
            chosen = max(by_commune.values(), key=len)[:EXITS]
            SurveyResponse.objects.filter(pk__in=chosen).update(
                final_classification="average",
                override_reason=EXIT_REASON,
                poverty_causes=[],
                support_needs=[],
                poverty_cause_other="",
                support_need_other="",
            )
            ResponseCause.objects.filter(response__in=chosen).delete()
            ResponseNeed.objects.filter(response__in=chosen).delete()
            planted += len(chosen)
    return planted
