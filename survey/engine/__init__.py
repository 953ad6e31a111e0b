"""The pure scoring engine: poverty standards as data, classification with an explanation.

No Django import anywhere in this package (it is tested and benchmarked alone, and checked with
``mypy --strict``). Public API:

Standards
    ``get_standard(code)``, ``standard_for_year(year)``, ``available_standards()``,
    ``load_standard_file(path)`` -> ``Standard`` (cached; validated on load).

Facts and indicators
    ``MemberFacts``, ``HouseholdFacts`` (all fields required), ``MEMBER_FACTS`` /
    ``HOUSEHOLD_FACTS`` (the fact vocabulary with Vietnamese labels and allowed codes),
    ``derive_deprivations(standard, household)``.

Classification
    ``classify(standard, area=..., income_score=..., income_per_capita=..., deprived=...,
    agricultural=..., card=...)`` and ``classify_household(standard, household, income_score=...,
    income_per_capita=..., card=...)`` -> ``Explanation``.

Score card
    ``score_card_total(card_or_standard, area=..., province_code=..., answers=..., flags=...,
    strict=...)`` -> ``CardTotal``; ``validate_score_card(regions, options)`` -> list of
    ``CardIssue`` (row-level, Vietnamese); ``build_score_card(...)`` -> ``ScoreCard``.

Command-line contract
    ``select_standard``, ``parse_records``, ``classify_records``, ``classify_json``.
"""

from survey.engine.classify import (
    RESULT_LABELS_VI,
    SEVERITY,
    Explanation,
    classify,
    classify_household,
    derive_deprivations,
    format_number_vi,
    order_deprived,
)
from survey.engine.errors import (
    ClassificationInputError,
    EngineError,
    FactsError,
    PathUnavailableError,
    RecordError,
    ScoreCardError,
    ScoreCardUnavailableError,
    StandardFileError,
    UnknownStandardError,
    YearNotCoveredError,
)
from survey.engine.facts import (
    AREA_LABELS_VI,
    AREAS,
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    HOUSEHOLD_FACTS,
    INFORMATION_MEANS,
    MEMBER_FACTS,
    WATER_SOURCES,
    FactSpec,
    HouseholdFacts,
    MemberFacts,
)
from survey.engine.records import (
    ClassifyRecord,
    RecordsError,
    classify_json,
    classify_records,
    parse_records,
    select_standard,
)
from survey.engine.scorecard import (
    CARD_FLAGS,
    CardIssue,
    CardItem,
    CardLine,
    CardOption,
    CardRegion,
    CardTotal,
    MissingItem,
    ScoreCard,
    ScoreCardInvalidError,
    build_score_card,
    score_card_total,
    validate_score_card,
)
from survey.engine.standard import (
    STANDARDS_DIR,
    ClassificationPath,
    Dimension,
    Indicator,
    LegalInstrument,
    Parameter,
    Provenance,
    Rule,
    SourcedValue,
    Standard,
    available_standards,
    get_standard,
    load_standard_file,
    standard_for_year,
)

__all__ = [
    "AREAS",
    "AREA_LABELS_VI",
    "CARD_FLAGS",
    "EDUCATION_LEVELS",
    "EMPLOYMENT_STATUSES",
    "HOUSEHOLD_FACTS",
    "INFORMATION_MEANS",
    "MEMBER_FACTS",
    "RESULT_LABELS_VI",
    "SEVERITY",
    "STANDARDS_DIR",
    "WATER_SOURCES",
    "CardIssue",
    "CardItem",
    "CardLine",
    "CardOption",
    "CardRegion",
    "CardTotal",
    "ClassificationInputError",
    "ClassificationPath",
    "ClassifyRecord",
    "Dimension",
    "EngineError",
    "Explanation",
    "FactSpec",
    "FactsError",
    "HouseholdFacts",
    "Indicator",
    "LegalInstrument",
    "MemberFacts",
    "MissingItem",
    "Parameter",
    "PathUnavailableError",
    "Provenance",
    "RecordError",
    "RecordsError",
    "Rule",
    "ScoreCard",
    "ScoreCardError",
    "ScoreCardInvalidError",
    "ScoreCardUnavailableError",
    "SourcedValue",
    "Standard",
    "StandardFileError",
    "UnknownStandardError",
    "YearNotCoveredError",
    "available_standards",
    "build_score_card",
    "classify",
    "classify_household",
    "classify_json",
    "classify_records",
    "derive_deprivations",
    "format_number_vi",
    "get_standard",
    "load_standard_file",
    "order_deprived",
    "parse_records",
    "score_card_total",
    "select_standard",
    "standard_for_year",
    "validate_score_card",
]
