"""What district and provincial staff recorded about the integrity findings (reports.integrity)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit
from survey.models import ReviewRound


class FindingFollowUp(models.Model):
    """One follow-up of an integrity finding: checked and found fine, or corrected, with a note.

    Findings are computed, not stored: a follow-up is kept by the finding's key (kind, commune
    code, what it is about), so it stays attached when the report is run again. Several
    follow-ups of one finding are kept (the latest shows); nothing is overwritten."""

    class Outcome(models.TextChoices):
        FINE = "fine", _("Đã kiểm tra: không có sai sót")
        CORRECTED = "corrected", _("Đã kiểm tra: đã sửa")

    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    # The unit whose report the finding was recorded on (a province, a district or a commune).
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    outcome = models.CharField(_("kết luận"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("ghi chú"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả xem xét dấu hiệu")
        verbose_name_plural = _("kết quả xem xét dấu hiệu")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["review_round", "key"], name="follow_up_round_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.get_outcome_display()}"
