import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit


class User(AbstractUser):
    class Role(models.TextChoices):
        COMMUNE_OFFICER = "commune_officer", _("Cán bộ xã")
        DISTRICT_STAFF = "district_staff", _("Cán bộ huyện")
        PROVINCE_STAFF = "province_staff", _("Cán bộ tỉnh")
        ADMIN = "admin", _("Quản trị")
        SURVEYOR = "surveyor", _("Rà soát viên")
        VILLAGE_HEAD = "village_head", _("Trưởng thôn")

    # The level of unit each role serves; admins serve no unit and reach everything.
    UNIT_LEVEL = {
        Role.COMMUNE_OFFICER: AdminUnit.Level.COMMUNE,
        Role.DISTRICT_STAFF: AdminUnit.Level.DISTRICT,
        Role.PROVINCE_STAFF: AdminUnit.Level.PROVINCE,
        # Below the commune: their unit is the commune, their reach the villages assigned to them.
        Role.SURVEYOR: AdminUnit.Level.COMMUNE,
        Role.VILLAGE_HEAD: AdminUnit.Level.COMMUNE,
    }
    # Roles whose accounts the commune officer makes and disables (the admin makes the others).
    FIELD_ROLES = frozenset({Role.SURVEYOR, Role.VILLAGE_HEAD})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("đơn vị"),
    )
    # Surveyors and village heads: the villages of their commune they work in (no one else has any).
    villages = models.ManyToManyField(
        AdminUnit,
        blank=True,
        related_name="field_users",
        verbose_name=_("thôn được giao"),
    )
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(unit__isnull=False),
                name="non_admin_user_has_unit",
            )
        ]

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_field_worker(self) -> bool:
        """A surveyor or a village head: works only in the villages assigned to them."""
        return self.role in self.FIELD_ROLES


class AuditEvent(models.Model):
    """Who did what, when and why: written by the service that makes the change, atomically."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    action = models.CharField(_("thao tác"), max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(_("đối tượng"), max_length=300)
    # The unit the change belongs to, so readers see only the events of their units.
    unit = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.target_label}"
