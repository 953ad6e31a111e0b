"""Excel downloads of the reports: the summary workbook of any unit the user may see, the
detailed household list of a commune or a village while the user waits, and that of a district or
a province made in the background (reports.exports) and followed on its own page.

Thin views: scope through accounts.scoping (out of reach is a 404), then one call to a workbook
of reports.excel or to a service of reports.exports. A background download is seen only by the
user who started it, and only while they may still see its scope: for anyone else its status and
file are a 404, like a job that does not exist. The downloads only read: on the read replica
when one is configured (core.db).
"""

from datetime import date
from io import BytesIO
from urllib.parse import quote
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import get_visible_unit_or_404, reads_integrity
from accounts.types import AuthedHttpRequest
from core.db import reports_read
from survey.selectors import round_get_or_404

from .excel.households import households_export
from .excel.layout import Signing, download_names
from .excel.summary import report_workbook
from .exports import export_job_file, export_job_start, signing_for
from .models import ExportJob
from .selectors import BASIS_LABELS, ReportScope, household_list_on_the_web, report_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope_or_404(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> ReportScope:
    review_round = round_get_or_404(request.user, round_id)
    unit = get_visible_unit_or_404(request.user, unit_id)
    try:
        return report_scope(review_round, unit, basis=request.GET.get("basis", "approved"))
    except ValidationError as exc:  # a unit of another province or tree edition, or a bad basis
        raise Http404 from exc


def _attachment(
    response: HttpResponseBase, kind: str, scope: ReportScope, made_on: date
) -> HttpResponseBase:
    # Unit, round, basis and day: two downloads never share a name. ASCII for every client, and
    # the Vietnamese name (RFC 6266 / 5987) for those that read it.
    ascii_name, readable = download_names(kind, scope, made_on)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx(content: bytes, kind: str, scope: ReportScope) -> HttpResponseBase:
    return _attachment(HttpResponse(content, content_type=XLSX), kind, scope, timezone.localdate())


def _signing(request: AuthedHttpRequest, scope: ReportScope) -> Signing:
    return signing_for(request.user, scope)


@require_GET
@reports_read()
def workbook_download(
    request: AuthedHttpRequest, round_id: UUID, unit_id: UUID
) -> HttpResponseBase:
    scope = _scope_or_404(request, round_id, unit_id)
    content = report_workbook(
        scope, signing=_signing(request, scope), with_integrity=reads_integrity(request.user)
    )
    return _xlsx(content, "summary", scope)


@require_GET
@reports_read()
def households_download(
    request: AuthedHttpRequest, round_id: UUID, unit_id: UUID
) -> HttpResponseBase:
    scope = _scope_or_404(request, round_id, unit_id)
    if not household_list_on_the_web(scope.unit):
        raise Http404
    buffer = BytesIO()
    households_export(scope, buffer, signing=_signing(request, scope))
    return _xlsx(buffer.getvalue(), "households", scope)


@require_POST
def households_job_start(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    """Start the household list of a unit in the background (a district's or a province's: too
    large to make while the browser waits), then show its progress."""
    scope = _scope_or_404(request, round_id, unit_id)
    job = export_job_start(user=request.user, scope=scope)
    return redirect("report_downloads:job", job_id=job.public_id)


def _job_or_404(request: AuthedHttpRequest, job_id: UUID) -> tuple[ExportJob, ReportScope]:
    """The user's own job, while they may still see its round and unit; anyone else's is a 404."""
    job = (
        ExportJob.objects.select_related("review_round", "unit")
        .filter(public_id=job_id, user=request.user)
        .first()
    )
    if job is None:
        raise Http404
    review_round = round_get_or_404(request.user, job.review_round.public_id)
    unit = get_visible_unit_or_404(request.user, job.unit.public_id)
    try:
        return job, report_scope(review_round, unit, basis=job.basis)
    except ValidationError as exc:
        raise Http404 from exc


@require_GET
def job_status(request: AuthedHttpRequest, job_id: UUID) -> HttpResponse:
    """The job's progress: the whole page, or (htmx polling) its status part alone."""
    job, scope = _job_or_404(request, job_id)
    ready = export_job_file(job) is not None
    context = {
        "job": job,
        "scope": scope,
        "round": scope.review_round,
        "unit": scope.unit,
        "basis_labels": BASIS_LABELS,
        "pending": job.status in {ExportJob.Status.QUEUED, ExportJob.Status.RUNNING},
        "ready": ready,
        "expired": job.status == ExportJob.Status.EXPIRED
        or (job.status == ExportJob.Status.DONE and not ready),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "reports/_export_job.html" if partial else "reports/export_job.html"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def job_file(request: AuthedHttpRequest, job_id: UUID) -> HttpResponseBase:
    """The job's workbook, to its owner only; once deleted or past its time, a page that says so."""
    job, scope = _job_or_404(request, job_id)
    path = export_job_file(job)
    if path is None:
        if job.status != ExportJob.Status.DONE and job.status != ExportJob.Status.EXPIRED:
            return redirect("report_downloads:job", job_id=job.public_id)  # not made (yet)
        response = render(
            request,
            "reports/export_expired.html",
            {"job": job, "scope": scope, "round": scope.review_round, "unit": scope.unit},
            status=410,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    made_on = timezone.localdate(job.finished_at or job.created_at)
    return _attachment(
        FileResponse(path.open("rb"), content_type=XLSX), ExportJob.Kind.HOUSEHOLDS, scope, made_on
    )
