"""Demo rounds and households for `make demo` (idempotent): what an officer sees on day one."""

from django.db import transaction

from accounts.models import User
from households.models import Household
from households.services import household_register, member_add
from survey.models import ReviewRound
from survey.services import round_open

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
    if not ReviewRound.objects.filter(province=province, year=2025, kind="periodic").exists():
        round_open(actor=province_reader, province=province, year=2025, kind="periodic")
    for village_code, head, others in DEMO_HOUSEHOLDS:
        if Household.objects.filter(head_name=head["full_name"]).exists():
            continue
        commune_code = village_code.split("-")[0]
        officer = User.objects.get(username=f"xa-{commune_code}")
        village = officer.unit.children.get(code=village_code)  # type: ignore[union-attr]
        household = household_register(
            actor=officer, village=village, address=f"{village.name}, {officer.unit}", head=head
        )
        for values in others:
            member_add(actor=officer, household=household, values=values)
