"""What district and provincial staff recorded about the integrity findings (reports.integrity),
and the downloads made in the background (reports.exports)."""

import uuid
from typing import Any

import orjson
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


# --- Per-commune aggregates of the reports (decision record 0017) ---------------------------------


class FactData(models.JSONField):
    """A JSON column read with orjson: a province's report by commune decodes 1,200 of them per
    family, and the standard library's decoder was a third of that report's time (5-9 ms a
    family at 1M households). Written as any JSONField; the stored figures are small integers,
    lists and names, which both decoders read alike."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str):  # (as JSONField.from_db_value, which uses json.loads)
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                return value
        return super().from_db_value(value, expression, connection)


class CommuneFact(models.Model):
    """What one commune's counted responses add to one family of report figures, for one round
    and basis: the summary counts, the poor and near-poor by ethnic group and policy group, their
    deprivations, causes and needs (`reports.aggregates.FAMILIES`). `data` holds the non-zero
    measures by name, or for a family with a dimension, by its value (`commune_facts`).

    Written only by `reports.aggregates` (rebuilt from the forms, commune by commune, when a
    trigger has marked the commune: `FactMark`); read by the reports of a district, a province and
    the nation instead of the forms."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=10)
    family = models.CharField(max_length=16)
    commune = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    data = FactData(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "basis", "family", "commune"], name="commune_fact_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.basis} {self.commune_id}"


class MovementFact(models.Model):
    """The movement groups of one round and basis (`reports.selectors.MovementFacts.groups`,
    leaves being communes) made by the households whose commune now is `owner`: the movement
    tables of a district, a province or an area sum them over the owners."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=10)
    owner = models.IntegerField()
    sleaf = models.IntegerField(null=True)
    eleaf = models.IntegerField(null=True)
    # NULL as in the groups: no counted result at that end (not "", which no query yields).
    prev_class = models.CharField(max_length=16, null=True)  # noqa: DJ001
    cur_class = models.CharField(max_length=16, null=True)  # noqa: DJ001
    poor_before = models.BooleanField()
    near_poor_before = models.BooleanField()
    arrived = models.BooleanField()
    counted = models.BooleanField()
    resident_or_filed = models.BooleanField()
    n = models.IntegerField()
    prev_n = models.IntegerField()
    cur_n = models.IntegerField()
    gain = models.IntegerField()
    loss = models.IntegerField()
    n_prev_minority = models.IntegerField()
    prev_n_prev_minority = models.IntegerField()
    n_cur_minority = models.IntegerField()
    cur_n_cur_minority = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["review_round", "basis", "owner"], name="movement_fact_owner")
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.owner}: {self.sleaf} -> {self.eleaf} ({self.n})"


class FactMark(models.Model):
    """A commune whose aggregates of a round are to be rebuilt, written by database triggers in
    the transaction of the change (migration 0003): kind "r" for the response figures of the
    commune a form is filed under, "m" for the movement groups of the households living in the
    commune; no commune: the whole round. Consumed by `reports.aggregates.fold_marks`."""

    review_round_id = models.IntegerField()
    kind = models.CharField(max_length=1)
    commune_id = models.IntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["review_round_id"], name="fact_mark_round")]

    def __str__(self) -> str:
        return f"{self.review_round_id} {self.kind} {self.commune_id}"


class RoundLink(models.Model):
    """Round `target`'s movement figures read the forms of round `source` (itself, the previous
    rounds and those before): a trigger on a form of `source` marks `target` too. Kept by
    `reports.aggregates` when it rebuilds `target`."""

    source_id = models.IntegerField()
    target_id = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_id", "target_id"], name="round_link_key")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


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
