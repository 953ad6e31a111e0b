"""Writes of the integrity watch: the follow-up of a finding."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import reads_integrity, visible_units
from accounts.services import audit_record
from areas.models import AdminUnit
from survey.models import ReviewRound
from survey.selectors import rounds_visible

from ..models import FindingFollowUp
from .types import KINDS


@transaction.atomic
def finding_follow_up_record(
    *,
    actor: User,
    review_round: ReviewRound,
    unit: AdminUnit,
    key: str,
    outcome: str,
    note: str,
) -> FindingFollowUp:
    """Record what a district or provincial inspector found on a second look at a finding.

    A finding is a question: the answer (checked and fine, or corrected) needs a note saying what
    was checked, so the next reader knows why the signal was let go. The finding's key names its
    kind and the unit it was seen in (`types.Finding.key`), which must lie within `unit`; the
    report is not recomputed here (at province scale it takes seconds)."""
    if not reads_integrity(actor):
        raise PermissionDenied
    if not rounds_visible(actor).filter(pk=review_round.pk).exists():
        raise PermissionDenied
    if not visible_units(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied
    parts = key.split(":")
    if len(key) > 200 or len(parts) < 2 or parts[0] not in KINDS:
        raise ValidationError(_("Không rõ dấu hiệu cần ghi kết quả xem xét."))
    seen_in = AdminUnit.objects.filter(
        edition_id=review_round.province.edition_id, code=parts[1], path__startswith=unit.path
    ).first()
    if seen_in is None:
        raise PermissionDenied
    if outcome not in FindingFollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Hãy chọn kết luận.")})
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Hãy ghi đã kiểm tra những gì và thấy gì.")})
    follow_up = FindingFollowUp.objects.create(
        review_round=review_round,
        unit=unit,
        key=key,
        outcome=outcome,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="finding_follow_up_record",
        target=follow_up,
        unit=seen_in,
        changes={"key": key, "outcome": outcome, "round": review_round.year},
        reason=note,
    )
    return follow_up
