"""Excel downloads of the reports: the summary workbook of any unit the user may see, and the
detailed household list of a commune or a village (larger units: `manage.py export_report`).

Thin views: scope through accounts.scoping (out of reach is a 404), then one call to a workbook
of reports.excel. They only read: on the read replica when one is configured (core.db).
"""

from io import BytesIO
from urllib.parse import quote
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.scoping import get_visible_unit_or_404, reads_integrity
from accounts.types import AuthedHttpRequest
from core.db import reports_read
from survey.selectors import round_get_or_404

from .excel.households import households_export
from .excel.layout import Signing, download_names, place_name, preparer_name, signing_unit
from .excel.summary import report_workbook
from .selectors import ReportScope, household_list_on_the_web, report_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope_or_404(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> ReportScope:
    review_round = round_get_or_404(request.user, round_id)
    unit = get_visible_unit_or_404(request.user, unit_id)
    try:
        return report_scope(review_round, unit, basis=request.GET.get("basis", "approved"))
    except ValidationError as exc:  # a unit of another province or tree edition, or a bad basis
        raise Http404 from exc


def _xlsx(content: bytes, kind: str, scope: ReportScope) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # Unit, round, basis and day: two downloads never share a name. ASCII for every client, and
    # the Vietnamese name (RFC 6266 / 5987) for those that read it.
    ascii_name, readable = download_names(kind, scope, timezone.localdate())
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _signing(request: AuthedHttpRequest, scope: ReportScope) -> Signing:
    """Who prepares the workbook: the user's name, their unit's office and place (an
    administrator, who serves no unit, signs for the report's unit)."""
    issuer = signing_unit(request.user.unit, scope.unit)
    return Signing(unit=issuer, prepared_by=preparer_name(request.user), place=place_name(issuer))


@require_GET
@reports_read()
def workbook_download(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    scope = _scope_or_404(request, round_id, unit_id)
    content = report_workbook(
        scope, signing=_signing(request, scope), with_integrity=reads_integrity(request.user)
    )
    return _xlsx(content, "summary", scope)


@require_GET
@reports_read()
def households_download(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    scope = _scope_or_404(request, round_id, unit_id)
    if not household_list_on_the_web(scope.unit):
        raise Http404
    buffer = BytesIO()
    households_export(scope, buffer, signing=_signing(request, scope))
    return _xlsx(buffer.getvalue(), "households", scope)
