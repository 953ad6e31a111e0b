"""The administrative unit tree: province → district (optional) → commune → village.

A unit belongs to a tree edition: GSO codes were reused after the 1 July 2025 reorganisation
(13504 was Xã Bình Nghĩa, now Xã Bình Lục), so a code is unique only within an edition.
Descendants come from one indexed prefix query on `path` (a materialized path of codes).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TreeEdition(models.Model):
    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    has_districts = models.BooleanField(_("có cấp huyện"), default=False)
    is_current = models.BooleanField(_("đang áp dụng"), default=False)
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_until = models.DateField(_("áp dụng đến"), null=True, blank=True)
    source = models.CharField(_("nguồn dữ liệu"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phiên bản danh mục đơn vị")
        verbose_name_plural = _("phiên bản danh mục đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_edition"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AdminUnit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")
        VILLAGE = "village", _("Thôn")

    class Kind(models.TextChoices):
        TINH = "tinh", _("Tỉnh")
        THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
        THANH_PHO = "thanh_pho", _("Thành phố")
        THI_XA = "thi_xa", _("Thị xã")
        HUYEN = "huyen", _("Huyện")
        QUAN = "quan", _("Quận")
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")
        THI_TRAN = "thi_tran", _("Thị trấn")
        DAC_KHU = "dac_khu", _("Đặc khu")
        THON = "thon", _("Thôn")
        TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")

    # Which kinds may stand at which level: checked by the services that create units.
    KINDS_BY_LEVEL = {
        Level.PROVINCE: {Kind.TINH, Kind.THANH_PHO_TW},
        Level.DISTRICT: {Kind.THANH_PHO, Kind.THI_XA, Kind.HUYEN, Kind.QUAN},
        Level.COMMUNE: {Kind.XA, Kind.PHUONG, Kind.THI_TRAN, Kind.DAC_KHU},
        Level.VILLAGE: {Kind.THON, Kind.TO_DAN_PHO},
    }
    # Urban (thành thị) and rural (nông thôn) communes, by kind: phường and thị trấn are urban,
    # xã is rural. An đặc khu counts as rural, as in scoring (`Household.area`): no rule that
    # classes it was found.
    URBAN_KINDS = frozenset({Kind.PHUONG, Kind.THI_TRAN})
    RURAL_KINDS = frozenset({Kind.XA, Kind.DAC_KHU})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    edition = models.ForeignKey(
        TreeEdition, on_delete=models.PROTECT, related_name="units", verbose_name=_("phiên bản")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("mã"), max_length=16)
    name = models.CharField(_("tên"), max_length=200)
    # "<edition>/<province>/<district?>/<commune>/<village?>/": set by the services, never by hand.
    path = models.CharField(max_length=255, unique=True, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="unit_code_unique_in_edition"),
        ]
        indexes = [
            # LIKE 'prefix%' uses this index on PostgreSQL whatever the database collation.
            models.Index(
                fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["edition", "level"], name="unit_edition_level"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level == self.Level.VILLAGE

    @property
    def is_commune(self) -> bool:
        return self.level == self.Level.COMMUNE

    @property
    def is_district(self) -> bool:
        return self.level == self.Level.DISTRICT

    @property
    def is_province(self) -> bool:
        return self.level == self.Level.PROVINCE

    def descendants(self, include_self: bool = True) -> "models.QuerySet[AdminUnit]":
        qs = AdminUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit's ancestors, outermost first (the edition prefix excluded)."""
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(1, len(parts) - 1)]

    def ancestors(self) -> "models.QuerySet[AdminUnit]":
        return AdminUnit.objects.filter(path__in=self.ancestor_paths()).order_by("path")


class UnitSuccession(models.Model):
    """An old unit and a unit of a later edition that took (part of) it over.

    Loaded from data whose source each row names (`source`); `verified` only once checked against
    the reorganisation's resolution. An old commune divided between several new ones has one row
    per new commune; `is_default` marks the one its households go to unless known otherwise. Reports
    read it to carry the previous round's figures, kept on the old tree, over to the new one.
    """

    predecessor = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="successions",
        verbose_name=_("đơn vị cũ"),
    )
    successor = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="predecessions",
        verbose_name=_("đơn vị mới"),
    )
    is_default = models.BooleanField(_("nhận mặc định"), default=True)
    verified = models.BooleanField(_("đã đối chiếu nghị quyết"), default=False)
    source = models.CharField(_("nguồn dữ liệu"), max_length=300)

    class Meta:
        verbose_name = _("đơn vị kế thừa")
        verbose_name_plural = _("đơn vị kế thừa")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="one_succession_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
