"""Households and members: the registry a commune keeps from one review round to the next.

Nothing here is hard-deleted: a household that splits, merges, moves away or dissolves keeps its row
and its lineage; a member who moves away or dies keeps theirs with a status.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit
from survey.engine.facts import EDUCATION_LEVELS, EMPLOYMENT_STATUSES

from .ethnicity import ETHNICITY_CHOICES, KINH


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang cư trú")
        MERGED = "merged", _("Đã nhập vào hộ khác")
        MOVED_AWAY = "moved_away", _("Đã chuyển đi nơi khác")
        DISSOLVED = "dissolved", _("Không còn (giải thể)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commune = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã")
    )
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="households", verbose_name=_("thôn")
    )
    number = models.CharField(_("số hộ (theo sổ của xã)"), max_length=32, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="split_offs",
        verbose_name=_("tách từ hộ"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("nhập vào hộ"),
    )
    status_reason = models.TextField(_("lý do thay đổi tình trạng"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Kept in step with the head member by the services: lists and search need no join.
    head_name = models.CharField(_("chủ hộ"), max_length=150, blank=True)
    head_name_key = models.CharField(max_length=150, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["village__code", "head_name_key", "id"]
        indexes = [models.Index(fields=["commune", "status"], name="household_commune_status")]

    def __str__(self) -> str:
        return self.head_name or str(self.public_id)[:8]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_left(self) -> bool:
        """Moved away or dissolved (a merged household shows where it went instead)."""
        return self.status in {self.Status.MOVED_AWAY, self.Status.DISSOLVED}

    @property
    def area(self) -> str:
        """Rural or urban, from the commune's kind: xã is rural; phường and thị trấn are urban."""
        return "urban" if self.commune.kind in AdminUnit.URBAN_KINDS else "rural"


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Chủ hộ")
        SPOUSE = "spouse", _("Vợ/chồng")
        CHILD = "child", _("Con")
        PARENT = "parent", _("Bố/mẹ")
        GRANDCHILD = "grandchild", _("Cháu")
        GRANDPARENT = "grandparent", _("Ông/bà")
        SIBLING = "sibling", _("Anh/chị/em")
        IN_LAW = "in_law", _("Con dâu/con rể")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        PRESENT = "present", _("Đang sống trong hộ")
        MOVED_AWAY = "moved_away", _("Đã chuyển đi")
        DECEASED = "deceased", _("Đã mất")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("hộ")
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(
        _("dân tộc"), max_length=2, choices=ETHNICITY_CHOICES, default=KINH
    )
    relationship = models.CharField(
        _("quan hệ với chủ hộ"), max_length=16, choices=Relationship.choices
    )
    # NULL, not "", for "no ID yet" (children): the partial unique constraint skips NULLs.
    citizen_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(
        _("tình trạng"), max_length=16, choices=Status.choices, default=Status.PRESENT
    )
    is_person_of_merit = models.BooleanField(_("người có công với cách mạng"), default=False)
    # Facts the standards' deprivation indicators read (names as in survey.engine.facts).
    has_health_insurance = models.BooleanField(_("có thẻ BHYT còn hạn"), default=False)
    in_school = models.BooleanField(_("đang đi học"), default=False)
    at_age_appropriate_level = models.BooleanField(_("học đúng cấp theo tuổi"), default=True)
    education = models.CharField(
        _("trình độ cao nhất"),
        max_length=20,
        choices=list(EDUCATION_LEVELS.items()),
        default="none",
    )
    trained_by_employer = models.BooleanField(_("được doanh nghiệp đào tạo nghề"), default=False)
    employment = models.CharField(
        _("việc làm"),
        max_length=24,
        choices=list(EMPLOYMENT_STATUSES.items()),
        default="not_working",
    )
    disabled = models.BooleanField(_("người khuyết tật"), default=False)
    monthly_social_allowance = models.PositiveIntegerField(
        _("trợ cấp xã hội hằng tháng (đồng)"), default=0
    )
    malnourished = models.BooleanField(_("suy dinh dưỡng (trẻ em)"), default=False)
    ill_without_treatment = models.BooleanField(_("ốm đau không đi khám chữa"), default=False)
    uses_telecom = models.BooleanField(_("dùng điện thoại hoặc internet"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(status="present") & Q(citizen_id__isnull=False),
                name="citizen_id_unique_among_present_members",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="present") & Q(relationship="head"),
                name="one_present_head_per_household",
            ),
        ]
        # The integrity watch looks up a present person by name and birth date in every other
        # household of the province (reports.integrity.findings.duplicate_person_findings).
        indexes = [
            models.Index(
                fields=["name_key", "birth_date"],
                condition=Q(status="present"),
                name="member_present_name_birth",
            ),
            # ... and the CCCDs of members recorded as deceased (a few), against the present ones.
            models.Index(
                fields=["citizen_id"],
                condition=Q(status="deceased") & Q(citizen_id__isnull=False),
                name="member_deceased_citizen_id",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_present(self) -> bool:
        return self.status == self.Status.PRESENT

    @property
    def is_minority(self) -> bool:
        return self.ethnicity != KINH

    @property
    def receives_social_allowance(self) -> bool:
        return self.monthly_social_allowance > 0


class HouseholdImport(models.Model):
    """An uploaded household list waiting for the officer's confirmation (or applied).

    The file is kept in the database, not on one server's disk, so the preview and the
    confirmation may be answered by different app servers; it is checked again on confirmation.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Last year's approved list, when the file's "Phân loại năm trước" column is used.
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_number = models.CharField(max_length=64, blank=True)
    decision_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp nhập danh sách hộ")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
