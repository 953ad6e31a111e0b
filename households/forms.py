from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit
from core.fields import MoneyField
from core.locking import VersionField
from core.text import CleanTextMixin

from .models import Household, Member
from .services import MEMBER_FIELDS


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self) -> None:
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class MemberForm(CleanTextMixin, forms.ModelForm):
    """Validates and normalises what the officer typed; the services check the rest."""

    version = VersionField()
    # Longer than 12 on purpose: people type spaces or dots between groups; the service normalises.
    citizen_id = forms.CharField(
        label=_("Số CCCD"),
        max_length=20,
        required=False,
        help_text=_("12 chữ số. Để trống nếu chưa có (trẻ em)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"birth_date": DateInput()}
        field_classes = {"monthly_social_allowance": MoneyField}
        help_texts = {
            "birth_year": _("Bắt buộc; tự điền từ ngày sinh nếu có ngày sinh."),
            "monthly_social_allowance": _("Số tiền trợ cấp xã hội hằng tháng, 0 nếu không có."),
        }

    def __init__(self, *args, head: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].required = False
        # A number pad on a phone (the money field is left to its own widget).
        self.fields["birth_year"].widget.attrs["inputmode"] = "numeric"
        if head:
            del self.fields["relationship"]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if not data.get("birth_year") and not data.get("birth_date"):
            self.add_error("birth_year", _("Hãy nhập năm sinh hoặc ngày sinh."))
        return data

    def _post_clean(self) -> None:
        # Model-level checks (unique CCCD, one head) belong to the services, which know the context.
        pass

    def member_values(self) -> dict[str, object]:
        return {f: self.cleaned_data[f] for f in MEMBER_FIELDS if f in self.cleaned_data}


class VillageChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: object) -> str:
        return getattr(obj, "name", str(obj))


class HouseholdForm(CleanTextMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Household
        fields = ["village", "number", "address", "phone"]

    def __init__(self, *args, villages, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["village"] = VillageChoiceField(queryset=villages, label=_("Thôn"))

    def _post_clean(self) -> None:
        pass


class SearchForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Tên chủ hộ hoặc thành viên"), required=False, max_length=100)


class CitizenIdSearchForm(CleanTextMixin, forms.Form):
    citizen_id = forms.CharField(label=_("Số CCCD"), max_length=20)


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class MemberStatusForm(ReasonForm):
    status = forms.ChoiceField(
        label=_("Tình trạng mới"),
        choices=[
            (Member.Status.MOVED_AWAY.value, Member.Status.MOVED_AWAY.label),
            (Member.Status.DECEASED.value, Member.Status.DECEASED.label),
        ],
    )


def _member_label(obj: object) -> str:
    assert isinstance(obj, Member)
    return f"{obj.full_name} ({obj.birth_year}, {obj.get_relationship_display()})"


class MemberChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: object) -> str:
        return _member_label(obj)


class HeadChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: object) -> str:
        return _member_label(obj)


class HouseholdSplitForm(CleanTextMixin, forms.Form):
    """Tách hộ: which present members leave, who heads the new household, where it lives, why."""

    members = MemberChoiceField(
        queryset=Member.objects.none(),
        label=_("Những người tách ra"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn những người tách ra."),
            "invalid_choice": _("Hãy chọn những người đang sống trong hộ."),
        },
    )
    new_head = HeadChoiceField(
        queryset=Member.objects.none(),
        label=_("Chủ hộ mới"),
        empty_label=_("— chọn một người trong số người tách ra —"),
        error_messages={
            "required": _("Hãy chọn chủ hộ mới."),
            "invalid_choice": _("Hãy chọn chủ hộ mới trong số người đang sống trong hộ."),
        },
    )
    village = VillageChoiceField(
        queryset=AdminUnit.objects.none(),
        label=_("Thôn của hộ mới"),
        error_messages={
            "required": _("Hãy chọn thôn."),
            "invalid_choice": _("Hãy chọn một thôn trong xã."),
        },
    )
    address = forms.CharField(
        label=_("Địa chỉ của hộ mới"),
        max_length=300,
        error_messages={"required": _("Hãy nhập địa chỉ của hộ mới.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tách hộ phải ghi lý do.")},
    )

    def __init__(self, *args, members, villages, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        self.fields["new_head"].queryset = members  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class TargetHouseholdField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: object) -> str:
        assert isinstance(obj, Household)
        return f"{obj.head_name or '—'} · {obj.village.name} · {obj.address}"


class HouseholdMergeForm(CleanTextMixin, forms.Form):
    """Nhập hộ: the household this one joins (active, same commune) and why."""

    target = TargetHouseholdField(
        queryset=Household.objects.none(),
        label=_("Nhập vào hộ"),
        empty_label=_("— chọn hộ nhận —"),
        error_messages={
            "required": _("Hãy chọn hộ nhận."),
            "invalid_choice": _("Hãy chọn một hộ đang cư trú trong cùng xã."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Nhập hộ phải ghi lý do.")},
    )

    def __init__(self, *args, targets, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class HouseholdCloseForm(CleanTextMixin, forms.Form):
    """Hộ chuyển đi / không còn: the row stays, with the new status and the reason."""

    status = forms.ChoiceField(
        label=_("Tình trạng mới"),
        choices=[
            (Household.Status.MOVED_AWAY.value, Household.Status.MOVED_AWAY.label),
            (Household.Status.DISSOLVED.value, Household.Status.DISSOLVED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn tình trạng mới."),
            "invalid_choice": _("Tình trạng không hợp lệ."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do.")},
    )


class VillageForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Tên thôn / tổ dân phố"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[
            (AdminUnit.Kind.THON.value, AdminUnit.Kind.THON.label),
            (AdminUnit.Kind.TO_DAN_PHO.value, AdminUnit.Kind.TO_DAN_PHO.label),
        ],
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
