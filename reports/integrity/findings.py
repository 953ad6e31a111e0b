"""The integrity findings of a round for a unit (a province, a district or a commune).

Each kind is one function over a shared context, set-based: a handful of queries for the whole
unit, never one per commune or per household. Which results count: this round's forms submitted
and not sent back (the "submitted" basis: an inspector wants to ask before the chairman approves),
against the previous periodic round's approved result (as the movement report starts), from
`survey.selectors.previous_rounds` (several old provinces on the first round after a merger).

Comparisons "against the district" read the district around the unit (the province on a tree
without districts), so a commune looked at alone is still compared with its neighbours; findings
are only made for the communes of the unit itself.

Kinds (`types.KINDS`):
- split: households split off since the previous round that are poor or near-poor now, while the
  household they came from was neither at the previous round;
- bunching: scores piled up just past a cut-off (reports.integrity.bunching, called in one place);
- exit_without_change: communes where many exits from poverty or near-poverty rest on unchanged
  facts, a hand-entered score or an override;
- target_closeness: communes landing on (or just past) the province's target thanks to such exits,
  and communes with a high share of class-lowering overrides and hand-entered scores;
- duplicate_person: one person in two active households at once.

The same person twice: a citizen ID (CCCD) cannot be on two *present* members at once (the
constraint `citizen_id_unique_among_present_members`), and a member moved by a split keeps one
row. What remains real: (1) the same full name and birth date on present members of two active
households (nothing prevents it: a person registered again in a new household without being
recorded as moved away), and (2) a CCCD on a present member of an active household that is also on
a member recorded as deceased in another household (someone counted dead in one household and
alive in another, or a mistyped CCCD). Neither shows the CCCD or the birth date anywhere.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
)
from django.utils.timezone import localtime
from django.utils.translation import gettext_noop

from areas.models import AdminUnit
from households.models import Household, Member
from survey.models import Classification, CommuneTotal, ProvinceTarget, ReviewRound, SurveyResponse
from survey.selectors import previous_rounds

from ..selectors import COUNTED, ReportScope, report_scope
from .thresholds import Thresholds, thresholds
from .types import KINDS, DensityTestRecord, Finding

TARGETS = ("poor", "near_poor")
# Lower is worse off: an exit is a move to a higher rank.
RANK = {"poor": 0, "near_poor": 1, "average": 2, "not_poor": 3}
CLASS_LABELS = {c.value: str(c.label) for c in Classification}
QUESTION = "Đây là dấu hiệu cần xem lại hồ sơ, không phải kết luận sai phạm."
REASON_LABELS = {
    "unchanged": "dữ liệu không đổi (cùng các chỉ số thiếu hụt, điểm thu nhập gần như cũ)",
    "hand_score": "điểm thu nhập nhập tay (đợt trước tính theo bảng điểm)",
    "override": "kết quả cuối cùng khác kết quả tính",
}
# Vietnamese (the sheet and the command print them so); the page translates them.
KIND_LABELS = {
    "split": gettext_noop("Tách hộ gần đợt rà soát"),
    "bunching": gettext_noop("Dồn điểm sát ngưỡng"),
    "exit_without_change": gettext_noop("Thoát nghèo, cận nghèo mà dữ liệu không đổi"),
    "target_closeness": gettext_noop("Sát chỉ tiêu giảm nghèo"),
    "duplicate_person": gettext_noop("Một người có tên ở hai hộ"),
}


def _pct(count: int, total: int | None) -> Decimal | None:
    if not total:
        return None
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _share(count: int, total: int) -> Decimal | None:
    return Decimal(count) / Decimal(total) if total else None


def _num(value: Decimal | None) -> str:
    """A number the Vietnamese way: decimal comma."""
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _class(value: str | None) -> str:
    return CLASS_LABELS.get(value or "", "chưa có kết quả").lower()


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same filter, through a relation (`prefix__`): a response filter applied to a
    FilteredRelation of responses."""
    result = Q()
    result.connector, result.negated = condition.connector, condition.negated
    children: list[Any] = list(condition.children)
    for child in children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, prefix))
        else:
            lookup, value = child
            result.children.append((f"{prefix}__{lookup}", value))
    return result


@dataclass
class CommuneCounts:
    """What the page's table per commune shows: the facts behind the findings, found or not."""

    commune: AdminUnit
    total_households: int | None = None
    results: int = 0
    poor: int = 0
    splits: int = 0
    splits_flagged: int = 0
    exits: int = 0
    exits_suspicious: int = 0
    lowered_overrides: int = 0
    hand_scores: int = 0
    duplicates: int = 0
    findings: int = 0

    @property
    def poor_rate(self) -> Decimal | None:
        return _pct(self.poor, self.total_households)

    @property
    def exit_share(self) -> Decimal | None:
        return _pct(self.exits_suspicious, self.exits)

    @property
    def override_share(self) -> Decimal | None:
        return _pct(self.lowered_overrides + self.hand_scores, self.results)


@dataclass
class IntegrityReport:
    review_round: ReviewRound
    unit: AdminUnit
    findings: list[Finding]
    tests: list[DensityTestRecord]
    communes: list[CommuneCounts]
    previous_rounds: list[ReviewRound]
    target_rate: Decimal | None
    limits: Thresholds

    def by_kind(self) -> list[tuple[str, str, list[Finding]]]:
        return [
            (kind, KIND_LABELS[kind], [f for f in self.findings if f.kind == kind])
            for kind in KINDS
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "round": self.review_round.year,
            "unit": self.unit.code,
            "findings": [
                {
                    "kind": f.kind,
                    "unit": f.unit.code,
                    "households": list(f.households),
                    "detail": f.detail,
                }
                for f in self.findings
            ],
            "tests": [t.as_json() for t in self.tests],
        }


@dataclass
class Exit:
    """One household that left poverty or near-poverty this round, and why it deserves a look."""

    household: str  # public id
    commune_id: int
    before: str
    after: str
    score_before: Decimal | None
    score_now: Decimal | None
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "household": self.household,
            "from": self.before,
            "to": self.after,
            "score_before": None if self.score_before is None else float(self.score_before),
            "score_now": None if self.score_now is None else float(self.score_now),
            "reasons": self.reasons,
        }


class Context:
    """The round, the unit, the area compared with (the district around it), the previous
    rounds, the communes and the thresholds: read once, shared by every kind."""

    def __init__(self, review_round: ReviewRound, unit: AdminUnit, limits: Thresholds) -> None:
        if unit.level == AdminUnit.Level.VILLAGE:
            raise ValidationError("Dấu hiệu cần xem xét được xem theo xã, huyện hoặc tỉnh.")
        self.review_round = review_round
        self.unit = unit
        self.limits = limits
        self.scope: ReportScope = report_scope(review_round, unit, basis="submitted")
        # The district around a commune (its province on a tree without districts).
        area = unit
        if unit.level == AdminUnit.Level.COMMUNE and unit.parent is not None:
            area = unit.parent
        self.area_scope: ReportScope = report_scope(review_round, area, basis="submitted")
        self.statuses = COUNTED["submitted"]
        self.previous = previous_rounds(review_round)
        self.prev_ids = [r.pk for r in self.previous]
        self.counts: dict[int, CommuneCounts] = {}
        for commune in (
            AdminUnit.objects.filter(self.area_scope.commune_units_filter())
            .select_related("parent")
            .annotate(
                recorded=Subquery(
                    CommuneTotal.objects.filter(
                        review_round=review_round, commune=OuterRef("pk")
                    ).values("total_households")[:1]
                )
            )
            .order_by("path")
        ):
            self.counts[commune.pk] = CommuneCounts(
                commune=commune,
                total_households=commune.recorded,  # type: ignore[attr-defined]
            )

    def in_unit(self, commune_id: int) -> bool:
        commune = self.counts.get(commune_id)
        return commune is not None and commune.commune.path.startswith(self.unit.path)

    def commune(self, commune_id: int) -> AdminUnit:
        return self.counts[commune_id].commune

    def district_of(self, commune_id: int) -> int | None:
        return self.counts[commune_id].commune.parent_id

    @cached_property
    def target_rate(self) -> Decimal | None:
        """The province's target poverty rate for the round's year (None: not recorded)."""
        found: Decimal | None = (
            ProvinceTarget.objects.filter(
                province=self.review_round.province, year=self.review_round.year
            )
            .values_list("target_poverty_rate", flat=True)
            .first()
        )
        return found

    @cached_property
    def exits(self) -> list[Exit]:
        """Households poor or near-poor at the previous round's approval that are in a higher
        class in this round's counted result, with the reasons each deserves a look. One query:
        only the households of the previous lists (a few percent of a round), through the
        (round, class) index, joined to their two responses."""
        if not self.prev_ids:
            return []
        concerned = SurveyResponse.objects.filter(
            review_round_id__in=self.prev_ids,
            status=SurveyResponse.Status.APPROVED,
            final_classification__in=TARGETS,
        ).values("household_id")
        rows = (
            Household.objects.filter(pk__in=concerned)
            .annotate(
                cur=FilteredRelation(
                    "responses",
                    condition=Q(
                        responses__review_round=self.review_round,
                        responses__status__in=self.statuses,
                    ),
                ),
                prev=FilteredRelation(
                    "responses",
                    condition=Q(
                        responses__review_round_id__in=self.prev_ids,
                        responses__status=SurveyResponse.Status.APPROVED,
                    ),
                ),
            )
            .filter(
                _prefixed(self.area_scope.response_filter(), "cur"),
                Q(
                    prev__final_classification="poor",
                    cur__final_classification__in=["near_poor", "average", "not_poor"],
                )
                | Q(
                    prev__final_classification="near_poor",
                    cur__final_classification__in=["average", "not_poor"],
                ),
            )
            .values(
                "public_id",
                cur_commune=F("cur__commune_id"),
                before=F("prev__final_classification"),
                after=F("cur__final_classification"),
                computed=F("cur__computed_classification"),
                by_hand=F("cur__income_score_by_hand"),
                was_by_hand=F("prev__income_score_by_hand"),
                score=F("cur__income_score"),
                score_before=F("prev__income_score"),
                dep=F("cur__deprivation_score"),
                dep_before=F("prev__deprivation_score"),
                deprived=F("cur__deprived"),
                deprived_before=F("prev__deprived"),
            )
            .order_by("public_id")
        )
        margin = self.limits.exit_score_margin
        found = []
        for row in rows:
            reasons = []
            if (
                row["score"] is not None
                and row["score_before"] is not None
                and abs(row["score"] - row["score_before"]) <= margin
                and row["dep"] == row["dep_before"]
                and sorted(row["deprived"] or []) == sorted(row["deprived_before"] or [])
            ):
                reasons.append("unchanged")
            # Typed in from paper while the previous round's came from the card: where no card is
            # installed every score is typed in, and that alone says nothing.
            if row["by_hand"] and not row["was_by_hand"]:
                reasons.append("hand_score")
            if row["computed"] and row["computed"] != row["after"]:
                reasons.append("override")
            found.append(
                Exit(
                    household=str(row["public_id"]),
                    commune_id=row["cur_commune"],
                    before=row["before"],
                    after=row["after"],
                    score_before=row["score_before"],
                    score_now=row["score"],
                    reasons=reasons,
                )
            )
        for item in found:
            if item.commune_id in self.counts:
                counts = self.counts[item.commune_id]
                counts.exits += 1
                counts.exits_suspicious += bool(item.reasons)
        return found

    @cached_property
    def results(self) -> None:
        """Per commune of the area: counted results, poor ones, class-lowering overrides and
        hand-entered scores (where the previous result was scored on the card). One aggregate
        grouped by commune."""
        lowered = Q(
            computed_classification="poor",
            final_classification__in=["near_poor", "average", "not_poor"],
        ) | Q(computed_classification="near_poor", final_classification__in=["average", "not_poor"])

        for row in (
            SurveyResponse.objects.filter(
                self.area_scope.response_filter(), status__in=self.statuses
            )
            .values("commune_id")
            .annotate(
                n=Count("id"),
                poor=Count("id", filter=Q(final_classification="poor")),
                lowered=Count("id", filter=lowered),
                # A score typed in where the household's previous approved result was scored on
                # the card (as for the exits): where no card is installed every score is typed
                # in, and that says nothing.
                by_hand=Count(
                    "id",
                    filter=Q(income_score_by_hand=True)
                    & Q(
                        Exists(
                            SurveyResponse.objects.filter(
                                household=OuterRef("household_id"),
                                review_round_id__in=self.prev_ids,
                                status=SurveyResponse.Status.APPROVED,
                                income_score_by_hand=False,
                                income_score__isnull=False,
                            )
                        )
                    ),
                ),
            )
            .order_by()
        ):
            counts = self.counts.get(row["commune_id"])
            if counts is not None:
                counts.results = row["n"]
                counts.poor = row["poor"]
                counts.lowered_overrides = row["lowered"]
                counts.hand_scores = row["by_hand"]


# --- 1. Splits near the round --------------------------------------------------------------------


def split_findings(ctx: Context) -> list[Finding]:
    """Households split off since the previous periodic round (after its last day; without one,
    within `split_window_days` before this round starts) that are poor or near-poor now, while
    the household they came from was neither at the previous round. One finding per original
    household, with all its qualifying parts. One query (the splits are few)."""
    if ctx.previous:
        since = max(r.ends_on for r in ctx.previous)
    else:
        since = ctx.review_round.starts_on - timedelta(days=ctx.limits.split_window_days)
    current = SurveyResponse.objects.filter(review_round=ctx.review_round, status__in=ctx.statuses)
    previous = SurveyResponse.objects.filter(
        review_round_id__in=ctx.prev_ids, status=SurveyResponse.Status.APPROVED
    )
    query: Any = (
        Household.objects.filter(
            ctx.area_scope.household_filter(),
            split_from__isnull=False,
            created_at__date__gt=since,
        )
        .annotate(
            now=Subquery(
                current.filter(household=OuterRef("pk")).values("final_classification")[:1]
            ),
            origin_before=Subquery(
                previous.filter(household=OuterRef("split_from")).values("final_classification")[:1]
            ),
            origin_now=Subquery(
                current.filter(household=OuterRef("split_from")).values("final_classification")[:1]
            ),
        )
        .values(
            "public_id",
            "commune_id",
            "created_at",
            "now",
            "origin_before",
            "origin_now",
            origin=F("split_from__public_id"),
            origin_commune=F("split_from__commune_id"),
        )
        .order_by("split_from_id", "created_at", "id")
    )
    rows: list[dict[str, Any]] = list(query)
    parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["commune_id"] in ctx.counts:
            ctx.counts[row["commune_id"]].splits += 1
        if row["now"] in TARGETS and row["origin_before"] not in TARGETS:
            parts[str(row["origin"])].append(row)
    findings = []
    for origin, found in parts.items():
        commune_id = found[0]["commune_id"]
        if not ctx.in_unit(commune_id):
            continue
        ctx.counts[commune_id].splits_flagged += len(found)
        commune = ctx.commune(commune_id)
        first = found[0]
        before = first["origin_before"]
        was = (
            f"ở đợt trước là {_class(before)}"
            if before
            else "không có trong danh sách hộ nghèo, cận nghèo của đợt trước"
        )
        parts_words = "; ".join(
            f"hộ tách ngày {localtime(r['created_at']):%d/%m/%Y} nay là {_class(r['now'])}"
            for r in found
        )
        explanation = (
            f"{commune.name}: {len(found)} hộ mới tách ra sau đợt rà soát trước và nay thuộc diện "
            f"hộ nghèo hoặc cận nghèo ({parts_words}), trong khi hộ gốc {was}"
            f" (đợt này: {_class(first['origin_now'])}). "
            "Tách hộ để từng phần đủ điều kiện hưởng chính sách là điều cần tránh; nên đối chiếu "
            "thành viên, nơi ở và thu nhập của hai hộ. " + QUESTION
        )
        findings.append(
            Finding(
                kind="split",
                unit=commune,
                households=(origin, *(str(r["public_id"]) for r in found)),
                detail={
                    "commune": commune.code,
                    "origin": origin,
                    "origin_previous_classification": before,
                    "origin_classification": first["origin_now"],
                    "parts": [
                        {
                            "household": str(r["public_id"]),
                            "classification": r["now"],
                            "split_on": localtime(r["created_at"]).date().isoformat(),
                        }
                        for r in found
                    ],
                },
                explanation=explanation,
                key=f"split:{commune.code}:{origin}",
            )
        )
    return findings


# --- 3. Exits without change ---------------------------------------------------------------------


def exit_findings(ctx: Context) -> list[Finding]:
    """Communes of the unit where exits from poverty or near-poverty rest, in a share worth a look,
    on households whose facts did not change, or on a hand-entered score or an override (see
    `Thresholds` for when a share is worth a look). One query (`Context.exits`)."""
    limits = ctx.limits
    exits = ctx.exits
    by_commune: dict[int, list[Exit]] = defaultdict(list)
    for item in exits:
        by_commune[item.commune_id].append(item)
    district_exits: dict[int | None, int] = defaultdict(int)
    district_flagged: dict[int | None, int] = defaultdict(int)
    for commune_id, items in by_commune.items():
        if commune_id not in ctx.counts:
            continue
        district = ctx.district_of(commune_id)
        district_exits[district] += len(items)
        district_flagged[district] += sum(1 for i in items if i.reasons)
    findings = []
    for commune_id, items in sorted(
        by_commune.items(), key=lambda kv: ctx.counts[kv[0]].commune.path
    ):
        if not ctx.in_unit(commune_id):
            continue
        flagged = [i for i in items if i.reasons]
        n, k = len(items), len(flagged)
        if n < limits.exit_min_exits or k < limits.exit_min_suspicious:
            continue
        district = ctx.district_of(commune_id)
        share = Decimal(k) / Decimal(n)
        rest = _share(district_flagged[district] - k, district_exits[district] - n)
        alone = share >= limits.exit_share_alone
        stands_out = share >= limits.exit_share_floor and (
            rest is None or rest == 0 or share >= limits.exit_share_multiple * rest
        )
        if not (alone or (stands_out and rest is not None)):
            continue
        commune = ctx.commune(commune_id)
        reasons: dict[str, int] = defaultdict(int)
        for item in flagged:
            for reason in item.reasons:
                reasons[reason] += 1
        why = "; ".join(f"{REASON_LABELS[r]}: {c} hộ" for r, c in sorted(reasons.items()))
        rest_words = (
            f"; ở các xã còn lại của {commune.parent.name if commune.parent else 'tỉnh'} tỷ lệ này "
            f"là {_num(rest * 100)}%"
            if rest is not None
            else ""
        )
        explanation = (
            f"{commune.name}: {k} trong {n} hộ thoát nghèo hoặc thoát cận nghèo đợt này "
            f"({_num(share * 100)}%{rest_words}) không có thay đổi tương ứng trong dữ liệu của hộ "
            f"hoặc dựa vào điểm nhập tay hay kết quả điều chỉnh ({why}). Thoát nghèo chỉ ghi "
            "nhận khi đời sống hộ thực sự thay đổi; nên xem lại phiếu của các hộ này. " + QUESTION
        )
        findings.append(
            Finding(
                kind="exit_without_change",
                unit=commune,
                households=tuple(i.household for i in flagged),
                detail={
                    "commune": commune.code,
                    "exits": n,
                    "suspicious": k,
                    "share": float(round(share, 4)),
                    "rest_of_district_share": None if rest is None else float(round(rest, 4)),
                    "score_margin": float(limits.exit_score_margin),
                    "households": [i.as_json() for i in flagged],
                },
                explanation=explanation,
                key=f"exit_without_change:{commune.code}",
            )
        )
    return findings


# --- 4. Target closeness -------------------------------------------------------------------------


def _poisson_tail(k: int, expected: float) -> float:
    """P(X ≥ k) for X ~ Poisson(expected): how often a commune would see k or more by chance."""
    if expected <= 0:
        return 0.0 if k > 0 else 1.0
    term = math.exp(-expected)  # P(X = 0)
    below = 0.0
    for i in range(k):
        below += term
        term *= expected / (i + 1)
    return max(0.0, 1.0 - below)


def target_findings(ctx: Context) -> list[Finding]:
    """(a) Communes whose poverty rate lands on the province's target or just under it
    (`target_margin_points`), when without their poverty exits that rest on unchanged facts, a
    hand-entered score or an override the rate would be above it; (b) communes whose share of
    class-lowering overrides and hand-entered scores is far above the rest of their district's.
    Two queries (the target, one aggregate by commune) besides `Context.exits`."""
    limits = ctx.limits
    ctx.results  # noqa: B018 (fills the counts)
    target = ctx.target_rate
    poverty_exits: dict[int, list[Exit]] = defaultdict(list)
    for item in ctx.exits:
        if item.before == "poor" and item.reasons:
            poverty_exits[item.commune_id].append(item)
    findings = []
    district_n: dict[int | None, int] = defaultdict(int)
    district_k: dict[int | None, int] = defaultdict(int)
    for counts in ctx.counts.values():
        district_n[counts.commune.parent_id] += counts.results
        district_k[counts.commune.parent_id] += counts.lowered_overrides + counts.hand_scores
    for commune_id, counts in ctx.counts.items():
        if not ctx.in_unit(commune_id):
            continue
        commune = counts.commune
        rate_now = counts.poor_rate
        exits = poverty_exits.get(commune_id, [])
        if target is not None and rate_now is not None and exits:
            without = _pct(counts.poor + len(exits), counts.total_households)
            if (
                target - limits.target_margin_points <= rate_now <= target
                and without is not None
                and without > target
            ):
                findings.append(
                    Finding(
                        kind="target_closeness",
                        unit=commune,
                        households=tuple(i.household for i in exits),
                        detail={
                            "signal": "lands_on_target",
                            "commune": commune.code,
                            "poverty_rate": float(rate_now),
                            "target_rate": float(target),
                            "rate_without_these_exits": float(without),
                            "exits": len(exits),
                            "margin_points": float(limits.target_margin_points),
                        },
                        explanation=(
                            f"{commune.name}: tỷ lệ hộ nghèo đợt này là {_num(rate_now)}%, vừa "
                            f"đúng hoặc vừa dưới chỉ tiêu {_num(target)}% của tỉnh (cách không "
                            f"quá {_num(limits.target_margin_points)} điểm phần trăm). Nếu không "
                            f"tính {len(exits)} hộ thoát nghèo mà dữ liệu không đổi, điểm nhập "
                            f"tay hoặc kết quả điều chỉnh, tỷ lệ sẽ là {_num(without)}%, cao hơn "
                            "chỉ tiêu. Chạy theo chỉ tiêu là điều cần tránh; nên xem lại các hộ "
                            "này. " + QUESTION
                        ),
                        key=f"target_closeness:{commune.code}:lands_on_target",
                    )
                )
        k = counts.lowered_overrides + counts.hand_scores
        if k < limits.override_min_count or not counts.results:
            continue
        district = commune.parent_id
        share = Decimal(k) / Decimal(counts.results)
        rest = _share(district_k[district] - k, district_n[district] - counts.results)
        if rest is None or (rest > 0 and share < limits.override_share_multiple * rest):
            continue
        # And more than chance: at the rest of the district's share, would this commune see k
        # or more such results this rarely? (Poisson tail; one commune in several hundred of a
        # province reaches twice its district's share by chance alone.)
        chance = _poisson_tail(k, float(rest) * counts.results)
        if chance >= float(limits.override_chance):
            continue
        findings.append(
            Finding(
                kind="target_closeness",
                unit=commune,
                households=(),
                detail={
                    "signal": "override_share",
                    "commune": commune.code,
                    "results": counts.results,
                    "lowered_overrides": counts.lowered_overrides,
                    "hand_scores": counts.hand_scores,
                    "share": float(round(share, 4)),
                    "rest_of_district_share": float(round(rest, 4)),
                    "chance": chance,
                },
                explanation=(
                    f"{commune.name}: {counts.lowered_overrides} hộ có kết quả cuối cùng được "
                    f"điều chỉnh cao hơn kết quả tính và {counts.hand_scores} hộ có điểm thu nhập "
                    f"nhập tay, trên {counts.results} hộ có kết quả ({_num(share * 100)}%), so "
                    f"với {_num(rest * 100)}% ở các xã còn lại của "
                    f"{commune.parent.name if commune.parent else 'tỉnh'}. Những điều chỉnh này "
                    "là nơi việc chạy theo chỉ tiêu có thể ẩn; nên xem lý do ghi trên từng phiếu. "
                    + QUESTION
                ),
                key=f"target_closeness:{commune.code}:override_share",
            )
        )
    return findings


# --- 5. The same person twice --------------------------------------------------------------------


def _twins(rows: list[dict[str, Any]], since: Any) -> list[dict[str, Any]]:
    """Of the members sharing a name and birth date, those in a pair the rule keeps (see
    `duplicate_person_findings`): at most one of the two with a CCCD, and the same commune or a
    household registered since `since`. The query found the names; this keeps the members."""
    kept: dict[int, dict[str, Any]] = {}
    for i, a in enumerate(rows):
        for j in range(i + 1, len(rows)):
            b = rows[j]
            if a["household_public_id"] == b["household_public_id"]:
                continue
            if a["citizen_id"] and b["citizen_id"]:
                continue
            fresh = any(localtime(r["created"]).date() > since for r in (a, b))
            if a["commune_id"] == b["commune_id"] or fresh:
                kept[i], kept[j] = a, b
    return [kept[i] for i in sorted(kept)]


def duplicate_person_findings(ctx: Context) -> list[Finding]:
    """The same person in two households at once, where it is more than a namesake:

    - the same full name and birth date on present members of two active households, when at
      most one of the two carries a CCCD (two different CCCDs are two people), and the two
      households are in the same commune, or one of them was registered or split off since the
      previous periodic round (a person registered again after a move or a split, still listed
      where they lived). Namesakes born the same day elsewhere in a province are common; these
      are the cases a second registration leaves;
    - a CCCD of a present member also on a member recorded as deceased elsewhere.

    Reported where one of the households is in the unit. Three queries: the names and birth
    dates of members without a CCCD that another present member shares, the members of those
    (the rule is applied to them, `_twins`), the CCCD pairs."""
    province = ctx.review_round.province
    people = Member.objects.filter(
        status=Member.Status.PRESENT,
        household__status=Household.Status.ACTIVE,
        household__commune__path__startswith=province.path,
    )
    since = (
        max(r.ends_on for r in ctx.previous)
        if ctx.previous
        else ctx.review_round.starts_on - timedelta(days=ctx.limits.split_window_days)
    )
    # Each pair has a member without a CCCD: look from that side only, for any other present
    # member with the same name and birth date (one semi-join on the members alone); which of
    # those pairs count (same commune, a new household, both active, in the province) is decided
    # on the few rows they are (`_twins`).
    twins = Member.objects.filter(
        status=Member.Status.PRESENT,
        name_key=OuterRef("name_key"),
        birth_date=OuterRef("birth_date"),
    ).exclude(household_id=OuterRef("household_id"))
    lonely = people.filter(citizen_id__isnull=True, birth_date__isnull=False).filter(Exists(twins))
    groups = list(lonely.values_list("name_key", "birth_date").distinct().order_by())
    sets: list[tuple[str, list[dict[str, Any]]]] = []
    if groups:
        wanted = set(groups)
        members: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
        found: Any = (
            people.filter(
                name_key__in={name for name, _ in groups},
                birth_date__in={born for _, born in groups},
            )
            .values(
                "full_name",
                "name_key",
                "birth_date",
                "citizen_id",
                household_public_id=F("household__public_id"),
                commune_id=F("household__commune_id"),
                created=F("household__created_at"),
            )
            .order_by("household_id", "id")
        )
        for row in found:
            key = (row["name_key"], row["birth_date"])
            if key in wanted:
                members[key].append(row)
        for key in sorted(members, key=lambda k: (k[0], str(k[1]))):
            rows = _twins(members[key], since)
            if rows:
                sets.append(("name_birth_date", rows))
    twin = Member.objects.filter(
        status=Member.Status.PRESENT,
        household__status=Household.Status.ACTIVE,
        citizen_id=OuterRef("citizen_id"),
    ).exclude(household_id=OuterRef("household_id"))
    pairs: Any = (
        Member.objects.filter(
            status=Member.Status.DECEASED,
            citizen_id__isnull=False,
            household__commune__path__startswith=province.path,
        )
        .annotate(
            twin_household=Subquery(twin.values("household__public_id")[:1]),
            twin_commune=Subquery(twin.values("household__commune_id")[:1]),
            twin_name=Subquery(twin.values("full_name")[:1]),
        )
        .filter(twin_household__isnull=False)
        .values(
            "full_name",
            "twin_household",
            "twin_commune",
            "twin_name",
            household_public_id=F("household__public_id"),
            commune_id=F("household__commune_id"),
        )
        .order_by("id")
    )
    for row in pairs:
        sets.append(
            (
                "citizen_id",
                [
                    {
                        "full_name": row["twin_name"],
                        "household_public_id": row["twin_household"],
                        "commune_id": row["twin_commune"],
                        "deceased": False,
                    },
                    {
                        "full_name": row["full_name"],
                        "household_public_id": row["household_public_id"],
                        "commune_id": row["commune_id"],
                        "deceased": True,
                    },
                ],
            )
        )
    findings = []
    for match, rows in sets:
        inside = [r for r in rows if ctx.in_unit(r["commune_id"])]
        if not inside:
            continue
        households = tuple(dict.fromkeys(str(r["household_public_id"]) for r in rows))
        if len(households) < 2:
            continue
        commune = ctx.commune(inside[0]["commune_id"])
        for commune_id in {r["commune_id"] for r in inside}:
            ctx.counts[commune_id].duplicates += 1
        communes = sorted(
            {
                ctx.counts[r["commune_id"]].commune.name
                for r in rows
                if r["commune_id"] in ctx.counts
            }
            | {"(ngoài phạm vi)" for r in rows if r["commune_id"] not in ctx.counts}
        )
        name = rows[0]["full_name"]
        if match == "citizen_id":
            what = (
                f"Người tên {name} đang có tên trong một hộ, trong khi cùng số CCCD được ghi là "
                "đã mất ở một hộ khác (trùng số CCCD)"
            )
        else:
            what = (
                f"Người tên {name} có tên trong {len(households)} hộ đang cư trú cùng lúc "
                "(trùng họ tên và ngày sinh)"
            )
        same = len({r["commune_id"] for r in rows}) == 1
        explanation = (
            f"{what}, {'cùng ở' if same else 'ở các xã'} {', '.join(communes)}. Một người chỉ "
            "thuộc một hộ; có thể là trùng tên ngẫu nhiên, đăng ký lại khi tách hộ hoặc chuyển "
            "đi mà chưa ghi ở hộ cũ, hoặc nhập sai. " + QUESTION
        )
        digest = hashlib.sha256(f"{match}:{':'.join(sorted(households))}".encode()).hexdigest()
        findings.append(
            Finding(
                kind="duplicate_person",
                unit=commune,
                households=households,
                detail={
                    "match": match,
                    "name": name,
                    "same_commune": same,
                    "communes": [
                        ctx.counts[c].commune.code
                        for c in dict.fromkeys(r["commune_id"] for r in rows)
                        if c in ctx.counts
                    ],
                },
                explanation=explanation,
                key=f"duplicate_person:{commune.code}:{digest[:20]}",
            )
        )
    return findings


# --- The report ----------------------------------------------------------------------------------


def _bunching(
    review_round: ReviewRound, unit: AdminUnit
) -> tuple[list[Finding], list[DensityTestRecord]]:
    """The one place the bunching tests are called (reports.integrity.bunching)."""
    from . import bunching  # type: ignore[attr-defined,unused-ignore]

    result: tuple[list[Finding], list[DensityTestRecord]] = bunching.bunching_report(
        review_round, unit, basis="submitted"
    )
    return result


def histogram(record: DensityTestRecord) -> str:
    """The chart of one bunching test (an inline SVG), from the same module."""
    from . import bunching  # type: ignore[attr-defined,unused-ignore]

    svg: str = bunching.histogram_svg(record)
    return svg


def integrity_report(
    review_round: ReviewRound, unit: AdminUnit, *, limits: Thresholds | None = None
) -> IntegrityReport:
    """Every finding of the round for the unit, the bunching tests, and the counts per commune.

    A ValidationError when the unit is a village or not of the round's province."""
    ctx = Context(review_round, unit, limits or thresholds())
    ctx.results  # noqa: B018 (the counts per commune, for the page, whatever is found)
    findings = split_findings(ctx)
    bunched, tests = _bunching(review_round, unit)
    findings += bunched
    findings += exit_findings(ctx)
    findings += target_findings(ctx)
    findings += duplicate_person_findings(ctx)
    order = {kind: i for i, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: (order[f.kind], f.unit.path, f.key))
    for finding in findings:
        if finding.unit.pk in ctx.counts:
            ctx.counts[finding.unit.pk].findings += 1
    return IntegrityReport(
        review_round=review_round,
        unit=unit,
        findings=findings,
        tests=tests,
        communes=[c for pk, c in ctx.counts.items() if ctx.in_unit(pk)],
        previous_rounds=ctx.previous,
        target_rate=ctx.target_rate,
        limits=ctx.limits,
    )
