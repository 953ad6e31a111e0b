"""The income-proxy score card: totals, strict mode, and row-level validation of uploads."""

from __future__ import annotations

import pytest

from survey.engine import (
    CardIssue,
    ScoreCardError,
    ScoreCardInvalidError,
    ScoreCardUnavailableError,
    build_score_card,
    classify,
    get_standard,
    score_card_total,
    validate_score_card,
)

S2016 = get_standard("vn-2016-2020")
P1_ANSWERS = {
    "household_size": "4",
    "dependents": "1",
    "highest_degree": "upper_secondary",
    "non_farm_work": "none",
    "pension": "1",
}

REGIONS = [
    {"row": 3, "key": "NT_A", "label_vi": "Nông thôn vùng A", "area": "rural", "provinces": "1, 2"},
    {"row": 4, "key": "NT_B", "label_vi": "Nông thôn vùng B", "area": "rural", "provinces": [3]},
    {"row": 5, "key": "URBAN", "label_vi": "Thành thị", "area": "urban", "provinces": None},
]


def option_row(row: int, item: str, option: str, **points: object) -> dict[str, object]:
    return {
        "row": row,
        "item": item,
        "item_label_vi": f"Mục {item}",
        "choice": "multiple" if item == "assets" else "single",
        "option": option,
        "option_label_vi": f"Phương án {option}",
        "points": points,
    }


def valid_rows() -> list[dict[str, object]]:
    return [
        option_row(8, "size", "1", NT_A=70, NT_B=60, URBAN=80),
        option_row(9, "size", "2", NT_A=50, NT_B="45", URBAN=55.5),
        option_row(10, "assets", "tv", NT_A=5, NT_B=5, URBAN="2,5"),
        option_row(11, "assets", "fridge", NT_A=10, NT_B=10, URBAN=0),
    ]


# --- shipped cards -------------------------------------------------------------------------------


def test_2016_card_ships_partial_and_unverified_with_its_missing_items_listed():
    card = S2016.score_card
    assert (card.status, card.verified) == ("partial", False)
    assert [item.key for item in card.items] == [
        "household_size",
        "dependents",
        "highest_degree",
        "non_farm_work",
        "pension",
        "housing_material",
    ]
    assert {m.key for m in card.missing_items} >= {
        "living_area_per_person",
        "electricity_consumption",
    }


def test_partial_card_gives_a_subtotal_marked_incomplete_and_unverified():
    total = score_card_total(S2016, area="rural", province_code=66, answers=P1_ANSWERS)
    assert total.total == 80
    assert not total.complete
    assert not total.verified
    assert not total.trustworthy


def test_strict_mode_refuses_a_partial_unverified_card():
    with pytest.raises(ScoreCardUnavailableError, match="chưa đầy đủ"):
        score_card_total(S2016, area="rural", province_code=66, answers=P1_ANSWERS, strict=True)


@pytest.mark.parametrize("code", ["vn-2022-2025", "vn-2026-2030"])
def test_standards_without_a_card_refuse_to_compute_even_when_not_strict(code):
    standard = get_standard(code)
    assert standard.score_card.status == "absent"
    with pytest.raises(ScoreCardUnavailableError, match="nhập tổng điểm"):
        score_card_total(standard, area="rural", province_code=1, answers={})


def test_rural_region_follows_the_province_and_urban_uses_one_column():
    assert S2016.score_card.region_for("rural", 35).key == "NT_DBSH"  # Hà Nam
    assert S2016.score_card.region_for("rural", "02").key == "NT_TDMNPB"  # Hà Giang
    assert S2016.score_card.region_for("rural", 96).key == "NT_DBSCL"  # Cà Mau
    assert S2016.score_card.region_for("urban", 35).key == "URBAN"
    assert S2016.score_card.region_for("urban", 96).key == "URBAN"


def test_every_pre_2025_province_belongs_to_exactly_one_rural_region():
    rural = [r for r in S2016.score_card.regions if r.area == "rural"]
    codes = [c for r in rural for c in (r.provinces or ())]
    assert len(codes) == len(set(codes)) == 63


def test_multiple_choice_item_adds_every_chosen_option():
    answers = {**P1_ANSWERS, "housing_material": ["durable_wall", "durable_column"]}
    total = score_card_total(S2016, area="rural", province_code=38, answers=answers)  # Thanh Hóa
    assert total.region == "NT_BTB_DHMT"
    assert total.lines[-1].points == 20 + 0
    assert total.lines[-1].options == ("durable_wall", "durable_column")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({**P1_ANSWERS, "household_size": "9"}, "không có phương án '9'"),
        ({k: v for k, v in P1_ANSWERS.items() if k != "pension"}, "Chưa trả lời mục 'pension'"),
        ({**P1_ANSWERS, "boats": "1"}, "không có mục: boats"),
        ({**P1_ANSWERS, "pension": ["1", "2+"]}, "chỉ chọn một"),
    ],
)
def test_answers_that_do_not_fit_the_card_are_refused(answers, message):
    with pytest.raises(ScoreCardError, match=message):
        score_card_total(S2016, area="rural", province_code=35, answers=answers)


def test_unknown_province_or_flag_is_refused():
    with pytest.raises(ScoreCardError, match="tỉnh mã 99"):
        score_card_total(S2016, area="rural", province_code=99, answers=P1_ANSWERS)
    with pytest.raises(ScoreCardError, match="Điều kiện"):
        score_card_total(S2016, area="rural", province_code=35, answers=P1_ANSWERS, flags={"x"})


# --- validation of an uploaded card (row-level, Vietnamese, every error at once) -----------------


def test_valid_rows_build_a_card_that_scores_households():
    assert validate_score_card(REGIONS, valid_rows()) == []
    card = build_score_card(REGIONS, valid_rows(), status="complete", verified=True)
    total = score_card_total(
        card, area="urban", province_code=7, answers={"size": "2", "assets": ["tv"]}, strict=True
    )
    assert total.total == 55.5 + 2.5
    assert total.trustworthy
    rural = score_card_total(card, area="rural", province_code=3, answers={"size": "2"})
    assert (rural.region, rural.total) == ("NT_B", 45)


def test_option_missing_points_for_a_region_is_rejected_with_its_row():
    rows = valid_rows()
    rows[1] = option_row(9, "size", "2", NT_A=50, URBAN=55)  # no NT_B
    rows[2] = option_row(10, "assets", "tv", NT_A=5, NT_B=None, URBAN=2)  # empty cell
    issues = validate_score_card(REGIONS, rows)
    assert [i.row for i in issues] == [9, 10]
    assert all("thiếu điểm cho vùng 'NT_B'" in i.message_vi for i in issues)
    assert str(issues[0]).startswith("Dòng 9: ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-5, "điểm -5 là số âm"),
        ("-2,5", "điểm -2,5 là số âm"),
        ("abc", "'abc' không phải là số"),
        ("12 điểm", "không phải là số"),
        (True, "không phải là số"),
        (float("nan"), "không phải là số hữu hạn"),
        ([1], "không phải là số"),
    ],
)
def test_negative_or_non_numeric_points_are_rejected_with_row_and_region(value, message):
    rows = valid_rows()
    rows[3] = option_row(11, "assets", "fridge", NT_A=10, NT_B=value, URBAN=0)
    issues = validate_score_card(REGIONS, rows)
    assert len(issues) == 1
    assert issues[0].row == 11
    assert "vùng 'NT_B'" in issues[0].message_vi
    assert message in issues[0].message_vi


def test_every_bad_row_is_reported_not_only_the_first():
    rows = valid_rows()
    rows[0] = option_row(8, "size", "1", NT_A=-1, NT_B=60, URBAN=80)
    rows[2] = option_row(10, "assets", "tv", NT_A="x", NT_B=5, URBAN=2)
    rows[3] = option_row(11, "assets", "fridge", NT_A=1, URBAN=0)
    issues = validate_score_card(REGIONS, rows)
    assert [i.row for i in issues] == [8, 10, 11]
    with pytest.raises(ScoreCardInvalidError) as raised:
        build_score_card(REGIONS, rows)
    assert raised.value.issues == tuple(issues)
    assert "Dòng 8" in str(raised.value) and "Dòng 11" in str(raised.value)


def test_duplicate_option_unknown_region_column_and_missing_labels_are_rejected():
    rows = [
        *valid_rows(),
        option_row(12, "size", "1", NT_A=1, NT_B=1, URBAN=1),
        option_row(13, "assets", "bike", NT_A=1, NT_B=1, URBAN=1, NT_Z=4),
        {"row": 14, "item": "", "option": "x", "points": {}},
        {"row": 15, "item": "land", "option": "big", "points": {"NT_A": 1, "NT_B": 1, "URBAN": 1}},
    ]
    messages = {i.row: i.message_vi for i in validate_score_card(REGIONS, rows)}
    assert "bị trùng (đã có ở dòng 8)" in messages[12]
    assert "cột điểm 'NT_Z'" in messages[13]
    assert "thiếu mã mục" in messages[14]
    assert "thiếu tên phương án" in messages[15]


def test_bad_regions_are_rejected_with_their_rows():
    regions = [
        {"row": 3, "key": "NT_A", "label_vi": "A", "area": "rural", "provinces": "1, 2"},
        {"row": 4, "key": "NT_A", "label_vi": "A again", "area": "rural", "provinces": [5]},
        {"row": 5, "key": "NT_C", "label_vi": "C", "area": "mountain", "provinces": [6]},
        {"row": 6, "key": "NT_D", "label_vi": "D", "area": "rural", "provinces": "2; ab"},
        {"row": 7, "key": "NT_E", "label_vi": "E", "area": "rural", "provinces": [2]},
    ]
    issues = validate_score_card(regions, [])
    by_row = {i.row: i.message_vi for i in issues if i.row is not None}
    assert "mã vùng 'NT_A' bị trùng (đã có ở dòng 3)" in by_row[4]
    assert "khu vực phải là 'rural'" in by_row[5]
    assert "mã tỉnh 'ab' không hợp lệ" in by_row[6]
    assert "tỉnh mã 2 đã thuộc vùng 'NT_A'" in by_row[7]
    unrowed = [i.message_vi for i in issues if i.row is None]
    assert "thiếu vùng cho khu vực thành thị" in unrowed
    assert "Bảng điểm không có dòng điểm nào" in unrowed


def test_issue_without_row_names_its_place_in_the_data_file():
    issue = CardIssue(None, "score_card.items[0].options[1]", "thiếu điểm")
    assert str(issue) == "score_card.items[0].options[1]: thiếu điểm"


# --- a card total feeding the classification -----------------------------------------------------


def test_classification_from_a_card_total_records_the_card_and_its_doubt():
    total = score_card_total(S2016, area="rural", province_code=66, answers=P1_ANSWERS)
    result = classify(S2016, area="rural", card=total)
    assert result.income_score == 80
    assert result.income_score_origin == "card"
    assert result.classification == "poor"
    assert "score_card" in result.unverified
    assert not result.verified


def test_hand_entered_total_is_recorded_as_such_and_said_in_the_reason():
    result = classify(get_standard("vn-2022-2025"), area="rural", income_score=120)
    assert result.income_score_origin == "entered"
    assert "cán bộ nhập theo phiếu giấy" in result.reason


def test_hand_entered_total_that_contradicts_the_card_total_is_refused():
    total = score_card_total(S2016, area="rural", province_code=66, answers=P1_ANSWERS)
    with pytest.raises(ValueError, match="khác với tổng điểm"):
        classify(S2016, area="rural", card=total, income_score=81)
