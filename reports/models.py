"""What district and provincial staff recorded about the integrity findings (reports.integrity),
and the downloads made in the background (reports.exports)."""

import uuid

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


class ExportJob(models.Model):
    """A download made in the background (the household list of a district or a province).

    Only the user who started it sees it (reports.download_views): its status page, its progress
    and its file, kept until `expires_at` and then deleted (reports.exports.export_jobs_purge).
    Its id in URLs, logs and file names is `public_id`, never anything personal. Status changes
    only in reports.exports (queued → running → done or failed; done → expired)."""

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("Danh sách hộ")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chuẩn bị tệp")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không tạo được tệp")
        EXPIRED = "expired", _("Tệp đã hết hạn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HOUSEHOLDS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # The file's name inside settings.DOWNLOADS_ROOT ("<public_id>.xlsx"); empty until done.
    file_name = models.CharField(max_length=64, blank=True)
    # The task backend's id of the run (for the operators: the worker's log names it).
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # What the user is told when it failed (never an exception's text: it may quote data).
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("tệp tải về")
        verbose_name_plural = _("tệp tải về")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="export_job_status_expiry"),
            models.Index(fields=["user", "-created_at"], name="export_job_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}: {self.status}"

    @property
    def percent(self) -> int:
        if self.status in {self.Status.DONE, self.Status.EXPIRED}:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
