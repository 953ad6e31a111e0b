"""Standard files: loading, validation errors, provenance, caching, and choosing by year."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.engine import (
    STANDARDS_DIR,
    StandardFileError,
    UnknownStandardError,
    YearNotCoveredError,
    available_standards,
    classify,
    get_standard,
    load_standard_file,
    standard_for_year,
)

REFERENCE_KEYS = {
    "vn-2016-2020": [
        "access_to_medical_services",
        "health_insurance",
        "adult_education",
        "child_school_attendance",
        "housing_quality",
        "housing_area",
        "water_source",
        "hygienic_latrine",
        "telecom_services",
        "information_assets",
    ],
    "vn-2022-2025": [
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "child_school_attendance",
        "housing_quality",
        "housing_area",
        "water_source",
        "hygienic_latrine",
        "telecom_services",
        "information_means",
    ],
    "vn-2026-2030": [
        "employment",
        "dependents",
        "health_insurance",
        "nutrition",
        "adult_education",
        "child_school_attendance",
        "housing_area",
        "housing_quality",
        "telecom_services",
        "water_source",
        "hygienic_latrine",
        "waste_treatment",
    ],
}


def _data(code: str = "vn-2022-2025") -> dict[str, Any]:
    return yaml.safe_load((STANDARDS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def write_variant(
    tmp_path: Path,
    mutate: Callable[[dict[str, Any]], None],
    code: str = "vn-2022-2025",
    *,
    keep_name: bool = False,
) -> Path:
    """Write a mutated copy of a shipped file, named after its (new) code unless keep_name."""
    data = copy.deepcopy(_data(code))
    mutate(data)
    path = tmp_path / f"{code if keep_name else data.get('code', code)}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the shipped files ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(REFERENCE_KEYS))
def test_each_shipped_standard_loads_with_the_reference_indicator_keys_in_order(code):
    standard = get_standard(code)
    assert standard.code == code
    assert standard.version >= 1
    assert list(standard.indicator_keys) == REFERENCE_KEYS[code]
    assert len(standard.legal_basis) >= 1


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2016, "vn-2016-2020"),
        (2019, "vn-2016-2020"),
        (2021, "vn-2016-2020"),
        (2022, "vn-2022-2025"),
        (2025, "vn-2022-2025"),
        (2026, "vn-2022-2025"),
        (2027, "vn-2026-2030"),
        (2030, "vn-2026-2030"),
    ],
)
def test_review_year_picks_the_standard_in_force(year, code):
    assert standard_for_year(year).code == code


@pytest.mark.parametrize("year", [2015, 2031, 1990])
def test_review_year_outside_2016_to_2030_is_an_error(year):
    with pytest.raises(YearNotCoveredError, match=str(year)):
        standard_for_year(year)


def test_review_year_must_be_an_integer():
    with pytest.raises(YearNotCoveredError):
        standard_for_year("2024")  # type: ignore[arg-type]
    with pytest.raises(YearNotCoveredError):
        standard_for_year(True)  # type: ignore[arg-type]


def test_unknown_standard_code_is_an_error_listing_the_known_codes():
    with pytest.raises(UnknownStandardError, match="vn-2022-2025"):
        get_standard("vn-2031-2035")


def test_income_lines_and_score_lines_carry_provenance_as_the_reference_says():
    s16, s22, s26 = (get_standard(c) for c in sorted(REFERENCE_KEYS))
    for standard in (s16, s22, s26):
        line = standard.parameters["poverty_income_line"]
        assert line.rural.verified and line.urban.verified
        assert line.rural.provenance.sources
    assert (
        s16.parameter_value("poverty_income_line", "rural"),
        s16.parameter_value("poverty_income_line", "urban"),
    ) == (700_000, 900_000)
    assert (
        s22.parameter_value("poverty_income_line", "rural"),
        s22.parameter_value("poverty_income_line", "urban"),
    ) == (1_500_000, 2_000_000)
    assert (
        s26.parameter_value("poverty_income_line", "rural"),
        s26.parameter_value("poverty_income_line", "urban"),
    ) == (2_200_000, 2_800_000)
    assert s16.parameters["poor_score_line"].rural.value == 120
    assert s22.parameters["poor_score_line"].urban.value == 175
    # Average-living bounds: verified only for 2022–2025; recalled for 2016; not found for 2027.
    assert s22.parameters["average_income_upper"].rural.verified
    assert not s16.parameters["average_income_upper"].rural.verified
    assert s16.parameters["average_income_upper"].rural.provenance.confidence == "recalled"
    assert s26.parameters["average_income_upper"].rural.value is None
    # Score thresholds of 2027–2030 are not sourced: no value, and the score path is unavailable.
    assert s26.parameters["poor_score_line"].rural.value is None
    assert not s26.paths["score"].available


@pytest.mark.parametrize("code", sorted(REFERENCE_KEYS))
def test_every_number_in_a_shipped_file_says_whether_it_is_verified(code):
    standard = get_standard(code)
    for param in standard.parameters.values():
        for value in (param.rural, param.urban):
            assert isinstance(value.verified, bool)
            assert value.provenance.confidence
            if value.verified:
                assert value.provenance.sources
    for indicator in standard.indicators:
        assert not indicator.provenance.verified  # no indicator threshold is verified yet


def test_unverified_items_name_what_the_ui_must_flag():
    assert "score_card" in get_standard("vn-2022-2025").unverified_items()
    assert "path:score" in get_standard("vn-2026-2030").unverified_items()
    assert "rule:average_income" in get_standard("vn-2016-2020").unverified_items()
    assert not get_standard("vn-2016-2020").verified


def test_loaded_standards_are_cached():
    assert get_standard("vn-2022-2025") is get_standard("vn-2022-2025")
    assert standard_for_year(2024) is get_standard("vn-2022-2025")


def test_a_changed_file_is_reloaded(tmp_path):
    path = write_variant(tmp_path, lambda d: None)
    first = load_standard_file(path)
    assert load_standard_file(path) is first
    stat = path.stat()
    write_variant(tmp_path, lambda d: d.update(version=2))
    # Same size as before; make sure the modification time differs even on coarse clocks.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_standard_file(path).version == 2


def test_rules_are_compiled_once_at_load_time():
    standard = get_standard("vn-2022-2025")
    assert "def derive(h, direct):" in standard.derive_source
    assert ("score", "rural") in standard.deciders
    assert ("score", "rural") not in get_standard("vn-2026-2030").deciders


# --- a new period is a new file, not new code ----------------------------------------------------


def _new_period(d: dict[str, Any]) -> None:
    d["code"] = "vn-2031-2035"
    d["title_vi"] = "Chuẩn thử nghiệm 2031–2035"
    d["review_years"]["years"] = [2031, 2032, 2033, 2034, 2035]
    d["parameters"]["poverty_income_line"]["rural"]["value"] = 3_000_000


def test_a_new_period_needs_only_a_new_data_file(tmp_path):
    for code in REFERENCE_KEYS:
        shutil.copy(STANDARDS_DIR / f"{code}.yaml", tmp_path)
    write_variant(tmp_path, _new_period)
    assert [s.code for s in available_standards(tmp_path)][-1] == "vn-2031-2035"
    new = standard_for_year(2033, tmp_path)
    assert new.code == "vn-2031-2035"
    result = classify(new, area="rural", income_per_capita=2_900_000, deprived=["employment"])
    assert result.classification == "near_poor"
    assert result.standard == "vn-2031-2035"


def test_two_files_claiming_the_same_year_are_an_error(tmp_path):
    shutil.copy(STANDARDS_DIR / "vn-2022-2025.yaml", tmp_path)
    write_variant(tmp_path, lambda d: d.update(code="vn-2022-2025-bis"))
    with pytest.raises(StandardFileError, match="also covered by"):
        standard_for_year(2024, tmp_path)


# --- a bad file is refused with the file and the field named -------------------------------------


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


SCORE_RULE = ["classification", "paths", "score", "rules", 0]
HEALTH = ["dimensions", 1, "indicators", 1]


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (_set(["colour"], "red"), "colour", "unknown field"),
        (_delete(["review_years"]), "(top level)", "missing required field(s): review_years"),
        (_set(["code"], "vn-other"), "code", "must match the file name"),
        (_set(["format"], 2), "format", "unsupported format"),
        (
            _set(["parameters", "poverty_income_line", "rural", "value"], "lots"),
            "parameters.poverty_income_line.rural.value",
            "expected a number",
        ),
        (
            _delete(["parameters", "poverty_income_line", "urban", "verified"]),
            "parameters.poverty_income_line.urban",
            "missing required field(s): verified",
        ),
        (
            _set(["parameters", "poverty_income_line", "urban", "sources"], ["X99"]),
            "parameters.poverty_income_line.urban.sources[0]",
            "unknown source id",
        ),
        (
            _set(["parameters", "average_income_upper", "rural", "confidence"], "recalled"),
            "parameters.average_income_upper.rural.verified",
            "cannot be verified",
        ),
        (
            _set([*SCORE_RULE, "when", 0, "param"], "poor_scor_line"),
            "classification.paths.score.rules[0].when[0].param",
            "unknown parameter 'poor_scor_line'",
        ),
        (
            _set([*SCORE_RULE, "when", 0, "op"], "approximately"),
            "classification.paths.score.rules[0].when[0].op",
            "does not apply",
        ),
        (
            _set([*SCORE_RULE, "result"], "very_poor"),
            "classification.paths.score.rules[0].result",
            "unknown result",
        ),
        (
            _set([*SCORE_RULE, "reason_vi"], "Hộ nghèo vì {diem}"),
            "classification.paths.score.rules[0].reason_vi",
            "unknown placeholder {diem}",
        ),
        (
            _set([*HEALTH, "rule", "any_member", 0, "fact"], "age_years"),
            "dimensions[1].indicators[1].rule.any_member[0].fact",
            "unknown member fact 'age_years'",
        ),
        (
            _set([*HEALTH, "rule", "any_member", 0, "value"], "six"),
            "dimensions[1].indicators[1].rule.any_member[0].value",
            "expected a number",
        ),
        (
            _set(["dimensions", 4, "indicators", 0, "rule", "value"], ["piped", "tap"]),
            "dimensions[4].indicators[0].rule.value",
            "unknown code 'tap'",
        ),
        (
            _set([*HEALTH, "key"], "nutrition"),
            "dimensions[1].indicators[1]",
            "listed twice",
        ),
        (
            _set(
                ["parameters", "poor_score_line", "rural"],
                {"value": None, "verified": False, "confidence": "not_found"},
            ),
            "classification.paths.score.rules[0].when",
            "has no value for rural",
        ),
        (
            _set(
                ["score_card"], {"status": "complete", "verified": False, "confidence": "inferred"}
            ),
            "score_card",
            "needs regions and items",
        ),
    ],
)
def test_bad_standard_file_is_refused_naming_file_and_field(tmp_path, mutate, field, problem):
    path = write_variant(tmp_path, mutate, keep_name=True)
    with pytest.raises(StandardFileError) as raised:
        load_standard_file(path)
    error = raised.value
    assert error.file == path.name
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"{path.name}: {field}: ")


def test_bad_score_card_in_a_file_names_the_option_and_region(tmp_path):
    def mutate(d: dict[str, Any]) -> None:
        d["score_card"]["items"][0]["options"][2]["points"]["NT_DBSH"] = -5

    path = write_variant(tmp_path, mutate, code="vn-2016-2020")
    with pytest.raises(StandardFileError) as raised:
        load_standard_file(path)
    assert raised.value.field == "score_card.items[0].options[2]"
    assert "vùng 'NT_DBSH'" in raised.value.problem
    assert "số âm" in raised.value.problem


def test_duplicate_key_in_a_file_is_refused(tmp_path):
    text = (STANDARDS_DIR / "vn-2022-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1\n", "version: 1\nversion: 2\n", 1)
    path = tmp_path / "vn-2022-2025.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StandardFileError, match="duplicate key 'version'"):
        load_standard_file(path)


def test_invalid_yaml_and_missing_file_are_refused_with_the_file_name(tmp_path):
    broken = tmp_path / "vn-broken.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(StandardFileError, match=r"^vn-broken\.yaml: invalid YAML"):
        load_standard_file(broken)
    with pytest.raises(StandardFileError, match=r"vn-missing\.yaml"):
        load_standard_file(tmp_path / "vn-missing.yaml")
