"""From what officers recorded (households, members, a response) to the engine's input and back.

The engine is pure; this module is the only place that turns Django rows into its facts. Nothing
here classifies: `response_evaluate` asks the engine and returns its explanation.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from survey.engine import (
    HOUSEHOLD_FACTS,
    EngineError,
    Explanation,
    HouseholdFacts,
    MemberFacts,
    ScoreCard,
    Standard,
    build_score_card,
    classify_household,
    get_standard,
    score_card_total,
)

from .models import InstalledScoreCard, SurveyResponse

INCOME_SOURCES = {
    "crops": "Trồng trọt",
    "livestock": "Chăn nuôi",
    "forestry": "Lâm nghiệp",
    "fishery": "Thuỷ sản",
    "salt": "Diêm nghiệp (làm muối)",
    "wages": "Tiền lương, tiền công",
    "business": "Kinh doanh, dịch vụ",
    "other": "Thu khác (trừ trợ cấp xã hội của Nhà nước)",
}


def working_age_limit(sex: str, year: int) -> float:
    """Upper bound (exclusive) of working age: the retirement age of the Labour Code 2019 (art.
    169) and Decree 135/2020, which rises from 60 years 3 months (men) and 55 years 4 months
    (women) in 2021 by 3 and 4 months a year, up to 62 (2028) and 60 (2035)."""
    steps = max(0, year - 2020)
    if sex == "female":
        return min(60.0, 55 + steps * 4 / 12)
    return min(62.0, 60 + steps * 3 / 12)


def member_facts(member: Any, year: int) -> MemberFacts:
    age = max(0, year - member.birth_year)
    return MemberFacts(
        age=age,
        of_working_age=15 <= age < working_age_limit(member.sex, year),
        has_health_insurance=member.has_health_insurance,
        in_school=member.in_school,
        at_age_appropriate_level=member.at_age_appropriate_level,
        education=member.education,
        trained_by_employer=member.trained_by_employer,
        employment=member.employment,
        disabled=member.disabled,
        receives_social_allowance=member.monthly_social_allowance > 0,
        malnourished=member.malnourished,
        ill_without_treatment=member.ill_without_treatment,
        uses_telecom=member.uses_telecom,
    )


# Values for facts that a standard's rules never read: the engine ignores them, the dataclass
# wants them. Facts a standard does read are never filled in for the officer.
_UNREAD_FACT_VALUES: dict[str, Any] = {
    "floor_area_m2": 0.0,
    "wall_durable": True,
    "column_durable": True,
    "roof_durable": True,
    "water_source": "piped",
    "latrine_hygienic": True,
    "information_means": frozenset(),
}


@dataclass
class Evaluation:
    """What the engine says of a response as it stands, or what is still missing for it to say."""

    explanation: Explanation | None = None
    missing: list[str] = field(default_factory=list)
    error: str = ""
    income_score: Decimal | None = None
    income_score_by_hand: bool = False
    income_per_capita: int | None = None
    member_count: int = 0
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.explanation is not None


def effective_card(standard: Standard) -> ScoreCard:
    """The newest active card an admin installed for the standard, else the one it ships."""
    installed = (
        InstalledScoreCard.objects.filter(standard_code=standard.code, is_active=True)
        .order_by("-uploaded_at", "-id")
        .first()
    )
    if installed is None:
        return standard.score_card
    return build_score_card(
        installed.regions,
        installed.options,
        verified=installed.verified,
        basis=installed.basis or None,
    )


def score_path_available(standard: Standard) -> bool:
    path = standard.paths.get("score")
    return path is not None and path.available


def card_is_usable(card: ScoreCard) -> bool:
    """Only a complete, verified card computes the score; otherwise the paper total is entered."""
    return card.verified and card.status == "complete"


def income_per_capita(income_by_source: dict[str, Any], members: int) -> int | None:
    amounts = [int(v) for v in income_by_source.values() if v not in (None, "")]
    if not amounts or members == 0:
        return None
    return sum(amounts) // members // 12


def response_evaluate(
    response: SurveyResponse, members: list[Any], *, card: ScoreCard | None = None
) -> Evaluation:
    """Ask the engine about a response (saved or not) and its present members. `card` is the
    round's effective score card when the caller already has it (many forms at once)."""
    standard = get_standard(response.review_round.standard_code)
    year = response.review_round.year
    evaluation = Evaluation(member_count=len(members))
    if not members:
        evaluation.missing.append("Hộ chưa có thành viên nào đang sống trong hộ")
        return evaluation
    values: dict[str, Any] = {}
    for name, spec in HOUSEHOLD_FACTS.items():
        if spec.derived or name not in standard.household_facts_used:
            continue
        value = getattr(response, name)
        if value is None or value == "":
            evaluation.missing.append(spec.label_vi)
        values[name] = value
    for indicator in standard.indicators:
        if indicator.answered_directly and indicator.key not in response.direct_answers:
            evaluation.missing.append(f"Chỉ số “{indicator.label_vi}” (cán bộ trả lời trực tiếp)")

    evaluation.income_per_capita = income_per_capita(response.income_by_source, len(members))
    card_total = None
    if score_path_available(standard):
        card = card or effective_card(standard)
        if card_is_usable(card):
            try:
                card_total = score_card_total(
                    card,
                    area=response.household.area,
                    province_code=response.review_round.province.code,
                    answers=response.card_answers,
                    flags=response.card_flags,
                    strict=True,
                )
            except EngineError as exc:
                evaluation.missing.append(f"Bảng điểm thu nhập: {exc}")
        elif response.income_score_manual is not None:
            evaluation.income_score = response.income_score_manual
            evaluation.income_score_by_hand = True
        else:
            evaluation.missing.append("Tổng điểm thu nhập tính trên Phiếu B giấy")
    elif evaluation.income_per_capita is None:
        evaluation.missing.append("Thu nhập của hộ trong 12 tháng qua (để tính bình quân)")
    if evaluation.missing:
        return evaluation

    facts = {**_UNREAD_FACT_VALUES, **values}
    facts["floor_area_m2"] = float(facts["floor_area_m2"])
    facts["information_means"] = frozenset(facts["information_means"] or ())
    member_list = [member_facts(m, year) for m in members]
    try:
        household = HouseholdFacts(
            area=response.household.area,
            members=tuple(member_list),
            agricultural=response.agricultural,
            direct_answers=dict(response.direct_answers),
            **facts,
        )
        explanation = classify_household(
            standard,
            household,
            income_score=float(evaluation.income_score)
            if evaluation.income_score is not None
            else None,
            income_per_capita=evaluation.income_per_capita,
            card=card_total,
            score_origin="entered" if card_total is None else "card",
        )
    except EngineError as exc:
        evaluation.error = str(exc)
        return evaluation
    if card_total is not None:
        evaluation.income_score = Decimal(str(card_total.total))
    evaluation.explanation = explanation
    evaluation.facts = {
        "household": {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in facts.items()},
        "members": [{n: getattr(f, n) for n in f.__dataclass_fields__} for f in member_list],
    }
    return evaluation
