"""Last year's approved list as the baseline of a commune's first round on the app.

A commune that starts on the app has its previous year's approved lists of poor and near-poor
households on paper (the chairman's decision). Bringing them in as that year's round results,
marked imported and carrying the decision's number and date, makes the first round's movement
tables right: who left poverty, who is new, who fell from near-poor.

Imported results are not forms: they have no answers, no score and no deprivations, and say so in
their explanation. They are written only where the commune has no forms of its own in that round,
and importing the list again replaces the commune's imported results of that year (audited).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.scoping import changeable_units, province_path_of
from accounts.services import audit_event
from areas.models import AdminUnit
from households.models import Household
from survey.engine import EngineError, standard_for_year

from .models import Classification, ReviewRound, SurveyResponse

BASELINE_CLASSES = (Classification.POOR, Classification.NEAR_POOR)


@dataclass(frozen=True)
class BaselineResult:
    review_round: ReviewRound
    created: int
    updated: int
    removed: int


def _author(actor: User | None) -> User:
    """Who the rows are written by: the user, or (from the command line) the first admin."""
    author = actor or User.objects.filter(role=User.Role.ADMIN, is_active=True).first()
    if author is None:
        raise ValidationError(_("Cần một tài khoản quản trị để ghi danh sách năm trước."))
    return author


def baseline_round(*, actor: User | None, commune: AdminUnit, year: int) -> ReviewRound:
    """The periodic round of `year` in the commune's province: found, or opened closed."""
    province = AdminUnit.objects.get(path=province_path_of(commune))
    found = ReviewRound.objects.filter(
        province=province, year=year, kind=ReviewRound.Kind.PERIODIC
    ).first()
    if found is not None:
        return found
    try:
        standard = standard_for_year(year)
    except EngineError as exc:
        raise ValidationError({"year": str(exc)}) from exc
    return ReviewRound.objects.create(
        province=province,
        year=year,
        kind=ReviewRound.Kind.PERIODIC,
        standard_code=standard.code,
        starts_on=date(year, 9, 1),
        ends_on=date(year, 12, 14),
        status=ReviewRound.Status.CLOSED,
        opened_by=_author(actor),
    )


@transaction.atomic
def baseline_import(
    *,
    actor: User | None,
    commune: AdminUnit,
    year: int,
    decision_number: str,
    decision_date: date,
    entries: Iterable[tuple[Household, str]],
) -> BaselineResult:
    """Record the commune's approved list of `year` (households and their class) as imported
    results of that year's periodic round; all or nothing."""
    if actor is not None and not (
        actor.is_admin or changeable_units(actor).filter(parent=commune).exists()
    ):
        raise PermissionDenied
    number = " ".join(decision_number.split())
    if not number:
        raise ValidationError(
            {"decision_number": _("Ghi số quyết định phê duyệt danh sách năm trước.")}
        )
    if decision_date.year not in (year, year + 1) or decision_date > timezone.localdate():
        raise ValidationError(
            {
                "decision_date": _(
                    "Ngày quyết định phải trong năm %(y)d hoặc đầu năm sau, và không sau hôm nay."
                )
                % {"y": year}
            }
        )
    chosen = {h.pk: (h, cls) for h, cls in entries}
    for household, cls in chosen.values():
        if household.commune_id != commune.pk:
            raise ValidationError(_("Có hộ không thuộc xã này."))
        if cls not in BASELINE_CLASSES:
            raise ValidationError(_("Danh sách năm trước chỉ gồm hộ nghèo và hộ cận nghèo."))
    author = _author(actor)
    review_round = baseline_round(actor=author, commune=commune, year=year)
    rows = SurveyResponse.objects.select_for_update().filter(
        review_round=review_round, commune=commune
    )
    if rows.filter(imported=False).exists():
        raise ValidationError(
            _(
                "Xã đã có phiếu rà soát của năm %(y)d trên phần mềm: danh sách năm đó lấy từ các "
                "phiếu, không nhập thêm."
            )
            % {"y": year}
        )
    existing = {r.household_id: r for r in rows}
    now = timezone.now()
    explanation = {
        "rule": "imported",
        "reason": _(
            "Kết quả năm %(y)d nhập từ danh sách đã phê duyệt theo Quyết định số %(n)s ngày "
            "%(d)s; không có phiếu trên phần mềm."
        )
        % {"y": year, "n": number, "d": f"{decision_date:%d/%m/%Y}"},
    }
    created, updated, events = [], 0, []
    for household, cls in chosen.values():
        row = existing.pop(household.pk, None)
        if row is None:
            row = SurveyResponse(
                review_round=review_round,
                household=household,
                commune=commune,
                village=household.village,
                created_by=author,
                imported=True,
                status=SurveyResponse.Status.APPROVED,
                standard_code=review_round.standard_code,
            )
            created.append(row)
        elif (row.final_classification, row.decision_number, row.decision_date) == (
            cls,
            number,
            decision_date,
        ):
            continue
        else:
            updated += 1
        row.computed_classification = row.final_classification = cls
        row.decision_number, row.decision_date, row.approved_at = number, decision_date, now
        row.explanation = explanation
        row.member_count = household.members.filter(status="present").count()
        if row.pk:
            row.version += 1
            row.save()
        events.append(
            audit_event(
                actor=actor,
                action="baseline_import",
                target=household,
                unit=household.village,
                changes={"year": year, "classification": cls, "decision": number},
            )
        )
    SurveyResponse.objects.bulk_create(created, batch_size=1000)
    removed = list(existing.values())
    for row in removed:
        events.append(
            audit_event(
                actor=actor,
                action="baseline_remove",
                target=row.household,
                unit=row.village,
                changes={"year": year, "classification": row.final_classification},
            )
        )
    SurveyResponse.objects.filter(pk__in=[r.pk for r in removed]).delete()
    AuditEvent.objects.bulk_create(events)
    return BaselineResult(review_round, len(created), updated, len(removed))


def baseline_from_list(
    *,
    actor: User | None,
    commune: AdminUnit,
    year: int,
    decision_number: str,
    decision_date: date,
    numbers: list[tuple[str, str]],
) -> BaselineResult:
    """`baseline_import` for households named by their number in the commune (an import file's
    "Phân loại năm trước" column)."""
    households = {
        h.number: h
        for h in Household.objects.filter(
            commune=commune, number__in=[n for n, _cls in numbers]
        ).select_related("village")
    }
    missing = [n for n, _cls in numbers if n not in households]
    if missing:
        raise ValidationError(
            _("Không có hộ mang mã %(n)s trong xã.") % {"n": ", ".join(missing[:10])}
        )
    return baseline_import(
        actor=actor,
        commune=commune,
        year=year,
        decision_number=decision_number,
        decision_date=decision_date,
        entries=[(households[n], cls) for n, cls in numbers],
    )
