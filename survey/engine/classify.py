"""Classification: evidence + deprived indicators -> result, with an explanation.

Two paths (the contract of issue 3, section 4):

- **score path**, when an income-proxy score is given (Phiếu B: B1 / điểm A): the standard's score
  rules decide poor and near-poor, together with the deprivation score (points per deprived
  indicator x number of distinct deprived indicators);
- **income path** otherwise: income per person per month against the standard's income lines.

If no rule of the path fires, the standard's average-living rules are tried (only vn-2022-2025
has them in force), then the path's ``otherwise`` rule (not_poor).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from survey.engine.errors import ClassificationInputError, FactsError, PathUnavailableError
from survey.engine.facts import AREA_LABELS_VI, AREAS, HouseholdFacts
from survey.engine.scorecard import CardTotal
from survey.engine.standard import Rule, Standard

RESULT_LABELS_VI: Final[Mapping[str, str]] = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Hộ không nghèo",
}
# Ordering from poorest to least poor, for comparisons ("never makes a household poorer").
SEVERITY: Final[Mapping[str, int]] = {"poor": 3, "near_poor": 2, "average": 1, "not_poor": 0}


def format_number_vi(value: float | int | None) -> str:
    """1500000 -> '1.500.000'; 140.5 -> '140,5'; None -> 'không có'."""
    if value is None:
        return "không có"
    if isinstance(value, float) and not value.is_integer():
        whole, _, frac = f"{value:.2f}".rstrip("0").partition(".")
        return f"{int(whole):,}".replace(",", ".") + "," + frac
    return f"{int(value):,}".replace(",", ".")


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a household got its classification; everything an officer needs to read it out.

    ``verified`` is False when any rule, parameter, indicator rule or score card that took part in
    the decision is not verified against the instrument's text; ``unverified`` lists their keys
    (``rule:...``, ``parameter:...``, ``indicator:...``, ``score_card``).
    ``income_score_origin``: "card" (computed from the score card), "entered" (total entered by
    hand from the paper form), "given" (supplied by another system, e.g. the classify command) or
    None (no score; the income path decided).
    """

    standard: str
    standard_version: int
    classification: str
    path: str
    rule: str
    legal_basis: str
    area: str
    income_score: float | None
    income_per_capita: int | None
    agricultural: bool
    deprivation_score: int
    deprived: tuple[str, ...]
    verified: bool
    unverified: tuple[str, ...]
    income_score_origin: str | None
    _standard: Standard = field(repr=False, compare=False)
    _rule: Rule = field(repr=False, compare=False)

    @property
    def classification_vi(self) -> str:
        return RESULT_LABELS_VI[self.classification]

    @property
    def rule_label_vi(self) -> str:
        return self._rule.label_vi

    @property
    def deprivation_count(self) -> int:
        return len(self.deprived)

    @property
    def reason(self) -> str:
        """Vietnamese text an officer can read out to the household."""
        std = self._standard
        values: dict[str, str] = {
            "income_score": format_number_vi(self.income_score),
            "income_per_capita": format_number_vi(self.income_per_capita),
            "deprivation_score": format_number_vi(self.deprivation_score),
            "deprivation_count": str(len(self.deprived)),
            "area_vi": AREA_LABELS_VI[self.area],
        }
        for key, param in std.parameters.items():
            values[key] = format_number_vi(param.for_area(self.area).value)
        core = self._rule.reason_vi.format_map(values).strip()
        if self.deprived:
            labels = "; ".join(std.indicator(k).label_vi for k in self.deprived)
            deprived = (
                f"Hộ thiếu hụt {len(self.deprived)} chỉ số dịch vụ xã hội cơ bản "
                f"(điểm thiếu hụt {self.deprivation_score}): {labels}."
            )
        else:
            deprived = "Hộ không thiếu hụt chỉ số dịch vụ xã hội cơ bản nào."
        text = f"{core} {deprived} Căn cứ: {self.legal_basis} ({std.title_vi})."
        if self.income_score_origin == "entered":
            text += " Tổng điểm do cán bộ nhập theo phiếu giấy."
        if not self.verified:
            text += (
                " Lưu ý: một phần số liệu của chuẩn dùng cho kết quả này chưa được đối chiếu với "
                "văn bản gốc."
            )
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "standard": self.standard,
            "standard_version": self.standard_version,
            "classification": self.classification,
            "path": self.path,
            "rule": self.rule,
            "legal_basis": self.legal_basis,
            "area": self.area,
            "income_score": self.income_score,
            "income_per_capita": self.income_per_capita,
            "agricultural": self.agricultural,
            "deprivation_score": self.deprivation_score,
            "deprived": list(self.deprived),
            "verified": self.verified,
            "unverified": list(self.unverified),
            "income_score_origin": self.income_score_origin,
            "reason": self.reason,
        }


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _check_evidence(
    standard: Standard,
    area: object,
    income_score: object,
    income_per_capita: object,
    agricultural: object,
) -> None:
    if area not in AREAS:
        raise ClassificationInputError(
            "area", f"khu vực {area!r} không hợp lệ; chỉ nhận rural, urban"
        )
    if income_score is not None and (
        isinstance(income_score, bool)
        or not isinstance(income_score, int | float)
        or not _finite(income_score)
        or income_score < 0
    ):
        raise ClassificationInputError(
            "income_score", f"điểm phải là số không âm, nhận được {income_score!r}"
        )
    if income_per_capita is not None and (
        isinstance(income_per_capita, bool)
        or not isinstance(income_per_capita, int)
        or income_per_capita < 0
    ):
        raise ClassificationInputError(
            "income_per_capita",
            f"thu nhập phải là số nguyên đồng không âm, nhận được {income_per_capita!r}",
        )
    if income_score is None and income_per_capita is None:
        raise ClassificationInputError(
            "income_score/income_per_capita",
            "cần ít nhất một trong hai: điểm ước lượng thu nhập hoặc thu nhập bình quân đầu người",
        )
    if not isinstance(agricultural, bool):
        raise ClassificationInputError("agricultural", "phải là True hoặc False")
    if income_score is not None and not standard.paths["score"].available:
        reason = standard.paths["score"].unavailable_reason_vi or ""
        raise PathUnavailableError("income_score", reason)


SCORE_ORIGINS: Final = ("entered", "given")


def _score_from_card(
    income_score: float | None, card: CardTotal | None, origin: str
) -> tuple[float | None, str | None, bool]:
    if origin not in SCORE_ORIGINS:
        raise ClassificationInputError("score_origin", f"chỉ nhận {', '.join(SCORE_ORIGINS)}")
    if card is None:
        return income_score, (origin if income_score is not None else None), False
    if income_score is not None and income_score != card.total:
        raise ClassificationInputError(
            "income_score", "điểm nhập tay khác với tổng điểm tính từ bảng điểm"
        )
    return card.total, "card", not card.trustworthy


def _decide(
    standard: Standard,
    area: str,
    income_score: float | None,
    income_per_capita: int | None,
    deprived: tuple[str, ...],
    agricultural: bool,
    origin: str | None,
    derived: bool,
    card_unverified: bool,
) -> Explanation:
    path = "income" if income_score is None else "score"
    decider = standard.deciders[(path, area)]
    count = len(deprived)
    score = count * standard.deprivation_points
    index = decider.fn(income_score, income_per_capita, count, score, agricultural)
    rule = decider.rules[index]
    unverified = (decider.unverified_derived if derived else decider.unverified)[index]
    if card_unverified:
        unverified = (*unverified, "score_card")
    return Explanation(
        standard.code,
        standard.version,
        rule.result,
        path,
        rule.key,
        rule.legal_basis,
        area,
        income_score,
        income_per_capita,
        agricultural,
        score,
        deprived,
        not unverified,
        unverified,
        origin,
        standard,
        rule,
    )


def order_deprived(standard: Standard, deprived: Iterable[str]) -> tuple[str, ...]:
    """Distinct indicator keys in the standard's order; unknown keys raise."""
    if isinstance(deprived, str):
        raise ClassificationInputError("deprived", "phải là danh sách mã chỉ số, không phải chuỗi")
    index = standard.indicator_index
    positions: set[int] = set()
    for key in deprived:
        position = index.get(key) if isinstance(key, str) else None
        if position is None:
            raise ClassificationInputError(
                "deprived",
                f"chỉ số {key!r} không thuộc chuẩn {standard.code} "
                f"(các chỉ số: {', '.join(standard.indicator_keys)})",
            )
        positions.add(position)
    keys = standard.indicator_keys
    return tuple(keys[p] for p in sorted(positions))


def classify(
    standard: Standard,
    *,
    area: str,
    income_score: float | None = None,
    income_per_capita: int | None = None,
    deprived: Iterable[str] = (),
    agricultural: bool = False,
    card: CardTotal | None = None,
    score_origin: str = "entered",
) -> Explanation:
    """Classify from evidence and an already-decided list of deprived indicators.

    Give ``income_score`` (a total; ``score_origin`` says whether an officer "entered" it by hand
    from the paper form or another system "given" it) or ``card`` (a total computed by
    score_card_total), and/or ``income_per_capita`` (VND per person per month). Raises
    ClassificationInputError (its ``field`` names the input) or PathUnavailableError.
    """
    score, origin, card_unverified = _score_from_card(income_score, card, score_origin)
    _check_evidence(standard, area, score, income_per_capita, agricultural)
    ordered = order_deprived(standard, deprived)
    return _decide(
        standard,
        area,
        None if score is None else float(score),
        income_per_capita,
        ordered,
        agricultural,
        origin,
        False,
        card_unverified,
    )


def _direct_answer(household: object, key: str) -> bool:
    assert isinstance(household, HouseholdFacts)
    answer = household.direct_answers.get(key)
    if answer is None:
        raise FactsError(
            f"Chỉ số '{key}' do cán bộ trả lời trực tiếp (chưa có quy tắc tính từ dữ kiện); "
            "hãy ghi có/không thiếu hụt vào direct_answers"
        )
    return answer


def derive_deprivations(standard: Standard, household: HouseholdFacts) -> tuple[str, ...]:
    """Deprived indicators of a household under the standard's rules, in the standard's order."""
    if household.direct_answers:
        stray = sorted(set(household.direct_answers) - standard.direct_indicators)
        if stray:
            raise FactsError(
                f"direct_answers chỉ dành cho chỉ số trả lời trực tiếp của {standard.code} "
                f"({', '.join(sorted(standard.direct_indicators)) or 'không có'}); "
                f"không nhận: {', '.join(stray)}"
            )
    assert standard.derive_fn is not None
    return tuple(standard.derive_fn(household, _direct_answer))


def classify_household(
    standard: Standard,
    household: HouseholdFacts,
    *,
    income_score: float | None = None,
    income_per_capita: int | None = None,
    card: CardTotal | None = None,
    score_origin: str = "entered",
) -> Explanation:
    """Derive the deprived indicators from household and member facts, then classify."""
    score, origin, card_unverified = _score_from_card(income_score, card, score_origin)
    _check_evidence(standard, household.area, score, income_per_capita, household.agricultural)
    deprived = derive_deprivations(standard, household)
    return _decide(
        standard,
        household.area,
        None if score is None else float(score),
        income_per_capita,
        deprived,
        household.agricultural,
        origin,
        True,
        card_unverified,
    )
