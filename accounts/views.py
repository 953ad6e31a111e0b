from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from areas.models import AdminUnit
from core.errors import form_add_service_error

from .audit_display import describe_events
from .forms import AccountForm, FieldAccountForm, LoginForm, OwnPasswordForm, UserSearchForm
from .models import AuditEvent, User
from .scoping import (
    can_manage_accounts,
    field_account_commune,
    field_account_villages,
    field_accounts,
    scoped,
)
from .services import (
    field_account_create,
    field_account_update,
    user_create,
    user_password_changed,
    user_reset_password,
    user_update,
)
from .types import AuthedHttpRequest


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = OwnPasswordForm

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        user_password_changed(user=self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response

    def get_success_url(self) -> str:
        return reverse("home")


def _admin_only(request: AuthedHttpRequest) -> None:
    # Account pages do not exist for anyone but admins: a 404, like any out-of-scope object.
    if not can_manage_accounts(request.user):
        raise Http404


def _account_or_404(public_id: str) -> User:
    user = User.objects.select_related("unit", "unit__edition").filter(public_id=public_id).first()
    if user is None:
        raise Http404
    return user


def user_list(request: AuthedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = UserSearchForm(request.GET)
    users = User.objects.select_related("unit", "unit__edition").order_by("username")
    query = ""
    if not form.is_valid():
        users = users.none()
    else:
        query = form.cleaned_data["q"]
        if query:
            users = users.filter(
                Q(username__icontains=query)
                | Q(first_name__icontains=query)
                | Q(unit__name__icontains=query)
                | Q(unit__code=query)
            )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query, "form": form})


@require_http_methods(["GET", "POST"])
def user_add(request: AuthedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = user_create(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                unit=data["unit"],
                full_name=data["full_name"],
                email=data["email"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {"unit": "unit_code"})
        else:
            return render(
                request,
                "accounts/one_time_password.html",
                {"account": account.user, "password": account.password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    _admin_only(request)
    account = _account_or_404(public_id)
    initial = {
        "username": account.username,
        "full_name": account.first_name,
        "email": account.email,
        "role": account.role,
        "edition": account.unit.edition if account.unit else None,
        "unit_code": account.unit.code if account.unit else "",
        "is_active": account.is_active,
        "version": account.version,
    }
    form = AccountForm(request.POST or None, initial=initial, editing=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=request.user,
                user=account,
                role=data["role"],
                unit=data["unit"],
                is_active=data["is_active"],
                full_name=data["full_name"],
                email=data["email"],
                expected_version=data["version"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {"unit": "unit_code"})
        else:
            messages.success(request, _("Đã lưu tài khoản %(u)s.") % {"u": account.username})
            return redirect("accounts:user_list")
    events = AuditEvent.objects.filter(
        target_type=User._meta.label_lower, target_id=str(account.pk)
    ).select_related("actor")[:20]
    return render(
        request, "accounts/user_form.html", {"form": form, "account": account, "events": events}
    )


@require_POST
def user_password_reset(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    _admin_only(request)
    account = _account_or_404(public_id)
    password = user_reset_password(actor=request.user, user=account)
    return render(
        request,
        "accounts/one_time_password.html",
        {"account": account, "password": password, "created": False},
    )


def audit_list(request: AuthedHttpRequest) -> HttpResponse:
    events = scoped(request.user, AuditEvent.objects.select_related("actor", "unit"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/audit_list.html", {"page": page, "rows": describe_events(page)}
    )


# --- Surveyors and village heads of the officer's commune ----------------------------------------


def _field_commune(request: AuthedHttpRequest) -> AdminUnit:
    # Only a commune officer manages these accounts (the admin's pages are above): a 404 for others.
    commune = field_account_commune(request.user)
    if commune is None:
        raise Http404
    return commune


def _field_account_or_404(request: AuthedHttpRequest, public_id: str) -> User:
    account = (
        field_accounts(request.user).select_related("unit").filter(public_id=public_id).first()
    )
    if account is None:
        raise Http404
    return account


def field_list(request: AuthedHttpRequest) -> HttpResponse:
    commune = _field_commune(request)
    accounts = (
        field_accounts(request.user).prefetch_related("villages").order_by("-is_active", "username")
    )
    return render(request, "accounts/field_list.html", {"commune": commune, "accounts": accounts})


@require_http_methods(["GET", "POST"])
def field_add(request: AuthedHttpRequest) -> HttpResponse:
    commune = _field_commune(request)
    form = FieldAccountForm(
        request.POST or None,
        villages=field_account_villages(request.user),
        initial={"role": User.Role.SURVEYOR},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = field_account_create(
                actor=request.user,
                commune=commune,
                username=data["username"],
                role=data["role"],
                full_name=data["full_name"],
                villages=list(data["villages"]),
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            return render(
                request,
                "accounts/one_time_password.html",
                {
                    "account": account.user,
                    "password": account.password,
                    "created": True,
                    "back": reverse("accounts:field_list"),
                },
            )
    return render(request, "accounts/field_form.html", {"form": form, "commune": commune})


@require_http_methods(["GET", "POST"])
def field_edit(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    commune = _field_commune(request)
    account = _field_account_or_404(request, public_id)
    form = FieldAccountForm(
        request.POST or None,
        villages=field_account_villages(request.user),
        editing=account,
        initial={
            "full_name": account.first_name,
            "role": account.role,
            "villages": [v.public_id for v in account.villages.all()],
            "is_active": account.is_active,
            "version": account.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field_account_update(
                actor=request.user,
                user=account,
                full_name=data["full_name"],
                villages=list(data["villages"]),
                is_active=data["is_active"],
                expected_version=data["version"],
                role=data["role"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu tài khoản %(u)s.") % {"u": account.username})
            return redirect("accounts:field_list")
    return render(
        request,
        "accounts/field_form.html",
        {"form": form, "commune": commune, "account": account},
    )


@require_POST
def field_password_reset(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    """A surveyor or village head forgot the password: the officer gives a new one-time one."""
    _field_commune(request)
    account = _field_account_or_404(request, public_id)
    password = user_reset_password(actor=request.user, user=account)
    return render(
        request,
        "accounts/one_time_password.html",
        {
            "account": account,
            "password": password,
            "created": False,
            "back": reverse("accounts:field_list"),
        },
    )
