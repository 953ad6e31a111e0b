"""The explanation an officer reads out: standard, scores, deprivations, rule, basis, doubt."""

from __future__ import annotations

import pytest

from survey.engine import (
    ClassificationInputError,
    PathUnavailableError,
    classify,
    format_number_vi,
    get_standard,
)

S2016 = get_standard("vn-2016-2020")
S2022 = get_standard("vn-2022-2025")
S2026 = get_standard("vn-2026-2030")


def test_explanation_names_standard_version_scores_rule_and_legal_basis():
    result = classify(
        S2022, area="urban", income_score=160, deprived=["housing_area", "employment", "nutrition"]
    )
    assert (result.standard, result.standard_version) == ("vn-2022-2025", 1)
    assert (result.classification, result.path, result.rule) == ("poor", "score", "score_poor")
    assert result.income_score == 160
    assert result.deprivation_score == 30
    assert result.deprived == ("employment", "nutrition", "housing_area")
    assert result.legal_basis == "TT 07/2021/TT-BLĐTBXH Điều 1 khoản 1 điểm b"
    assert result.verified and result.unverified == ()
    assert result.classification_vi == "Hộ nghèo"
    data = result.to_dict()
    assert data["rule"] == "score_poor" and data["deprived"] == list(result.deprived)
    assert data["reason"] == result.reason


def test_reason_is_vietnamese_text_with_the_numbers_an_officer_reads_out():
    result = classify(S2022, area="rural", income_per_capita=1_450_000, deprived=["employment"])
    reason = result.reason
    assert reason.startswith("Hộ cận nghèo vì thu nhập bình quân 1.450.000 đồng/người/tháng")
    assert "chuẩn nghèo 1.500.000 đồng (khu vực nông thôn)" in reason
    assert "Hộ thiếu hụt 1 chỉ số dịch vụ xã hội cơ bản (điểm thiếu hụt 10): Việc làm." in reason
    assert "Căn cứ: NĐ 07/2021/NĐ-CP Điều 3 khoản 2" in reason
    assert "Lưu ý" not in reason


def test_reason_says_when_part_of_the_standard_is_unverified():
    result = classify(S2016, area="rural", income_score=130, deprived=["housing_area"])
    assert result.classification == "near_poor"
    assert not result.verified
    assert "rule:score_near_poor" in result.unverified  # rural wording completed by symmetry
    assert "parameter:deprivation_points" in result.unverified  # 10 points inferred in 2016
    assert "chưa được đối chiếu với văn bản gốc" in result.reason


def test_not_poor_under_2016_flags_the_average_rule_left_out():
    result = classify(S2016, area="urban", income_per_capita=1_500_000)
    assert result.classification == "not_poor"
    assert "rule:average_income" in result.unverified


def test_score_path_of_2026_2030_is_refused_with_the_reason():
    with pytest.raises(PathUnavailableError) as raised:
        classify(S2026, area="rural", income_score=100)
    assert raised.value.field == "income_score"
    assert "thang điểm" in raised.value.message_vi


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"area": "town", "income_score": 1}, "area"),
        ({"area": "rural", "income_score": -1}, "income_score"),
        ({"area": "rural", "income_score": float("inf")}, "income_score"),
        ({"area": "rural", "income_per_capita": 1.5}, "income_per_capita"),
        ({"area": "rural"}, "income_score/income_per_capita"),
        ({"area": "rural", "income_score": 1, "deprived": ["fishing"]}, "deprived"),
        ({"area": "rural", "income_score": 1, "deprived": "employment"}, "deprived"),
        ({"area": "rural", "income_score": 1, "agricultural": "yes"}, "agricultural"),
    ],
)
def test_invalid_evidence_names_the_field(kwargs, field):
    with pytest.raises(ClassificationInputError) as raised:
        classify(S2022, **kwargs)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("value", "text"),
    [(1_500_000, "1.500.000"), (140, "140"), (140.0, "140"), (140.5, "140,5"), (None, "không có")],
)
def test_numbers_are_written_the_vietnamese_way(value, text):
    assert format_number_vi(value) == text
