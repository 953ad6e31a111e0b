"""`tools.bench_pages` at a tiny scale on the test database (PostgreSQL only, as in CI).

The figures are for people to read; checked here is that both measurements run through the real
pages (the officer's forms are submitted, the load run gets 200s from gunicorn), print positive
numbers, and leave the bench data as they found it (the lead calls them twice in one run).
"""

import io

import pytest
from django.db import connection

from accounts.models import User
from households.models import Household
from survey.models import SurveyResponse

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
    ),
    # Committed: the load run's gunicorn reads the bench data from its own connections.
    pytest.mark.django_db(transaction=True),
]


def _counts():
    return (
        Household.objects.count(),
        SurveyResponse.objects.count(),
        SurveyResponse.objects.filter(status="submitted").count(),
        User.objects.count(),
    )


def test_form_submits_and_load_give_positive_figures_and_leave_the_data_as_it_was():
    from tools import bench_pages, bench_reports

    world = bench_reports.generate(120, communes=4, out=io.StringIO())
    before = _counts()

    for _ in range(2):  # repeatable: the same work each call
        forms = bench_pages.measure_form_submits(world, count=2)
        assert set(forms) >= {"form_section_save_per_s", "form_submit_per_s"}
        assert all(float(v) > 0 for v in forms.values()), forms
        assert _counts() == before

    load = bench_pages.measure_load(world, seconds=1.5, threads=2, workers=1, turns=1)
    assert set(load) == {
        "healthz_rps",
        "household_list_rps",
        "running_score_rps",
        "household_list_vs_healthz",
        "running_score_vs_healthz",
    }
    assert all(float(v) > 0 for v in load.values()), load
    assert _counts() == before
    assert not User.objects.filter(username=bench_pages.OFFICER_USERNAME).exists()
