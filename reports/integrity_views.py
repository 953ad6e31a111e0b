"""The integrity findings page (issue 13): for district staff, provincial staff and admins.

Thin: scope through accounts.scoping (a commune officer, surveyor or village head, and any unit or
round out of reach, is a 404), one call to the report, one service call for a follow-up.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.scoping import get_visible_unit_or_404, reads_integrity, visible_units
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from households.selectors import households_visible
from survey.selectors import round_get_or_404, rounds_visible

from .forms import FollowUpForm
from .integrity.findings import histogram, integrity_report
from .integrity.page import sections
from .integrity.services import finding_follow_up_record
from .integrity.thresholds import thresholds
from .selectors import BASIS_LABELS, report_scope
from .views import report_tabs


def integrity(request: AuthedHttpRequest, round_id: str, unit_id: str) -> HttpResponse:
    if not reads_integrity(request.user):
        raise Http404
    review_round = round_get_or_404(request.user, round_id)
    unit = get_visible_unit_or_404(request.user, unit_id)
    if unit.level == AdminUnit.Level.VILLAGE:
        raise Http404
    try:
        scope = report_scope(review_round, unit, basis="submitted")
    except ValidationError as exc:
        raise Http404 from exc
    if request.method == "POST":
        return _follow_up(request, scope.review_round, scope.unit)
    report = integrity_report(review_round, unit)
    context = {
        "scope": scope,
        "round": review_round,
        "unit": unit,
        "kind": "integrity",
        "reports": report_tabs(request.user),
        "basis_labels": BASIS_LABELS,
        "fixed_basis": True,
        "ancestors": visible_units(request.user)
        .filter(path__in=unit.ancestor_paths())
        .exclude(level=AdminUnit.Level.VILLAGE)
        .order_by("path"),
        "rounds": rounds_visible(request.user).filter(
            province__edition=review_round.province.edition
        ),
        "report": report,
        "sections": sections(report, households_visible(request.user)),
        # Tests with households near the cut-off (run, or too few to run) with their chart; the
        # others (none near it, or a cut-off the test does not apply to) listed apart.
        "tests": [
            (test, histogram(test))
            for test in report.tests
            if test.skipped is None or test.n_left + test.n_right
        ],
        # The communes with results (or a finding); those with none yet are only counted.
        "communes": [c for c in report.communes if c.results or c.findings],
        "communes_empty": sum(1 for c in report.communes if not (c.results or c.findings)),
        "tests_not_run": [
            test for test in report.tests if test.skipped and not test.n_left + test.n_right
        ],
        "limits": thresholds(),
        "form": FollowUpForm(),
        "by_district": unit.level == AdminUnit.Level.PROVINCE
        and review_round.province.edition.has_districts,
    }
    return render(request, "reports/integrity.html", context)


def _follow_up(request: AuthedHttpRequest, review_round, unit) -> HttpResponse:  # type: ignore[no-untyped-def]
    form = FollowUpForm(request.POST)
    target = redirect("reports:integrity", round_id=review_round.public_id, unit_id=unit.public_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return target
    try:
        finding_follow_up_record(
            actor=request.user,
            review_round=review_round,
            unit=unit,
            key=form.cleaned_data["key"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi kết quả xem xét."))
    return target
