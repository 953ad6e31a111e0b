"""Excel downloads of the reports: the summary workbook of any unit the user may see, and the
detailed household list of a commune or a village (larger units: `manage.py export_report`).

Thin views: scope through accounts.scoping (out of reach is a 404), then one call to a workbook
of reports.excel.
"""

from io import BytesIO
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from accounts.scoping import get_visible_unit_or_404
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from survey.selectors import round_get_or_404

from .excel.households import households_export
from .excel.layout import place_name
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


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # The file name carries the year and the unit's code, never a name or anything personal.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _place(unit: AdminUnit) -> str:
    # A village's documents are signed at its commune.
    if unit.level == AdminUnit.Level.VILLAGE and unit.parent is not None:
        return place_name(unit.parent)
    return place_name(unit)


@require_GET
def workbook_download(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    scope = _scope_or_404(request, round_id, unit_id)
    content = report_workbook(
        scope,
        prepared_by=request.user.get_full_name() or request.user.username,
        place=_place(scope.unit),
    )
    return _xlsx(content, f"bao-cao-{scope.review_round.year}-{scope.unit.code}.xlsx")


@require_GET
def households_download(request: AuthedHttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    scope = _scope_or_404(request, round_id, unit_id)
    if not household_list_on_the_web(scope.unit):
        raise Http404
    buffer = BytesIO()
    households_export(scope, buffer)
    return _xlsx(
        buffer.getvalue(), f"danh-sach-ho-{scope.review_round.year}-{scope.unit.code}.xlsx"
    )
