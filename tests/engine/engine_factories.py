"""Builders for engine tests: a baseline household that triggers no deprivation, and overrides.

Imported by the test modules of this folder (``from engine_factories import ...``); no Django.
"""

from __future__ import annotations

from typing import Any

from survey.engine import HouseholdFacts, MemberFacts, Standard

_MEMBER_BASE: dict[str, Any] = {
    "age": 35,
    "of_working_age": True,
    "has_health_insurance": True,
    "in_school": False,
    "at_age_appropriate_level": True,
    "education": "upper_secondary",
    "trained_by_employer": False,
    "employment": "wage_with_contract",
    "disabled": False,
    "receives_social_allowance": False,
    "malnourished": False,
    "ill_without_treatment": False,
    "uses_telecom": True,
}


def member(**overrides: Any) -> MemberFacts:
    """An adult who triggers no deprivation, unless overridden."""
    return MemberFacts(**{**_MEMBER_BASE, **overrides})


def child(age: int = 10, **overrides: Any) -> MemberFacts:
    """A child in school at the right level, with health insurance."""
    base = {
        "age": age,
        "of_working_age": False,
        "in_school": True,
        "education": "primary" if age >= 11 else "none",
        "employment": "not_working",
        "uses_telecom": False,
    }
    return member(**{**base, **overrides})


def household(*members: MemberFacts, **overrides: Any) -> HouseholdFacts:
    """Two members (an adult and a child) in a sound 60 m² house, unless overridden."""
    people = members or (member(), child())
    base: dict[str, Any] = {
        "area": "rural",
        "members": tuple(people),
        "floor_area_m2": 30.0 * len(people),
        "wall_durable": True,
        "column_durable": True,
        "roof_durable": True,
        "water_source": "piped",
        "latrine_hygienic": True,
        "information_means": frozenset({"tv", "smartphone"}),
        "agricultural": False,
    }
    return HouseholdFacts(**{**base, **overrides})


def first_indicators(standard: Standard, count: int) -> list[str]:
    """The first ``count`` indicator keys of a standard (a deprivation list of that size)."""
    assert count <= len(standard.indicator_keys)
    return list(standard.indicator_keys[:count])
