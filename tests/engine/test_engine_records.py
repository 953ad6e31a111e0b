"""The classify contract as pure functions: record parsing, errors and results (no Django)."""

from __future__ import annotations

import json

import pytest

from survey.engine import (
    RecordError,
    RecordsError,
    UnknownStandardError,
    YearNotCoveredError,
    classify_json,
    get_standard,
    parse_records,
    select_standard,
)

S2022 = get_standard("vn-2022-2025")
S2026 = get_standard("vn-2026-2030")


def run(records: object, standard=S2022) -> list[dict[str, object]]:
    return json.loads(classify_json(json.dumps(records), standard))


def error_of(text: str, standard=S2022) -> RecordsError:
    with pytest.raises(RecordsError) as raised:
        parse_records(text, standard)
    return raised.value


def test_results_follow_the_records_in_order_with_exactly_the_contract_fields():
    out = run(
        [
            {"id": "h1", "area": "rural", "income_score": 140, "deprived": ["nutrition"] * 2},
            {"id": "h2", "area": "urban", "income_per_capita": 2_500_000, "agricultural": True},
            {"id": "h3", "area": "rural", "income_per_capita": 3_000_000},
        ]
    )
    assert [r["id"] for r in out] == ["h1", "h2", "h3"]
    assert all(
        set(r) == {"id", "standard", "classification", "deprivation_score", "deprived", "reason"}
        for r in out
    )
    assert [r["classification"] for r in out] == ["near_poor", "average", "not_poor"]
    assert out[0]["deprived"] == ["nutrition"]
    assert out[0]["deprivation_score"] == 10
    assert out[0]["standard"] == "vn-2022-2025"
    assert isinstance(out[0]["reason"], str) and "Hộ cận nghèo" in out[0]["reason"]


def test_deprived_comes_back_in_standard_order_each_once():
    out = run(
        [
            {
                "id": "h",
                "area": "rural",
                "income_per_capita": 1_000_000,
                "deprived": ["water_source", "employment", "water_source", "nutrition"],
            }
        ]
    )
    assert out[0]["deprived"] == ["employment", "nutrition", "water_source"]
    assert out[0]["deprivation_score"] == 30
    assert out[0]["classification"] == "poor"


def test_unknown_extra_fields_are_ignored_and_null_counts_as_absent():
    out = run(
        [
            {
                "id": "h",
                "area": "rural",
                "income_per_capita": 1_200_000,
                "income_score": None,
                "deprived": None,
                "agricultural": None,
                "commune": "13504",
                "note": {"anything": [1, 2]},
            }
        ]
    )
    assert out[0]["classification"] == "near_poor"


def test_empty_array_gives_an_empty_array():
    assert run([]) == []


def test_cli_reason_does_not_claim_the_score_was_entered_on_paper():
    out = run([{"id": "h", "area": "rural", "income_score": 100}])
    assert "phiếu giấy" not in str(out[0]["reason"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "không phải JSON hợp lệ"),
        ("", "không phải JSON hợp lệ"),
        ('{"id": "h"}', "phải là một mảng JSON, nhận được object"),
        ("42", "phải là một mảng JSON, nhận được number"),
    ],
)
def test_input_that_is_not_a_json_array_is_refused_as_a_whole(text, message):
    error = error_of(text)
    assert message in str(error)
    assert error.errors[0].position is None


RECORD = {"id": "h7", "area": "rural", "income_per_capita": 1_000_000}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"area": "town"}, "area", "'town' không hợp lệ"),
        ({"area": None}, "area", "thiếu khu vực"),
        ({"income_score": -1}, "income_score", "không được âm"),
        ({"income_score": "140"}, "income_score", "phải là số"),
        ({"income_score": True}, "income_score", "phải là số"),
        ({"income_per_capita": -5}, "income_per_capita", "không được âm"),
        ({"income_per_capita": "1000000"}, "income_per_capita", "phải là số nguyên"),
        ({"income_per_capita": 1000.5}, "income_per_capita", "phải là số nguyên"),
        ({"income_per_capita": [1]}, "income_per_capita", "phải là số nguyên"),
        ({"deprived": "employment"}, "deprived", "phải là mảng"),
        ({"deprived": ["employment", "waste_treatment"]}, "deprived[1]", "'waste_treatment'"),
        ({"deprived": ["employment", 3]}, "deprived[1]", "không phải chỉ số"),
        ({"agricultural": "yes"}, "agricultural", "true hoặc false"),
        ({"income_per_capita": None}, "income_score/income_per_capita", "ít nhất một"),
    ],
)
def test_bad_field_is_reported_with_the_record_id_and_the_field(change, field, message):
    record = {**RECORD, **change}
    error = error_of(json.dumps([RECORD, record]))
    (only,) = error.errors
    assert (only.record_id, only.position, only.field) == ("h7", 1, field)
    assert message in only.message
    assert 'bản ghi id "h7"' in str(error)
    assert f'trường "{field}"' in str(error)


def test_nan_and_infinity_are_refused_as_non_numeric():
    error = error_of('[{"id": "h", "area": "rural", "income_score": NaN}]')
    assert error.errors[0].field == "income_score"
    error = error_of('[{"id": "h", "area": "rural", "income_per_capita": Infinity}]')
    assert error.errors[0].field == "income_per_capita"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"area": "rural", "income_score": 10}, "id"),
        ({"id": None, "area": "rural", "income_score": 10}, "id"),
        ({"id": 17, "area": "rural", "income_score": 10}, "id"),
        ({"id": "  ", "area": "rural", "income_score": 10}, "id"),
        ("h1", None),
        ([1, 2], None),
    ],
)
def test_record_without_a_usable_id_is_named_by_its_position(record, field):
    error = error_of(json.dumps([RECORD, RECORD, record]))
    (only,) = error.errors
    assert (only.record_id, only.position, only.field) == (None, 2, field)
    assert "vị trí 2" in str(error)


def test_indicator_of_another_standard_is_refused():
    record = {"id": "h", "area": "rural", "income_per_capita": 1, "deprived": ["information_means"]}
    error = error_of(json.dumps([record]), S2026)
    assert error.errors[0].field == "deprived[0]"
    assert "vn-2026-2030" in str(error)


def test_income_score_under_2026_2030_is_refused_saying_why():
    record = {"id": "h", "area": "rural", "income_score": 100, "income_per_capita": 1_000_000}
    error = error_of(json.dumps([record]), S2026)
    assert error.errors[0].field == "income_score"
    assert "thang điểm" in str(error)
    assert "income_per_capita" in str(error)


def test_every_bad_record_is_reported_at_once():
    records = [{"id": "a", "area": "x", "income_score": 1}, RECORD, {"area": "rural"}]
    error = error_of(json.dumps(records))
    assert [(e.record_id, e.position, e.field) for e in error.errors] == [
        ("a", 0, "area"),
        (None, 2, "id"),
    ]
    assert len(str(error).splitlines()) == 2


def test_utf8_bytes_with_a_bom_are_accepted_and_invalid_bytes_refused():
    data = "\ufeff" + json.dumps([{"id": "hộ-1", "area": "rural", "income_score": 50}])
    assert parse_records(data.encode("utf-8"), S2022)[0].id == "hộ-1"
    with pytest.raises(RecordsError, match="UTF-8"):
        parse_records(b"\xff\xfe[", S2022)


def test_select_standard_needs_exactly_one_of_year_and_code():
    assert select_standard(year=2026, code=None).code == "vn-2022-2025"
    assert select_standard(year=None, code="vn-2016-2020").code == "vn-2016-2020"
    with pytest.raises(RecordError):
        select_standard(year=2024, code="vn-2022-2025")
    with pytest.raises(RecordError):
        select_standard(year=None, code=None)
    with pytest.raises(YearNotCoveredError):
        select_standard(year=2031, code=None)
    with pytest.raises(UnknownStandardError):
        select_standard(year=None, code="vn-1999")


def test_absurd_numbers_and_nesting_are_bad_input_not_crashes():
    huge = "9" * 400
    error = error_of(f'[{{"id": "h", "area": "rural", "income_score": {huge}}}]')
    assert (error.errors[0].record_id, error.errors[0].field) == ("h", "income_score")
    over_limit = "9" * 5000  # beyond Python's integer-string digit limit
    assert "không đọc được" in str(error_of(f'[{{"id": "h", "income_score": {over_limit}}}]'))
    assert "không đọc được" in str(error_of("[" * 100_000 + "]" * 100_000))
