"""The list of households to review in a round, per commune (QĐ 24/2021/QĐ-TTg, Điều 4, step 1):
last periodic round's poor and near-poor households, households that applied, households the
village proposes, and any household the commune officer adds with a reason."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import audit_record
from areas.models import AdminUnit
from households.models import Household
from households.selectors import households_changeable

from .models import Classification, ReviewListEntry, ReviewRound, SurveyResponse
from .selectors import previous_round

Source = ReviewListEntry.Source
ON_LIST = (Classification.POOR, Classification.NEAR_POOR)

# The exemption rule of Phiếu A is not in the sources read (domain-research §5, gap 1): the
# message names the step of the procedure it follows from and says it is unverified.
FORM_B_RULE = gettext_lazy(
    "QĐ 24/2021/QĐ-TTg, Điều 4: hộ nghèo, hộ cận nghèo của đợt trước thuộc danh sách hộ cần rà "
    "soát và phải được rà soát bằng Phiếu B (điều khoản cụ thể về Phiếu A chưa kiểm chứng với "
    "văn bản gốc)"
)


def previous_listing(review_round: ReviewRound, household: Household) -> SurveyResponse | None:
    """The household's approved poor or near-poor result of the previous periodic round, if any:
    such a household must get Phiếu B in this round."""
    previous = previous_round(review_round)
    if previous is None:
        return None
    return (
        SurveyResponse.objects.filter(
            review_round=previous,
            household=household,
            status=SurveyResponse.Status.APPROVED,
            final_classification__in=ON_LIST,
        )
        .select_related("review_round")
        .first()
    )


def form_b_required_message(listing: SurveyResponse) -> str:
    return _(
        "Hộ là %(c)s của đợt %(y)s: không được dừng ở Phiếu A, phải rà soát bằng Phiếu B "
        "(%(rule)s)."
    ) % {
        "c": listing.get_final_classification_display().lower(),
        "y": listing.review_round.year,
        "rule": FORM_B_RULE,
    }


def _check_commune(actor: User, review_round: ReviewRound, commune: AdminUnit) -> None:
    if not actor.is_admin and not (
        actor.role == User.Role.COMMUNE_OFFICER and actor.unit_id == commune.pk
    ):
        raise PermissionDenied
    if commune.level != AdminUnit.Level.COMMUNE or not commune.path.startswith(
        review_round.province.path
    ):
        raise ValidationError(_("Xã không thuộc tỉnh của đợt rà soát."))
    if review_round.status != ReviewRound.Status.OPEN:
        raise ValidationError(_("Đợt rà soát đã kết thúc."))


@transaction.atomic
def review_list_build(
    *, actor: User, review_round: ReviewRound, commune: AdminUnit
) -> list[ReviewListEntry]:
    """Put the previous periodic round's approved poor and near-poor households of the commune on
    its list. Idempotent: households already listed from that source are left as they are.
    Returns the entries added."""
    _check_commune(actor, review_round, commune)
    previous = previous_round(review_round)
    if previous is None:
        return []
    listed = ReviewListEntry.objects.filter(
        review_round=review_round, source=Source.PREVIOUS_LIST
    ).values("household_id")
    rows = (
        SurveyResponse.objects.filter(
            review_round=previous,
            status=SurveyResponse.Status.APPROVED,
            final_classification__in=ON_LIST,
            household__commune=commune,
            household__status=Household.Status.ACTIVE,
        )
        .exclude(household_id__in=listed)
        .values_list("household_id", "final_classification")
    )
    entries = ReviewListEntry.objects.bulk_create(
        [
            ReviewListEntry(
                review_round=review_round,
                household_id=household_id,
                commune=commune,
                source=Source.PREVIOUS_LIST,
                previous_classification=classification,
                reason=_("Kết quả đợt %(y)s") % {"y": previous.year},
                added_by=actor,
            )
            for household_id, classification in rows
        ],
        ignore_conflicts=True,
    )
    audit_record(
        actor=actor,
        action="review_list_build",
        target=review_round,
        unit=commune,
        changes={"previous_round": previous.year, "added": len(entries)},
    )
    return entries


def review_lists_open(*, actor: User, review_round: ReviewRound) -> int:
    """When a periodic round opens: every commune's list starts with the previous periodic round's
    approved poor and near-poor households (still active), in one read and batched inserts.

    The caller holds the transaction (round_open). Returns how many entries were added.
    """
    previous = previous_round(review_round)
    if previous is None or review_round.kind != ReviewRound.Kind.PERIODIC:
        return 0
    rows = (
        SurveyResponse.objects.filter(
            review_round=previous,
            status=SurveyResponse.Status.APPROVED,
            final_classification__in=ON_LIST,
            household__status=Household.Status.ACTIVE,
            household__commune__path__startswith=review_round.province.path,
        )
        .values_list("household_id", "household__commune_id", "final_classification")
        .iterator(chunk_size=5000)
    )
    reason = _("Kết quả đợt %(y)s") % {"y": previous.year}
    entries = ReviewListEntry.objects.bulk_create(
        (
            ReviewListEntry(
                review_round=review_round,
                household_id=household_id,
                commune_id=commune_id,
                source=Source.PREVIOUS_LIST,
                previous_classification=classification,
                reason=reason,
                added_by=actor,
            )
            for household_id, commune_id, classification in rows
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    return len(entries)


@transaction.atomic
def review_list_add(
    *,
    actor: User,
    review_round: ReviewRound,
    household: Household,
    source: str,
    applied_on: date | None = None,
    applicant: str = "",
    form_number: str = "",
    reason: str = "",
) -> ReviewListEntry:
    """Add a household to the list: an application (date, applicant, form number), a village's
    proposal (date, who proposed) or the officer's own choice (with a reason). Last round's poor
    and near-poor come only from `review_list_build`, from the approved results."""
    if not households_changeable(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    _check_commune(actor, review_round, household.commune)
    if not household.is_active:
        raise ValidationError(_("Hộ không còn cư trú: không rà soát."))
    applicant, form_number = " ".join(applicant.split()), " ".join(form_number.split())
    reason = reason.strip()
    errors: dict[str, str] = {}
    if source == Source.APPLICATION:
        if applied_on is None:
            errors["applied_on"] = _("Hãy ghi ngày nộp đơn.")
        if not applicant:
            errors["applicant"] = _("Hãy ghi người nộp đơn.")
        if not form_number:
            errors["form_number"] = _("Hãy ghi số đơn.")
    elif source == Source.VILLAGE_PROPOSAL:
        if applied_on is None:
            errors["applied_on"] = _("Hãy ghi ngày thôn đề xuất.")
        if not applicant:
            errors["applicant"] = _("Hãy ghi người đề xuất (trưởng thôn, tổ chức...).")
    elif source == Source.OFFICER:
        if not reason:
            errors["reason"] = _("Hãy ghi lý do đưa hộ vào danh sách.")
    else:
        errors["source"] = _("Nguồn không hợp lệ.")
    if applied_on is not None and applied_on > timezone.localdate():
        errors["applied_on"] = _("Ngày không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            entry = ReviewListEntry.objects.create(
                review_round=review_round,
                household=household,
                commune=household.commune,
                source=source,
                applied_on=applied_on,
                applicant=applicant,
                form_number=form_number,
                reason=reason,
                added_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Hộ đã có trong danh sách với nguồn này.")) from exc
    audit_record(
        actor=actor,
        action="review_list_add",
        target=entry,
        unit=household.village,
        changes={
            "source": source,
            "applied_on": applied_on.isoformat() if applied_on else None,
            "applicant": applicant,
            "form_number": form_number,
        },
        reason=reason,
    )
    return entry


def review_list_entries(review_round: ReviewRound, commune: AdminUnit) -> QuerySet[ReviewListEntry]:
    """A commune's list in one query, each entry with its household, village and the status of
    the household's form in this round ("" when no form is started)."""
    form = SurveyResponse.objects.filter(review_round=review_round, household=OuterRef("household"))
    return (
        ReviewListEntry.objects.filter(review_round=review_round, commune=commune)
        .select_related("household", "household__village", "added_by")
        .annotate(form_status=Subquery(form.values("status")[:1]))
        .order_by("household__village__path", "household__head_name_key", "household_id", "id")
    )
