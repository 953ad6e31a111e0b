"""The national summary: every province's periodic round of a year, by province, from the
per-commune aggregates (`reports.aggregates`): two reads of a few thousand rows, whatever the
number of households, so a minister's question is answered in a blink.

Rates follow the rule of the province reports (`reports.selectors.summary`): over the communes
whose total of resident households is recorded for the round, and only theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from areas.models import AdminUnit
from survey.models import CommuneTotal, ReviewRound

from .aggregates import fold_rounds
from .models import CommuneFact
from .selectors import CLASSES, COUNTED, rate


@dataclass
class NationalRow:
    label: str
    province: AdminUnit | None = None
    review_round: ReviewRound | None = None
    communes_reporting: int = 0  # communes with at least one counted form
    communes_with_total: int = 0
    total_households: int | None = None
    surveyed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    rated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    persons: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))

    def rate(self, cls: str) -> Decimal | None:
        return rate(self.rated[cls], self.total_households)

    @property
    def poor_rate(self) -> Decimal | None:
        return self.rate("poor")

    @property
    def near_poor_rate(self) -> Decimal | None:
        return self.rate("near_poor")


@dataclass
class NationalSummary:
    year: int
    basis: str
    rows: list[NationalRow]
    total: NationalRow
    provinces_without_round: list[AdminUnit]


def national_summary(year: int, basis: str = "approved") -> NationalSummary:
    """By province: its periodic round of `year`, counted on `basis`. The provinces are those of
    the tree the year's rounds are on (the tree in force then: 63 provinces before 1 July 2025,
    34 after), or of the current tree when no province has a round yet."""
    if basis not in COUNTED:
        raise ValueError(basis)
    found = list(
        ReviewRound.objects.filter(kind=ReviewRound.Kind.PERIODIC, year=year).select_related(
            "province"
        )
    )
    rounds = {r.province_id: r for r in found}
    editions = {r.province.edition_id for r in found}
    provinces = list(
        AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
        .filter(Q(edition_id__in=editions) if editions else Q(edition__is_current=True))
        .order_by("code")
    )
    fold_rounds(list(rounds.values()))
    by_round = {r.pk: r.province_id for r in rounds.values()}
    totals = {
        (round_id, commune): households
        for round_id, commune, households in CommuneTotal.objects.filter(
            review_round_id__in=list(by_round)
        ).values_list("review_round_id", "commune_id", "total_households")
    }
    rows = {
        p.pk: NationalRow(label=p.name, province=p, review_round=rounds.get(p.pk))
        for p in provinces
        if p.pk in rounds
    }
    for (round_id, _commune), households in totals.items():
        row = rows[by_round[round_id]]
        row.communes_with_total += 1
        row.total_households = (row.total_households or 0) + households
    facts = CommuneFact.objects.filter(
        review_round_id__in=list(by_round), basis=basis, family="summary"
    ).values_list("review_round_id", "commune_id", "data")
    for round_id, commune, data in facts:
        row = rows[by_round[round_id]]
        row.communes_reporting += 1
        row.surveyed += data.get("surveyed", 0)
        known = (round_id, commune) in totals
        for cls in CLASSES:
            row.counts[cls] += data.get(cls, 0)
            row.persons[cls] += data.get(f"{cls}_persons", 0)
            if known:
                row.rated[cls] += data.get(cls, 0)
    nation = NationalRow(label="Toàn quốc")
    for row in rows.values():
        nation.communes_reporting += row.communes_reporting
        nation.communes_with_total += row.communes_with_total
        if row.total_households is not None:
            nation.total_households = (nation.total_households or 0) + row.total_households
        nation.surveyed += row.surveyed
        for cls in CLASSES:
            nation.counts[cls] += row.counts[cls]
            nation.rated[cls] += row.rated[cls]
            nation.persons[cls] += row.persons[cls]
    return NationalSummary(
        year=year,
        basis=basis,
        rows=list(rows.values()),
        total=nation,
        provinces_without_round=[p for p in provinces if p.pk not in rounds],
    )
