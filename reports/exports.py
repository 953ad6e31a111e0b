"""Downloads made in the background: the household list of a district or a province.

A district's or a province's list (up to a million rows, minutes to write) cannot be made while a
browser waits. `export_job_start` records an `ExportJob` and hands its id to the task backend
(reports.tasks, Django's tasks API through django-tasks: docs/decisions/0015); a worker runs
`export_job_run`, which writes the workbook into the private directory `DOWNLOADS_ROOT` and its
progress into the job's row; the user who started it follows it and downloads the file through
reports.download_views. `export_jobs_purge` deletes the files whose time is up.

Nothing personal goes into a log line or a file name: both name the job's public id only.
"""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User

from .excel.households import households_export
from .excel.layout import Signing, place_name, preparer_name, signing_unit
from .models import ExportJob
from .selectors import ReportScope, report_scope

logger = logging.getLogger(__name__)

# A job the worker has not finished after this long is taken as lost (a worker killed mid-job).
STALE_AFTER = timedelta(hours=6)
# Shown to the user through {% translate %} (reports/_export_job.html).
FAILED_MESSAGE = gettext_noop(
    "Không tạo được tệp. Vui lòng thử lại; nếu vẫn lỗi, báo quản trị viên."
)
LOST_MESSAGE = gettext_noop("Tệp không được tạo xong (quá thời gian chờ). Vui lòng tạo lại.")


def signing_for(user: User, scope: ReportScope) -> Signing:
    """Who prepares a workbook: the user's name, their unit's office and place (an administrator,
    who serves no unit, signs for the report's unit)."""
    issuer = signing_unit(user.unit, scope.unit)
    return Signing(unit=issuer, prepared_by=preparer_name(user), place=place_name(issuer))


def downloads_dir() -> Path:
    return Path(settings.DOWNLOADS_ROOT)


def export_job_file(job: ExportJob) -> Path | None:
    """The job's file on disk, if it is done, not expired and still there."""
    if job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        return None
    path = downloads_dir() / job.file_name
    return path if path.is_file() else None


def export_job_start(*, user: User, scope: ReportScope) -> ExportJob:
    """Start making the scope's household list for `user`, or give back the job already making it.

    The caller has checked that the user may see the scope (reports.download_views). The job is
    committed before it is handed to the backend, so that a worker on another machine finds it;
    a backend that cannot take it (Redis down) leaves the job failed, with a message for the user.
    """
    pending = ExportJob.objects.filter(
        user=user,
        kind=ExportJob.Kind.HOUSEHOLDS,
        review_round=scope.review_round,
        unit=scope.unit,
        basis=scope.basis,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        created_at__gt=timezone.now() - STALE_AFTER,
    ).first()
    if pending is not None:  # a second click: the same job, not a second one
        return pending
    job = ExportJob.objects.create(
        user=user,
        kind=ExportJob.Kind.HOUSEHOLDS,
        review_round=scope.review_round,
        unit=scope.unit,
        basis=scope.basis,
    )
    from .tasks import household_list_task  # the task module imports this one

    try:
        result = household_list_task.enqueue(str(job.public_id))
    except Exception as exc:
        logger.error("export job %s could not be queued: %s", job.public_id, _where(exc))
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
    else:
        # An immediate backend has run the job by now: only the task id is written here.
        ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def export_job_run(*, public_id: str) -> str:
    """Write the job's household list (run by a worker, through reports.tasks); return its status.

    The job is claimed by one UPDATE from queued to running: a job run twice (a backend's retry,
    two workers given the same message) is written once. Progress is written once a chunk of
    rows. On any error the half-written file is deleted and the job failed; the log names the job,
    the error's class and where it was raised, never its message (it may quote data), and the
    user is shown a plain message."""
    export_jobs_purge()  # a worker without a scheduled purge still deletes what has expired
    now = timezone.now()
    claimed = ExportJob.objects.filter(public_id=public_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now
    )
    if not claimed:
        logger.info("export job %s: not queued, skipped", public_id)
        return "skipped"
    job = ExportJob.objects.select_related(
        "user__unit", "review_round__province__edition", "unit"
    ).get(public_id=public_id)
    directory = downloads_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{job.public_id}.xlsx"
    partial = directory / f"{name}.part"

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        scope = report_scope(job.review_round, job.unit, basis=job.basis)
        with partial.open("wb") as out:
            rows = households_export(
                scope, out, signing=signing_for(job.user, scope), progress=progress
            )
        partial.replace(directory / name)
    except Exception as exc:
        logger.error("export job %s failed: %s", job.public_id, _where(exc))
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        return ExportJob.Status.FAILED
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_done=rows,
        rows_total=rows,
        file_name=name,
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.DOWNLOADS_KEEP_HOURS),
    )
    logger.info("export job %s done: %s rows", job.public_id, rows)
    return ExportJob.Status.DONE


def _where(exc: BaseException) -> str:
    """An error for the log without its message (which may quote a household's data): its class
    and the line of ours, or of a library, where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__}{place}"


def export_jobs_purge(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete the files of the jobs whose time is up (the job stays, marked expired, so its link
    says so) and fail the jobs a worker lost. Returns (files deleted, jobs failed as lost)."""
    now = now or timezone.now()
    stale_statuses = [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    deleted = 0
    expired = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now)
    for job in expired.only("pk", "file_name"):
        with transaction.atomic():
            changed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
                status=ExportJob.Status.EXPIRED, file_name=""
            )
            if changed and job.file_name:
                (downloads_dir() / job.file_name).unlink(missing_ok=True)
                deleted += 1
    lost = 0
    stale = ExportJob.objects.filter(status__in=stale_statuses, created_at__lte=now - STALE_AFTER)
    for job in stale.only("pk", "public_id"):
        lost += ExportJob.objects.filter(pk=job.pk, status__in=stale_statuses).update(
            status=ExportJob.Status.FAILED, error=LOST_MESSAGE, finished_at=now
        )
        (downloads_dir() / f"{job.public_id}.xlsx.part").unlink(missing_ok=True)
    return deleted, lost
