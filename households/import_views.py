"""The commune officer's Excel import: upload, preview (counts, row errors, absent households),
confirm. Nothing is written before the confirmation, and a file with one error is never applied."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import form_add_service_error, message_service_error
from core.text import CleanTextMixin
from core.workbooks import WorkbookError
from survey.baseline import baseline_from_list

from .imports import COLUMNS, ImportPlan, import_apply, import_plan, import_template
from .models import HouseholdImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx) theo mẫu"))
    baseline_year = forms.IntegerField(
        label=gettext_lazy("Năm của danh sách đã phê duyệt (cột “Phân loại năm trước”)"),
        required=False,
        min_value=2016,
        max_value=2030,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("Chỉ ghi khi xã bắt đầu dùng phần mềm và nhập danh sách năm trước."),
    )
    decision_number = forms.CharField(
        label=gettext_lazy("Số quyết định phê duyệt năm đó"), max_length=64, required=False
    )
    decision_date = forms.DateField(
        label=gettext_lazy("Ngày quyết định"),
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        given = [data.get(k) for k in ("baseline_year", "decision_number", "decision_date")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                _("Danh sách năm trước cần đủ năm, số và ngày của quyết định phê duyệt.")
            )
        return data


def _commune(request: AuthedHttpRequest) -> AdminUnit:
    """The commune whose list the user brings in: a commune officer's own."""
    user = request.user
    if user.role != User.Role.COMMUNE_OFFICER or user.unit is None:
        raise Http404
    return user.unit


def _plan(upload: HouseholdImport, user: User) -> ImportPlan:
    return import_plan(
        actor=user,
        commune=upload.commune,
        file=io.BytesIO(bytes(upload.content)),
        name=upload.file_name,
    )


def import_template_download(request: AuthedHttpRequest) -> HttpResponse:
    _commune(request)
    response = HttpResponse(import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-ho.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedHttpRequest) -> HttpResponse:
    commune = _commune(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            content = file.read()
            import_plan(
                actor=request.user, commune=commune, file=io.BytesIO(content), name=file.name
            )
        except WorkbookError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            upload = HouseholdImport.objects.create(
                commune=commune,
                file_name=file.name,
                content=content,
                uploaded_by=request.user,
                baseline_year=form.cleaned_data["baseline_year"],
                decision_number=form.cleaned_data["decision_number"],
                decision_date=form.cleaned_data["decision_date"],
            )
            return redirect("households:import_preview", public_id=upload.public_id)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "households/import_upload.html",
        {"form": form, "commune": commune, "columns": COLUMNS},
        status=status,
    )


def _upload_or_404(request: AuthedHttpRequest, public_id: str) -> HouseholdImport:
    upload = HouseholdImport.objects.filter(
        public_id=public_id, commune=_commune(request), uploaded_by=request.user
    ).first()
    if upload is None:
        raise Http404
    return upload


def _baseline_problem(upload: HouseholdImport, plan: ImportPlan) -> str:
    if plan.baseline and not upload.baseline_year:
        return _(
            "Cột “Phân loại năm trước” có ghi: hãy tải lên lại và ghi năm, số và ngày của quyết "
            "định phê duyệt danh sách năm đó."
        )
    return ""


def import_preview(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    upload = _upload_or_404(request, public_id)
    if upload.applied_at is not None:
        messages.info(request, _("Tệp này đã được nhập."))
        return redirect("households:list")
    plan = _plan(upload, request.user)
    return render(
        request,
        "households/import_preview.html",
        {
            "upload": upload,
            "plan": plan,
            "errors": plan.errors[:500],
            "baseline_problem": _baseline_problem(upload, plan),
            "baseline": plan.baseline,
        },
    )


@require_POST
def import_confirm(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    upload = _upload_or_404(request, public_id)
    if upload.applied_at is not None:
        messages.info(request, _("Tệp này đã được nhập."))
        return redirect("households:list")
    with transaction.atomic():
        plan = _plan(upload, request.user)
        if not plan.ok or _baseline_problem(upload, plan):
            messages.error(
                request, _("Tệp còn lỗi: không ghi gì. Sửa trong Excel rồi tải lên lại.")
            )
            return redirect("households:import_preview", public_id=upload.public_id)
        try:
            import_apply(actor=request.user, plan=plan)
            if plan.baseline and upload.baseline_year and upload.decision_date:
                baseline_from_list(
                    actor=request.user,
                    commune=upload.commune,
                    year=upload.baseline_year,
                    decision_number=upload.decision_number,
                    decision_date=upload.decision_date,
                    numbers=plan.baseline,
                )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            transaction.set_rollback(True)
            message_service_error(request, exc)
            return redirect("households:import_preview", public_id=upload.public_id)
        # The file holds citizen IDs and birth dates: once applied, it is not kept.
        upload.applied_at, upload.content = timezone.now(), b""
        upload.save(update_fields=["applied_at", "content"])
    messages.success(
        request,
        _("Đã nhập: thêm %(a)d hộ, cập nhật %(b)d hộ, thêm %(c)d và cập nhật %(d)d thành viên.")
        % {
            "a": plan.households_new,
            "b": plan.households_changed,
            "c": plan.members_new,
            "d": plan.members_changed,
        },
    )
    return redirect("households:list")
