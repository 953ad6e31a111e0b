"""The read replica: report pages and workbooks read there when one is configured; every write,
and every other page, stays on the primary; with none configured nothing changes.

The "replica" alias is a test mirror of "default" (tests/conftest.py): a second connection to
the same test database. Such a connection sees only committed rows, so these tests commit
(transaction=True), as the primary's writes reach a real replica only once committed.
"""

import pytest
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db import report_db, reports_read
from reports.aggregates import fold_all
from survey.models import ProvinceTarget
from tests.conftest import PASSWORD
from tests.factories import household, result

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

REPORT_TABLES = ("survey_surveyresponse", "survey_communetotal", "households_household")


@pytest.fixture
def replica(settings):
    settings.REPORTS_READ_DATABASE = "replica"
    return connections["replica"]


@pytest.fixture
def made(world):
    village = world["villages"][0]
    for _ in range(2):
        result(world, household(world, village), 2025, "poor", members=3)
    result(world, household(world, village), 2025, "near_poor", members=2)
    return world


def report_url(review_round, unit, kind="summary"):
    return reverse(
        "reports:report",
        kwargs={"round_id": review_round.public_id, "unit_id": unit.public_id, "kind": kind},
    )


def logged_in(user) -> Client:
    """A client that logged in through the login page (a session row and last_login written)."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def sql_of(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries]


def test_the_report_page_reads_on_the_replica_and_writes_nothing_there(
    replica, made, province_reader
):
    review_round = made["rounds"][2025]
    fold_all()  # the aggregates made (on the primary: see the next test)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        client = logged_in(province_reader)
        response = client.get(report_url(review_round, review_round.province))
    assert response.status_code == 200
    # The numbers came through the replica: the rows the primary committed are there.
    row = response.content.decode().split("Huyện Bình Lục</a>")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[1:4] == ["1.800", "3", "2"]  # total, surveyed, poor

    replica_sql = sql_of(on_replica)
    assert any("reports_communefact" in sql for sql in replica_sql)
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in replica_sql), replica_sql
    # The login's writes went to the primary, and no report query did.
    primary_sql = sql_of(primary)
    assert any(sql.startswith('INSERT INTO "django_session"') for sql in primary_sql)
    assert any(sql.startswith('UPDATE "accounts_user"') for sql in primary_sql)
    assert not [sql for sql in primary_sql if any(t in sql for t in REPORT_TABLES)]
    assert not [sql for sql in primary_sql if "reports_communefact" in sql]


def test_the_fold_of_the_aggregates_counts_and_writes_on_the_primary(
    replica, made, province_reader
):
    """A report folds the marks of its round first: it counts the forms the primary holds (a
    replica may lag) and writes there; then it reads the aggregates on the replica."""
    review_round = made["rounds"][2025]
    client = logged_in(province_reader)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert client.get(report_url(review_round, review_round.province)).status_code == 200
    primary_sql = sql_of(primary)
    assert any("survey_surveyresponse" in sql for sql in primary_sql)
    assert any(sql.startswith('INSERT INTO "reports_communefact"') for sql in primary_sql)
    assert not [sql for sql in sql_of(on_replica) if "survey_surveyresponse" in sql]
    assert any("reports_communefact" in sql for sql in sql_of(on_replica))


def test_the_summary_workbook_and_household_list_read_on_the_replica(
    replica, made, officer_a, client_for
):
    review_round = made["rounds"][2025]
    commune = made["villages"][0].parent
    client = client_for(officer_a)
    for name in ("workbook", "households"):
        url = reverse(
            f"report_downloads:{name}",
            kwargs={"round_id": review_round.public_id, "unit_id": commune.public_id},
        )
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(replica) as on_replica,
        ):
            response = client.get(url)
        assert response.status_code == 200, name
        assert any("survey_surveyresponse" in sql for sql in sql_of(on_replica)), name
        assert not [sql for sql in sql_of(primary) if any(t in sql for t in REPORT_TABLES)], name


def test_setting_a_target_writes_on_the_primary_and_the_page_then_reads_it(
    replica, made, province_reader, client_for
):
    review_round = made["rounds"][2025]
    province = review_round.province
    client = client_for(province_reader)
    with CaptureQueriesContext(replica) as on_replica:
        client.post(
            reverse(
                "reports:target_set",
                kwargs={"round_id": review_round.public_id, "unit_id": province.public_id},
            ),
            {"target": "2,5", "basis_text": "NQ HĐND"},
        )
    assert on_replica.captured_queries == []  # not a report read: the primary alone
    assert str(ProvinceTarget.objects.using("default").get().target_poverty_rate) == "2.50"
    body = client.get(report_url(review_round, province)).content.decode()
    assert "2,50%" in body


def test_inside_reports_read_a_row_read_on_the_replica_is_saved_on_the_primary(replica, made):
    review_round = made["rounds"][2025]
    with reports_read():
        assert report_db() == "replica"
        fetched = type(review_round).objects.get(pk=review_round.pk)
        assert fetched._state.db == "replica"
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(replica) as on_replica,
        ):
            fetched.save(update_fields=["ends_on"])
    assert report_db() == "default"
    assert [sql for sql in sql_of(primary) if sql.startswith("UPDATE")]
    assert on_replica.captured_queries == []


def test_without_a_replica_reports_read_on_the_primary(made, province_reader, client_for):
    # REPORTS_READ_DATABASE is None (settings.py without DATABASE_REPLICA_URL, conftest).
    review_round = made["rounds"][2025]
    with CaptureQueriesContext(connections["replica"]) as on_replica, reports_read():
        assert report_db() == "default"
        response = client_for(province_reader).get(report_url(review_round, review_round.province))
    assert response.status_code == 200
    assert on_replica.captured_queries == []


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "households")
    assert not router.allow_migrate("replica", "households")
