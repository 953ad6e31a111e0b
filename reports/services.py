from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import provinces_managed
from accounts.services import audit_record
from areas.models import AdminUnit
from survey.models import ProvinceTarget


@transaction.atomic
def target_record(
    *, actor: User, province: AdminUnit, year: int, rate: Decimal, basis: str = ""
) -> ProvinceTarget:
    """Record the province's target poverty rate for a year (percent of resident households)."""
    if not provinces_managed(actor).filter(pk=province.pk).exists():
        raise PermissionDenied
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationError(_("Tỷ lệ mục tiêu phải từ 0 đến 100 (%)."))
    target, _created = ProvinceTarget.objects.update_or_create(
        province=province,
        year=year,
        defaults={
            "target_poverty_rate": rate.quantize(Decimal("0.01")),
            "basis": basis.strip(),
            "recorded_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="target_record",
        target=target,
        unit=province,
        changes={"year": year, "target_poverty_rate": str(target.target_poverty_rate)},
    )
    return target
