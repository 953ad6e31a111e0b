"""`make bench` at a tiny scale, in process, on the test database (PostgreSQL only, as in CI).

The benchmark's own numbers are not checked (they are for people to read); what is checked is that
it runs, prints every figure, and that its hand-written SQL floor counts exactly what the report
counts, so that the ratio it prints compares like with like.
"""

import io

import pytest
from django.db import connection

from households.models import Household
from survey.models import ResponseCause, ResponseDeprivation, ResponseNeed, SurveyResponse

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
    ),
    pytest.mark.django_db,
]

KEYS = (
    "province_report_by_district_s",
    "province_report_by_commune_s",
    "sql_floor_by_district_s",
    "sql_floor_by_commune_s",
    "report_vs_sql_ratio",
    "summary_workbook_s",
    "summary_workbook_sheets",
    "summary_workbook_peak_rss_mb",
    "household_export_s",
    "household_export_rows_per_s",
    "household_export_peak_rss_mb",
    "integrity_report_s",
    "integrity_findings",
)
N = 300


def test_bench_prints_every_figure_and_its_floor_counts_what_the_report_counts():
    from tools import bench_reports as bench

    out = io.StringIO()
    results = bench.run(N, out, communes=40, child_processes=False, migrate=False)

    printed = dict(
        line.split("=", 1)
        for line in out.getvalue().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert set(KEYS) <= set(printed), out.getvalue()
    assert "failed" not in printed.values(), out.getvalue()
    # The per-commune aggregates: equal to the forms, every report timed, the nation summed.
    assert printed["aggregates_equal"] == "yes", out.getvalue()
    tables = ("summary", "movements", "deprivations")
    scopes = ("by_district", "by_commune", "district")
    assert {f"report_{t}_{s}_ms" for t in tables for s in scopes} <= set(printed)
    assert printed["national_report_provinces"] == "34"
    assert int(printed["national_report_communes"]) == 3321
    # The whole workbook, every sheet, and each table's own time.
    assert int(printed["summary_workbook_sheets"]) >= 16
    assert {f"table_{name}_s" for name in bench.TABLE_TIMINGS} <= set(printed)
    for key in KEYS[:5]:
        assert float(printed[key]) >= 0

    world = bench.bench_world()
    assert Household.objects.filter(commune__path__startswith=world.province.path).count() == N
    responses = SurveyResponse.objects.filter(review_round=world.review_round)
    assert responses.count() == N
    assert (
        ResponseDeprivation.objects.filter(
            response__final_classification__in=["average", "not_poor"]
        ).count()
        == 0
    )

    for by, children in (("district", 8), ("commune", 40)):
        report, floor = results[by]["report"], results[by]["floor"]
        assert results[by]["problems"] == []
        assert len(report.rows) == children
        assert report.total.surveyed == N == sum(v["surveyed"] for v in floor.values())
        for name in bench.FLOOR_FIELDS:
            assert getattr(report.total, name) == sum(v[name] for v in floor.values()), name
        for row in report.rows:
            expected = floor.get(row.unit.pk, dict.fromkeys(bench.FLOOR_FIELDS, 0))
            assert {name: getattr(row, name) for name in bench.FLOOR_FIELDS} == expected
        # Counted independently of both: the approved results of the round, by class.
        for cls in bench.REPORT_CLASSES:
            assert (
                getattr(report.total, cls)
                == responses.filter(status="approved", final_classification=cls).count()
            )


def test_the_bench_province_answers_causes_and_needs_of_its_poor_and_near_poor_only():
    from tools import bench_reports as bench

    bench.run(N, io.StringIO(), communes=40, child_processes=False, migrate=False)
    world = bench.bench_world()
    for model in (ResponseCause, ResponseNeed):
        rows = model.objects.filter(response__review_round=world.review_round)
        assert rows.exists()
        assert not rows.exclude(response__final_classification__in=["poor", "near_poor"]).exists()
    poor = SurveyResponse.objects.filter(
        review_round=world.review_round, final_classification__in=["poor", "near_poor"]
    )
    assert not poor.exclude(causes__isnull=False).exists()
