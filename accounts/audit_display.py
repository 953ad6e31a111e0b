"""The audit trail in words: what officers read on /accounts/audit/ instead of internal keys.

The services write short stable keys (`action="household_register"`, changes such as
``{"status": ["posted", "returned"]}``): they are what the trail stores and what tests and exports
can rely on. This module turns them into Vietnamese (or English, through the catalogue) when the
page is drawn: actions by `ACTION_LABELS`, a changed field by the model field's verbose name, a
choice by its label, a date as dd/mm/yyyy, a unit by its name. A citizen ID stays as stored: only
its last digits (core/audit.py), never more.

Every action string a service writes has a row in `ACTION_LABELS`
(tests/test_words.py checks it against the source).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import AdminUnit

from .models import AuditEvent

ACTION_LABELS: Mapping[str, Promise] = {
    # accounts
    "user_create": gettext_lazy("Tạo tài khoản"),
    "user_update": gettext_lazy("Sửa tài khoản"),
    "user_reset_password": gettext_lazy("Đặt lại mật khẩu"),
    "user_change_password": gettext_lazy("Đổi mật khẩu"),
    "field_account_disable": gettext_lazy("Khoá tài khoản rà soát viên, trưởng thôn"),
    "field_account_enable": gettext_lazy("Mở lại tài khoản rà soát viên, trưởng thôn"),
    # units
    "village_create": gettext_lazy("Thêm thôn"),
    "village_update": gettext_lazy("Sửa thôn"),
    # households
    "household_register": gettext_lazy("Đăng ký hộ"),
    "household_import": gettext_lazy("Nhập hộ từ Excel"),
    "baseline_import": gettext_lazy("Ghi kết quả năm trước theo danh sách đã phê duyệt"),
    "baseline_remove": gettext_lazy("Bỏ kết quả năm trước đã nhập (danh sách được nhập lại)"),
    "household_import_update": gettext_lazy("Cập nhật hộ khi nhập từ Excel"),
    "member_import": gettext_lazy("Thêm thành viên khi nhập từ Excel"),
    "member_import_update": gettext_lazy("Cập nhật thành viên khi nhập từ Excel"),
    "household_update": gettext_lazy("Sửa thông tin hộ"),
    "household_split": gettext_lazy("Tách hộ"),
    "household_merge": gettext_lazy("Nhập hộ"),
    "household_close": gettext_lazy("Đóng hồ sơ hộ"),
    "member_add": gettext_lazy("Thêm thành viên"),
    "member_update": gettext_lazy("Sửa thành viên"),
    "member_set_status": gettext_lazy("Thành viên chuyển đi hoặc mất"),
    # rounds, forms and standards
    "round_open": gettext_lazy("Mở đợt rà soát"),
    "commune_total_record": gettext_lazy("Ghi tổng số hộ của xã"),
    "response_start": gettext_lazy("Bắt đầu phiếu"),
    "response_update": gettext_lazy("Sửa phiếu"),
    "review_list_build": gettext_lazy("Lập danh sách hộ cần rà soát từ đợt trước"),
    "review_list_add": gettext_lazy("Thêm hộ vào danh sách cần rà soát"),
    "criterion_add": gettext_lazy("Thêm tiêu chí Phiếu A"),
    "criterion_retire": gettext_lazy("Bỏ tiêu chí Phiếu A"),
    "score_card_install": gettext_lazy("Cài bảng điểm"),
    "target_record": gettext_lazy("Ghi chỉ tiêu tỷ lệ hộ nghèo"),
    "finding_follow_up_record": gettext_lazy("Ghi kết quả xem xét dấu hiệu cần xem xét"),
    # the review procedure (survey/workflow.py STEPS) and complaints
    "response_submit": gettext_lazy("Nộp phiếu"),
    "meeting_agree": gettext_lazy("Họp thôn thống nhất"),
    "meeting_dispute": gettext_lazy("Họp thôn chưa thống nhất"),
    "response_recheck": gettext_lazy("Phúc tra: giữ kết quả"),
    "response_recheck_correct": gettext_lazy("Phúc tra: sửa phiếu"),
    "posting_start": gettext_lazy("Niêm yết công khai"),
    "response_approve": gettext_lazy("Phê duyệt"),
    "response_return": gettext_lazy("Trả lại phiếu"),
    "response_reopen": gettext_lazy("Mở lại kết quả đã phê duyệt"),
    "complaint_record": gettext_lazy("Ghi khiếu nại"),
    "complaint_resolve": gettext_lazy("Giải quyết khiếu nại"),
    # above the forms: the opinion of the level above, the hand-in up the tree
    "opinion_request": gettext_lazy("Gửi xin ý kiến cấp trên"),
    "opinion_give": gettext_lazy("Cho ý kiến về kết quả của xã"),
    "commune_hand_in": gettext_lazy("Xã nộp kết quả lên cấp trên"),
    "commune_reopen": gettext_lazy("Mở lại kết quả xã đã nộp"),
    "district_hand_in": gettext_lazy("Huyện xác nhận và nộp lên tỉnh"),
    "district_reopen": gettext_lazy("Mở lại kết quả huyện đã nộp"),
    "round_close": gettext_lazy("Kết thúc đợt rà soát"),
}


@dataclass(frozen=True)
class _Key:
    """A change key that is not a field of the target's model, or whose field has no good name."""

    label: Promise
    # "app_label.model.field" whose choices or type give the value its words.
    field: str | None = None
    # The value may be a unit's code (it is read against the event's own unit).
    unit_code: bool = False


KEYS: Mapping[str, _Key] = {
    "head": _Key(gettext_lazy("Chủ hộ")),
    "split_from": _Key(gettext_lazy("Tách từ hộ")),
    "members": _Key(gettext_lazy("Số thành viên chuyển sang")),
    "merged_into": _Key(gettext_lazy("Nhập vào hộ")),
    "household": _Key(gettext_lazy("Hộ")),
    "standard": _Key(gettext_lazy("Chuẩn nghèo")),
    "options": _Key(gettext_lazy("Số lựa chọn trong bảng điểm")),
    "verified": _Key(gettext_lazy("Đã kiểm chứng")),
    "computed": _Key(gettext_lazy("Kết quả tính"), "survey.surveyresponse.computed_classification"),
    "final": _Key(gettext_lazy("Kết quả cuối cùng"), "survey.surveyresponse.final_classification"),
    "total_households": _Key(gettext_lazy("Tổng số hộ"), "survey.communetotal.total_households"),
    "source": _Key(gettext_lazy("Nguồn số liệu")),
    "year": _Key(gettext_lazy("Năm")),
    "kind": _Key(gettext_lazy("Loại đợt"), "survey.reviewround.kind"),
    "month": _Key(gettext_lazy("Tháng")),
    "role": _Key(gettext_lazy("Vai trò"), "accounts.user.role"),
    "unit": _Key(gettext_lazy("Đơn vị công tác"), unit_code=True),
    "village": _Key(gettext_lazy("Thôn"), "households.household.village", unit_code=True),
    "first_name": _Key(gettext_lazy("Họ và tên")),
    "villages": _Key(gettext_lazy("Thôn được giao")),
    "email": _Key(gettext_lazy("Thư điện tử")),
    "is_active": _Key(gettext_lazy("Đang hoạt động"), "accounts.user.is_active"),
    "text": _Key(gettext_lazy("Nội dung")),
    "name": _Key(gettext_lazy("Tên")),
    "target_poverty_rate": _Key(gettext_lazy("Tỷ lệ hộ nghèo mục tiêu (%)")),
    "screening_criteria": _Key(gettext_lazy("Tiêu chí Phiếu A hộ đáp ứng")),
    "direct_answers": _Key(gettext_lazy("Câu trả lời trực tiếp về chỉ số thiếu hụt")),
    "card_answers": _Key(gettext_lazy("Câu trả lời bảng điểm thu nhập")),
    "card_flags": _Key(gettext_lazy("Đánh dấu trên bảng điểm")),
    "income_by_source": _Key(gettext_lazy("Thu nhập theo nguồn")),
    "carried_from": _Key(gettext_lazy("Lấy từ phiếu năm")),
    "classification": _Key(gettext_lazy("Phân loại"), "survey.surveyresponse.final_classification"),
    "decision": _Key(gettext_lazy("Số quyết định")),
    "confirmed_sections": _Key(gettext_lazy("Phần đã xác nhận")),
    "previous_round": _Key(gettext_lazy("Đợt trước (năm)")),
    "added": _Key(gettext_lazy("Số hộ được thêm")),
    "checked_on": _Key(gettext_lazy("Ngày phúc tra")),
    "checked_by": _Key(gettext_lazy("Người phúc tra")),
    "households": _Key(gettext_lazy("Số hộ")),
    "agreed": _Key(gettext_lazy("Thống nhất")),
    "comments": _Key(gettext_lazy("Số hộ có ý kiến")),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None  # None: the change records one value, not a pair
    new: str


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _borrowed(path: str | None) -> models.Field[Any, Any] | None:
    if not path:
        return None
    app_label, model_name, name = path.split(".")
    return _field(apps.get_model(app_label, model_name), name)


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number_format(number, force_grouping=True)


class _Words:
    """Turns one page of events into words; foreign keys are looked up once per page."""

    def __init__(self, events: list[AuditEvent]) -> None:
        self.names: dict[tuple[type[models.Model], str], str] = {}
        wanted: dict[type[models.Model], set[str]] = {}
        for event in events:
            model = self._model(event)
            for key, value in (event.changes or {}).items():
                field = self._field_of(model, key)
                if isinstance(field, models.ForeignKey) and isinstance(value, list):
                    related = field.related_model
                    assert isinstance(related, type)
                    wanted.setdefault(related, set()).update(
                        str(v) for v in value if isinstance(v, str | int) and str(v).isdigit()
                    )
        for related, pks in wanted.items():
            for obj in related._default_manager.filter(pk__in=pks):
                self.names[(related, str(obj.pk))] = str(obj)

    @staticmethod
    def _model(event: AuditEvent) -> type[models.Model] | None:
        try:
            return apps.get_model(event.target_type)
        except (LookupError, ValueError):
            return None

    @staticmethod
    def _field_of(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
        spec = KEYS.get(key)
        if spec is not None and spec.field:
            return _borrowed(spec.field)
        return _field(model, key)

    def value(self, event: AuditEvent, key: str, field: Any, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        spec = KEYS.get(key)
        if spec is not None and spec.unit_code:
            # Stored as a code (registration, accounts): the event's own unit names it.
            unit = event.unit
            if isinstance(unit, AdminUnit) and unit.code == value:
                return unit.name
            if field is None:
                return _("mã %(code)s") % {"code": value}
        if isinstance(value, bool):
            return _("có") if value else _("không")
        if isinstance(value, dict | list):
            if key == "screening_criteria" and all(isinstance(v, str) for v in value):
                return "; ".join(value)  # the criteria's own texts
            return _("%(n)d mục") % {"n": len(value)}
        if field is not None:
            if field.choices:
                return str(dict(field.flatchoices).get(value, value))
            if isinstance(field, models.ForeignKey):
                related = field.related_model
                return self.names.get((related, str(value)), str(value))  # type: ignore[arg-type]
            if isinstance(field, models.DateTimeField):
                moment = parse_datetime(str(value))
                return date_format(moment, "SHORT_DATETIME_FORMAT") if moment else str(value)
            if isinstance(field, models.DateField):
                day = parse_date(str(value))
                return date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
            if isinstance(field, models.DecimalField | models.IntegerField) and key != "year":
                return _number(value)
        if isinstance(value, int | float | Decimal) and key not in {"year", "month"}:
            return _number(value)
        if isinstance(value, datetime.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        return str(value)

    def changes(self, event: AuditEvent) -> list[Change]:
        model = self._model(event)
        out = []
        for key, value in (event.changes or {}).items():
            field = self._field_of(model, key)
            spec = KEYS.get(key)
            if spec is not None:
                label = str(spec.label)
            elif field is not None:
                label = str(field.verbose_name)
            else:
                label = key
            label = label[:1].upper() + label[1:]
            if isinstance(value, list) and len(value) == 2:  # [old, new]
                old, new = (self.value(event, key, field, v) for v in value)
                out.append(Change(label, old, new))
            else:
                out.append(Change(label, None, self.value(event, key, field, value)))
        return out


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    action: str
    changes: list[Change]


def describe_events(events: Iterable[AuditEvent]) -> list[EventRow]:
    """One page of the audit trail, in words (one query per related model, not per row)."""
    chosen = list(events)
    words = _Words(chosen)
    return [EventRow(e, action_label(e.action), words.changes(e)) for e in chosen]
