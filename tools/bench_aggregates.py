"""The per-commune aggregates in `make bench` (issue 14, decision record 0017).

Called by `tools.bench_reports.run` on the bench province; prints `key=value` lines:

- ``aggregates_build_s``: both bench rounds' aggregates made again from their forms (both
  bases; what a bulk load, a new round or a new succession costs), ``aggregates_rows``;
- ``aggregates_fold_after_100_communes_s``: the fold after a form changed class in each of 100
  communes (what the first report after a busy hour pays), rolled back;
- ``aggregates_equal`` (``yes``, or ``no`` and how many differences) and ``aggregates_verify_s``:
  `reports.aggregates.verify` of both bench rounds, every figure counted again from the forms;
- ``report_<table>_by_<district|commune>_ms`` and ``report_<table>_district_ms``: the summary,
  movement and deprivation tables of the province (rows by district, by commune) and of one
  district, read from the aggregates, median of 5 on a fresh `ReportTables`;
- ``national_report_s``: `reports.national.national_summary` of 2026 over the current tree (every
  province with a periodic round, aggregate rows generated for every commune).
"""

# ruff: noqa: S311 - random numbers of synthetic figures, not secrets

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TextIO

from django.db import connection, transaction

from areas.models import AdminUnit, TreeEdition
from areas.services import CURRENT_EDITION, units_load_current
from reports.aggregates import BASES, fold_all, rebuild, verify
from reports.models import CommuneFact, FactMark, MovementFact
from reports.national import national_summary
from reports.selectors import ReportTables, report_scope
from reports.triggers import MARKED_TABLES
from survey.models import CommuneTotal, ReviewRound

NATIONAL_YEAR = 2026  # the bench province has 2024 and 2025: the nation alone in its year
# The tables whose figures must come in under 50 ms (issue 14).
TABLES = ("summary", "movements", "deprivations")


def _median_ms(fn: Callable[[], Any], runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


@contextmanager
def triggers_off() -> Iterator[None]:
    """The marking triggers off while inside (to measure a form's save without them); the
    writes made meanwhile are not marked, so whatever is measured must be undone."""
    with connection.cursor() as cursor:
        for table in MARKED_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in MARKED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def national_rounds(user: Any, standard_code: str) -> list[ReviewRound]:
    """A periodic round of NATIONAL_YEAR in every province of the current tree (the tree is
    loaded if it is not there), with aggregate rows for every commune and a recorded total for
    nine communes in ten: synthetic figures, made once and kept."""
    if not TreeEdition.objects.filter(code=CURRENT_EDITION).exists():
        units_load_current()
    provinces = AdminUnit.objects.filter(
        edition__code=CURRENT_EDITION, level=AdminUnit.Level.PROVINCE
    ).order_by("code")
    rounds = []
    rng = random.Random(14)
    with transaction.atomic():
        for province in provinces:
            review_round, created = ReviewRound.objects.get_or_create(
                province=province,
                year=NATIONAL_YEAR,
                kind=ReviewRound.Kind.PERIODIC,
                defaults={
                    "standard_code": standard_code,
                    "starts_on": date(NATIONAL_YEAR, 9, 1),
                    "ends_on": date(NATIONAL_YEAR, 12, 14),
                    "opened_by": user,
                },
            )
            rounds.append(review_round)
            if not created:
                continue
            communes = AdminUnit.objects.filter(
                path__startswith=province.path, level=AdminUnit.Level.COMMUNE
            ).values_list("pk", flat=True)
            facts, totals = [], []
            for commune in communes:
                households = rng.randint(1500, 9000)
                poor = int(households * rng.uniform(0.005, 0.12))
                near = int(households * rng.uniform(0.01, 0.08))
                data = {
                    "surveyed": households,
                    "poor": poor,
                    "near_poor": near,
                    "average": int(households * 0.05),
                    "poor_persons": poor * 3,
                    "near_poor_persons": near * 4,
                }
                facts += [
                    CommuneFact(
                        review_round=review_round,
                        basis=basis,
                        family="summary",
                        commune_id=commune,
                        data=data,
                    )
                    for basis in BASES
                ]
                if rng.random() < 0.9:
                    totals.append(
                        CommuneTotal(
                            review_round=review_round,
                            commune_id=commune,
                            total_households=households,
                            source="bench",
                            recorded_by=user,
                        )
                    )
            CommuneFact.objects.bulk_create(facts, batch_size=2000)
            CommuneTotal.objects.bulk_create(totals, batch_size=2000)
        # Their figures are made up, not counted from forms: no fold may replace them.
        FactMark.objects.filter(review_round_id__in=[r.pk for r in rounds]).delete()
    return rounds


def fold_after_changes(world: Any, communes: int) -> float:
    """Seconds to fold after one form changed class in each of `communes` communes (the first
    report after a busy hour pays this); the changes are rolled back."""
    from django.db.models import Min

    from reports.aggregates import fold_marks
    from survey.models import SurveyResponse

    with transaction.atomic():
        ids = list(
            SurveyResponse.objects.filter(
                review_round=world.review_round, final_classification="near_poor"
            )
            .values("commune_id")
            .annotate(first=Min("pk"))
            .values_list("first", flat=True)[:communes]
        )
        SurveyResponse.objects.filter(pk__in=ids).update(
            final_classification="poor", computed_classification="poor"
        )
        started = time.perf_counter()
        fold_marks(world.review_round)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def measure_form_cost(world: Any, out: Callable[[str], None], rounds: int = 2) -> dict[str, Any]:
    """Form section saves and submissions through the pages (`tools.bench_pages`), with the
    marking triggers off ("before": the app without aggregates) and on ("after"), in turns;
    the median of each, and how much slower a submission is with them (goal: at most 10 %)."""
    from tools.bench_pages import measure_form_submits

    runs: dict[str, list[dict[str, str]]] = {"before": [], "after": []}
    for _ in range(rounds):
        with triggers_off():
            runs["before"].append(measure_form_submits(world))
        runs["after"].append(measure_form_submits(world))
    figures: dict[str, Any] = {}
    for label, found in runs.items():
        for key in ("form_section_save_per_s", "form_submit_per_s"):
            value = statistics.median(float(f[key]) for f in found)
            figures[f"{key}_{label}"] = value
            out(f"{key}_{label}={value:.1f}")
    slower = 1 - figures["form_submit_per_s_after"] / figures["form_submit_per_s_before"]
    figures["form_submit_slower_pct"] = slower * 100
    out(f"form_submit_slower_pct={slower * 100:.1f}")
    return figures


def measure_national(out: Callable[[str], None]) -> dict[str, str]:
    summary = national_summary(NATIONAL_YEAR)
    seconds = _median_ms(lambda: national_summary(NATIONAL_YEAR)) / 1000
    communes = summary.total.communes_reporting
    out(f"national_report_s={seconds:.4f}")
    out(f"national_report_provinces={len(summary.rows)}")
    out(f"national_report_communes={communes}")
    return {"national_report_s": f"{seconds:.4f}"}


def measure_aggregates(world: Any, out: Callable[[str], None], note: TextIO) -> dict[str, Any]:
    """Fold what the generator left (a rebuild), check equality, time the reports."""
    folded = fold_all()  # what the generator and the national rounds left
    print(f"  aggregates: {folded} marks folded", file=note, flush=True)
    started = time.perf_counter()
    for review_round in (world.previous, world.review_round):
        rebuild(review_round)
    out(f"aggregates_build_s={time.perf_counter() - started:.3f}")
    # Fresh statistics on the rewritten tables, as autovacuum takes them within a minute of a
    # rewrite this size: without them the planner saw one row and joined the movement groups to
    # their districts in nested loops (27 ms instead of 9-13 ms).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CommuneFact._meta.db_table}, {MovementFact._meta.db_table}")
    out(f"aggregates_rows={CommuneFact.objects.count()}")
    started = time.perf_counter()
    differences = [d for r in (world.previous, world.review_round) for d in verify(r)]
    verify_s = time.perf_counter() - started
    equal = "yes" if not differences else f"no ({len(differences)} differences)"
    for difference in differences[:10]:
        print(f"  DIFFERENCE {difference}", file=note, flush=True)
    out(f"aggregates_equal={equal}")
    out(f"aggregates_verify_s={verify_s:.3f}")
    figures: dict[str, Any] = {"aggregates_equal": equal}
    out(f"aggregates_fold_after_100_communes_s={fold_after_changes(world, 100):.3f}")
    district = AdminUnit.objects.filter(parent=world.province).order_by("path").first()
    assert district is not None  # the bench province has districts
    scopes = {
        "by_district": lambda: report_scope(world.review_round, world.province),
        "by_commune": lambda: report_scope(world.review_round, world.province, by="commune"),
        "district": lambda: report_scope(world.review_round, district),
    }
    for name in TABLES:
        for where, scope in scopes.items():
            ms = _median_ms(lambda s=scope, n=name: getattr(ReportTables(s()), n))  # type: ignore[misc]
            key = f"report_{name}_{where}_ms"
            out(f"{key}={ms:.1f}")
            figures[key] = ms
    return figures
