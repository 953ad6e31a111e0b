"""Demo rounds and households for `make demo` (idempotent): what an officer sees on day one."""

from datetime import date

from django.db import transaction

from accounts.models import User
from households.models import Household
from households.services import household_register, member_add
from survey.models import CommuneTotal, ReviewRound
from survey.services import commune_total_record, round_open

DEMO_YEAR = 2024

# (village code, head, other members): invented people, with consistent invented CCCDs.
DEMO_HOUSEHOLDS = [
    (
        "13504-01",
        {"full_name": "Nguyễn Văn Hùng", "birth_year": 1968, "sex": "male",
         "citizen_id": "035068001234", "education": "primary", "employment": "self_employed"},
        [
            {"full_name": "Trần Thị Lan", "birth_year": 1971, "sex": "female",
             "relationship": "spouse", "employment": "self_employed", "has_health_insurance": True},
            {"full_name": "Nguyễn Văn Minh", "birth_year": 2012, "sex": "male",
             "relationship": "child", "in_school": True, "has_health_insurance": True},
        ],
    ),
    (
        "13504-02",
        {"full_name": "Phạm Thị Hoa", "birth_year": 1955, "sex": "female",
         "citizen_id": "035155004321", "has_health_insurance": True, "disabled": True,
         "monthly_social_allowance": 500000},
        [],
    ),
    (
        "13510-01",
        {"full_name": "Lê Văn Tâm", "birth_year": 1980, "sex": "male",
         "citizen_id": "035080005678", "education": "lower_secondary",
         "employment": "wage_without_contract", "uses_telecom": True},
        [
            {"full_name": "Đỗ Thị Mai", "birth_year": 1984, "sex": "female",
             "relationship": "spouse", "uses_telecom": True},
        ],
    ),
]  # fmt: skip


@transaction.atomic
def demo_seed_survey() -> None:
    province_reader = User.objects.get(username="tinh-35")
    province = province_reader.unit
    assert province is not None
    # 2024: the last periodic review of Hà Nam on the three-level tree (before 1 July 2025).
    if not ReviewRound.objects.filter(province=province, year=DEMO_YEAR, kind="periodic").exists():
        round_open(
            actor=province_reader,
            province=province,
            year=DEMO_YEAR,
            kind="periodic",
            # The province's plan: communes hand in by 29/11, districts by 06/12.
            commune_deadline=date(DEMO_YEAR, 11, 29),
            district_deadline=date(DEMO_YEAR, 12, 6),
        )
    review_round = ReviewRound.objects.get(province=province, year=DEMO_YEAR, kind="periodic")
    for code, total in (("13504", 1852), ("13510", 1417)):
        officer = User.objects.get(username=f"xa-{code}")
        if not CommuneTotal.objects.filter(
            review_round=review_round, commune=officer.unit
        ).exists():
            commune_total_record(
                actor=officer,
                review_round=review_round,
                commune=officer.unit,  # type: ignore[arg-type]
                total_households=total,
                source="Số liệu dân cư của Công an xã, ngày 01/9 (số mẫu)",
            )
    for village_code, head, others in DEMO_HOUSEHOLDS:
        if Household.objects.filter(head_name=head["full_name"], number="").exists():
            continue
        commune_code = village_code.split("-")[0]
        officer = User.objects.get(username=f"xa-{commune_code}")
        village = officer.unit.children.get(code=village_code)  # type: ignore[union-attr]
        household = household_register(
            actor=officer, village=village, address=f"{village.name}, {officer.unit}", head=head
        )
        for values in others:
            member_add(actor=officer, household=household, values=values)


DEMO_FORMS = {
    # head name: (Phiếu B household facts, hand-entered score)
    "Nguyễn Văn Hùng": (
        {"floor_area_m2": 24, "wall_durable": False, "column_durable": False,
         "roof_durable": True, "water_source": "unprotected_well", "latrine_hygienic": False,
         "information_means": ["tv"], "poverty_causes": ["land", "capital"],
         "support_needs": ["production", "housing", "water"]},
        125,
    ),
    "Phạm Thị Hoa": (
        {"floor_area_m2": 30, "wall_durable": True, "column_durable": True, "roof_durable": True,
         "water_source": "piped", "latrine_hygienic": True, "information_means": ["radio"],
         "poverty_causes": ["labour", "illness"], "support_needs": ["health"]},
        135,
    ),
    "Lê Văn Tâm": (
        {"floor_area_m2": 40, "wall_durable": True, "column_durable": True, "roof_durable": True,
         "water_source": "borehole", "latrine_hygienic": True,
         "information_means": ["smartphone", "tv"]},
        180,
    ),
}  # fmt: skip


@transaction.atomic
def demo_seed_results() -> None:
    """Submit the demo households' forms; take Thôn 1 of Bình Nghĩa through to approval."""
    from survey.demo_world import _at
    from survey.models import OpinionRequest, SurveyResponse, UnitTransition
    from survey.services import (
        SECTION_FIELDS,
        response_start,
        response_submit,
        response_update,
    )
    from survey.workflow import (
        meeting_record,
        opinion_give,
        opinion_request,
        posting_start,
        responses_approve,
    )

    review_round = ReviewRound.objects.get(province__code="35", year=DEMO_YEAR, kind="periodic")
    hand_made = Household.objects.filter(number="", split_from__isnull=True)
    for household in hand_made.filter(head_name__in=DEMO_FORMS):
        if SurveyResponse.objects.filter(review_round=review_round, household=household).exists():
            continue
        officer = User.objects.get(username=f"xa-{household.commune.code}")
        facts, score = DEMO_FORMS[household.head_name]
        response = response_start(actor=officer, review_round=review_round, household=household)
        answers = {"screening": "proceed", "income_score_manual": score, **facts}
        # Section by section, as the officer saves them (which confirms what last year carried).
        for section, fields in SECTION_FIELDS.items():
            response_update(
                actor=officer,
                response=response,
                values={k: v for k, v in answers.items() if k in fields},
                expected_version=response.version,
                section=section,
            )
        response_submit(actor=officer, response=response, expected_version=response.version)
    officer = User.objects.get(username="xa-13504")
    village = officer.unit.children.get(code="13504-01")  # type: ignore[union-attr]
    submitted = list(
        SurveyResponse.objects.filter(
            review_round=review_round, village=village, status="submitted"
        )
    )
    if submitted:
        meeting_record(
            actor=officer,
            review_round=review_round,
            village=village,
            held_on=date(DEMO_YEAR, 11, 5),
            attendance=42,
            chaired_by="Trưởng thôn",
            agreed=submitted,
        )
        posting_start(
            actor=officer,
            review_round=review_round,
            village=village,
            starts_on=date(DEMO_YEAR, 11, 11),
            recorded_on=date(DEMO_YEAR, 11, 11),
            place="Nhà văn hoá thôn",
        )
        # The district's opinion before the chairman's decision (QĐ 24/2021, Điều 4 bước 4).
        asked = opinion_request(actor=officer, review_round=review_round, commune=officer.unit)  # type: ignore[arg-type]
        opinion_give(actor=User.objects.get(username="huyen-352"), request=asked, agreed=True)
        # Replayed in 2024: the request and the opinion bear their days of the round, as the
        # meeting and the posting do (after the window that ended on 14/11).
        sent_on, given_on = _at(date(DEMO_YEAR, 11, 18)), _at(date(DEMO_YEAR, 11, 20))
        OpinionRequest.objects.filter(pk=asked.pk).update(sent_at=sent_on, given_at=given_on)
        for action, on in (("opinion_request", sent_on), ("opinion_give", given_on)):
            UnitTransition.objects.filter(
                review_round=review_round, unit=officer.unit, action=action
            ).update(at=on)
        responses_approve(
            actor=officer,
            responses=SurveyResponse.objects.filter(
                review_round=review_round, village=village, status="posted"
            ),
            decision_number="01/QĐ-UBND",
            decision_date=date(DEMO_YEAR, 11, 25),
        )
