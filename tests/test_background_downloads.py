"""The household list of a district or a province, made in the background (reports.exports).

Through HTTP with the fixed cast: the job is started only for a scope the user sees, only its
owner sees its progress and its file, the file is a workbook with every row, and it expires.
The job runs through Django's tasks API: the immediate backend in most tests, the database
backend's `db_worker` in one, the Redis backend with an RQ worker in another.
"""

import io
import logging
import os
import re
import socket
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from areas.services import unit_resolve
from reports.excel.households import households_export
from reports.excel.layout import download_names
from reports.exports import export_jobs_purge
from reports.models import ExportJob
from reports.selectors import report_scope
from tests.conftest import _make_user
from tests.factories import household, result

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def downloads(settings, tmp_path):
    settings.DOWNLOADS_ROOT = tmp_path / "downloads"
    settings.DOWNLOADS_KEEP_HOURS = 24
    return settings.DOWNLOADS_ROOT


@pytest.fixture
def immediate(settings, downloads):
    settings.TASKS = IMMEDIATE
    return downloads


@pytest.fixture
def listed(world):
    """Approved poor and near-poor households of 2025: 6 in Bình Lục (352), 1 in Phủ Lý."""
    va, vb, vc = world["villages"]
    rows = [
        (va, "poor"),
        (va, "poor"),
        (va, "near_poor"),
        (va, "average"),  # not on the list
        (vb, "near_poor"),
        (vb, "poor"),
        (vb, "near_poor"),
        (vc, "poor"),
    ]
    for village, final in rows:
        result(world, household(world, village), 2025, final)
    result(world, household(world, va), 2025, "poor", status="draft")  # never listed
    return 7


@pytest.fixture
def province(legacy_tree):
    return unit_resolve("35", edition=legacy_tree)


def _start_url(world, unit, basis="approved"):
    url = reverse(
        "report_downloads:households_job", args=[world["rounds"][2025].public_id, unit.public_id]
    )
    return f"{url}?basis={basis}"


def _job_urls(job):
    return (
        reverse("report_downloads:job", args=[job.public_id]),
        reverse("report_downloads:job_file", args=[job.public_id]),
    )


def _data_rows(content: bytes) -> list[tuple]:
    """The household rows of every sheet: those numbered in the first column (STT)."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and isinstance(row[0], int)
    ]


def test_province_staff_gets_the_province_list_from_a_background_job(
    world, listed, province, province_reader, client_for, immediate, caplog
):
    client = client_for(province_reader)
    report = reverse(
        "reports:report", args=[world["rounds"][2025].public_id, province.public_id, "summary"]
    )
    page = client.get(report).content.decode()
    start = _start_url(world, province)
    assert f'action="{start}"' in page  # the report page's button starts the job

    with caplog.at_level(logging.DEBUG):
        response = client.post(start)
    job = ExportJob.objects.get()
    status_url, file_url = _job_urls(job)
    assert response.status_code == 302 and response["Location"] == status_url
    assert (job.user, job.unit, job.basis) == (province_reader, province, "approved")
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_done, job.rows_total, job.percent) == (listed, listed, 100)
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    # Nothing personal in the logs: the job is named by its id only.
    assert str(job.public_id) in caplog.text
    assert "Chủ hộ" not in caplog.text

    status = client.get(status_url)
    assert status.status_code == 200
    assert status["Cache-Control"] == "private, no-store"
    text = status.content.decode()
    assert 'value="100"' in text and "Tải tệp" in text and f'href="{file_url}"' in text
    assert "hx-trigger" not in text  # done: nothing more to poll

    download = client.get(file_url)
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Cache-Control"] == "private, no-store"
    scope = report_scope(world["rounds"][2025], province)
    ascii_name, readable = download_names("households", scope, timezone.localdate())
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"
    )
    rows = _data_rows(b"".join(download.streaming_content))
    assert [row[0] for row in rows] == list(range(1, listed + 1))
    assert {row[1] for row in rows} == {"Huyện Bình Lục", "Thành phố Phủ Lý"}  # the district column


def test_a_district_list_holds_the_district_rows_only(
    world, listed, district_reader, client_for, immediate, legacy_tree
):
    district = unit_resolve("352", edition=legacy_tree)
    client = client_for(district_reader)
    client.post(_start_url(world, district))
    job = ExportJob.objects.get()
    download = client.get(_job_urls(job)[1])
    assert len(_data_rows(b"".join(download.streaming_content))) == listed - 1 == job.rows_done


def test_progress_is_reported_once_a_chunk_and_reaches_the_total(world, listed, province):
    scope = report_scope(world["rounds"][2025], province)
    calls: list[tuple[int, int]] = []
    written = households_export(
        scope,
        io.BytesIO(),
        progress=lambda done, total: calls.append((done, total)),
        progress_every=3,
    )
    assert written == listed
    assert calls == [(0, 7), (3, 7), (6, 7), (7, 7)]


@pytest.mark.parametrize(
    "intruder",
    ["officer_a", "district_reader", "admin", "other_province_staff", "province_reader_b"],
)
def test_nobody_but_its_owner_sees_a_job_or_its_file(
    intruder,
    world,
    listed,
    province,
    province_reader,
    cast,
    province_reader_b,
    client_for,
    immediate,
):
    client_for(province_reader).post(_start_url(world, province))
    job = ExportJob.objects.get()
    others = {
        **cast,
        "province_reader_b": province_reader_b,
        # Staff of the same province, who may see the province's report and start their own.
        "other_province_staff": _make_user("tinh-35-b", User.Role.PROVINCE_STAFF, province),
    }
    client = client_for(others[intruder])
    for url in _job_urls(job):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url
    # The owner still does.
    assert client_for(province_reader).get(_job_urls(job)[1]).status_code == 200


def test_an_unknown_job_is_a_404(province_reader, client_for, immediate):
    import uuid

    client = client_for(province_reader)
    assert client.get(reverse("report_downloads:job", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("starter", ["officer_a", "district_reader", "province_reader_b"])
def test_a_job_cannot_be_started_for_a_unit_out_of_sight(
    starter, world, listed, province, cast, province_reader_b, client_for, immediate
):
    user = {**cast, "province_reader_b": province_reader_b}[starter]
    response = client_for(user).post(_start_url(world, province))
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_a_job_is_started_by_a_post_only(world, province, province_reader, client_for, immediate):
    assert client_for(province_reader).get(_start_url(world, province)).status_code == 405
    assert not ExportJob.objects.exists()


def test_a_waiting_job_shows_its_progress_and_is_polled(
    world, listed, province, province_reader, client_for, downloads, settings
):
    settings.TASKS = DATABASE  # queued in the database, no worker here: it waits
    client = client_for(province_reader)
    client.post(_start_url(world, province))
    client.post(_start_url(world, province))  # a second click: the same job
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and job.task_id
    status_url, file_url = _job_urls(job)

    page = client.get(status_url).content.decode()
    assert "<progress" in page and 'value="0"' in page
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page  # without JS
    assert f'href="{status_url}"' in page  # and a link that reloads it

    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, rows_done=2000, rows_total=8000
    )
    part = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and 'id="export-job"' in part
    assert "Đang chuẩn bị tệp…" in part and 'value="25"' in part and "2.000 / 8.000 hộ" in part
    # The file is not there yet: its link leads back to the progress.
    response = client.get(file_url)
    assert response.status_code == 302 and response["Location"] == status_url


def test_an_expired_file_says_so_and_the_purge_deletes_it(
    world, listed, province, province_reader, client_for, immediate
):
    client = client_for(province_reader)
    client.post(_start_url(world, province))
    job = ExportJob.objects.get()
    path = immediate / job.file_name
    assert path.is_file() and job.file_name == f"{job.public_id}.xlsx"
    status_url, file_url = _job_urls(job)

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(file_url)
    assert expired.status_code == 410
    assert "Tệp đã hết hạn" in expired.content.decode()
    assert "Tệp đã hết hạn" in client.get(status_url).content.decode()

    out = io.StringIO()
    call_command("purge_downloads", stdout=out)
    assert "Đã xoá 1 tệp hết hạn" in out.getvalue()
    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.file_name) == (ExportJob.Status.EXPIRED, "")
    again = client.get(file_url)
    assert again.status_code == 410 and "Tệp đã hết hạn" in again.content.decode()


def test_the_purge_keeps_files_in_time_and_fails_lost_jobs(
    world, listed, province, province_reader, client_for, immediate
):
    client = client_for(province_reader)
    client.post(_start_url(world, province))
    kept = ExportJob.objects.get()
    lost = ExportJob.objects.create(
        user=province_reader, review_round=world["rounds"][2025], unit=province, basis="approved"
    )
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=7))
    assert export_jobs_purge() == (0, 1)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.status == ExportJob.Status.DONE and (immediate / kept.file_name).is_file()
    assert lost.status == ExportJob.Status.FAILED
    assert "Tệp không được tạo xong" in client.get(_job_urls(lost)[0]).content.decode()


def test_a_failed_job_says_so_without_the_error(
    world, listed, province, province_reader, client_for, immediate, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("Chủ hộ 123: secret detail")

    monkeypatch.setattr("reports.exports.households_export", broken)
    client = client_for(province_reader)
    with caplog.at_level(logging.INFO):
        client.post(_start_url(world, province))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert f"export job {job.public_id} failed: builtins.RuntimeError at " in caplog.text
    assert "secret detail" not in caplog.text  # the error's message may quote data: not logged
    assert not list(immediate.iterdir())  # no half-written file left
    page = client.get(_job_urls(job)[0]).content.decode()
    assert "Không tạo được tệp" in page and "secret detail" not in page


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_job(
    world, listed, province, province_reader, client_for, downloads, settings
):
    """The default backend: the job waits in the database until `db_worker` (the command that
    several machines may run at once) takes it."""
    settings.TASKS = DATABASE
    client = client_for(province_reader)
    client.post(_start_url(world, province))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    with CaptureQueriesContext(connection) as queries:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    if connection.features.has_select_for_update_skip_locked:  # PostgreSQL: workers never collide
        assert any("FOR UPDATE SKIP LOCKED" in q["sql"] for q in queries.captured_queries)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == listed
    download = client.get(_job_urls(job)[1])
    assert len(_data_rows(b"".join(download.streaming_content))) == listed


def _redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def test_the_redis_backend_runs_the_job_through_an_rq_worker(
    world, listed, province, province_reader, client_for, downloads, settings
):
    if not _redis_up():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("REQUIRE_REDIS is set but nothing answers on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    import django_rq
    from rq import SimpleWorker

    # A database of its own on the server, emptied first: nothing else's jobs, none left over.
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/13"}}
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    django_rq.get_connection("default").flushdb()
    client = client_for(province_reader)
    client.post(_start_url(world, province))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and re.fullmatch(r"\S+", job.task_id)
    # In this process (SimpleWorker): the worker sees the test's transaction.
    worker = django_rq.get_worker(
        "default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker
    )
    worker.work(burst=True)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == listed
    download = client.get(_job_urls(job)[1])
    assert len(_data_rows(b"".join(download.streaming_content))) == listed
    django_rq.get_connection("default").flushdb()
