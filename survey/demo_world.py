"""A demo province of real size for `make demo`: households in every commune of Hà Nam (the tree of
before 1 July 2025), Bình Nghĩa at a real commune's size, and two past periodic rounds whose
approved results were computed by the engine from the households' facts.

Everything is invented (names from common Vietnamese family, middle and given names; no citizen
IDs) and drawn from a seeded random generator, so every run builds the same province. Idempotent:
a commune that already has its households, or a round that already has its results, is left alone.

The past rounds are written in bulk, as an import of a past year's approved list will be: each
result comes from `response_fill_result` (the same code as a submission), and its history
(submitted, agreed at the village meeting, posted for 3 working days, approved by the chairman's
decision) is written as it happened on the round's dates, with one meeting and one posting per
village. Random numbers here only invent people (S311 does not apply).
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from areas.models import AdminUnit
from areas.services import edition_get, unit_resolve
from core.workdays import add_working_days
from households.models import Household, Member
from households.text import search_key
from survey.engine import get_standard

from .intake import effective_card
from .models import (
    CommuneTotal,
    ResponseCause,
    ResponseDeprivation,
    ResponseNeed,
    ResponseTransition,
    ReviewRound,
    SurveyResponse,
    VillageMeeting,
    VillagePosting,
)
from .services import response_fill_result

PROVINCE = "35"
# (villages, households) per commune: Bình Nghĩa at a real commune's size.
SIZES = {"13504": (8, 1200), "13510": (6, 600)}
DEFAULT_SIZE = (3, 30)
PAST_YEARS = (2022, 2023)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đinh", "Lại"]
MIDDLE_M = ["Văn", "Đức", "Quang", "Minh", "Hữu", "Công"]
MIDDLE_F = ["Thị", "Thị", "Thu", "Ngọc", "Thanh"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân",
           "Sơn", "Tâm", "Thắng", "Toàn", "Tuấn", "Việt"]  # fmt: skip
GIVEN_F = ["Anh", "Chi", "Dung", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Oanh",
           "Phương", "Thảo", "Trang", "Vân", "Yến"]  # fmt: skip


def _name(rng: random.Random, sex: str, family: str | None = None) -> str:
    male = sex == Member.Sex.MALE
    return " ".join(
        [
            family or rng.choice(FAMILY),
            rng.choice(MIDDLE_M if male else MIDDLE_F),
            rng.choice(GIVEN_M if male else GIVEN_F),
        ]
    )


@dataclass
class _Plan:
    """A household's standing: how poor it is, which drives its facts and its paper score."""

    hardship: float  # 0 (comfortable) … 1 (very hard)


def _members(rng: random.Random, household: Household, plan: _Plan, year: int) -> list[Member]:
    hard = plan.hardship
    head_sex = Member.Sex.MALE if rng.random() < 0.8 else Member.Sex.FEMALE
    head_age = rng.randint(28, 78)
    family = rng.choice(FAMILY)
    people: list[tuple[str, str, int, str | None]] = [
        (Member.Relationship.HEAD, head_sex, head_age, family)
    ]
    if head_age < 70 or rng.random() < 0.5:
        other = Member.Sex.FEMALE if head_sex == Member.Sex.MALE else Member.Sex.MALE
        people.append((Member.Relationship.SPOUSE, other, head_age + rng.randint(-5, 3), None))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 2, 3])):
        age = rng.randint(1, max(1, min(30, head_age - 18)))
        child_sex = rng.choice([Member.Sex.MALE, Member.Sex.FEMALE])
        people.append((Member.Relationship.CHILD, child_sex, age, family))
    members = []
    for relationship, sex, age, fam in people:
        adult = age >= 18
        child_in_school = 6 <= age <= 17
        members.append(
            Member(
                household=household,
                full_name=_name(rng, sex, fam),
                birth_year=year - age,
                sex=sex,
                ethnicity="01" if rng.random() > 0.01 else "06",  # Kinh; a few Mường
                relationship=relationship,
                has_health_insurance=rng.random() > 0.35 * hard,
                in_school=child_in_school and rng.random() > 0.25 * hard,
                education=("primary" if rng.random() < hard else "upper_secondary")
                if adult
                else "none",
                employment=("unemployed" if rng.random() < 0.3 * hard else "self_employed")
                if 18 <= age < 60
                else "not_working",
                disabled=rng.random() < 0.05 + 0.1 * hard,
                uses_telecom=rng.random() > 0.5 * hard,
                is_person_of_merit=rng.random() < 0.01,
                status=Member.Status.PRESENT,
            )
        )
    return members


def _village_names(commune: AdminUnit, count: int) -> list[tuple[str, str]]:
    urban = commune.kind in {AdminUnit.Kind.PHUONG, AdminUnit.Kind.THI_TRAN}
    kind = AdminUnit.Kind.TO_DAN_PHO if urban else AdminUnit.Kind.THON
    label = "Tổ dân phố" if urban else "Thôn"
    return [(f"{label} {n}", kind) for n in range(1, count + 1)]


def _villages(commune: AdminUnit, count: int) -> list[AdminUnit]:
    existing = {v.code: v for v in AdminUnit.objects.filter(parent=commune, level="village")}
    for number, (name, kind) in enumerate(_village_names(commune, count), start=1):
        code = f"{commune.code}-{number:02d}"
        if code not in existing:
            existing[code] = AdminUnit.objects.create(
                edition=commune.edition,
                parent=commune,
                level=AdminUnit.Level.VILLAGE,
                kind=kind,
                code=code,
                name=name,
                path=f"{commune.path}{code}/",
            )
    return [existing[code] for code in sorted(existing)][:count]


@transaction.atomic
def demo_seed_population() -> int:
    """Households and members in every commune of the province; returns how many were added."""
    edition = edition_get(legacy=True)
    province = unit_resolve(PROVINCE, edition=edition)
    communes = AdminUnit.objects.filter(
        path__startswith=province.path, level=AdminUnit.Level.COMMUNE
    ).order_by("code")
    added = 0
    for commune in communes:
        villages_wanted, households_wanted = SIZES.get(commune.code, DEFAULT_SIZE)
        taken = set(
            Household.objects.filter(commune=commune)
            .exclude(number="")
            .values_list("number", flat=True)
        )
        if len(taken) >= households_wanted:
            continue
        rng = random.Random(f"demo-{commune.code}")
        villages = _villages(commune, villages_wanted)
        households, members = [], []
        for n in range(1, households_wanted + 1):
            number = f"{n:04d}"
            plan = _Plan(hardship=rng.betavariate(1.3, 5))
            village = villages[(n - 1) * len(villages) // households_wanted]
            if number in taken:
                continue
            household = Household(
                commune=commune,
                village=village,
                number=number,
                address=f"Xóm {rng.randint(1, 9)}, {village.name}",
                status=Household.Status.ACTIVE,
            )
            people = _members(rng, household, plan, 2022)
            household.head_name = people[0].full_name
            household.head_name_key = search_key(people[0].full_name)
            households.append((household, people, plan))
        Household.objects.bulk_create([h for h, _p, _plan in households], batch_size=500)
        for household, people, _plan in households:
            for member in people:
                member.household = household
                member.name_key = search_key(member.full_name)
                members.append(member)
        Member.objects.bulk_create(members, batch_size=1000)
        added += len(households)
    return added


def _answers(rng: random.Random, hardship: float) -> dict[str, object]:
    """Phiếu B answers for a household of this hardship (the paper score lies around 140)."""
    hard = hardship
    score = round(300 - 320 * hard + rng.gauss(0, 20))
    return {
        "screening": SurveyResponse.Screening.PROCEED,
        "floor_area_m2": Decimal(max(12, round(80 - 60 * hard + rng.gauss(0, 8)))),
        "wall_durable": rng.random() > 0.6 * hard,
        "column_durable": rng.random() > 0.6 * hard,
        "roof_durable": rng.random() > 0.5 * hard,
        "water_source": "unprotected_well" if rng.random() < 0.5 * hard else "piped",
        "latrine_hygienic": rng.random() > 0.7 * hard,
        "information_means": ["tv", "smartphone"] if rng.random() > hard else ["radio"],
        "income_score_manual": Decimal(max(60, min(400, score))),
        "agricultural": rng.random() < 0.6,
    }


def demo_poverty_answers(
    rng: random.Random, response: SurveyResponse, people: list[Member]
) -> dict[str, object]:
    """Causes of poverty and support needs that fit a poor or near-poor household's facts."""
    ill = any(m.disabled for m in people)
    no_labour = response.no_labour_capacity
    odds = {
        "land": 0.3,
        "capital": 0.55,
        "labour": 0.8 if no_labour else 0.1,
        "tools": 0.15,
        "knowledge": 0.25,
        "skills": 0.3,
        "illness": 0.7 if ill else 0.15,
        "other": 0.03,
    }
    causes = [key for key, p in odds.items() if rng.random() < p] or ["capital"]
    poor_house = not (response.wall_durable and response.roof_durable)
    schooling = any(m.in_school for m in people)
    odds = {
        "health": 0.8 if "illness" in causes else 0.3,
        "education": 0.6 if schooling else 0.0,
        "production": 0.75 if {"land", "capital", "tools"} & set(causes) else 0.2,
        "housing": 0.6 if poor_house else 0.05,
        "jobs": 0.6 if {"skills", "knowledge"} & set(causes) else 0.1,
        "water": 0.6 if response.water_source != "piped" or not response.latrine_hygienic else 0.05,
        "information": 0.1,
        "other": 0.02,
    }
    needs = [key for key, p in odds.items() if rng.random() < p] or ["production"]
    return {
        "poverty_causes": causes,
        "poverty_cause_other": "Thiên tai, mất mùa" if "other" in causes else "",
        "support_needs": needs,
        "support_need_other": "Hỗ trợ sửa chữa nhà sau bão" if "other" in needs else "",
    }


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _write_results(
    review_round: ReviewRound,
    households: list[Household],
    officers: dict[int | None, User],
    admin: User,
    decided_on: date | None,
) -> list[SurveyResponse]:
    """Each household's result computed by the engine (as a submission does), written in bulk:
    approved on `decided_on`, else posted (awaiting the opinion and the decision)."""
    year = review_round.year
    members: dict[int, list[Member]] = {}
    for member in Member.objects.filter(household__in=households, status="present").order_by("id"):
        members.setdefault(member.household_id, []).append(member)
    card = effective_card(get_standard(review_round.standard_code))  # once, not per household
    responses, deprived_rows = [], []
    for household in households:
        key = f"demo-{household.commune.code}-{household.number or household.pk}"
        rng = random.Random(f"{key}-{year}")
        # Standing drifts a little between years: some households rise out of poverty, some fall.
        base = random.Random(key).betavariate(1.3, 5)
        hardship = min(1.0, max(0.0, base + rng.gauss(0, 0.06)))
        response = SurveyResponse(
            review_round=review_round,
            household=household,
            commune=household.commune,
            village=household.village,
            created_by=officers.get(household.commune_id, admin),
            **_answers(rng, hardship),
        )
        override, reason = "", ""
        people = members.get(household.pk, [])
        computed = response_fill_result(response, people, card=card)
        if response.computed_classification == "near_poor" and rng.random() < 0.04:
            override, reason = "poor", "Họp thôn đề nghị: chủ hộ ốm nặng, mất sức lao động cả năm"
            computed = response_fill_result(
                response, people, final_classification=override, override_reason=reason, card=card
            )
        if response.final_classification in ("poor", "near_poor"):
            # A generator of its own: the other answers stay those of earlier demos.
            answers = demo_poverty_answers(random.Random(f"{key}-{year}-needs"), response, people)
            for name, value in answers.items():
                setattr(response, name, value)
        response.submitted_at = _at(date(year, 10, 20))
        response.submitted_by = response.created_by
        if decided_on is None:
            response.status = SurveyResponse.Status.POSTED
        else:
            response.status = SurveyResponse.Status.APPROVED
            response.decision_number = f"{rng.randint(10, 99)}/QĐ-UBND"
            response.decision_date = decided_on
            response.approved_at = _at(decided_on)
        responses.append(response)
        deprived_rows.append(computed)
    SurveyResponse.objects.bulk_create(responses, batch_size=500)
    ResponseDeprivation.objects.bulk_create(
        (
            ResponseDeprivation(response=r, indicator=key)
            for r, keys in zip(responses, deprived_rows, strict=True)
            for key in keys
        ),
        batch_size=2000,
    )
    ResponseCause.objects.bulk_create(
        (ResponseCause(response=r, cause=c) for r in responses for c in r.poverty_causes),
        batch_size=2000,
    )
    ResponseNeed.objects.bulk_create(
        (ResponseNeed(response=r, need=n) for r in responses for n in r.support_needs),
        batch_size=2000,
    )
    return responses


@transaction.atomic
def demo_seed_past_round(year: int) -> int:
    """A past periodic round with every household's approved result; returns the forms written."""
    admin = User.objects.get(username="admin")
    edition = edition_get(legacy=True)
    province = unit_resolve(PROVINCE, edition=edition)
    review_round, _created = ReviewRound.objects.get_or_create(
        province=province,
        year=year,
        kind=ReviewRound.Kind.PERIODIC,
        defaults={
            "standard_code": "vn-2022-2025",
            "starts_on": date(year, 9, 1),
            "ends_on": date(year, 12, 14),
            "status": ReviewRound.Status.CLOSED,
            "opened_by": admin,
        },
    )
    if SurveyResponse.objects.filter(review_round=review_round).exists():
        return 0
    met_on, posted_on = date(year, 11, 4), date(year, 11, 11)
    ends_on = add_working_days(posted_on, 3)
    decided_on = ends_on + timedelta(days=7)
    households = list(
        Household.objects.filter(
            commune__path__startswith=province.path, status=Household.Status.ACTIVE
        )
        .select_related("commune", "village")
        .order_by("commune__code", "number", "id")
    )
    officers = {u.unit_id: u for u in User.objects.filter(role=User.Role.COMMUNE_OFFICER)}
    responses = _write_results(review_round, households, officers, admin, decided_on)
    _history(review_round, responses, officers, admin, met_on, posted_on, ends_on)
    for commune in {h.commune for h in households}:
        CommuneTotal.objects.get_or_create(
            review_round=review_round,
            commune=commune,
            defaults={
                "total_households": Household.objects.filter(commune=commune).count() + 7,
                "source": "Số liệu dân cư của Công an xã (số mẫu)",
                "recorded_by": officers.get(commune.pk, admin),
            },
        )
    return len(responses)


def _history(
    review_round: ReviewRound,
    responses: list[SurveyResponse],
    officers: dict[int | None, User],
    admin: User,
    met_on: date,
    posted_on: date,
    ends_on: date,
    approved: bool = True,
) -> dict[int, VillagePosting]:
    """The steps each past form went through, on the round's dates: one meeting and one posting
    per village, as the procedure (survey.workflow.STEPS) has them; up to the approval, or
    (`approved` false) the posting. Returns each village's posting."""
    S = SurveyResponse.Status
    by_village: dict[int, list[SurveyResponse]] = {}
    for response in responses:
        by_village.setdefault(response.village_id, []).append(response)
    transitions = []
    postings: dict[int, VillagePosting] = {}
    for village_id, forms in by_village.items():
        officer = officers.get(forms[0].commune_id, admin)
        meeting = VillageMeeting.objects.create(
            review_round=review_round,
            village_id=village_id,
            held_on=met_on,
            attendance=20 + len(forms) // 4,
            chaired_by="Trưởng thôn",
            recorded_by=officer,
        )
        posting = VillagePosting.objects.create(
            review_round=review_round,
            village_id=village_id,
            starts_on=posted_on,
            recorded_on=posted_on,
            counted_from=posted_on,
            ends_on=ends_on,
            place="Nhà văn hoá thôn",
            recorded_by=officer,
        )
        postings[village_id] = posting
        for response in forms:
            steps = [
                (S.DRAFT, S.SUBMITTED, None, None, response.override_reason),
                (S.SUBMITTED, S.AGREED, meeting, None, ""),
                (S.AGREED, S.POSTED, None, posting, ""),
                (S.POSTED, S.APPROVED, None, None, f"Quyết định số {response.decision_number}"),
            ][: 4 if approved else 3]
            for source, target, at_meeting, at_posting, why in steps:
                transitions.append(
                    ResponseTransition(
                        response=response,
                        from_status=source,
                        to_status=target,
                        actor=officer,
                        reason=why,
                        meeting=at_meeting,
                        posting=at_posting,
                    )
                )
    ResponseTransition.objects.bulk_create(transitions, batch_size=2000)
    # `at` is stamped at insert: put each step back on its day.
    year = review_round.year
    for target, day in (
        (S.SUBMITTED, date(year, 10, 20)),
        (S.AGREED, met_on),
        (S.POSTED, posted_on),
        (S.APPROVED, ends_on + timedelta(days=7)),
    ):
        ResponseTransition.objects.filter(
            response__in=[r.pk for r in responses], to_status=target
        ).update(at=_at(day))
    return postings


SPLITS = [  # (commune, household number, reason): households split between the two past rounds
    ("13504", "0007", "Con trai lập gia đình, ra ở riêng trên đất được cho"),
    ("13504", "0412", "Con gái lấy chồng cùng thôn, chuyển hộ khẩu về ở riêng"),
    ("13504", "0833", "Bố mẹ già ở riêng, con trai đứng tên hộ mới"),
]


@transaction.atomic
def demo_seed_splits() -> int:
    """A few households split between the past rounds (lineage shows on both sides)."""
    from households.services import household_split

    done = 0
    for commune_code, number, reason in SPLITS:
        source = Household.objects.filter(commune__code=commune_code, number=number).first()
        if source is None or Household.objects.filter(split_from=source).exists():
            continue
        officer = User.objects.get(username=f"xa-{commune_code}")
        movers = list(
            source.members.filter(status="present").exclude(relationship="head").order_by("id")
        )
        if not movers:
            continue
        household_split(
            actor=officer,
            source=source,
            members=movers[:2],
            new_head=movers[0],
            address=f"{source.address} (nhà mới)",
            reason=reason,
        )
        done += 1
    return done


# The current round (2024) in Bình Nghĩa, village by village: where each one has got to.
CURRENT_STEPS = {"13504-02": "agreed", "13504-03": "submitted", "13504-04": "draft"}
CURRENT_LIMIT = 40  # households a village takes through, enough to see the steps


@transaction.atomic
def demo_seed_current_round(review_round: ReviewRound) -> int:
    """Forms of the current round at several steps, through the services an officer uses: each
    starts from last year's form (carried forward), its sections saved (confirmed), submitted,
    and in one village agreed at the meeting."""
    from .services import SECTION_FIELDS, response_start, response_submit, response_update
    from .workflow import meeting_record

    done = 0
    for village_code, step in CURRENT_STEPS.items():
        village = AdminUnit.objects.get(edition=review_round.province.edition, code=village_code)
        started = SurveyResponse.objects.filter(review_round=review_round, village=village)
        if started.exclude(household__number="").exists():  # the hand-made forms have no number
            continue
        officer = User.objects.get(username=f"xa-{village.parent.code}")  # type: ignore[union-attr]
        households = Household.objects.filter(village=village, status="active").order_by("number")
        forms = []
        for household in households[:CURRENT_LIMIT]:
            response = response_start(actor=officer, review_round=review_round, household=household)
            done += 1
            if step == "draft" or response.carried_from_id is None:
                continue
            for section in SECTION_FIELDS:
                response_update(
                    actor=officer,
                    response=response,
                    values=_needs_if_poor(response) if section == "needs" else {},
                    expected_version=response.version,
                    section=section,
                )
            forms.append(
                response_submit(actor=officer, response=response, expected_version=response.version)
            )
        if step == "agreed" and forms:
            meeting_record(
                actor=officer,
                review_round=review_round,
                village=village,
                held_on=date(review_round.year, 11, 6),
                attendance=38,
                chaired_by="Trưởng thôn",
                agreed=forms,
            )
    return done


def _needs_if_poor(response: SurveyResponse) -> dict[str, object]:
    """A household poor or near-poor this year whose carried form has no causes (it was not
    poor last year) gets them, as the officer would enter them before submitting."""
    from .intake import response_evaluate

    if response.poverty_causes:
        return {}
    people = list(response.household.members.filter(status="present").order_by("id"))
    evaluation = response_evaluate(response, people)
    if evaluation.explanation is None or evaluation.explanation.classification not in (
        "poor",
        "near_poor",
    ):
        return {}
    rng = random.Random(f"demo-{response.household_id}-{response.review_round.year}-needs")
    return demo_poverty_answers(rng, response, people)


# The hand-in up the tree in the current round (2024), so that the province's progress board has
# something real: Phủ Lý has handed in (every commune, then the city); in Bình Lục (the demo
# district account's) communes stand at every step, while Bình Nghĩa and Tràng An are still
# entering forms (demo_seed_current_round).
CHAIN_DISTRICT_DONE = "347"  # Thành phố Phủ Lý
CHAIN_DISTRICT_MIXED = "352"  # Huyện Bình Lục: its other communes in order take these steps
CHAIN_MIXED = ["handed_in"] * 5 + ["opinion"] * 3 + ["sent"] * 3 + ["posted"] * 2
CHAIN_COMMENT = "Đề nghị xã kiểm tra lại thu nhập của hộ trước khi công nhận"


@transaction.atomic
def demo_seed_chain(review_round: ReviewRound) -> int:
    """Communes of the current round at each step of the hand-in, written as it happened on the
    round's dates (results computed by the engine, history as survey.workflow.STEPS has it):
    posted, sent for the district's opinion, opinion given (one with a comment per household),
    handed in (some after the commune deadline), and one district handed in to the province.
    Idempotent: once the district has handed in, the round is left alone. Returns the forms
    written."""
    from .models import OpinionItem, OpinionRequest, UnitRoundState, UnitTransition

    if UnitRoundState.objects.filter(
        review_round=review_round, unit__code=CHAIN_DISTRICT_DONE
    ).exists():
        return 0
    year = review_round.year
    admin = User.objects.get(username="admin")
    district_staff = {u.unit_id: u for u in User.objects.filter(role=User.Role.DISTRICT_STAFF)}
    officers = {u.unit_id: u for u in User.objects.filter(role=User.Role.COMMUNE_OFFICER)}
    edition = review_round.province.edition
    plan: dict[int, str] = {}
    communes: dict[int, AdminUnit] = {}
    for code, mixed in ((CHAIN_DISTRICT_DONE, None), (CHAIN_DISTRICT_MIXED, CHAIN_MIXED)):
        district = AdminUnit.objects.get(edition=edition, code=code)
        children = list(
            AdminUnit.objects.filter(parent=district, level=AdminUnit.Level.COMMUNE)
            .exclude(code__in=SIZES)  # the communes whose forms are entered one by one
            .order_by("code")
        )
        for i, commune in enumerate(children):
            step = "handed_in" if mixed is None else (mixed[i] if i < len(mixed) else "")
            if step:
                plan[commune.pk], communes[commune.pk] = step, commune
    taken = set(
        SurveyResponse.objects.filter(review_round=review_round, commune__in=plan).values_list(
            "commune_id", flat=True
        )
    )
    plan = {pk: step for pk, step in plan.items() if pk not in taken}
    households = list(
        Household.objects.filter(commune__in=plan, status=Household.Status.ACTIVE)
        .select_related("commune", "village")
        .order_by("commune__code", "number", "id")
    )
    met_on, posted_on = date(year, 11, 4), date(year, 11, 11)
    ends_on = add_working_days(posted_on, 3)
    sent_on, given_on = ends_on + timedelta(days=4), ends_on + timedelta(days=7)
    decided_on = ends_on + timedelta(days=10)
    approved = [h for h in households if plan[h.commune_id] == "handed_in"]
    waiting = [h for h in households if plan[h.commune_id] != "handed_in"]
    responses = _write_results(review_round, approved, officers, admin, decided_on)
    responses += _write_results(review_round, waiting, officers, admin, None)
    by_commune: dict[int, list[SurveyResponse]] = {}
    for response in responses:
        by_commune.setdefault(response.commune_id, []).append(response)
    postings = _history(
        review_round,
        [r for r in responses if r.status == SurveyResponse.Status.APPROVED],
        officers,
        admin,
        met_on,
        posted_on,
        ends_on,
    )
    postings.update(
        _history(
            review_round,
            [r for r in responses if r.status != SurveyResponse.Status.APPROVED],
            officers,
            admin,
            met_on,
            posted_on,
            ends_on,
            approved=False,
        )
    )
    # Stages, the opinion requests with their households, and each step's transition.
    states: list[UnitRoundState] = []
    items: list[OpinionItem] = []
    steps: list[tuple[AdminUnit, str, str, str, User, date]] = []
    S_ = UnitRoundState.Stage
    for n, (pk, step) in enumerate(sorted(plan.items(), key=lambda kv: communes[kv[0]].code)):
        commune = communes[pk]
        officer = officers.get(pk, admin)
        staff = district_staff.get(commune.parent_id, admin)
        assert commune.parent is not None
        forms = by_commune.get(pk, [])
        if step == "posted" or not forms:
            continue
        # Handed in between 26/11 and 02/12: the later ones after the commune deadline (29/11).
        handed_on = date(year, 11, 26) + timedelta(days=n % 7)
        states.append(
            UnitRoundState(
                review_round=review_round,
                unit=commune,
                stage=step,
                handed_in_at=_at(handed_on) if step == S_.HANDED_IN else None,
            )
        )
        given = step != S_.SENT
        asked = OpinionRequest.objects.create(
            review_round=review_round,
            commune=commune,
            asked=commune.parent,
            basis="QĐ 24/2021/QĐ-TTg, Điều 4 bước 4",
            sent_by=officer,
            agreed=given and n % 4 != 1,
            given_by=staff if given else None,
            given_at=_at(given_on) if given else None,
        )
        OpinionRequest.objects.filter(pk=asked.pk).update(sent_at=_at(sent_on))
        for i, response in enumerate(forms):
            comment = CHAIN_COMMENT if given and n % 4 == 1 and i % 10 == 0 else ""
            items.append(
                OpinionItem(
                    request=asked,
                    response=response,
                    posting=postings[response.village_id],
                    comment=comment,
                )
            )
        history: list[tuple[str, str, str, User, date]] = [
            ("opinion_request", S_.OPEN, S_.SENT, officer, sent_on)
        ]
        if given:
            history.append(("opinion_give", S_.SENT, S_.OPINION, staff, given_on))
        if step == S_.HANDED_IN:
            history.append(("commune_hand_in", S_.OPINION, S_.HANDED_IN, officer, handed_on))
        steps += [(commune, *row) for row in history]
    district = AdminUnit.objects.get(edition=edition, code=CHAIN_DISTRICT_DONE)
    district_on = date(year, 12, 4)
    states.append(
        UnitRoundState(
            review_round=review_round,
            unit=district,
            stage=S_.HANDED_IN,
            handed_in_at=_at(district_on),
        )
    )
    steps.append(
        (
            district,
            "district_hand_in",
            S_.OPEN,
            S_.HANDED_IN,
            district_staff.get(district.pk, admin),
            district_on,
        )
    )
    UnitRoundState.objects.bulk_create(states)
    OpinionItem.objects.bulk_create(items, batch_size=2000)
    made = UnitTransition.objects.bulk_create(
        UnitTransition(
            review_round=review_round,
            unit=unit,
            action=action,
            from_stage=source,
            to_stage=target,
            actor=actor,
        )
        for unit, action, source, target, actor, _day in steps
    )
    for row, step_row in zip(made, steps, strict=True):
        row.at = _at(step_row[5])
    UnitTransition.objects.bulk_update(made, ["at"], batch_size=500)
    return len(responses)


def demo_seed_world() -> None:
    """Population, the 2022 round, a few splits, the 2023 round (each step idempotent)."""
    demo_seed_population()
    demo_seed_past_round(PAST_YEARS[0])
    demo_seed_splits()
    demo_seed_past_round(PAST_YEARS[1])
