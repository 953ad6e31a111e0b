from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import AdminUnit
from core.fields import MoneyField
from core.text import CleanTextMixin
from households.models import Household
from survey.engine import CARD_FLAGS, HOUSEHOLD_FACTS, ScoreCard, Standard

from .intake import INCOME_SOURCES, score_path_available
from .models import (
    Classification,
    CommuneTotal,
    PovertyCause,
    Recheck,
    ReviewListEntry,
    ReviewRound,
    ScreeningCriterion,
    SupportNeed,
    SurveyResponse,
)


def numeric(*, decimal: bool = False) -> forms.NumberInput:
    """A number input that opens the phone's number pad (never used for money fields)."""
    return forms.NumberInput(attrs={"inputmode": "decimal" if decimal else "numeric"})


class DMYDateField(forms.DateField):
    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class RoundOpenForm(CleanTextMixin, forms.Form):
    province: "forms.ModelChoiceField[AdminUnit]" = forms.ModelChoiceField(
        label=_("Tỉnh"), queryset=AdminUnit.objects.none(), empty_label=None
    )
    year = forms.IntegerField(
        label=_("Năm rà soát"), min_value=2016, max_value=2030, widget=numeric()
    )
    kind = forms.ChoiceField(label=_("Loại đợt"), choices=ReviewRound.Kind.choices)
    month = forms.IntegerField(
        label=_("Tháng (đợt thường xuyên)"),
        min_value=1,
        max_value=12,
        required=False,
        widget=numeric(),
    )
    starts_on = DMYDateField(
        label=_("Bắt đầu"),
        required=False,
        help_text=_("Để trống: định kỳ từ 01/9; thường xuyên từ ngày đầu tháng."),
    )
    ends_on = DMYDateField(
        label=_("Kết thúc"),
        required=False,
        help_text=_("Để trống: định kỳ đến 14/12; thường xuyên đến cuối tháng."),
    )
    commune_deadline = DMYDateField(label=_("Hạn xã báo cáo"), required=False)
    district_deadline = DMYDateField(
        label=_("Hạn huyện báo cáo"),
        required=False,
        help_text=_("Theo kế hoạch của tỉnh; không dùng khi không còn cấp huyện."),
    )

    def __init__(self, *args, provinces, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces  # type: ignore[attr-defined]  # set per user


class CommuneTotalForm(CleanTextMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CommuneTotal
        fields = ["total_households", "source"]
        widgets = {"total_households": numeric()}

    def _post_clean(self) -> None:
        pass


# --- The forms of a response, built from the round's standard ------------------------------------

YES_NO = [("", "—"), ("true", _("Có")), ("false", _("Không"))]
DEPRIVED_CHOICES = [("", "—"), ("true", _("Thiếu hụt")), ("false", _("Không thiếu hụt"))]


def _to_bool(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


def _yes_no_field(label: str, choices=YES_NO) -> forms.TypedChoiceField:  # type: ignore[no-untyped-def]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=_to_bool, empty_value=None, required=False
    )


def _initial_bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class ScreeningForm(CleanTextMixin, forms.Form):
    screening = forms.ChoiceField(
        label=_("Kết quả Phiếu A"),
        choices=[("", "—"), *SurveyResponse.Screening.choices],
        required=False,
    )
    screening_reason = forms.CharField(
        label=_("Lý do / căn cứ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Tỉnh chưa nhập bộ tiêu chí Phiếu A: hãy ghi căn cứ nhận định của cán bộ "
            "(ví dụ: hộ có ô tô, nhà kiên cố nhiều tầng...)."
        ),
    )

    def __init__(self, *args, criteria=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        texts = [c.text for c in criteria]
        if texts:
            self.fields["screening_criteria"] = forms.MultipleChoiceField(
                label=_("Hộ có các đặc điểm sau (tiêu chí Phiếu A do tỉnh ban hành)"),
                choices=[(t, t) for t in texts],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["screening_reason"].help_text = _(
                "Ghi thêm căn cứ nếu cần. Cán bộ quyết định hộ có rà soát tiếp hay không."
            )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("screening_criteria", [])
        return data


class HousingForm(CleanTextMixin, forms.Form):
    """The household facts the standard's rules read, and the indicators answered directly."""

    def __init__(self, *args, standard: Standard, response: SurveyResponse, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.standard = standard
        for name, spec in HOUSEHOLD_FACTS.items():
            if spec.derived or name not in standard.household_facts_used:
                continue
            value = getattr(response, name)
            if spec.kind == "bool":
                self.fields[name] = _yes_no_field(spec.label_vi)
                self.initial[name] = _initial_bool(value)
            elif spec.kind == "number":
                self.fields[name] = forms.DecimalField(
                    label=spec.label_vi,
                    min_value=0,
                    max_digits=7,
                    decimal_places=1,
                    required=False,
                    widget=numeric(decimal=True),
                )
                self.initial[name] = value
            elif spec.kind == "choice":
                self.fields[name] = forms.ChoiceField(
                    label=spec.label_vi,
                    choices=[("", "—"), *(spec.choices or {}).items()],
                    required=False,
                )
                self.initial[name] = value
            else:
                self.fields[name] = forms.MultipleChoiceField(
                    label=spec.label_vi,
                    choices=list((spec.choices or {}).items()),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
                self.initial[name] = value
        for indicator in standard.indicators:
            if indicator.answered_directly:
                key = f"direct__{indicator.key}"
                self.fields[key] = _yes_no_field(indicator.label_vi, DEPRIVED_CHOICES)
                self.fields[key].help_text = indicator.threshold_vi or indicator.guidance_vi or ""
                self.initial[key] = _initial_bool(response.direct_answers.get(indicator.key))

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("direct__")}
        if "water_source" in data and data["water_source"] is None:
            data["water_source"] = ""
        direct = {
            k.removeprefix("direct__"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("direct__") and v is not None
        }
        if any(i.answered_directly for i in self.standard.indicators):
            data["direct_answers"] = direct
        return data


class IncomeForm(CleanTextMixin, forms.Form):
    agricultural = forms.BooleanField(
        label=_("Hộ sống chủ yếu bằng nông, lâm, ngư nghiệp hoặc diêm nghiệp"), required=False
    )

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, standard: Standard, response: SurveyResponse, card: ScoreCard | None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.initial["agricultural"] = response.agricultural
        self.score_path = score_path_available(standard)
        self.card = card
        if self.score_path and card is not None:
            # A verified, complete card is installed: the officer answers; the engine counts.
            for item in card.items:
                name = f"card__{item.key}"
                choices = [(o.key, o.label_vi) for o in item.options]
                if item.choice == "multiple":
                    self.fields[name] = forms.MultipleChoiceField(
                        label=item.label_vi,
                        choices=choices,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                    )
                else:
                    self.fields[name] = forms.ChoiceField(
                        label=item.label_vi, choices=[("", "—"), *choices], required=False
                    )
                self.initial[name] = response.card_answers.get(item.key)
            self.fields["card_flags"] = forms.MultipleChoiceField(
                label=_("Đặc điểm của hộ"),
                choices=list(CARD_FLAGS.items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.initial["card_flags"] = response.card_flags
        elif self.score_path:
            self.fields["income_score_manual"] = forms.DecimalField(
                label=_("Tổng điểm thu nhập (điểm A / B1) tính trên Phiếu B giấy"),
                min_value=0,
                max_digits=7,
                decimal_places=1,
                required=False,
                widget=numeric(decimal=True),
                help_text=_(
                    "Bảng điểm chính thức của chuẩn này chưa được cài vào phần mềm: hãy cộng điểm "
                    "trên phiếu giấy và nhập tổng. Kết quả sẽ ghi rõ là điểm nhập tay."
                ),
            )
            self.initial["income_score_manual"] = response.income_score_manual
        for key, label in INCOME_SOURCES.items():
            name = f"income__{key}"
            self.fields[name] = MoneyField(
                label=_("%(src)s (đồng/12 tháng)") % {"src": label}, required=False
            )
            self.initial[name] = response.income_by_source.get(key)

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {"agricultural": self.cleaned_data["agricultural"]}
        if "income_score_manual" in self.fields:
            data["income_score_manual"] = self.cleaned_data["income_score_manual"]
        if "card_flags" in self.fields:
            data["card_answers"] = {
                k.removeprefix("card__"): v
                for k, v in self.cleaned_data.items()
                if k.startswith("card__") and v not in ("", [], None)
            }
            data["card_flags"] = self.cleaned_data["card_flags"]
        data["income_by_source"] = {
            k.removeprefix("income__"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("income__") and v is not None
        }
        return data


class NeedsForm(CleanTextMixin, forms.Form):
    """Why a poor or near-poor household is poor and what support it needs (several of each);
    "other" says what in a few words. Asked of every Phiếu B, required at submission only when
    the final result is poor or near-poor (survey.services)."""

    poverty_causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"),
        choices=PovertyCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chọn mọi nguyên nhân đúng với hộ."),
    )
    poverty_cause_other = forms.CharField(
        label=_("Nguyên nhân khác (ghi rõ)"), max_length=200, required=False
    )
    support_needs = forms.MultipleChoiceField(
        label=_("Nhu cầu hỗ trợ"),
        choices=SupportNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Xã dựa vào đây để lập kế hoạch hỗ trợ năm sau."),
    )
    support_need_other = forms.CharField(
        label=_("Nhu cầu khác (ghi rõ)"), max_length=200, required=False
    )

    OTHERS = (
        ("poverty_causes", "poverty_cause_other", PovertyCause.OTHER),
        ("support_needs", "support_need_other", SupportNeed.OTHER),
    )

    def __init__(self, *args: Any, response: SurveyResponse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.initial[name] = getattr(response, name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for choices, text, other in self.OTHERS:
            ticked = other in data.get(choices, [])
            if ticked and not data.get(text):
                self.add_error(text, _("Đã chọn “Khác”: hãy ghi rõ là gì."))
            elif data.get(text) and not ticked:
                self.add_error(text, _("Đã ghi nội dung khác: hãy đánh dấu ô “Khác”."))
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name, choices in (("poverty_causes", PovertyCause), ("support_needs", SupportNeed)):
            data[name] = [key for key in choices.values if key in data[name]]  # the form's order
        return data


class SubmitForm(CleanTextMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    final_classification = forms.ChoiceField(
        label=_("Kết quả đề nghị"),
        choices=[("", _("Theo kết quả tính")), *Classification.choices],
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Lý do khác kết quả tính (bắt buộc nếu chọn khác)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoreCardUploadForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel bảng điểm (.xlsx)"))
    verified = forms.BooleanField(
        label=_("Đây là bảng điểm chính thức, đã đối chiếu từng số với văn bản"), required=False
    )
    basis = forms.CharField(
        label=_("Căn cứ (số hiệu văn bản, phụ lục)"), max_length=300, required=False
    )


# --- Workflow forms ------------------------------------------------------------------------------


class MeetingForm(CleanTextMixin, forms.Form):
    held_on = DMYDateField(label=_("Ngày họp"))
    attendance = forms.IntegerField(label=_("Số người dự"), min_value=1, widget=numeric())
    chaired_by = forms.CharField(label=_("Người chủ trì"), max_length=150)
    notes = forms.CharField(
        label=_("Ý kiến của cuộc họp (bắt buộc nếu có hộ chưa thống nhất)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecheckForm(CleanTextMixin, forms.Form):
    checked_on = DMYDateField(label=_("Ngày phúc tra"))
    checked_by = forms.CharField(
        label=_("Người phúc tra"),
        max_length=200,
        help_text=_("Họ tên, chức vụ của những người đi phúc tra."),
    )
    findings = forms.CharField(
        label=_("Kết quả phúc tra"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Điều đã kiểm tra lại tại hộ, trả lời ý kiến của cuộc họp thôn."),
    )
    outcome = forms.ChoiceField(
        label=_("Kết luận"), choices=Recheck.Outcome.choices, widget=forms.RadioSelect
    )


class PostingForm(CleanTextMixin, forms.Form):
    starts_on = DMYDateField(
        label=_("Ngày bắt đầu niêm yết"),
        help_text=_(
            "Ngày dán danh sách: không trước ngày họp thôn, không sau hôm nay. Thời hạn 3 ngày "
            "làm việc tính từ ngày muộn hơn giữa ngày này và ngày ghi vào phần mềm, không tính "
            "thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết."
        ),
    )
    place = forms.CharField(
        label=_("Nơi niêm yết"), max_length=200, initial="Nhà văn hoá thôn và trụ sở UBND xã"
    )


class ComplaintForm(CleanTextMixin, forms.Form):
    response = forms.ChoiceField(label=_("Hộ bị khiếu nại"))
    received_on = DMYDateField(label=_("Ngày nhận"))
    complainant = forms.CharField(
        label=_("Người khiếu nại (nếu có)"), max_length=150, required=False
    )
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, responses, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = [  # type: ignore[attr-defined]
            (str(r.public_id), str(r.household)) for r in responses
        ]


class ComplaintResolveForm(CleanTextMixin, forms.Form):
    resolution = forms.CharField(label=_("Kết quả giải quyết"), max_length=1000)
    resolved_on = DMYDateField(label=_("Ngày giải quyết"))


class DecisionForm(CleanTextMixin, forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định của Chủ tịch UBND xã"), max_length=64)
    decision_date = DMYDateField(label=_("Ngày quyết định"))


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class CriterionForm(CleanTextMixin, forms.Form):
    """The Phiếu A criteria page: add a criterion (`text`) or retire one (`retire`) of a province.

    A province or criterion outside the user's provinces is an invalid choice; the view turns that
    into a 404, as for any object out of scope.
    """

    province: "forms.ModelChoiceField[AdminUnit]" = forms.ModelChoiceField(
        queryset=AdminUnit.objects.none()
    )
    retire: "forms.ModelChoiceField[ScreeningCriterion]" = forms.ModelChoiceField(
        queryset=ScreeningCriterion.objects.none(), required=False
    )
    text = forms.CharField(label=_("Tiêu chí"), max_length=300, required=False)

    SCOPE_FIELDS = ("province", "retire")

    def __init__(self, *args, provinces, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces  # type: ignore[attr-defined]
        self.fields["retire"].queryset = ScreeningCriterion.objects.filter(  # type: ignore[attr-defined]
            province__in=provinces
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criterion, province = data.get("retire"), data.get("province")
        if criterion is not None and province is not None and criterion.province_id != province.pk:
            self.add_error("retire", _("Tiêu chí không thuộc tỉnh này."))
        return data

    def out_of_scope(self) -> bool:
        return any(name in self.errors for name in self.SCOPE_FIELDS)


class HouseholdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Household) -> str:  # type: ignore[override]
        return f"{obj.head_name} — {obj.village.name}"


class ReviewListAddForm(CleanTextMixin, forms.Form):
    """An application, a village's proposal or the officer's own addition to the review list."""

    SOURCES = [
        (value, label)
        for value, label in ReviewListEntry.Source.choices
        if value != ReviewListEntry.Source.PREVIOUS_LIST
    ]

    household = HouseholdChoiceField(
        label=_("Hộ"), queryset=Household.objects.none(), to_field_name="public_id"
    )
    source = forms.ChoiceField(label=_("Nguồn"), choices=SOURCES)
    applied_on = DMYDateField(label=_("Ngày nộp đơn / ngày đề xuất"), required=False)
    applicant = forms.CharField(
        label=_("Người nộp đơn / người đề xuất"), max_length=150, required=False
    )
    form_number = forms.CharField(label=_("Số đơn"), max_length=64, required=False)
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi cán bộ xã bổ sung)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, households: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if households is not None:
            field = self.fields["household"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = households


class OpinionForm(CleanTextMixin, forms.Form):
    """The level above's opinion on a commune's proposed result: agree, or comments per household
    (one `comment_<form public id>` field per household sent)."""

    AGREE, COMMENTS = "agree", "comments"
    verdict = forms.ChoiceField(
        label=_("Ý kiến"),
        choices=[(AGREE, _("Thống nhất với kết quả của xã")), (COMMENTS, _("Có ý kiến"))],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("Ý kiến chung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"comment_{item.response.public_id}"] = forms.CharField(
                label=str(item.response.household), required=False, max_length=2000
            )

    def comments(self) -> dict[int, str]:
        """Comments by opinion item id (only when valid)."""
        return {
            item.pk: self.cleaned_data.get(f"comment_{item.response.public_id}", "")
            for item in self.items
        }
