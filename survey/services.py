"""Named services of the review: rounds and commune totals (forms and workflow come next)."""

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.scoping import provinces_managed
from accounts.services import audit_record
from areas.models import AdminUnit
from core.audit import audit_value
from core.locking import StaleEdit, version_bump
from households.models import Household, Member
from households.selectors import households_fillable
from survey.engine import (
    HOUSEHOLD_FACTS,
    EngineError,
    ScoreCard,
    get_standard,
    standard_for_year,
)

from .intake import member_facts, response_evaluate
from .models import (
    Classification,
    CommuneTotal,
    PovertyCause,
    ResponseCause,
    ResponseDeprivation,
    ResponseNeed,
    ReviewRound,
    ScreeningCriterion,
    SupportNeed,
    SurveyResponse,
)
from .review_list import form_b_required_message, previous_listing, review_lists_open
from .workflow import EDITABLE_STATUSES, check_unlocked, transition

# Periodic review: 1 September – 14 December (QĐ 24/2021/QĐ-TTg, Điều 4).
# Children in the report tables: members under 16 in the round's year (the standards' child
# indicators, nutrition and school attendance, concern those under 16).
CHILD_AGE = 16
PERIODIC_START = (9, 1)
PERIODIC_END = (12, 14)


def round_default_dates(year: int, kind: str, month: int | None) -> tuple[date, date]:
    if kind == ReviewRound.Kind.PERIODIC:
        return date(year, *PERIODIC_START), date(year, *PERIODIC_END)
    assert month is not None
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@transaction.atomic
def round_open(
    *,
    actor: User,
    province: AdminUnit,
    year: int,
    kind: str,
    month: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    commune_deadline: date | None = None,
    district_deadline: date | None = None,
) -> ReviewRound:
    """Open a round of a province. The deadlines per level (communes, then districts, hand in)
    are the province's plan, within the round's dates."""
    if not provinces_managed(actor).filter(pk=province.pk).exists():
        raise PermissionDenied
    if kind == ReviewRound.Kind.REGULAR and not month:
        raise ValidationError({"month": _("Đợt rà soát thường xuyên cần có tháng.")})
    if kind == ReviewRound.Kind.PERIODIC:
        month = None
    try:
        standard = standard_for_year(year)
    except EngineError as exc:
        raise ValidationError({"year": str(exc)}) from exc
    default_start, default_end = round_default_dates(year, kind, month)
    starts_on, ends_on = starts_on or default_start, ends_on or default_end
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    _check_deadlines(starts_on, ends_on, commune_deadline, district_deadline)
    try:
        with transaction.atomic():
            review_round = ReviewRound.objects.create(
                province=province,
                year=year,
                kind=kind,
                month=month,
                standard_code=standard.code,
                starts_on=starts_on,
                ends_on=ends_on,
                commune_deadline=commune_deadline,
                district_deadline=district_deadline,
                opened_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Tỉnh đã có đợt rà soát này.")) from exc
    listed = review_lists_open(actor=actor, review_round=review_round)
    audit_record(
        actor=actor,
        action="round_open",
        target=review_round,
        unit=province,
        changes={
            "year": year,
            "kind": kind,
            "month": month,
            "standard": standard.code,
            "added": listed,
        },
    )
    return review_round


DEADLINE_BASIS = gettext_lazy(
    "hạn từng cấp theo kế hoạch rà soát của tỉnh; rà soát định kỳ từ 01/9 đến 14/12, "
    "QĐ 24/2021/QĐ-TTg, Điều 3"
)


def _check_deadlines(
    starts_on: date, ends_on: date, commune: date | None, district: date | None
) -> None:
    """Each level's deadline falls within the round, and the district's after the communes'."""
    for field, day in (("commune_deadline", commune), ("district_deadline", district)):
        if day is not None and not starts_on <= day <= ends_on:
            raise ValidationError(
                {
                    field: _(
                        "Hạn báo cáo phải trong thời gian của đợt (%(a)s – %(b)s) (căn cứ: "
                        "%(basis)s)."
                    )
                    % {
                        "a": f"{starts_on:%d/%m/%Y}",
                        "b": f"{ends_on:%d/%m/%Y}",
                        "basis": DEADLINE_BASIS,
                    }
                }
            )
    if commune is not None and district is not None and district < commune:
        raise ValidationError(
            {
                "district_deadline": _(
                    "Hạn huyện báo cáo không được trước hạn xã báo cáo (%(d)s): huyện tổng hợp "
                    "sau khi các xã nộp (căn cứ: %(basis)s)."
                )
                % {"d": f"{commune:%d/%m/%Y}", "basis": DEADLINE_BASIS}
            }
        )


def _check_commune_in_round(review_round: ReviewRound, commune: AdminUnit) -> None:
    if commune.level != AdminUnit.Level.COMMUNE or not commune.path.startswith(
        review_round.province.path
    ):
        raise ValidationError(_("Xã không thuộc tỉnh của đợt rà soát."))


def communes_recordable(actor: User) -> "set[int] | None":
    """Communes whose totals the user may record: officers their own; admins all (None)."""
    if actor.is_admin:
        return None
    if actor.role == User.Role.COMMUNE_OFFICER and actor.unit_id:
        return {actor.unit_id}
    return set()


@transaction.atomic
def commune_total_record(
    *,
    actor: User,
    review_round: ReviewRound,
    commune: AdminUnit,
    total_households: int,
    source: str,
) -> CommuneTotal:
    """Record (or correct) a commune's total resident households for a round, with its source."""
    allowed = communes_recordable(actor)
    if allowed is not None and commune.pk not in allowed:
        raise PermissionDenied
    _check_commune_in_round(review_round, commune)
    if review_round.status != ReviewRound.Status.OPEN:
        raise ValidationError(_("Đợt rà soát đã kết thúc: không sửa số liệu được."))
    check_unlocked({review_round.pk}, {commune.pk})
    if total_households < 0:
        raise ValidationError({"total_households": _("Số hộ không được âm.")})
    source = " ".join(source.split())
    if not source:
        raise ValidationError({"source": _("Hãy ghi nguồn của số liệu.")})
    total, created = CommuneTotal.objects.select_for_update().get_or_create(
        review_round=review_round,
        commune=commune,
        defaults={"total_households": total_households, "source": source, "recorded_by": actor},
    )
    old = None if created else [total.total_households, total.source]
    if not created:
        total.total_households, total.source, total.recorded_by = total_households, source, actor
        total.version += 1
        total.save()
    audit_record(
        actor=actor,
        action="commune_total_record",
        target=review_round,
        unit=commune,
        changes={"total_households": [old[0] if old else None, total_households], "source": source},
    )
    return total


# --- Survey responses (Phiếu A, Phiếu B) --------------------------------------------------------

SECTION_LABELS = {
    "screening": gettext_lazy("Phiếu A"),
    "housing": gettext_lazy("Nhà ở, nước, vệ sinh, thông tin"),
    "income": gettext_lazy("Điểm và thu nhập"),
    "needs": gettext_lazy("Nguyên nhân nghèo, nhu cầu hỗ trợ"),
}
# The sections of the forms and the answers each holds (members come from the registry).
SECTION_FIELDS = {
    "screening": ("screening", "screening_reason", "screening_criteria"),
    "housing": (
        "floor_area_m2",
        "wall_durable",
        "column_durable",
        "roof_durable",
        "water_source",
        "latrine_hygienic",
        "information_means",
        "direct_answers",
    ),
    "income": (
        "agricultural",
        "card_answers",
        "card_flags",
        "income_score_manual",
        "income_by_source",
    ),
    # Asked of poor and near-poor households: required at submission when the final result is
    # one of them (`_check_poverty_answers`), left blank for the others.
    "needs": ("poverty_causes", "poverty_cause_other", "support_needs", "support_need_other"),
}
# Every answer a form section may set (members are the registry's).
RESPONSE_FIELDS = tuple(name for fields in SECTION_FIELDS.values() for name in fields)


def _check_may_stop_at_screening(response: SurveyResponse) -> None:
    """Last periodic round's poor and near-poor households are on the review list and must get
    Phiếu B: a screening "stop" is refused for them (see survey.review_list.FORM_B_RULE)."""
    listing = previous_listing(response.review_round, response.household)
    if listing is not None:
        raise ValidationError({"screening": form_b_required_message(listing)})


def _check_response_editable(actor: User, response: SurveyResponse) -> None:
    if not households_fillable(actor).filter(pk=response.household_id).exists():
        raise PermissionDenied
    if response.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Phiếu đã nộp (%(s)s): chỉ sửa được khi bị trả lại hoặc được mở lại.")
            % {"s": response.get_status_display()}
        )
    if response.review_round.status != ReviewRound.Status.OPEN:
        raise ValidationError(_("Đợt rà soát đã kết thúc."))
    check_unlocked({response.review_round_id}, {response.commune_id})


@transaction.atomic
def response_start(
    *, actor: User, review_round: ReviewRound, household: Household
) -> SurveyResponse:
    """Open (or return the existing) draft of a household's forms for a round."""
    if not households_fillable(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    if not household.is_active:
        raise ValidationError(_("Hộ không còn cư trú: không rà soát."))
    if review_round.status != ReviewRound.Status.OPEN:
        raise ValidationError(_("Đợt rà soát đã kết thúc."))
    if not household.village.path.startswith(review_round.province.path):
        raise ValidationError(_("Hộ không thuộc tỉnh của đợt rà soát."))
    check_unlocked({review_round.pk}, {household.commune_id})
    previous = previous_form(review_round, household)
    response, created = SurveyResponse.objects.get_or_create(
        review_round=review_round,
        household=household,
        defaults={
            "commune": household.commune,
            "village": household.village,
            "created_by": actor,
            "carried_from": previous,
            **(carried_values(previous, review_round) if previous else {}),
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="response_start",
            target=response,
            unit=household.village,
            changes={"carried_from": previous.review_round.year} if previous else {},
        )
    return response


# Answers tied to a standard's own items: carried only between rounds of the same standard.
STANDARD_BOUND = {"direct_answers", "card_answers", "card_flags", "income_score_manual"}


def previous_form(review_round: ReviewRound, household: Household) -> SurveyResponse | None:
    """The household's latest form of an earlier round that went past the draft."""
    return (
        SurveyResponse.objects.filter(
            household=household,
            review_round__province=review_round.province,
            review_round__starts_on__lt=review_round.starts_on,
        )
        .exclude(status__in=EDITABLE_STATUSES)
        .select_related("review_round")
        .order_by("-review_round__starts_on", "-id")
        .first()
    )


def carried_values(previous: SurveyResponse, review_round: ReviewRound) -> dict[str, Any]:
    same_standard = previous.review_round.standard_code == review_round.standard_code
    return {
        name: getattr(previous, name)
        for fields in SECTION_FIELDS.values()
        for name in fields
        if same_standard or name not in STANDARD_BOUND
    }


# Choices of the answers that are not household facts of the engine.
ANSWER_CHOICES: dict[str, Any] = {
    "poverty_causes": PovertyCause.choices,
    "support_needs": SupportNeed.choices,
}


def _answer_text(name: str, value: Any) -> str:
    spec = HOUSEHOLD_FACTS.get(name)
    choices = dict(getattr(spec, "choices", None) or ANSWER_CHOICES.get(name) or {})
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    if name == "screening":
        return str(SurveyResponse.Screening(value).label)
    return str(choices.get(value, value))


def carried_changes(response: SurveyResponse, section: str) -> list[tuple[str, str, str]]:
    """What the officer changed in a carried section since last year: (label, then, now)."""
    previous = response.carried_from
    if previous is None or section not in SECTION_FIELDS:
        return []
    rows = []
    for name in SECTION_FIELDS[section]:
        then, now = getattr(previous, name), getattr(response, name)
        if then != now:
            label = str(getattr(SurveyResponse._meta.get_field(name), "verbose_name", name))
            rows.append((label, _answer_text(name, then), _answer_text(name, now)))
    return rows


# Sections a carried form must confirm only when last year's form answered them (a household
# that was not poor last year carried no causes: there is nothing to confirm).
CONFIRMED_IF_CARRIED = {"needs"}


def section_carried(response: SurveyResponse, section: str) -> bool:
    """Whether the section holds answers carried from last year's form, to be confirmed."""
    previous = response.carried_from
    if previous is None or section not in SECTION_FIELDS:
        return False
    if section not in CONFIRMED_IF_CARRIED:
        return True
    return any(getattr(previous, name) not in ("", [], None) for name in SECTION_FIELDS[section])


def sections_to_confirm(response: SurveyResponse) -> list[str]:
    """Sections carried from last year that the officer has not confirmed (saved) yet."""
    return [
        s
        for s in SECTION_FIELDS
        if s not in response.confirmed_sections and section_carried(response, s)
    ]


POVERTY_CLASSES = (Classification.POOR, Classification.NEAR_POOR)


def _check_poverty_answers(response: SurveyResponse) -> tuple[list[str], list[str]]:
    """A household whose final result is poor or near-poor must say why it is poor and what
    support it needs (the commune plans next year's support from them); "other" must say what.
    Returns (causes, needs) to store as rows; none for any other result."""
    if response.final_classification not in POVERTY_CLASSES:
        return [], []
    problems = []
    causes = [c for c in PovertyCause.values if c in response.poverty_causes]
    needs = [n for n in SupportNeed.values if n in response.support_needs]
    if not causes:
        problems.append(_("Nguyên nhân nghèo (chọn ít nhất một)"))
    elif PovertyCause.OTHER in causes and not response.poverty_cause_other.strip():
        problems.append(_("Nguyên nhân khác: ghi rõ là gì"))
    if not needs:
        problems.append(_("Nhu cầu hỗ trợ (chọn ít nhất một)"))
    elif SupportNeed.OTHER in needs and not response.support_need_other.strip():
        problems.append(_("Nhu cầu khác: ghi rõ là gì"))
    if problems:
        raise ValidationError(
            [
                _("Chưa nộp được: %(c)s phải trả lời phần “Nguyên nhân nghèo, nhu cầu hỗ trợ”:")
                % {"c": response.get_final_classification_display().lower()}
            ]
            + [f"– {p}" for p in problems]
        )
    return causes, needs


def response_apply(response: SurveyResponse, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the given form values on the response (unsaved) and return what changed."""
    changes = {}
    for name, value in values.items():
        if name not in RESPONSE_FIELDS:
            raise ValueError(f"unknown response field {name}")
        old = getattr(response, name)
        if old != value:
            changes[name] = [audit_value(old), audit_value(value)]
            setattr(response, name, value)
    return changes


@transaction.atomic
def response_update(
    *,
    actor: User,
    response: SurveyResponse,
    values: Mapping[str, Any],
    expected_version: int,
    section: str = "",
) -> SurveyResponse:
    """Save a section of the forms as a draft: anything may still be blank. Saving a section
    carried from last year, changed or not, is the officer confirming it."""
    _check_response_editable(actor, response)
    if values.get("screening") == SurveyResponse.Screening.STOP:
        _check_may_stop_at_screening(response)
    changes = response_apply(response, values)
    confirming = (
        response.carried_from_id is not None
        and section in SECTION_FIELDS
        and section not in response.confirmed_sections
    )
    if confirming:
        response.confirmed_sections = [*response.confirmed_sections, section]
        changes["confirmed_sections"] = [None, section]
    if not changes:
        return response
    version_bump(
        response,
        expected_version,
        _(
            "Phiếu này vừa được người khác lưu sau khi bạn mở trang. Phần bạn nhập chưa được "
            "lưu: hãy xem nội dung mới rồi nhập lại."
        ),
    )
    response.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action="response_update",
        target=response,
        unit=response.village,
        changes=changes,
    )
    return response


def response_fill_result(
    response: SurveyResponse,
    members: list[Member],
    *,
    final_classification: str = "",
    override_reason: str = "",
    card: ScoreCard | None = None,
) -> list[str]:
    """Check every answer and set the engine's result, with its explanation and the report
    fields, on `response` (unsaved). Returns the deprived indicators' keys. Raises
    ValidationError naming what is missing. Shared by submission and by the demo's past rounds."""
    override_reason = override_reason.strip()
    if not any(m.relationship == Member.Relationship.HEAD for m in members):
        raise ValidationError(_("Hộ chưa có chủ hộ đang sống trong hộ: hãy ghi chủ hộ trước."))
    if response.screening == SurveyResponse.Screening.STOP:
        _check_may_stop_at_screening(response)
        grounds = "; ".join([*response.screening_criteria, response.screening_reason.strip()])
        if not grounds.strip("; "):
            raise ValidationError(_("Phiếu A dừng rà soát phải ghi lý do hoặc chọn tiêu chí."))
        computed: str = Classification.NOT_POOR
        result: dict[str, Any] = {
            "rule": "screening_stop",
            "reason": _("Không rà soát tiếp theo Phiếu A: %(r)s") % {"r": grounds.strip("; ")},
        }
        response.deprived, response.deprivation_score = [], None
        response.income_score, response.income_per_capita = None, None
        response.facts_snapshot = None
    elif response.screening != SurveyResponse.Screening.PROCEED:
        raise ValidationError(_("Hãy ghi kết quả Phiếu A trước khi nộp."))
    else:
        evaluation = response_evaluate(response, members, card=card)
        if not evaluation.complete:
            problems = evaluation.missing or [evaluation.error]
            raise ValidationError(
                [_("Chưa nộp được, còn thiếu hoặc sai:")] + [f"– {p}" for p in problems]
            )
        explanation = evaluation.explanation
        assert explanation is not None
        computed = explanation.classification
        standard_ = get_standard(explanation.standard)
        result = {
            **explanation.to_dict(),
            "rule_label": explanation.rule_label_vi,
            "deprived_labels": [standard_.indicator(k).label_vi for k in explanation.deprived],
        }
        response.deprived = list(explanation.deprived)
        response.deprivation_score = explanation.deprivation_score
        response.income_score = evaluation.income_score
        response.income_score_by_hand = evaluation.income_score_by_hand
        response.income_per_capita = evaluation.income_per_capita
        response.facts_snapshot = evaluation.facts
    final = final_classification or computed
    if final not in Classification.values:
        raise ValidationError({"final_classification": _("Kết quả cuối cùng không hợp lệ.")})
    if final != computed and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Kết quả cuối cùng khác kết quả tính: phải ghi rõ lý do (sẽ được thống kê)."
                )
            }
        )
    standard = get_standard(response.review_round.standard_code)
    response.standard_code, response.standard_version = standard.code, standard.version
    year = response.review_round.year
    head = next((m for m in members if m.relationship == Member.Relationship.HEAD), None)
    response.member_count = len(members)
    response.head_minority = head is not None and head.is_minority
    response.has_person_of_merit = any(m.is_person_of_merit for m in members)
    response.no_labour_capacity = not any(
        member_facts(m, year).of_working_age and not m.disabled for m in members
    )
    response.has_social_allowance = any(m.receives_social_allowance for m in members)
    response.head_ethnicity = head.ethnicity if head is not None else ""
    response.child_count = sum(1 for m in members if member_facts(m, year).age < CHILD_AGE)
    response.computed_classification = computed
    response.final_classification = final
    response.override_reason = override_reason if final != computed else ""
    response.explanation = result
    return list(response.deprived)


@transaction.atomic
def response_submit(
    *,
    actor: User,
    response: SurveyResponse,
    expected_version: int,
    final_classification: str = "",
    override_reason: str = "",
) -> SurveyResponse:
    """Check every answer, store the engine's result with its explanation, and submit."""
    _check_response_editable(actor, response)
    locked = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if locked.version != expected_version:
        raise StaleEdit(_("Phiếu vừa được người khác lưu: hãy tải lại trang rồi nộp lại."))
    if response.screening == SurveyResponse.Screening.STOP:
        _check_may_stop_at_screening(response)
    unconfirmed = sections_to_confirm(response)
    if unconfirmed:
        raise ValidationError(
            _(
                "Phiếu lấy từ năm trước: hãy xem lại và bấm Lưu ở từng phần trước khi nộp "
                "(chưa xác nhận: %(s)s)."
            )
            % {"s": ", ".join(str(SECTION_LABELS[s]) for s in unconfirmed)}
        )
    members = list(response.household.members.filter(status=Member.Status.PRESENT).order_by("id"))
    deprived = response_fill_result(
        response,
        members,
        final_classification=final_classification,
        override_reason=override_reason,
    )
    causes, needs = _check_poverty_answers(response)
    ResponseDeprivation.objects.filter(response=response).delete()
    ResponseDeprivation.objects.bulk_create(
        ResponseDeprivation(response=response, indicator=key) for key in deprived
    )
    ResponseCause.objects.filter(response=response).delete()
    ResponseCause.objects.bulk_create(ResponseCause(response=response, cause=c) for c in causes)
    ResponseNeed.objects.filter(response=response).delete()
    ResponseNeed.objects.bulk_create(ResponseNeed(response=response, need=n) for n in needs)
    response.submitted_at, response.submitted_by = timezone.now(), actor
    response.save()
    transition(
        [response],
        "response_submit",
        actor=actor,
        reason=response.override_reason,
        details={
            "computed": response.computed_classification,
            "final": response.final_classification,
        },
    )
    return response


@transaction.atomic
def criterion_add(*, actor: User, province: AdminUnit, text: str) -> ScreeningCriterion:
    if not provinces_managed(actor).filter(pk=province.pk).exists():
        raise PermissionDenied
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": _("Hãy nhập nội dung tiêu chí.")})
    position = ScreeningCriterion.objects.filter(province=province).count() + 1
    criterion = ScreeningCriterion.objects.create(
        province=province, text=text, position=position, created_by=actor
    )
    audit_record(
        actor=actor, action="criterion_add", target=criterion, unit=province, changes={"text": text}
    )
    return criterion


@transaction.atomic
def criterion_retire(*, actor: User, criterion: ScreeningCriterion) -> None:
    """Criteria are never deleted: answers already given keep their text; new forms stop asking."""
    if not provinces_managed(actor).filter(pk=criterion.province_id).exists():
        raise PermissionDenied
    criterion.is_active = False
    criterion.save(update_fields=["is_active"])
    audit_record(actor=actor, action="criterion_retire", target=criterion, unit=criterion.province)
