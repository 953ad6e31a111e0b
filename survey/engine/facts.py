"""What an officer records about a household and its members, as plain typed data.

The fact vocabulary is code (it is what the forms collect); the rules that turn facts into
deprivation indicators are data in the standard files and may only read the facts declared in
``MEMBER_FACTS`` and ``HOUSEHOLD_FACTS``. Every field is required on purpose: a forgotten answer
must fail loudly, not classify a household with a silent default. Facts that a standard's rules do
not read are ignored; ``Standard.member_facts_used`` / ``household_facts_used`` list the ones that
matter, so forms can ask exactly those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from survey.engine.errors import FactsError

AREAS: Final[tuple[str, ...]] = ("rural", "urban")
AREA_LABELS_VI: Final[Mapping[str, str]] = MappingProxyType(
    {"rural": "nông thôn", "urban": "thành thị"}
)

EDUCATION_LEVELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "none": "Chưa tốt nghiệp tiểu học",
        "primary": "Tốt nghiệp tiểu học",
        "lower_secondary": "Tốt nghiệp trung học cơ sở (THCS)",
        "upper_secondary": "Tốt nghiệp trung học phổ thông (THPT)",
        "vocational": "Có bằng/chứng chỉ sơ cấp, trung cấp nghề",
        "college_plus": "Cao đẳng trở lên",
    }
)

EMPLOYMENT_STATUSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "not_working": "Không tham gia lao động (đi học, nội trợ, nghỉ hưu, mất sức lao động...)",
        "unemployed": "Thất nghiệp (muốn làm việc nhưng không có việc)",
        "wage_with_contract": "Làm công hưởng lương, có hợp đồng lao động",
        "wage_without_contract": "Làm công hưởng lương, không có hợp đồng lao động",
        "self_employed": "Tự làm (nông, lâm, ngư nghiệp, buôn bán, dịch vụ...)",
    }
)

WATER_SOURCES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "piped": "Nước máy",
        "borehole": "Giếng khoan",
        "protected_well": "Giếng đào được bảo vệ",
        "unprotected_well": "Giếng đào không được bảo vệ",
        "protected_spring": "Nước khe/mó được bảo vệ",
        "unprotected_spring": "Nước khe/mó không được bảo vệ",
        "rainwater": "Nước mưa",
        "bottled": "Nước đóng chai, bình",
        "surface": "Nước sông, suối, ao, hồ",
        "other": "Nguồn khác",
    }
)

INFORMATION_MEANS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tv": "Ti vi",
        "radio": "Radio",
        "computer": "Máy tính",
        "smartphone": "Điện thoại thông minh",
        "public_loudspeaker": "Nghe được hệ thống loa truyền thanh",
    }
)

FactKind = Literal["int", "number", "bool", "choice", "set"]


@dataclass(frozen=True, slots=True)
class FactSpec:
    """A fact a rule may read: its type, Vietnamese label and, for codes, the allowed codes."""

    name: str
    kind: FactKind
    label_vi: str
    choices: Mapping[str, str] | None = None
    derived: bool = False  # computed from other facts, not entered


def _specs(*specs: FactSpec) -> Mapping[str, FactSpec]:
    return MappingProxyType({s.name: s for s in specs})


MEMBER_FACTS: Final[Mapping[str, FactSpec]] = _specs(
    FactSpec("age", "int", "Tuổi (tròn năm)"),
    FactSpec("of_working_age", "bool", "Trong độ tuổi lao động"),
    FactSpec("has_health_insurance", "bool", "Có thẻ bảo hiểm y tế còn hạn"),
    FactSpec("in_school", "bool", "Đang đi học hoặc đang tham gia đào tạo"),
    FactSpec(
        "at_age_appropriate_level",
        "bool",
        "Đang học đúng bậc, cấp học phù hợp với độ tuổi (chỉ hỏi với trẻ đang đi học)",
    ),
    FactSpec("education", "choice", "Bằng cấp/trình độ cao nhất đã đạt", EDUCATION_LEVELS),
    FactSpec(
        "trained_by_employer",
        "bool",
        "Được doanh nghiệp tuyển dụng và chứng nhận đào tạo nghề tại chỗ",
    ),
    FactSpec("employment", "choice", "Tình trạng việc làm", EMPLOYMENT_STATUSES),
    FactSpec("disabled", "bool", "Là người khuyết tật"),
    FactSpec("receives_social_allowance", "bool", "Đang hưởng trợ cấp xã hội hằng tháng"),
    FactSpec(
        "malnourished",
        "bool",
        "Suy dinh dưỡng (thấp còi: chiều cao theo tuổi, hoặc nhẹ cân: cân nặng theo tuổi)",
    ),
    FactSpec(
        "ill_without_treatment",
        "bool",
        "Bị ốm đau (trong 12 tháng qua) nhưng không đi khám chữa bệnh",
    ),
    FactSpec("uses_telecom", "bool", "Có sử dụng dịch vụ điện thoại hoặc internet"),
)

HOUSEHOLD_FACTS: Final[Mapping[str, FactSpec]] = _specs(
    FactSpec("floor_area_m2", "number", "Tổng diện tích nhà ở (m²)"),
    FactSpec("wall_durable", "bool", "Tường nhà làm bằng vật liệu bền chắc"),
    FactSpec("column_durable", "bool", "Cột nhà (khung, trụ) làm bằng vật liệu bền chắc"),
    FactSpec("roof_durable", "bool", "Mái nhà làm bằng vật liệu bền chắc"),
    FactSpec("water_source", "choice", "Nguồn nước sinh hoạt chính", WATER_SOURCES),
    FactSpec("latrine_hygienic", "bool", "Hộ sử dụng hố xí/nhà tiêu hợp vệ sinh"),
    FactSpec(
        "information_means",
        "set",
        "Phương tiện tiếp cận thông tin của hộ",
        INFORMATION_MEANS,
    ),
    FactSpec("member_count", "int", "Số nhân khẩu", derived=True),
    FactSpec(
        "floor_area_per_person_m2",
        "number",
        "Diện tích nhà ở bình quân đầu người (m²)",
        derived=True,
    ),
)

_EMPTY_ANSWERS: Final[Mapping[str, bool]] = MappingProxyType({})
_MAX_AGE: Final = 130


def _require_bool(owner: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise FactsError(f"{owner}.{name} phải là True/False, nhận được {value!r}")


def _require_choice(owner: str, name: str, value: object, choices: Mapping[str, str]) -> None:
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(choices)
        raise FactsError(f"{owner}.{name} = {value!r} không hợp lệ; chỉ nhận: {allowed}")


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberFacts:
    """One member of the household, as recorded on the form (all fields required)."""

    age: int
    of_working_age: bool
    has_health_insurance: bool
    in_school: bool
    at_age_appropriate_level: bool
    education: str
    trained_by_employer: bool
    employment: str
    disabled: bool
    receives_social_allowance: bool
    malnourished: bool
    ill_without_treatment: bool
    uses_telecom: bool

    def __post_init__(self) -> None:
        if isinstance(self.age, bool) or not isinstance(self.age, int):
            raise FactsError(f"MemberFacts.age phải là số nguyên, nhận được {self.age!r}")
        if not 0 <= self.age <= _MAX_AGE:
            raise FactsError(f"MemberFacts.age = {self.age} nằm ngoài khoảng 0–{_MAX_AGE}")
        for name, spec in MEMBER_FACTS.items():
            if spec.kind == "bool":
                _require_bool("MemberFacts", name, getattr(self, name))
        _require_choice("MemberFacts", "education", self.education, EDUCATION_LEVELS)
        _require_choice("MemberFacts", "employment", self.employment, EMPLOYMENT_STATUSES)


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdFacts:
    """A household as recorded on the form.

    ``direct_answers`` holds the officer's yes/no answer (True = deprived) for indicators that the
    standard marks ``answered_directly`` (their rule needs facts the forms do not collect yet).
    ``agricultural``: the household lives from farming, forestry, fishery or salt making.
    """

    area: str
    members: tuple[MemberFacts, ...]
    floor_area_m2: float
    wall_durable: bool
    column_durable: bool
    roof_durable: bool
    water_source: str
    latrine_hygienic: bool
    information_means: frozenset[str]
    agricultural: bool = False
    direct_answers: Mapping[str, bool] = field(default_factory=lambda: _EMPTY_ANSWERS)

    def __post_init__(self) -> None:
        if self.area not in AREAS:
            raise FactsError(
                f"HouseholdFacts.area = {self.area!r} không hợp lệ; chỉ nhận rural, urban"
            )
        members: object = self.members
        if isinstance(members, list):
            members = tuple(members)
            object.__setattr__(self, "members", members)
        if not isinstance(members, tuple) or not members:
            raise FactsError("HouseholdFacts.members phải có ít nhất một thành viên")
        for member in members:
            if not isinstance(member, MemberFacts):
                raise FactsError(f"HouseholdFacts.members chứa {member!r}, không phải MemberFacts")
        area_m2: object = self.floor_area_m2
        if (
            isinstance(area_m2, bool)
            or not isinstance(area_m2, int | float)
            or not math.isfinite(area_m2)
            or area_m2 < 0
        ):
            raise FactsError(
                f"HouseholdFacts.floor_area_m2 phải là số không âm, nhận được {area_m2!r}"
            )
        for name in ("wall_durable", "column_durable", "roof_durable", "latrine_hygienic"):
            _require_bool("HouseholdFacts", name, getattr(self, name))
        _require_bool("HouseholdFacts", "agricultural", self.agricultural)
        _require_choice("HouseholdFacts", "water_source", self.water_source, WATER_SOURCES)
        means: object = self.information_means
        if isinstance(means, set | list | tuple):
            means = frozenset(means)
            object.__setattr__(self, "information_means", means)
        if not isinstance(means, frozenset):
            raise FactsError("HouseholdFacts.information_means phải là một tập hợp mã")
        unknown = sorted(str(code) for code in means if code not in INFORMATION_MEANS)
        if unknown:
            raise FactsError(
                f"HouseholdFacts.information_means có mã không hợp lệ: {', '.join(unknown)}"
            )
        for key, answer in self.direct_answers.items():
            if not isinstance(key, str) or not isinstance(answer, bool):
                raise FactsError(
                    f"HouseholdFacts.direct_answers[{key!r}] phải là True/False, "
                    f"nhận được {answer!r}"
                )

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def floor_area_per_person_m2(self) -> float:
        return float(self.floor_area_m2) / len(self.members)
