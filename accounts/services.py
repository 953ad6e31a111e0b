"""Named services for accounts and the audit trail. Each write is atomic and leaves an audit row."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from areas.models import AdminUnit
from core.locking import version_bump

from .models import AuditEvent, User

# No 0/O, 1/l/I: a one-time password is read aloud over the phone to a commune office.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def one_time_password(length: int = 12) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def audit_event(
    *,
    actor: User | None,
    action: str,
    target: Model,
    unit: AdminUnit | None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """An unsaved audit row, for services that write many at once with `bulk_create`."""
    return AuditEvent(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        unit=unit,
        changes=changes or {},
        reason=reason,
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    unit: AdminUnit | None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    event = audit_event(
        actor=actor, action=action, target=target, unit=unit, changes=changes, reason=reason
    )
    event.save()
    return event


def _check_role_unit(role: str, unit: AdminUnit | None) -> None:
    if role == User.Role.ADMIN:
        return
    expected = User.UNIT_LEVEL[User.Role(role)]
    if unit is None:
        raise ValidationError({"unit": _("Tài khoản này cần có đơn vị công tác.")})
    if unit.level != expected:
        raise ValidationError(
            {
                "unit": _("Vai trò %(role)s phải gắn với đơn vị cấp %(level)s.")
                % {
                    "role": User.Role(role).label,
                    "level": AdminUnit.Level(expected).label.lower(),
                }
            }
        )


def _village_names(villages: Any) -> list[str]:
    return sorted(v.name for v in villages)


@dataclass(frozen=True)
class NewAccount:
    user: User
    password: str


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    unit: AdminUnit | None,
    full_name: str = "",
    email: str = "",
    villages: list[AdminUnit] | None = None,
) -> NewAccount:
    """Create an account with a one-time password that must be changed at first login
    (`villages`: a surveyor's or village head's, checked by `field_account_create`)."""
    _check_role_unit(role, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập này đã có người dùng.")})
    password = one_time_password()
    user = User(
        username=username,
        role=role,
        unit=None if role == User.Role.ADMIN else unit,
        first_name=full_name,
        email=email,
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    changes: dict[str, Any] = {"role": role, "unit": unit.code if unit else None}
    if villages:
        user.villages.set(villages)
        changes["villages"] = _village_names(villages)
    audit_record(actor=actor, action="user_create", target=user, unit=user.unit, changes=changes)
    return NewAccount(user=user, password=password)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    role: str,
    unit: AdminUnit | None,
    is_active: bool,
    full_name: str,
    email: str,
    expected_version: int,
    reason: str = "",
) -> User:
    """Change an account's role, unit (move), active flag (disable) or contact details."""
    _check_role_unit(role, unit)
    if user.pk == actor.pk and (not is_active or role != User.Role.ADMIN):
        raise ValidationError(_("Bạn không thể tự khoá hoặc tự bỏ quyền quản trị của mình."))
    new_unit = None if role == User.Role.ADMIN else unit
    values: dict[str, Any] = {
        "role": role,
        "unit": new_unit,
        "is_active": is_active,
        "first_name": full_name,
        "email": email,
    }
    old = {field: getattr(user, field) for field in values}
    changed = [field for field, value in values.items() if old[field] != value]
    if not changed:
        return user
    # The version check makes a concurrent edit by another admin fail instead of overwriting it.
    version_bump(
        user,
        expected_version,
        _("Tài khoản vừa được người khác sửa. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
    )
    User.objects.filter(pk=user.pk).update(**{field: values[field] for field in changed})

    def show(value: Any) -> Any:
        return value.code if isinstance(value, AdminUnit) else value

    audit_record(
        actor=actor,
        action="user_update",
        target=user,
        unit=new_unit or old["unit"],
        changes={field: [show(old[field]), show(values[field])] for field in changed},
        reason=reason,
    )
    user.refresh_from_db()
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User) -> str:
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action="user_reset_password", target=user, unit=user.unit)
    return password


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """Called after the user chose a new password: the one-time password is no longer in force."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(actor=user, action="user_change_password", target=user, unit=user.unit)


def commune_username(commune: AdminUnit) -> str:
    return f"xa-{commune.code}"


@transaction.atomic
def commune_accounts_create(*, actor: User | None, province: AdminUnit) -> list[NewAccount]:
    """One officer account per commune of the province that has none yet, named xa-<code>."""
    if province.level != AdminUnit.Level.PROVINCE:
        raise ValidationError(_("Mã đã cho không phải mã tỉnh."))
    communes = AdminUnit.objects.filter(
        path__startswith=province.path, level=AdminUnit.Level.COMMUNE, is_active=True
    ).exclude(users__role=User.Role.COMMUNE_OFFICER)
    taken = set(User.objects.values_list("username", flat=True))
    created = []
    for commune in communes.order_by("code"):
        username = commune_username(commune)
        if username in taken:
            # The name belongs to an account of another edition's commune: never reuse it.
            username = f"{username}-{commune.edition.code}"
            if username in taken:
                continue
        created.append(
            user_create(
                actor=actor,
                username=username,
                role=User.Role.COMMUNE_OFFICER,
                unit=commune,
                full_name=_("Cán bộ %(commune)s") % {"commune": commune.name},
            )
        )
    return created


# --- Surveyors and village heads: made and disabled by the commune officer -----------------------


def _check_field_villages(commune: AdminUnit, villages: list[AdminUnit]) -> None:
    """Villages assigned to a surveyor or village head: active villages of their own commune."""
    if not villages:
        raise ValidationError({"villages": _("Hãy chọn ít nhất một thôn được giao.")})
    foreign = [
        v
        for v in villages
        if v.level != AdminUnit.Level.VILLAGE or not v.path.startswith(commune.path)
    ]
    if foreign:
        raise ValidationError(
            {
                "villages": _(
                    "Chỉ giao được thôn, tổ dân phố của %(commune)s: %(names)s không thuộc xã. "
                    "Cán bộ xã chỉ quản lý tài khoản trong xã của mình."
                )
                % {"commune": commune.name, "names": ", ".join(v.name for v in foreign)}
            }
        )
    closed = [v for v in villages if not v.is_active]
    if closed:
        raise ValidationError(
            {
                "villages": _("Thôn đã ngừng hoạt động, không giao được: %(names)s.")
                % {"names": ", ".join(v.name for v in closed)}
            }
        )


def _check_field_actor(actor: User, commune: AdminUnit) -> None:
    if actor.is_admin:
        return
    if actor.role != User.Role.COMMUNE_OFFICER or actor.unit_id != commune.pk:
        raise PermissionDenied


@transaction.atomic
def field_account_create(
    *,
    actor: User,
    commune: AdminUnit,
    username: str,
    role: str,
    full_name: str,
    villages: list[AdminUnit],
) -> NewAccount:
    """A surveyor's or village head's account in the officer's commune, with the villages they
    work in and a one-time password (the officer reads it out; it must be changed at first login).

    The admin keeps the commune officers' accounts; the officer, who knows who walks which village,
    makes and disables these."""
    _check_field_actor(actor, commune)
    if role not in User.FIELD_ROLES:
        raise ValidationError({"role": _("Cán bộ xã chỉ tạo tài khoản rà soát viên, trưởng thôn.")})
    _check_field_villages(commune, villages)
    return user_create(
        actor=actor,
        username=username,
        role=role,
        unit=commune,
        full_name=full_name,
        villages=villages,
    )


@transaction.atomic
def field_account_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    villages: list[AdminUnit],
    is_active: bool,
    expected_version: int,
    role: str = "",
) -> User:
    """Change a surveyor's or village head's villages, name or role (between the two), or
    disable / re-enable the account."""
    if user.role not in User.FIELD_ROLES or user.unit is None:
        raise PermissionDenied
    _check_field_actor(actor, user.unit)
    role = role or user.role
    if role not in User.FIELD_ROLES:
        raise ValidationError({"role": _("Cán bộ xã chỉ tạo tài khoản rà soát viên, trưởng thôn.")})
    _check_field_villages(user.unit, villages)
    old_codes = _village_names(user.villages.all())
    new_codes = _village_names(villages)
    changes: dict[str, Any] = {}
    if old_codes != new_codes:
        changes["villages"] = [old_codes, new_codes]
    if user.first_name != full_name:
        changes["first_name"] = [user.first_name, full_name]
    if user.is_active != is_active:
        changes["is_active"] = [user.is_active, is_active]
    if user.role != role:
        changes["role"] = [user.role, role]
    if not changes:
        return user
    version_bump(
        user,
        expected_version,
        _("Tài khoản vừa được người khác sửa. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
    )
    User.objects.filter(pk=user.pk).update(first_name=full_name, is_active=is_active, role=role)
    user.villages.set(villages)
    action = "user_update"
    if "is_active" in changes:
        action = "field_account_enable" if is_active else "field_account_disable"
    audit_record(actor=actor, action=action, target=user, unit=user.unit, changes=changes)
    user.refresh_from_db()
    return user
