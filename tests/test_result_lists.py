"""The printed posting list and the list attached to the chairman's decision show entries, those
staying and exits (thoát nghèo, thoát cận nghèo) as their own sections (QĐ 24/2021/QĐ-TTg, Điều 4
bước 4: exits are recognised in the same decision).

Results are stored by hand (as tests/factories.py does for reports): the forms, the engine and the
workflow have tests of their own; these pages only read the stored classes and statuses.
"""

import re

import pytest
from django.urls import reverse

from households.services import household_register
from survey.models import SurveyResponse
from survey.services import round_open

SECTIONS = (
    "new_poor",
    "stay_poor",
    "new_near_poor",
    "stay_near_poor",
    "exit_poor",
    "exit_near_poor",
    "average",
)


@pytest.fixture
def round_2024(province_reader):
    return round_open(
        actor=province_reader, province=province_reader.unit, year=2024, kind="periodic"
    )


@pytest.fixture
def village_results(officer_a, village_a, round_2024, round_2025):
    """name: (approved class in 2024 or None, class in 2025, status in 2025)."""
    cast = {
        "Lê Nghèo Mới": (None, "poor", "posted"),
        "Lê Trước Không Nghèo": ("not_poor", "poor", "approved"),
        "Lê Nghèo Tiếp": ("poor", "poor", "posted"),
        "Lê Cận Mới": ("average", "near_poor", "posted"),
        "Lê Cận Tiếp": ("near_poor", "near_poor", "posted"),
        "Lê Nghèo Thành Cận": ("poor", "near_poor", "posted"),
        "Lê Thoát Hẳn": ("poor", "not_poor", "posted"),
        "Lê Cận Thành Trung Bình": ("near_poor", "average", "posted"),
        "Lê Cận Thành Nghèo": ("near_poor", "poor", "posted"),
        "Lê Không Nghèo": ("not_poor", "not_poor", "posted"),
        "Lê Chưa Họp": (None, "poor", "submitted"),
        "Lê Bản Nháp": ("poor", "poor", "draft"),
    }
    for name, (before, now, status) in cast.items():
        h = household_register(
            actor=officer_a,
            village=village_a,
            address="Xóm 2",
            head={
                "full_name": name,
                "birth_year": 1968,
                "sex": "male",
            },
        )
        for review_round, final, state in (
            (round_2024, before, "approved"),
            (round_2025, now, status),
        ):
            if final is not None:
                SurveyResponse.objects.create(
                    review_round=review_round,
                    household=h,
                    commune=h.commune,
                    village=h.village,
                    status=state,
                    computed_classification=final,
                    final_classification=final,
                    member_count=3,
                    created_by=officer_a,
                )
    # A 2024 result never approved does not count as the previous round's result.
    h = household_register(
        actor=officer_a,
        village=village_a,
        address="Xóm 2",
        head={"full_name": "Lê Chưa Duyệt Năm Trước", "birth_year": 1968, "sex": "male"},
    )
    for review_round, status in ((round_2024, "submitted"), (round_2025, "posted")):
        SurveyResponse.objects.create(
            review_round=review_round,
            household=h,
            commune=h.commune,
            village=h.village,
            status=status,
            computed_classification="poor",
            final_classification="poor",
            member_count=3,
            created_by=officer_a,
        )
    return cast


def sections_of(body: str) -> dict[str, set[str]]:
    found = {}
    for key in SECTIONS:
        match = re.search(rf'id="section-{key}">(.*?)</section>', body, re.S)
        assert match, key
        found[key] = set(re.findall(r"<td>(Lê [^<]+)</td>", match.group(1)))
    return found


def page(client, name, review_round, village):
    url = reverse(
        f"survey:{name}",
        kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


POSTED_SECTIONS = {
    "new_poor": {
        "Lê Nghèo Mới",
        "Lê Trước Không Nghèo",
        "Lê Cận Thành Nghèo",
        "Lê Chưa Duyệt Năm Trước",
    },
    "stay_poor": {"Lê Nghèo Tiếp"},
    "new_near_poor": {"Lê Cận Mới", "Lê Nghèo Thành Cận"},
    "stay_near_poor": {"Lê Cận Tiếp"},
    "exit_poor": {"Lê Nghèo Thành Cận", "Lê Thoát Hẳn"},
    "exit_near_poor": {"Lê Cận Thành Trung Bình", "Lê Cận Thành Nghèo"},
    "average": {"Lê Cận Thành Trung Bình"},
}


def test_the_approval_list_shows_entries_those_staying_and_exits_as_sections(
    officer_a, village_a, round_2025, village_results, client_for
):
    body = page(client_for(officer_a), "approval_list", round_2025, village_a)
    assert sections_of(body) == POSTED_SECTIONS
    assert "Hộ thoát nghèo" in body and "Hộ thoát cận nghèo" in body
    assert "So với kết quả đã phê duyệt của đợt rà soát định kỳ năm 2024" in body
    assert "1968" not in body


def test_the_posting_list_also_shows_forms_on_their_way_but_never_drafts(
    officer_a, village_a, round_2025, village_results, client_for
):
    body = page(client_for(officer_a), "posting_list", round_2025, village_a)
    expected = {**POSTED_SECTIONS}
    expected["new_poor"] = expected["new_poor"] | {"Lê Chưa Họp"}
    assert sections_of(body) == expected
    assert "Lê Bản Nháp" not in body
    assert "Lê Không Nghèo" not in body
    assert "1968" not in body


def test_without_a_previous_round_every_poor_household_is_new(
    officer_a, village_a, round_2025, household_a, client_for
):
    SurveyResponse.objects.create(
        review_round=round_2025,
        household=household_a,
        commune=household_a.commune,
        village=household_a.village,
        status="posted",
        computed_classification="poor",
        final_classification="poor",
        member_count=3,
        created_by=officer_a,
    )
    body = page(client_for(officer_a), "approval_list", round_2025, village_a)
    assert "Chưa có đợt rà soát định kỳ trước" in body
    match = re.search(r'id="section-new_poor">(.*?)</section>', body, re.S)
    assert match and "Nguyễn Văn An" in match.group(1)
    assert "035070000123" not in body  # household_a's CCCD
    assert "1970" not in body  # its head's birth year


def test_officer_b_gets_404_for_village_a_approval_list(
    officer_b, village_a, round_2025, client_for
):
    url = reverse(
        "survey:approval_list",
        kwargs={"round_id": round_2025.public_id, "village_id": village_a.public_id},
    )
    assert client_for(officer_b).get(url).status_code == 404
