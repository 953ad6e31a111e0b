"""Review rounds and each commune's count of resident households (the denominator of every rate)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit


class ReviewRound(models.Model):
    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Định kỳ hằng năm")
        REGULAR = "regular", _("Thường xuyên (hằng tháng)")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang rà soát")
        CLOSED = "closed", _("Đã kết thúc")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    province = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("tỉnh")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2016), MaxValueValidator(2030)]
    )
    kind = models.CharField(_("loại đợt"), max_length=16, choices=Kind.choices)
    month = models.PositiveSmallIntegerField(
        _("tháng"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # Taken from the year by the engine when the round opens; kept so results stay explainable.
    standard_code = models.CharField(_("chuẩn nghèo"), max_length=32)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"))
    commune_deadline = models.DateField(_("hạn xã báo cáo"), null=True, blank=True)
    # The province's plan sets a deadline per level (not the national text): communes hand in
    # by `commune_deadline`, districts by `district_deadline`; both fall within the round.
    district_deadline = models.DateField(_("hạn huyện báo cáo"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering = ["-year", "kind", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(kind="periodic"),
                name="one_periodic_round_per_province_year",
            ),
            models.UniqueConstraint(
                fields=["province", "year", "month"],
                condition=Q(kind="regular"),
                name="one_regular_round_per_province_month",
            ),
            models.CheckConstraint(
                condition=Q(kind="periodic", month__isnull=True)
                | Q(kind="regular", month__isnull=False),
                name="regular_round_has_month",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="round_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.REGULAR:
            return f"Rà soát thường xuyên tháng {self.month}/{self.year}"
        return f"Rà soát định kỳ năm {self.year}"

    @property
    def edition(self):  # type: ignore[no-untyped-def]
        return self.province.edition


class CommuneTotal(models.Model):
    """Total resident households of a commune for a round, with where the number came from."""

    review_round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="commune_totals"
    )
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    total_households = models.PositiveIntegerField(_("tổng số hộ dân cư"))
    source = models.CharField(
        _("nguồn số liệu"),
        max_length=300,
        help_text=_("Ví dụ: sổ hộ khẩu / cơ sở dữ liệu dân cư của Công an xã, ngày 01/09."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tổng số hộ của xã")
        verbose_name_plural = _("tổng số hộ của xã")
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "commune"], name="one_total_per_commune_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune}: {self.total_households}"


class InstalledScoreCard(models.Model):
    """An income-proxy score card installed by an admin from an Excel file, for one standard.

    The newest active card of a standard replaces the one its data file ships (which, where the
    official tables were not found, is partial or absent and marked unverified).
    """

    standard_code = models.CharField(_("chuẩn nghèo"), max_length=32, db_index=True)
    regions = models.JSONField(_("vùng"))
    options = models.JSONField(_("phương án và điểm"))
    verified = models.BooleanField(
        _("là bảng điểm chính thức"),
        default=False,
        help_text=_("Chỉ đánh dấu khi đã đối chiếu từng số với văn bản (ví dụ TT 07/2021)."),
    )
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    file_name = models.CharField(_("tệp"), max_length=200)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bảng điểm đã cài")
        verbose_name_plural = _("bảng điểm đã cài")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.standard_code} ({self.uploaded_at:%d/%m/%Y})"


class Classification(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE = "average", _("Hộ có mức sống trung bình")
    NOT_POOR = "not_poor", _("Hộ không nghèo")


class PovertyCause(models.TextChoices):
    """Why a poor or near-poor household is poor (the causes table, Biểu 10): several allowed."""

    LAND = "land", _("Thiếu đất sản xuất")
    CAPITAL = "capital", _("Thiếu vốn sản xuất")
    LABOUR = "labour", _("Thiếu lao động")
    TOOLS = "tools", _("Thiếu công cụ, phương tiện sản xuất")
    KNOWLEDGE = "knowledge", _("Thiếu kiến thức sản xuất")
    SKILLS = "skills", _("Thiếu tay nghề, kỹ năng lao động")
    ILLNESS = "illness", _("Ốm đau, bệnh nặng, tai nạn")
    OTHER = "other", _("Nguyên nhân khác")


class SupportNeed(models.TextChoices):
    """What a poor or near-poor household needs: the commune plans next year's support by it."""

    HEALTH = "health", _("Y tế")
    EDUCATION = "education", _("Giáo dục")
    PRODUCTION = "production", _("Hỗ trợ sản xuất, vay vốn tín dụng")
    HOUSING = "housing", _("Nhà ở")
    JOBS = "jobs", _("Việc làm")
    WATER = "water", _("Nước sạch và vệ sinh")
    INFORMATION = "information", _("Tiếp cận thông tin")
    OTHER = "other", _("Nhu cầu khác")


def _labels(choices: type[models.TextChoices], keys: list[str], other: str) -> list[str]:
    labels = []
    for key, label in choices.choices:
        if key in keys:
            labels.append(f"{label}: {other}" if key == "other" and other else str(label))
    return labels


class SurveyResponse(models.Model):
    """One household's screening and scoring forms in one round, and the engine's result.

    Scoped through `village`. The result fields are written only by the services, from the engine;
    `final_classification` may differ from `computed_classification` only with a written reason.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã nộp")
        AGREED = "agreed", _("Họp thôn thống nhất")
        DISPUTED = "disputed", _("Họp thôn chưa thống nhất")
        RECHECKED = "rechecked", _("Đã phúc tra")
        POSTED = "posted", _("Đang niêm yết")
        APPROVED = "approved", _("Đã phê duyệt")
        RETURNED = "returned", _("Bị trả lại")

    class Screening(models.TextChoices):
        PROCEED = "proceed", _("Có dấu hiệu: rà soát tiếp bằng Phiếu B")
        STOP = "stop", _("Không có dấu hiệu: dừng ở Phiếu A")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review_round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="responses"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="responses"
    )
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="surveyresponse_village"
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Phiếu A
    screening = models.CharField(
        _("kết quả Phiếu A"), max_length=8, choices=Screening.choices, blank=True
    )
    screening_reason = models.TextField(_("lý do"), blank=True)
    # Texts of the province's criteria the household meets, as they read when ticked.
    screening_criteria = models.JSONField(default=list, blank=True)
    # Phiếu B: household facts (names as in survey.engine.facts.HOUSEHOLD_FACTS)
    floor_area_m2 = models.DecimalField(
        _("diện tích nhà ở (m²)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    wall_durable = models.BooleanField(_("tường bền chắc"), null=True, blank=True)
    column_durable = models.BooleanField(_("cột bền chắc"), null=True, blank=True)
    roof_durable = models.BooleanField(_("mái bền chắc"), null=True, blank=True)
    water_source = models.CharField(_("nguồn nước sinh hoạt"), max_length=24, blank=True)
    latrine_hygienic = models.BooleanField(_("nhà tiêu hợp vệ sinh"), null=True, blank=True)
    information_means = models.JSONField(
        _("phương tiện tiếp cận thông tin"), default=list, blank=True
    )
    direct_answers = models.JSONField(default=dict, blank=True)
    agricultural = models.BooleanField(_("hộ làm nông, lâm, ngư, diêm nghiệp"), default=False)
    # Income proxy: answers on the score card, or the total computed on paper while no verified
    # card is installed (then `income_score_by_hand` is true and shown with the result).
    card_answers = models.JSONField(default=dict, blank=True)
    card_flags = models.JSONField(default=list, blank=True)
    income_score_manual = models.DecimalField(
        _("tổng điểm thu nhập (tính trên phiếu giấy)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
    )
    # Income over the last 12 months by source (VND), social allowances excluded.
    income_by_source = models.JSONField(default=dict, blank=True)
    # Asked of poor and near-poor households (required at submission when the final result is
    # one of them): keys of PovertyCause / SupportNeed, and the words of "other".
    poverty_causes = models.JSONField(_("nguyên nhân nghèo"), default=list, blank=True)
    poverty_cause_other = models.CharField(_("nguyên nhân khác"), max_length=200, blank=True)
    support_needs = models.JSONField(_("nhu cầu hỗ trợ"), default=list, blank=True)
    support_need_other = models.CharField(_("nhu cầu khác"), max_length=200, blank=True)
    # Result (written by the services from the engine)
    standard_code = models.CharField(max_length=32, blank=True)
    standard_version = models.PositiveIntegerField(null=True, blank=True)
    income_score = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    income_score_by_hand = models.BooleanField(default=False)
    income_per_capita = models.PositiveIntegerField(null=True, blank=True)
    deprivation_score = models.PositiveSmallIntegerField(null=True, blank=True)
    deprived = models.JSONField(default=list, blank=True)
    computed_classification = models.CharField(
        _("kết quả tính"), max_length=16, choices=Classification.choices, blank=True
    )
    final_classification = models.CharField(
        _("kết quả cuối cùng"), max_length=16, choices=Classification.choices, blank=True
    )
    override_reason = models.TextField(_("lý do khác kết quả tính"), blank=True)
    explanation = models.JSONField(null=True, blank=True)
    facts_snapshot = models.JSONField(null=True, blank=True)
    # Taken at submission so that reports are plain aggregates over one table.
    member_count = models.PositiveSmallIntegerField(null=True, blank=True)
    head_minority = models.BooleanField(default=False)
    has_person_of_merit = models.BooleanField(default=False)
    no_labour_capacity = models.BooleanField(default=False)
    # A member receives a monthly social allowance (trợ cấp xã hội hằng tháng): a policy group.
    has_social_allowance = models.BooleanField(default=False)
    # The head's ethnic group (households.ethnicity code), "" when the household had no head.
    head_ethnicity = models.CharField(max_length=2, blank=True)
    # Members under 16 in the round's year (children in the deprivation tables).
    child_count = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # A form started from the household's form of an earlier round: the sections it carried
    # must each be confirmed (saved) by the officer before it can be submitted.
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_sections = models.JSONField(default=list, blank=True)
    # A past year's approved result brought in from its decision (survey.baseline): no answers.
    imported = models.BooleanField(_("nhập từ danh sách năm trước"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The commune chairman's decision that approves the household's classification.
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phiếu rà soát")
        verbose_name_plural = _("phiếu rà soát")
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "household"], name="one_response_per_household_round"
            ),
            models.CheckConstraint(
                condition=Q(final_classification="")
                | Q(final_classification=models.F("computed_classification"))
                | ~Q(override_reason=""),
                name="override_needs_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["review_round", "commune", "status"], name="response_round_commune"
            ),
            # Poor and near-poor are a few percent of a round: reports that only need them
            # (deprivations, movements, household lists) read them through this index.
            models.Index(
                fields=["review_round", "final_classification"], name="response_round_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} — {self.review_round}"

    @property
    def poverty_cause_labels(self) -> list[str]:
        """The causes as read out, "other" with its words."""
        return _labels(PovertyCause, self.poverty_causes, self.poverty_cause_other)

    @property
    def support_need_labels(self) -> list[str]:
        return _labels(SupportNeed, self.support_needs, self.support_need_other)

    @property
    def is_overridden(self) -> bool:
        return bool(self.final_classification) and (
            self.final_classification != self.computed_classification
        )


class VillageMeeting(models.Model):
    """The village meeting (họp dân) that discusses the households of a village in a round."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("ngày họp"))
    attendance = models.PositiveIntegerField(_("số người dự"))
    chaired_by = models.CharField(_("người chủ trì"), max_length=150)
    notes = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("họp thôn")
        verbose_name_plural = _("họp thôn")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on:%d/%m/%Y}"


class Recheck(models.Model):
    """Phúc tra: a household the village meeting did not agree on is checked again, in the field,
    before its result can be posted (survey.workflow.recheck_record)."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Giữ kết quả, đưa vào niêm yết")
        CORRECTED = "corrected", _("Phải sửa phiếu, nộp lại và họp thôn lại")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.PROTECT, related_name="rechecks")
    # The meeting that disputed the household: what the re-check answers.
    meeting = models.ForeignKey(
        VillageMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_on = models.DateField(_("ngày phúc tra"))
    checked_by = models.CharField(_("người phúc tra"), max_length=200)
    findings = models.TextField(_("kết quả phúc tra"))
    outcome = models.CharField(_("kết luận"), max_length=16, choices=Outcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phúc tra")
        verbose_name_plural = _("phúc tra")
        ordering = ["checked_on", "id"]

    def __str__(self) -> str:
        return f"{self.response.household} {self.checked_on:%d/%m/%Y}"


class VillagePosting(models.Model):
    """Public posting (niêm yết công khai) of a village's list: 3 working days (survey.workflow)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("ngày bắt đầu niêm yết"))
    # The day it was typed in (null on postings recorded before this was kept), and the first
    # working day counted: the later of the start and that day.
    recorded_on = models.DateField(_("ngày ghi vào phần mềm"), null=True)
    counted_from = models.DateField(_("tính thời hạn từ ngày"), null=True)
    ends_on = models.DateField(_("ngày kết thúc niêm yết"))
    place = models.CharField(_("nơi niêm yết"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("niêm yết")
        verbose_name_plural = _("niêm yết")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.village} {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"

    @property
    def recorded_late(self) -> bool:
        """Typed in after the paper went up: its window counts from the day it was recorded."""
        return self.recorded_on is not None and self.recorded_on > self.starts_on


class Complaint(models.Model):
    """A complaint received while a village's list is posted, and how it was resolved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    posting = models.ForeignKey(VillagePosting, on_delete=models.PROTECT, related_name="complaints")
    response = models.ForeignKey(
        SurveyResponse,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("hộ bị khiếu nại"),
    )
    received_on = models.DateField(_("ngày nhận"))
    complainant = models.CharField(_("người khiếu nại (nếu có)"), max_length=150, blank=True)
    content = models.TextField(_("nội dung"))
    resolved_on = models.DateField(_("ngày giải quyết"), null=True, blank=True)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.response.household}: {self.content[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None


class ResponseTransition(models.Model):
    """Every change of a response's status: who, when, why, and at which meeting or posting."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=SurveyResponse.Status.choices)
    to_status = models.CharField(max_length=16, choices=SurveyResponse.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    meeting = models.ForeignKey(
        VillageMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posting = models.ForeignKey(
        VillagePosting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ResponseDeprivation(models.Model):
    """One deprived indicator of a submitted response: reports count them with one GROUP BY."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="deprivations"
    )
    indicator = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "indicator"], name="one_row_per_response_indicator"
            )
        ]
        indexes = [models.Index(fields=["indicator"], name="deprivation_indicator")]

    def __str__(self) -> str:
        return self.indicator


class ResponseCause(models.Model):
    """One cause of poverty of a submitted poor or near-poor response (written at submission):
    the causes table counts households per cause with one GROUP BY."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="causes")
    cause = models.CharField(max_length=16, choices=PovertyCause.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "cause"], name="one_row_per_response_cause")
        ]

    def __str__(self) -> str:
        return self.cause


class ResponseNeed(models.Model):
    """One support need of a submitted poor or near-poor response (written at submission)."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=16, choices=SupportNeed.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "need"], name="one_row_per_response_need")
        ]

    def __str__(self) -> str:
        return self.need


class ScreeningCriterion(models.Model):
    """A screening (Phiếu A) criterion a province enters: no official list could be sourced."""

    province = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tỉnh")
    )
    text = models.CharField(_("tiêu chí"), max_length=300)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tiêu chí Phiếu A")
        verbose_name_plural = _("tiêu chí Phiếu A")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class ProvinceTarget(models.Model):
    """The province's target poverty rate for a year (the People's Council resolution)."""

    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    target_poverty_rate = models.DecimalField(
        _("tỷ lệ hộ nghèo mục tiêu (%)"), max_digits=5, decimal_places=2
    )
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu tỷ lệ hộ nghèo")
        verbose_name_plural = _("chỉ tiêu tỷ lệ hộ nghèo")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"], name="one_target_per_province_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year}: {self.target_poverty_rate}%"


class ReviewListEntry(models.Model):
    """Why a household is on a commune's list of households to review in a round (QĐ 24/2021,
    Điều 4, step 1). A household may be on the list for several sources, one row per source."""

    class Source(models.TextChoices):
        PREVIOUS_LIST = "previous_list", _("Hộ nghèo, cận nghèo đợt trước")
        APPLICATION = "application", _("Hộ có đơn đề nghị")
        VILLAGE_PROPOSAL = "village_proposal", _("Thôn đề xuất")
        OFFICER = "officer", _("Cán bộ xã bổ sung")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review_round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="review_list"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="review_list_entries"
    )
    # Kept so a commune's list is one indexed read; the household's commune when it was added.
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    # The previous round's classification (source previous_list).
    previous_classification = models.CharField(
        _("phân loại đợt trước"), max_length=16, choices=Classification.choices, blank=True
    )
    applied_on = models.DateField(_("ngày nộp đơn / đề xuất"), null=True, blank=True)
    applicant = models.CharField(_("người nộp đơn / người đề xuất"), max_length=150, blank=True)
    form_number = models.CharField(_("số đơn"), max_length=64, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hộ trong danh sách rà soát")
        verbose_name_plural = _("danh sách hộ cần rà soát")
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "household", "source"],
                name="one_review_list_entry_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["review_round", "commune"], name="review_list_round_commune")
        ]

    def __str__(self) -> str:
        return f"{self.household} — {self.get_source_display()}"


class UnitRoundState(models.Model):
    """Where a commune or a district stands in a round, above its forms (survey.workflow STEPS
    with subject "commune" or "district"): sent for the opinion of the level above, opinion
    given, handed in. A unit without a row is at the first stage, `open`."""

    class Stage(models.TextChoices):
        OPEN = "open", _("Đang rà soát")
        SENT = "sent", _("Đã gửi xin ý kiến")
        OPINION = "opinion", _("Đã có ý kiến cấp trên")
        HANDED_IN = "handed_in", _("Đã nộp kết quả")

    review_round = models.ForeignKey(
        ReviewRound, on_delete=models.PROTECT, related_name="unit_states"
    )
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("bước"), max_length=16, choices=Stage.choices, default=Stage.OPEN)
    # When it was last handed in (lateness is measured against the level's deadline).
    handed_in_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bước của đơn vị trong đợt")
        verbose_name_plural = _("bước của đơn vị trong đợt")
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "unit"], name="one_state_per_unit_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_stage_display()}"


class UnitTransition(models.Model):
    """Every step of a commune, a district or the round itself: who, when, why."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32)
    from_stage = models.CharField(max_length=16)
    to_stage = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["review_round", "unit"], name="unit_transition_round_unit")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.from_stage} → {self.to_stage}"


class OpinionRequest(models.Model):
    """A commune's proposed result sent to the level above for its opinion (QĐ 24/2021/QĐ-TTg,
    Điều 4 bước 4: the district chairman's opinion before recognition), with the households
    sent. On the two-level tree the commune asks the province (basis unverified)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    # The unit asked: the commune's district, or its province on the two-level tree.
    asked = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("căn cứ"), max_length=300)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    agreed = models.BooleanField(_("thống nhất"), null=True)
    opinion = models.TextField(_("ý kiến chung"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("xin ý kiến cấp trên")
        verbose_name_plural = _("xin ý kiến cấp trên")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.commune} {self.sent_at:%d/%m/%Y}"

    @property
    def is_given(self) -> bool:
        return self.given_at is not None


class OpinionItem(models.Model):
    """One household sent for the opinion, at the posting it was last posted in: a household
    posted again later needs a new request. `comment` is the level above's remark, if any."""

    request = models.ForeignKey(OpinionRequest, on_delete=models.PROTECT, related_name="items")
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.PROTECT, related_name="opinion_items"
    )
    posting = models.ForeignKey(VillagePosting, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("ý kiến về hộ"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "response"], name="one_opinion_item_per_response"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.comment[:40]}"
