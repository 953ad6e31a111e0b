"""Engine benchmark: ``python -m survey.engine.bench`` (``make bench-engine``).

Generates synthetic households with members (not timed; ``BENCH_ENGINE_HOUSEHOLDS``, default
1,000,000), then classifies all of them under vn-2022-2025 from member-level facts in one process,
five times, and prints ``households_per_second=<median of 5 runs>`` on standard output. Details
(generation time, each run, the mix of results) go to standard error.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence

from survey.engine.classify import classify_household
from survey.engine.facts import (
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    INFORMATION_MEANS,
    WATER_SOURCES,
    HouseholdFacts,
    MemberFacts,
)
from survey.engine.standard import Standard, get_standard

DEFAULT_HOUSEHOLDS = 1_000_000
RUNS = 5
STANDARD = "vn-2022-2025"
_MEMBER_POOL = 50_000  # members are immutable, so households may share them


def _member(rng: random.Random) -> MemberFacts:
    age = rng.choice(
        (rng.randint(0, 15), rng.randint(16, 59), rng.randint(16, 59), rng.randint(60, 95))
    )
    in_school = 3 <= age <= 22 and rng.random() < 0.85
    return MemberFacts(
        age=age,
        of_working_age=15 <= age < 60,
        has_health_insurance=rng.random() < 0.9,
        in_school=in_school,
        at_age_appropriate_level=rng.random() < 0.93,
        education=rng.choice(tuple(EDUCATION_LEVELS)),
        trained_by_employer=rng.random() < 0.05,
        employment=rng.choice(tuple(EMPLOYMENT_STATUSES)) if 15 <= age < 65 else "not_working",
        disabled=rng.random() < 0.04,
        receives_social_allowance=rng.random() < 0.08,
        malnourished=age < 16 and rng.random() < 0.1,
        ill_without_treatment=rng.random() < 0.03,
        uses_telecom=rng.random() < 0.8,
    )


def generate(
    n: int, seed: int = 2019
) -> tuple[list[HouseholdFacts], list[float | None], list[int | None]]:
    """n households, with the evidence each is classified with (score or income per capita)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
    pool = [_member(rng) for _ in range(_MEMBER_POOL)]
    means_pool = [
        frozenset(code for code in INFORMATION_MEANS if rng.random() < 0.6) for _ in range(64)
    ]
    waters = tuple(WATER_SOURCES)
    sizes = (1, 2, 3, 4, 5, 6, 7, 8)
    size_weights = (8, 18, 22, 25, 15, 7, 3, 2)
    households: list[HouseholdFacts] = []
    scores: list[float | None] = []
    incomes: list[int | None] = []
    for _ in range(n):
        size = rng.choices(sizes, size_weights)[0]
        households.append(
            HouseholdFacts(
                area="rural" if rng.random() < 0.65 else "urban",
                members=tuple(rng.choice(pool) for _ in range(size)),
                floor_area_m2=float(rng.randint(10, 150)),
                wall_durable=rng.random() < 0.85,
                column_durable=rng.random() < 0.85,
                roof_durable=rng.random() < 0.8,
                water_source=rng.choice(waters),
                latrine_hygienic=rng.random() < 0.8,
                information_means=rng.choice(means_pool),
                agricultural=rng.random() < 0.4,
            )
        )
        if rng.random() < 0.5:
            scores.append(float(rng.randint(60, 260)))
            incomes.append(rng.randint(800_000, 3_500_000) if rng.random() < 0.5 else None)
        else:
            scores.append(None)
            incomes.append(rng.randint(800_000, 3_500_000))
    return households, scores, incomes


def run_once(
    standard: Standard,
    households: Sequence[HouseholdFacts],
    scores: Sequence[float | None],
    incomes: Sequence[int | None],
) -> tuple[float, Counter[str]]:
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for household, score, income in zip(households, scores, incomes, strict=True):
        result = classify_household(
            standard, household, income_score=score, income_per_capita=income
        )
        counts[result.classification] += 1
    return time.perf_counter() - started, counts


def main() -> int:
    n = int(os.environ.get("BENCH_ENGINE_HOUSEHOLDS", DEFAULT_HOUSEHOLDS))
    if n <= 0:
        print("BENCH_ENGINE_HOUSEHOLDS must be positive", file=sys.stderr)
        return 2
    standard = get_standard(STANDARD)
    started = time.perf_counter()
    households, scores, incomes = generate(n)
    members = sum(len(h.members) for h in households)
    print(
        f"generated {n:,} households ({members:,} members) in "
        f"{time.perf_counter() - started:.1f} s (not timed)",
        file=sys.stderr,
    )
    rates: list[float] = []
    counts: Counter[str] = Counter()
    for run in range(1, RUNS + 1):
        seconds, counts = run_once(standard, households, scores, incomes)
        rates.append(n / seconds)
        print(f"run {run}: {seconds:.2f} s, {n / seconds:,.0f} households/s", file=sys.stderr)
    print(f"results of the last run: {dict(sorted(counts.items()))}", file=sys.stderr)
    print(f"households_per_second={statistics.median(rates):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
