"""Named services over the unit tree: loading editions, resolving codes, creating villages."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AdminUnit, TreeEdition, UnitSuccession

CURRENT_EDITION = "vn-2025"
LEGACY_EDITION = "vn-legacy"
LEGACY_DATA = Path(__file__).resolve().parent / "data" / "legacy-35-ha-nam.json"
# Old Hà Nam (35) into new Ninh Bình (37): see tools/succession_from_vietnamadminunits.py.
SUCCESSION_DATA = Path(__file__).resolve().parent / "data" / "succession-35-ha-nam.json"

# GSO code widths by level: province 2, district 3, commune 5 digits.
CODE_WIDTH = {
    AdminUnit.Level.PROVINCE: 2,
    AdminUnit.Level.DISTRICT: 3,
    AdminUnit.Level.COMMUNE: 5,
}


class UnitNotFound(Exception):
    """A unit code that does not exist in the edition asked for."""


@dataclass(frozen=True)
class LoadResult:
    edition: TreeEdition
    created: int
    updated: int
    unchanged: int

    @property
    def summary(self) -> str:
        return _(
            "%(edition)s: thêm %(created)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d"
        ) % {
            "edition": self.edition.code,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class UnitRow:
    level: str
    kind: str
    code: str
    name: str
    parent_code: str | None


def edition_get(*, legacy: bool = False) -> TreeEdition:
    code = LEGACY_EDITION if legacy else CURRENT_EDITION
    try:
        return TreeEdition.objects.get(code=code)
    except TreeEdition.DoesNotExist as exc:
        command = "load_units --legacy" if legacy else "load_units"
        raise UnitNotFound(
            _("Chưa nạp danh mục đơn vị %(code)s: chạy 'python manage.py %(command)s'.")
            % {"code": code, "command": command}
        ) from exc


def unit_resolve(
    code: str, *, edition: TreeEdition | None = None, legacy: bool = False
) -> AdminUnit:
    """Find a unit by its GSO code in one edition (the current one unless told otherwise).

    Codes may be given without their leading zeros ("1" for Hà Nội, "70" for Phường Hoàn Kiếm).
    """
    edition = edition or edition_get(legacy=legacy)
    raw = (code or "").strip()
    candidates = {raw}
    if raw.isdigit():
        candidates |= {raw.zfill(width) for width in CODE_WIDTH.values()}
    unit = (
        AdminUnit.objects.filter(edition=edition, code__in=candidates)
        .exclude(level=AdminUnit.Level.VILLAGE)
        .order_by("path")
        .first()
    )
    if unit is None:
        raise UnitNotFound(
            _("Không tìm thấy đơn vị có mã '%(code)s' trong danh mục %(edition)s.")
            % {"code": raw, "edition": edition.name}
        )
    return unit


_DEPTH = {AdminUnit.Level.PROVINCE: 0, AdminUnit.Level.DISTRICT: 1, AdminUnit.Level.COMMUNE: 2}


@transaction.atomic
def _load_rows(edition: TreeEdition, rows: list[UnitRow]) -> LoadResult:
    """Insert or update units level by level; idempotent (keyed by edition and code)."""
    existing = {u.code: u for u in AdminUnit.objects.filter(edition=edition)}
    created = updated = unchanged = 0
    for depth in sorted(set(_DEPTH.values())):
        new_units: list[AdminUnit] = []
        for row in (r for r in rows if _DEPTH[AdminUnit.Level(r.level)] == depth):
            parent = existing[row.parent_code] if row.parent_code else None
            values = {
                "parent": parent,
                "level": row.level,
                "kind": row.kind,
                "name": row.name,
                "path": f"{parent.path if parent else edition.code + '/'}{row.code}/",
            }
            unit = existing.get(row.code)
            if unit is None:
                new_units.append(AdminUnit(edition=edition, code=row.code, **values))
                continue
            changed = [field for field, value in values.items() if getattr(unit, field) != value]
            if changed:
                for field in changed:
                    setattr(unit, field, values[field])
                unit.save(update_fields=changed)
                updated += 1
            else:
                unchanged += 1
        for unit in AdminUnit.objects.bulk_create(new_units, batch_size=1000):
            existing[unit.code] = unit
        created += len(new_units)
    return LoadResult(edition=edition, created=created, updated=updated, unchanged=unchanged)


def units_load_current() -> LoadResult:
    """Load the two-level tree in force since 1 July 2025 from the `vietnam-provinces` package."""
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    edition, _created = TreeEdition.objects.update_or_create(
        code=CURRENT_EDITION,
        defaults={
            "name": _("Danh mục từ 01/07/2025 (tỉnh – xã)"),
            "has_districts": False,
            "valid_from": date(2025, 7, 1),
            "source": "vietnam-provinces (PyPI), GSO",
        },
    )
    others_current = TreeEdition.objects.filter(is_current=True).exclude(pk=edition.pk)
    if not edition.is_current and not others_current.exists():
        edition.is_current = True
        edition.save(update_fields=["is_current"])

    province_kind = {
        VietNamDivisionType.TINH: AdminUnit.Kind.TINH,
        VietNamDivisionType.THANH_PHO_TRUNG_UONG: AdminUnit.Kind.THANH_PHO_TW,
    }
    ward_kind = {
        VietNamDivisionType.XA: AdminUnit.Kind.XA,
        VietNamDivisionType.PHUONG: AdminUnit.Kind.PHUONG,
        VietNamDivisionType.DAC_KHU: AdminUnit.Kind.DAC_KHU,
    }
    rows: list[UnitRow] = []
    for province in Province.iter_all():
        province_code = str(int(province.code)).zfill(2)
        rows.append(
            UnitRow(
                AdminUnit.Level.PROVINCE,
                province_kind[province.division_type],
                province_code,
                province.name,
                None,
            )
        )
        for ward in Ward.iter_by_province(province.code):
            rows.append(
                UnitRow(
                    AdminUnit.Level.COMMUNE,
                    ward_kind[ward.division_type],
                    str(int(ward.code)).zfill(5),
                    ward.name,
                    province_code,
                )
            )
    return _load_rows(edition, rows)


def units_load_legacy(data_file: Path = LEGACY_DATA) -> LoadResult:
    """Load the three-level tree of before 1 July 2025 shipped with the project (Hà Nam, 35)."""
    data = json.loads(data_file.read_text(encoding="utf-8"))
    edition, _created = TreeEdition.objects.update_or_create(
        code=LEGACY_EDITION,
        defaults={
            "name": _("Danh mục trước 01/07/2025 (tỉnh – huyện – xã)"),
            "has_districts": True,
            "valid_until": date(2025, 6, 30),
            "source": data["source"],
        },
    )
    province = data["province"]
    rows = [
        UnitRow(
            AdminUnit.Level.PROVINCE, province["type"], province["code"], province["name"], None
        )
    ]
    for district in data["districts"]:
        rows.append(
            UnitRow(
                AdminUnit.Level.DISTRICT,
                district["type"],
                district["code"],
                district["name"],
                province["code"],
            )
        )
        rows.extend(
            UnitRow(AdminUnit.Level.COMMUNE, c["type"], c["code"], c["name"], district["code"])
            for c in district["communes"]
        )
    return _load_rows(edition, rows)


def _village_code(commune: AdminUnit) -> str:
    codes = AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE).values_list(
        "code", flat=True
    )
    numbers = [int(c.rsplit("-", 1)[1]) for c in codes if c.rsplit("-", 1)[-1].isdigit()]
    return f"{commune.code}-{max(numbers, default=0) + 1:02d}"


def _check_name_free(commune: AdminUnit, name: str, exclude: AdminUnit | None = None) -> None:
    # Compared in Python: SQLite's case-insensitive match ignores Vietnamese capitals (Đ/đ).
    siblings = AdminUnit.objects.filter(parent=commune)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    taken = {n.casefold() for n in siblings.values_list("name", flat=True)}
    if name.casefold() in taken:
        raise ValidationError({"name": _("Xã đã có thôn / tổ dân phố mang tên này.")})


@transaction.atomic
def village_insert(*, commune: AdminUnit, name: str, kind: str) -> AdminUnit:
    """The tree's side of adding a village: its code, path, kind and a name unique in the commune.

    Who may add one, and the audit row, are the caller's business (households.villages).
    """
    name = " ".join(name.split())
    if kind not in AdminUnit.KINDS_BY_LEVEL[AdminUnit.Level.VILLAGE]:
        raise ValidationError({"kind": _("Loại thôn không hợp lệ.")})
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên thôn / tổ dân phố.")})
    # Lock the commune row so two officers adding villages at once get different codes.
    AdminUnit.objects.select_for_update().get(pk=commune.pk)
    _check_name_free(commune, name)
    code = _village_code(commune)
    return AdminUnit.objects.create(
        edition=commune.edition,
        parent=commune,
        level=AdminUnit.Level.VILLAGE,
        kind=kind,
        code=code,
        name=name,
        path=f"{commune.path}{code}/",
    )


@transaction.atomic
def village_amend(
    *, village: AdminUnit, name: str, kind: str, is_active: bool
) -> dict[str, list[object]]:
    """Rename a village, change its kind or retire it; returns what changed (old, new)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên thôn / tổ dân phố.")})
    if kind not in AdminUnit.KINDS_BY_LEVEL[AdminUnit.Level.VILLAGE]:
        raise ValidationError({"kind": _("Loại thôn không hợp lệ.")})
    assert village.parent is not None
    _check_name_free(village.parent, name, exclude=village)
    values = {"name": name, "kind": kind, "is_active": is_active}
    changed = {f: [getattr(village, f), v] for f, v in values.items() if getattr(village, f) != v}
    if changed:
        for field, (_old, new) in changed.items():
            setattr(village, field, new)
        village.save(update_fields=list(changed))
    return changed


@dataclass(frozen=True)
class SuccessionResult:
    created: int
    unchanged: int
    skipped: int  # rows whose old or new unit is not loaded

    @property
    def summary(self) -> str:
        return _(
            "Đơn vị kế thừa: thêm %(created)d, giữ nguyên %(unchanged)d, bỏ qua %(skipped)d"
        ) % {
            "created": self.created,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@transaction.atomic
def successions_load(data_file: Path = SUCCESSION_DATA) -> SuccessionResult:
    """Record which units of the new tree took over which old ones (provinces and communes).

    Both editions must be loaded first; rows whose units are missing are skipped and counted.
    Idempotent: an existing pair is left as it is (a row checked by hand keeps `verified`).
    """
    data = json.loads(data_file.read_text(encoding="utf-8"))
    editions = {
        e.code: e
        for e in TreeEdition.objects.filter(code__in=[data["from_edition"], data["to_edition"]])
    }
    old_edition, new_edition = editions.get(data["from_edition"]), editions.get(data["to_edition"])
    pairs = [(p["from"], p["to"], True) for p in data["provinces"]] + [
        (c["from"], c["to"], bool(c["default"])) for c in data["communes"]
    ]
    if old_edition is None or new_edition is None:
        return SuccessionResult(created=0, unchanged=0, skipped=len(pairs))
    old = {
        u.code: u
        for u in AdminUnit.objects.filter(edition=old_edition, code__in={p[0] for p in pairs})
    }
    new = {
        u.code: u
        for u in AdminUnit.objects.filter(edition=new_edition, code__in={p[1] for p in pairs})
    }
    existing = set(
        UnitSuccession.objects.filter(predecessor__in=old.values()).values_list(
            "predecessor_id", "successor_id"
        )
    )
    rows, unchanged, skipped = [], 0, 0
    for old_code, new_code, default in pairs:
        if old_code not in old or new_code not in new:
            skipped += 1
        elif (old[old_code].pk, new[new_code].pk) in existing:
            unchanged += 1
        else:
            rows.append(
                UnitSuccession(
                    predecessor=old[old_code],
                    successor=new[new_code],
                    is_default=default,
                    source=data["source"][:300],
                )
            )
    UnitSuccession.objects.bulk_create(rows)
    return SuccessionResult(created=len(rows), unchanged=unchanged, skipped=skipped)
