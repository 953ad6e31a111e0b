"""The progress board of a round: for each unit below a district or a province, its step in the
hand-in up the tree (survey.workflow: opinion of the level above, hand-in, round close) and
whether it is late against its level's deadline.

Set-based: one query for the communes (their stage, when they handed in and whether an opinion
request waits, as correlated subqueries), one GROUP BY for their forms by status, and one for the
districts; never a query per unit. Lateness is a warning, never a refusal: the deadlines are the
province's plan (the periodic review runs 1/9–14/12, QĐ 24/2021/QĐ-TTg, Điều 3).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from accounts.scoping import visible_units
from areas.models import AdminUnit

from .board import StatusCounts, _counts_of, status_counts_by_commune
from .models import OpinionRequest, ReviewRound, UnitRoundState
from .workflow import commune_deadline_of

Stage = UnitRoundState.Stage


def district_deadline_of(review_round: ReviewRound) -> date:
    """The day districts hand in by: the province's deadline, else the round's end."""
    return review_round.district_deadline or review_round.ends_on


def days_late(deadline: date, handed_in_at: datetime | None, today: date) -> int:
    """Days after the deadline the unit handed in, or (not handed in) today is; 0 if on time."""
    done = timezone.localdate(handed_in_at) if handed_in_at else today
    return max((done - deadline).days, 0)


@dataclass
class ProgressRow(StatusCounts):
    unit: AdminUnit | None = None
    stage: str = Stage.OPEN
    handed_in_at: datetime | None = None
    deadline: date | None = None
    late: int = 0
    waiting_opinion: bool = False
    # District rows: how many of its communes have handed in.
    communes: int = 0
    communes_handed_in: int = 0

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def handed_in(self) -> bool:
        return self.stage == Stage.HANDED_IN


@dataclass
class ProgressBoard:
    review_round: ReviewRound
    root: AdminUnit
    districts: list[ProgressRow] = field(default_factory=list)
    communes: list[ProgressRow] = field(default_factory=list)

    @property
    def children(self) -> list[ProgressRow]:
        """The units directly below the root: they hand in to it."""
        if self.districts:
            return self.districts
        return self.communes

    @property
    def all_handed_in(self) -> bool:
        return bool(self.children) and all(r.handed_in for r in self.children)


def _state(review_round: ReviewRound, name: str) -> Subquery:
    return Subquery(
        UnitRoundState.objects.filter(review_round=review_round, unit=OuterRef("pk")).values(name)[
            :1
        ]
    )


def progress_board(
    user: User, review_round: ReviewRound, root: AdminUnit, today: date
) -> ProgressBoard:
    """Every commune (and district) under `root` the user can see, with its step and lateness."""
    board = ProgressBoard(review_round=review_round, root=root)
    counts = status_counts_by_commune(review_round, root)
    communes = (
        visible_units(user)
        .filter(level=AdminUnit.Level.COMMUNE, path__startswith=root.path, is_active=True)
        .select_related("parent")
        .annotate(
            stage=_state(review_round, "stage"),
            handed_in_at=_state(review_round, "handed_in_at"),
            waiting=Exists(
                OpinionRequest.objects.filter(
                    review_round=review_round, commune=OuterRef("pk"), given_at__isnull=True
                )
            ),
        )
        .order_by("path")
    )
    commune_deadline = commune_deadline_of(review_round)
    for commune in communes:
        stage = commune.stage or Stage.OPEN
        handed_at = commune.handed_in_at if stage == Stage.HANDED_IN else None
        board.communes.append(
            ProgressRow(
                unit=commune,
                stage=stage,
                handed_in_at=handed_at,
                deadline=commune_deadline,
                late=days_late(commune_deadline, handed_at, today),
                waiting_opinion=commune.waiting,
                **_counts_of(counts.get(commune.pk)),
            )
        )
    if root.level == AdminUnit.Level.PROVINCE:
        district_deadline = district_deadline_of(review_round)
        by_district: dict[int, list[ProgressRow]] = {}
        for row in board.communes:
            assert row.unit is not None
            by_district.setdefault(row.unit.parent_id or 0, []).append(row)
        districts = (
            visible_units(user)
            .filter(level=AdminUnit.Level.DISTRICT, path__startswith=root.path, is_active=True)
            .annotate(
                stage=_state(review_round, "stage"),
                handed_in_at=_state(review_round, "handed_in_at"),
            )
            .order_by("path")
        )
        for district in districts:
            stage = district.stage or Stage.OPEN
            handed_at = district.handed_in_at if stage == Stage.HANDED_IN else None
            row = ProgressRow(
                unit=district,
                stage=stage,
                handed_in_at=handed_at,
                deadline=district_deadline,
                late=days_late(district_deadline, handed_at, today),
            )
            for commune_row in by_district.get(district.pk, []):
                row.add(commune_row)
                row.communes += 1
                row.communes_handed_in += commune_row.handed_in
            board.districts.append(row)
    return board
