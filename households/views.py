from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import AuditEvent, User
from accounts.scoping import can_change_unit, changeable_units, unit_param
from accounts.types import AuthedHttpRequest
from areas.models import AdminUnit
from core.errors import form_add_service_error, message_service_error
from core.locking import StaleEdit, stale_context
from core.paging import UncountedPage, uncounted_page
from survey.models import ReviewRound, SurveyResponse
from survey.selectors import rounds_visible

from .forms import (
    CitizenIdSearchForm,
    HouseholdCloseForm,
    HouseholdForm,
    HouseholdMergeForm,
    HouseholdSplitForm,
    MemberForm,
    MemberStatusForm,
    SearchForm,
)
from .models import Household, Member
from .selectors import (
    can_fill_household,
    household_access,
    household_get_or_404,
    household_list_counted,
    household_list_order,
    household_merge_targets,
    household_search,
    households_visible,
    member_get_or_404,
    with_member_count,
)
from .services import (
    household_close,
    household_merge,
    household_register,
    household_split,
    household_update,
    member_add,
    member_set_status,
    member_update,
)
from .text import search_key

LIST_COLUMNS = (
    "public_id",
    "head_name",
    "split_from_id",
    "address",
    "status",
    "village__name",
    "present_members",
)


def _detail_url_maker() -> Callable[[UUID], str]:
    """A household page's URL from its public id, reversed once for the list rather than once
    per row (a `{% url %}` cost as much as the rest of a row)."""
    marker = str(UUID(int=0))
    before, after = reverse("households:detail", kwargs={"public_id": marker}).split(marker)
    return lambda public_id: f"{before}{public_id}{after}"


def _villages(request: AuthedHttpRequest):  # type: ignore[no-untyped-def]
    return changeable_units(request.user).filter(level=AdminUnit.Level.VILLAGE, is_active=True)


def _village_param(request: AuthedHttpRequest) -> AdminUnit | None:
    village = unit_param(request.user, request.GET.get("village", ""))
    if village is not None and not village.is_village:
        raise Http404
    return village


@require_http_methods(["GET", "POST"])
def household_list(request: AuthedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    id_form = CitizenIdSearchForm(request.POST or None)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    searched_by_id = request.method == "POST" and id_form.is_valid()
    if searched_by_id:
        households = household_search(
            request.user, citizen_id=id_form.cleaned_data["citizen_id"], include_inactive=True
        )
    else:
        households = household_search(request.user, name=name)
    # ?village=<public_id>: one village's households (the home board links here); out of reach: 404.
    village = _village_param(request)
    if village is not None:
        households = households.filter(village=village)
    households = household_list_order(
        request.user, households, village=village, searched=searched_by_id or bool(search_key(name))
    )
    # The columns the list shows, as plain rows: building 50 households and their villages as
    # model objects cost more than the page's own queries (issue 14).
    rows = households.values(*LIST_COLUMNS)
    page: Page[dict[str, Any]] | UncountedPage = (
        Paginator(rows, 50).get_page(request.GET.get("page"))
        if household_list_counted(request.user, village)
        else uncounted_page(rows, request.GET.get("page"), 50)
    )
    # Each status translated once, not once per row (`get_status_display` translated every
    # label of the field to show one).
    # Each row's link and labels made here: three fewer template variables a row, which is most
    # of what rendering the page costs (issue 14).
    labels = {status: str(label) for status, label in Household.Status.choices}
    detail_url = _detail_url_maker()
    for row in page.object_list:
        row["status_label"] = labels[row["status"]]
        row["url"] = detail_url(row["public_id"])
    return render(
        request,
        "households/household_list.html",
        {
            "page": page,
            "form": form,
            "id_form": id_form,
            "query": name,
            "village": village,
            "can_register": _villages(request).exists(),
            "can_import": request.user.role == User.Role.COMMUNE_OFFICER,
        },
    )


@require_http_methods(["GET", "POST"])
def household_new(request: AuthedHttpRequest) -> HttpResponse:
    villages = _villages(request)
    if not villages.exists():
        raise Http404
    form = HouseholdForm(request.POST or None, villages=villages)
    head_form = MemberForm(request.POST or None, prefix="head", head=True)
    if request.method == "POST" and form.is_valid() and head_form.is_valid():
        try:
            household = household_register(
                actor=request.user,
                village=form.cleaned_data["village"],
                address=form.cleaned_data["address"],
                number=form.cleaned_data["number"],
                phone=form.cleaned_data["phone"],
                head=head_form.member_values(),
            )
        except ValidationError as exc:
            form_add_service_error(head_form, exc, {})
        else:
            messages.success(request, _("Đã đăng ký hộ %(name)s.") % {"name": household})
            return redirect("households:detail", public_id=household.public_id)
    return render(request, "households/household_form.html", {"form": form, "head_form": head_form})


def household_detail(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household, can_change = household_access(request.user, public_id)
    can_fill = can_fill_household(request.user, household)
    members = household.members.order_by("status", "id")
    split_offs = with_member_count(households_visible(request.user).filter(split_from=household))
    events = AuditEvent.objects.filter(
        target_type__in=["households.household", "households.member"],
        target_id__in=[str(household.pk), *[str(m.pk) for m in members]],
    ).select_related("actor")[:30]
    responses = (
        SurveyResponse.objects.filter(household=household)
        .select_related("review_round")
        .order_by("-review_round__year", "-review_round__month")
    )
    started = {r.review_round_id for r in responses}
    open_rounds = [
        r
        for r in rounds_visible(request.user).filter(status=ReviewRound.Status.OPEN)
        if r.pk not in started and household.village.path.startswith(r.province.path)
    ]
    return render(
        request,
        "households/household_detail.html",
        {
            "responses": responses,
            "open_rounds": open_rounds if can_fill else [],
            "household": household,
            "members": members,
            "can_change": can_change,
            "can_edit_members": can_fill,
            "split_offs": split_offs,
            "events": events,
        },
    )


@require_http_methods(["GET", "POST"])
def household_edit(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household = household_get_or_404(request.user, public_id, change=True)
    form = HouseholdForm(
        request.POST or None,
        instance=household,
        villages=_villages(request).filter(parent=household.commune),
        initial={"version": household.version},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        fresh = Household.objects.get(pk=household.pk)
        try:
            household_update(
                actor=request.user,
                household=fresh,
                values=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            # Show what the other person saved; keep what this person typed for a deliberate redo.
            fresh.refresh_from_db()
            stale = stale_context(request.POST, form, fresh)
            form = HouseholdForm(
                instance=fresh,
                villages=_villages(request).filter(parent=household.commune),
                initial={"version": fresh.version},
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("households:detail", public_id=household.public_id)
    return render(
        request,
        "households/household_edit.html",
        {"form": form, "household": household, "stale": stale},
    )


@require_http_methods(["GET", "POST"])
def member_new(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household = household_get_or_404(request.user, public_id, change=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_add(actor=request.user, household=household, values=form.member_values())
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã thêm thành viên."))
            return redirect("households:detail", public_id=household.public_id)
    return render(request, "households/member_form.html", {"form": form, "household": household})


@require_http_methods(["GET", "POST"])
def member_edit(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    member = member_get_or_404(request.user, public_id, facts=True)
    household = member.household
    form = MemberForm(request.POST or None, instance=member, initial={"version": member.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        fresh = Member.objects.get(pk=member.pk)
        try:
            member_update(
                actor=request.user,
                member=fresh,
                values=form.member_values(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            fresh.refresh_from_db()
            stale = stale_context(request.POST, form, fresh)
            form = MemberForm(instance=fresh, initial={"version": fresh.version})
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(request, _("Đã lưu thành viên %(name)s.") % {"name": member})
            return redirect("households:detail", public_id=household.public_id)
    return render(
        request,
        "households/member_form.html",
        {
            "form": form,
            "household": household,
            "member": member,
            "stale": stale,
            # Who left or died changes who is counted: the officer's (households_changeable).
            "status_form": MemberStatusForm()
            if can_change_unit(request.user, household.village)
            else None,
        },
    )


@require_POST
def member_status(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    member = member_get_or_404(request.user, public_id, change=True)
    form = MemberStatusForm(request.POST)
    if form.is_valid():
        try:
            member_set_status(
                actor=request.user,
                member=member,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            message_service_error(request, exc)
        else:
            messages.success(request, _("Đã cập nhật tình trạng của %(name)s.") % {"name": member})
    else:
        messages.error(request, _("Hãy chọn tình trạng và ghi lý do."))
    return redirect("households:detail", public_id=member.household.public_id)


def _lineage_closed(request: AuthedHttpRequest, household: Household) -> HttpResponse | None:
    """A household that no longer lives here cannot split, merge or close again: say so."""
    if household.is_active:
        return None
    messages.error(request, _("Hộ này không còn cư trú: không tách, nhập hay đóng được nữa."))
    return redirect("households:detail", public_id=household.public_id)


@require_http_methods(["GET", "POST"])
def household_split_page(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household = household_get_or_404(request.user, public_id, change=True)
    if closed := _lineage_closed(request, household):
        return closed
    form = HouseholdSplitForm(
        request.POST or None,
        members=household.members.filter(status=Member.Status.PRESENT).order_by("id"),
        villages=_villages(request).filter(parent=household.commune),
        initial={"village": household.village},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = household_split(
                actor=request.user,
                source=household,
                members=list(form.cleaned_data["members"]),
                new_head=form.cleaned_data["new_head"],
                village=form.cleaned_data["village"],
                address=form.cleaned_data["address"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(
                request, _("Đã tách hộ %(new)s từ hộ %(old)s.") % {"new": new, "old": household}
            )
            return redirect("households:detail", public_id=new.public_id)
    return render(
        request, "households/household_split.html", {"form": form, "household": household}
    )


@require_http_methods(["GET", "POST"])
def household_merge_page(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household = household_get_or_404(request.user, public_id, change=True)
    if closed := _lineage_closed(request, household):
        return closed
    form = HouseholdMergeForm(
        request.POST or None, targets=household_merge_targets(request.user, household)
    )
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            household_merge(
                actor=request.user,
                source=household,
                target=target,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(
                request, _("Đã nhập hộ %(old)s vào hộ %(new)s.") % {"old": household, "new": target}
            )
            return redirect("households:detail", public_id=target.public_id)
    return render(
        request, "households/household_merge.html", {"form": form, "household": household}
    )


@require_http_methods(["GET", "POST"])
def household_close_page(request: AuthedHttpRequest, public_id: str) -> HttpResponse:
    household = household_get_or_404(request.user, public_id, change=True)
    if closed := _lineage_closed(request, household):
        return closed
    form = HouseholdCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_close(
                actor=request.user,
                household=household,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc, {})
        else:
            messages.success(
                request,
                _("Đã ghi hộ %(name)s: %(status)s.")
                % {"name": household, "status": household.get_status_display()},
            )
            return redirect("households:detail", public_id=household.public_id)
    return render(
        request, "households/household_close.html", {"form": form, "household": household}
    )
