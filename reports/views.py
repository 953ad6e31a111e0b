"""Report pages: a table and a chart each, for a round and any unit the user may see."""

from decimal import InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.scoping import (
    get_visible_unit_or_404,
    provinces_managed,
    reads_integrity,
    reads_nation,
    visible_units,
)
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.db import reports_read
from survey.models import ReviewRound
from survey.selectors import round_get_or_404, rounds_visible

from .charts import bar_chart
from .forms import TargetForm
from .national import national_summary
from .official_pages import OFFICIAL_REPORTS, official_context
from .selectors import (
    BASIS_LABELS,
    ReportScope,
    household_list_on_the_web,
    report_scope,
    report_tables,
)
from .services import target_record

REPORTS = [
    ("summary", "Tổng hợp"),
    ("movements", "Biến động"),
    ("deprivations", "Thiếu hụt dịch vụ xã hội cơ bản"),
    ("areas", "Thành thị, nông thôn"),
    *OFFICIAL_REPORTS,
    ("causes", "Nguyên nhân nghèo"),
    ("needs", "Nhu cầu hỗ trợ"),
]

# Only for district staff, provincial staff and admins (reports.integrity_views).
INTEGRITY_TAB = ("integrity", "Dấu hiệu cần xem xét")


def report_tabs(user: User) -> list[tuple[str, str]]:
    """The report tabs the user sees: the integrity findings only for those who read them."""
    return [*REPORTS, INTEGRITY_TAB] if reads_integrity(user) else REPORTS


def report_index(request: AuthedHttpRequest) -> HttpResponse:
    # Reports are of the commune and above; surveyors and village heads see only their villages.
    if request.user.is_field_worker:
        raise Http404
    rounds = list(rounds_visible(request.user).order_by("-year", "-month")[:50])
    if not rounds:
        return render(request, "reports/index.html", {"rounds": []})
    chosen = next((r for r in rounds if str(r.public_id) == request.GET.get("round")), rounds[0])
    unit = request.user.unit or chosen.province
    if not unit.path.startswith(chosen.province.path) or unit.level == AdminUnit.Level.VILLAGE:
        unit = chosen.province
    return redirect(
        "reports:report", round_id=chosen.public_id, unit_id=unit.public_id, kind="summary"
    )


@require_GET
@reports_read()
def national(request: AuthedHttpRequest) -> HttpResponse:
    """Every province's periodic round of a year, from the per-commune aggregates: admins only."""
    if not reads_nation(request.user):
        raise Http404
    years = sorted(
        set(
            ReviewRound.objects.filter(kind=ReviewRound.Kind.PERIODIC).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    if year not in years:
        year = years[0] if years else None
    basis = request.GET.get("basis", "approved")
    basis = basis if basis in BASIS_LABELS else "approved"
    return render(
        request,
        "reports/national.html",
        {
            "years": years,
            "year": year,
            "basis": basis,
            "basis_labels": BASIS_LABELS,
            "nation": national_summary(year, basis) if year else None,
        },
    )


def _scope(request: AuthedHttpRequest, round_id: str, unit_id: str) -> ReportScope:
    review_round = round_get_or_404(request.user, round_id)
    unit = get_visible_unit_or_404(request.user, unit_id)
    basis = request.GET.get("basis", "approved")
    try:
        return report_scope(
            review_round, unit, basis=basis if basis in BASIS_LABELS else "approved"
        )
    except ValidationError as exc:
        raise Http404 from exc


# Reads only: on the read replica when one is configured (core.db). Rendered inside, so the
# template's lazy querysets read there too.
@reports_read()
def report(request: AuthedHttpRequest, round_id: str, unit_id: str, kind: str) -> HttpResponse:
    if kind not in dict(REPORTS) and kind != "groups":
        raise Http404
    scope = _scope(request, round_id, unit_id)
    if kind == "groups":  # the old groups page: Biểu 08 (policy groups) holds all it showed
        target = reverse("reports:report", args=[round_id, unit_id, "policy_groups"])
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target, permanent=True)
    context: dict[str, object] = {
        "scope": scope,
        "round": scope.review_round,
        "unit": scope.unit,
        "kind": kind,
        "reports": report_tabs(request.user),
        "basis_labels": BASIS_LABELS,
        "household_list_on_the_web": household_list_on_the_web(scope.unit),
        "rounds": rounds_visible(request.user).filter(
            province__edition=scope.review_round.province.edition
        ),
    }
    # Breadcrumb: the ancestors the user may see (a district reader's stops at the district).
    context["ancestors"] = (
        visible_units(request.user).filter(path__in=scope.unit.ancestor_paths()).order_by("path")
    )
    # The same tables the workbook lays out: the page and the download cannot disagree.
    tables = report_tables(scope)
    if kind in ("summary", "deprivations"):  # (their tables show its counts; the others don't)
        context["summary"] = tables.summary
    if kind == "summary":
        context["chart"] = bar_chart(
            [row.label for row in tables.summary.rows],
            [
                (_("Tỷ lệ hộ nghèo"), [row.poor_rate for row in tables.summary.rows]),
                (_("Tỷ lệ hộ cận nghèo"), [row.near_poor_rate for row in tables.summary.rows]),
            ],
            suffix="%",
            title=_("Tỷ lệ hộ nghèo, cận nghèo theo đơn vị"),
        )
        context["can_set_target"] = (
            scope.unit.level == AdminUnit.Level.PROVINCE
            and provinces_managed(request.user).filter(pk=scope.unit.pk).exists()
        )
    elif kind == "movements":
        poor, near = tables.poor_movements, tables.near_poor_movements
        context["tables"] = [(_("Hộ nghèo"), poor), (_("Hộ cận nghèo"), near)]
        context["unbalanced"] = [
            (item, _("Hộ nghèo") if item.target == "poor" else _("Hộ cận nghèo"))
            for item in tables.unbalanced()
        ]
        context["previous_round"] = poor.previous_round
        context["previous_rounds"] = poor.previous_rounds
        context["chart"] = bar_chart(
            [_("Đầu kỳ"), _("Giảm"), _("Chưa có kết quả"), _("Tăng"), _("Cuối kỳ")],
            [
                (
                    title,
                    [t.start, t.decreases, t.pending, t.increases, t.end],
                )
                for title, t in (
                    (_("Hộ nghèo"), poor.households_total),
                    (_("Hộ cận nghèo"), near.households_total),
                )
            ],
            title=_("Biến động hộ nghèo, cận nghèo"),
        )
    elif kind == "deprivations":
        rows = tables.deprivations
        context["rows"] = rows
        context["chart"] = bar_chart(
            [row.label for row in rows],
            [
                (_("Hộ nghèo"), [row.poor_rate for row in rows]),
                (_("Hộ cận nghèo"), [row.near_poor_rate for row in rows]),
            ],
            suffix="%",
            title=_("Tỷ lệ thiếu hụt theo chỉ số"),
        )
    elif kind == "areas":
        split = tables.areas
        context["areas"] = split
        context["movement_tables"] = [
            (
                title,
                target,
                [(part, *part.movement(target)) for part in split.parts],
                split.movement_total(target),
            )
            for title, target in ((_("Hộ nghèo"), "poor"), (_("Hộ cận nghèo"), "near_poor"))
        ]
        context["previous_round"] = tables.poor_movements.previous_round
        context["previous_rounds"] = tables.poor_movements.previous_rounds
        context["unbalanced"] = [
            (item, _("Hộ nghèo") if target == "poor" else _("Hộ cận nghèo"))
            for target in ("poor", "near_poor")
            for item in split.unbalanced(target)
        ]
        context["by_district"] = scope.child_level == AdminUnit.Level.DISTRICT
        totals = [part.summary_total for part in split.parts] + [split.summary_total]
        context["chart"] = bar_chart(
            [_("Thành thị"), _("Nông thôn"), _("Tổng cộng")],
            [
                (_("Tỷ lệ hộ nghèo"), [row.poor_rate for row in totals]),
                (_("Tỷ lệ hộ cận nghèo"), [row.near_poor_rate for row in totals]),
            ],
            suffix="%",
            title=_("Tỷ lệ hộ nghèo, cận nghèo theo khu vực"),
        )
    elif kind in dict(OFFICIAL_REPORTS):
        context.update(official_context(tables, kind))
    elif kind in ("causes", "needs"):
        answers = tables.poverty_causes if kind == "causes" else tables.support_needs
        context["answer_tables"] = list(answers.values())
        of_poor, of_near = answers["poor"], answers["near_poor"]
        context["chart"] = bar_chart(
            [label for _key, label in of_poor.choices],
            [
                (_("Hộ nghèo"), [r for _n, r in of_poor.total_cells]),
                (_("Hộ cận nghèo"), [r for _n, r in of_near.total_cells]),
            ],
            suffix="%",
            title=_("Tỷ lệ hộ theo nguyên nhân nghèo")
            if kind == "causes"
            else _("Tỷ lệ hộ theo nhu cầu hỗ trợ"),
        )
    return render(request, f"reports/{kind}.html", context)


@require_POST
def target_set(request: AuthedHttpRequest, round_id: str, unit_id: str) -> HttpResponse:
    scope = _scope(request, round_id, unit_id)
    if not provinces_managed(request.user).filter(pk=scope.unit.pk).exists():
        raise Http404
    form = TargetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("reports:report", round_id=round_id, unit_id=unit_id, kind="summary")
    try:
        target_record(
            actor=request.user,
            province=scope.unit,
            year=scope.review_round.year,
            rate=form.cleaned_data["target"],
            basis=form.cleaned_data["basis_text"],
        )
    except (InvalidOperation, ValidationError) as exc:
        # InvalidOperation: "NaN" parses as a Decimal but cannot be compared with the range.
        messages.error(
            request,
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else _("Tỷ lệ mục tiêu phải là một số, ví dụ 2,5."),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Đã ghi chỉ tiêu tỷ lệ hộ nghèo."))
    return redirect("reports:report", round_id=round_id, unit_id=unit_id, kind="summary")
