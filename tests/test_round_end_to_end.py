"""One commune of the demo (Bình Nghĩa, huyện Bình Lục, Hà Nam) through a whole periodic round as
QĐ 24/2021/QĐ-TTg runs it, each role doing its own part with the demo's own accounts, logged in
with their passwords, through HTTP only:

province opens the round with its plan's deadlines → commune officer records the commune's total
and an application → surveyor fills and submits the forms → village head records the meeting (one
household disputed) → officer re-checks it, posts the list, records and resolves a complaint →
after the 3 working days, sends the result for the district's opinion → district staff agree →
officer approves by the chairman's decision and hands in → district confirms and hands in →
province closes the round. Then nothing can change any more.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.demo import demo_password, demo_seed
from accounts.models import AuditEvent, User
from areas.models import AdminUnit
from households.models import Household
from households.services import household_register
from survey.models import (
    Complaint,
    OpinionRequest,
    Recheck,
    ResponseTransition,
    ReviewListEntry,
    ReviewRound,
    SurveyResponse,
    UnitRoundState,
    UnitTransition,
)
from tests.test_chain import hand_in_the_others
from tests.test_responses import POOR_HOUSING

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def on(day: str):
    """Travel to 9 o'clock on a day of 2025 ("dd/mm"), the clock standing still there."""
    d, m = (int(x) for x in day.split("/"))
    return time_machine.travel(datetime(2025, m, d, 9, 0, tzinfo=TZ), tick=False)


def login(username: str) -> Client:
    client = Client()
    page = client.post(
        reverse("accounts:login"), {"username": username, "password": demo_password()}
    )
    assert page.status_code == 302, f"{username} could not log in"
    return client


def ok(page) -> str:
    """The page after a POST that redirected; any error message fails the step loudly."""
    assert page.status_code == 200, page.status_code
    body = page.content.decode()
    assert "alert-danger" not in body, body.split("alert-danger")[1][:600]
    return body


def ws(review_round, village, name="village_workspace", **extra):
    kwargs = {"round_id": review_round.public_id, "village_id": village.public_id, **extra}
    return reverse(f"survey:{name}", kwargs=kwargs)


def cr(review_round, commune, name, **extra):
    kwargs = {"round_id": review_round.public_id, "commune_id": commune.public_id, **extra}
    return reverse(f"survey:{name}", kwargs=kwargs)


def section(response, name):
    return reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": name}
    )


def save(client, response, name, data):
    response.refresh_from_db()
    page = client.post(section(response, name), {**data, "version": response.version})
    assert page.status_code == 302, page.content.decode()[:2000]


def statuses(review_round):
    return dict(
        SurveyResponse.objects.filter(review_round=review_round).values_list(
            "household__head_name", "status"
        )
    )


@pytest.mark.django_db
def test_a_whole_periodic_round_of_one_demo_commune_ends_with_the_province_closing_it():
    demo_seed()
    officer = User.objects.get(username="xa-13504")
    surveyor, head = User.objects.get(username="rsv-13504"), User.objects.get(username="tt-13504-3")
    province_staff = User.objects.get(username="tinh-35")
    commune = officer.unit
    district, province = commune.parent, province_staff.unit
    village = AdminUnit.objects.get(parent=commune, name="Thôn 3")
    assert village in surveyor.villages.all() and village in head.villages.all()
    # The commune's households, as its register holds them before the round.
    names = ("Lò Văn Nghèo", "Đinh Thị Khá", "Vi Văn Bàn")
    for name in names:
        household_register(
            actor=officer,
            village=village,
            address="Xóm Giữa",
            head={"full_name": name, "birth_year": 1975, "sex": "male"},
        )
    households = {h.head_name: h for h in Household.objects.filter(village=village)}

    # 1. The province opens the round with its plan's deadlines (1/9 – 14/12 by default).
    with on("01/09"):
        page = login("tinh-35").post(
            reverse("survey:round_new"),
            {
                "province": province.pk,
                "year": 2025,
                "kind": "periodic",
                "commune_deadline": "28/11/2025",
                "district_deadline": "05/12/2025",
            },
            follow=True,
        )
        ok(page)
    review_round = ReviewRound.objects.get(province=province, year=2025, kind="periodic")
    assert (review_round.starts_on.isoformat(), review_round.ends_on.isoformat()) == (
        "2025-09-01",
        "2025-12-14",
    )

    # 2. The officer records the commune's total and a household's application.
    with on("02/09"):
        client = login("xa-13504")
        ok(
            client.post(
                reverse(
                    "survey:commune_total",
                    kwargs={"public_id": review_round.public_id, "commune_id": commune.public_id},
                ),
                {"total_households": 1852, "source": "Công an xã, 01/09/2025", "version": ""},
                follow=True,
            )
        )
        ok(
            client.post(
                cr(review_round, commune, "review_list"),
                {
                    "household": str(households["Lò Văn Nghèo"].public_id),
                    "source": "application",
                    "applied_on": "01/09/2025",
                    "applicant": "Lò Văn Nghèo",
                    "form_number": "01/ĐĐN",
                },
                follow=True,
            )
        )
    assert (
        ReviewListEntry.objects.filter(review_round=review_round, source="application").count() == 1
    )

    # 3. The surveyor fills the three forms in Thôn 3 and submits them.
    with on("01/10"):
        client = login("rsv-13504")
        forms = {}
        for name, h in households.items():
            begin = reverse(
                "survey:response_begin",
                kwargs={"round_id": review_round.public_id, "household_id": h.public_id},
            )
            assert client.post(begin).status_code == 302
            forms[name] = SurveyResponse.objects.get(review_round=review_round, household=h)
        poor = forms["Lò Văn Nghèo"]
        save(client, poor, "screening", {"screening": "proceed", "screening_reason": ""})
        save(client, poor, "housing", POOR_HOUSING)
        save(client, poor, "income", {"income_score_manual": "120"})
        save(client, poor, "needs", {"poverty_causes": ["land"], "support_needs": ["health"]})
        for name in ("Đinh Thị Khá", "Vi Văn Bàn"):
            save(
                client,
                forms[name],
                "screening",
                {"screening": "stop", "screening_reason": "Nhà kiên cố, có xe ô tô"},
            )
        for response in forms.values():
            response.refresh_from_db()
            submit = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
            client.post(submit, {"version": response.version})
    assert set(statuses(review_round).values()) == {"submitted"}
    poor.refresh_from_db()
    assert poor.final_classification == "poor" and poor.submitted_by == surveyor

    # 4. The village head records the meeting: two agreed, one disputed.
    with on("06/10"):
        ok(
            login("tt-13504-3").post(
                ws(review_round, village, "meeting_new"),
                {
                    "held_on": "06/10/2025",
                    "attendance": 42,
                    "chaired_by": "Trưởng thôn Thôn 3",
                    "notes": "Hộ Vi Văn Bàn: có ý kiến hộ mới bị mất việc",
                    f"decision_{forms['Lò Văn Nghèo'].public_id}": "agreed",
                    f"decision_{forms['Đinh Thị Khá'].public_id}": "agreed",
                    f"decision_{forms['Vi Văn Bàn'].public_id}": "disputed",
                },
                follow=True,
            )
        )
    assert statuses(review_round)["Vi Văn Bàn"] == "disputed"

    # 5. The officer re-checks the disputed household, posts the list, hears a complaint.
    with on("07/10"):
        client = login("xa-13504")
        ok(
            client.post(
                ws(review_round, village, "recheck_new", response_id=forms["Vi Văn Bàn"].public_id),
                {
                    "checked_on": "07/10/2025",
                    "checked_by": "Công chức LĐ-TB&XH xã và trưởng thôn",
                    "findings": "Hộ vẫn có thu nhập ổn định từ cửa hàng: giữ kết quả.",
                    "outcome": "confirmed",
                },
                follow=True,
            )
        )
        ok(
            client.post(
                ws(review_round, village, "posting_new"),
                {"starts_on": "07/10/2025", "place": "Nhà văn hoá Thôn 3"},
                follow=True,
            )
        )
        assert set(statuses(review_round).values()) == {"posted"}
        ok(
            client.post(
                ws(review_round, village, "complaint_new"),
                {
                    "response": str(forms["Đinh Thị Khá"].public_id),
                    "received_on": "07/10/2025",
                    "complainant": "",
                    "content": "Hộ có con đi làm ở thành phố gửi tiền về",
                },
                follow=True,
            )
        )
        complaint = Complaint.objects.get()
    with on("08/10"):
        ok(
            login("xa-13504").post(
                ws(review_round, village, "complaint_close", complaint_id=complaint.public_id),
                {"resolution": "Đã xác minh: kết quả đúng.", "resolved_on": "08/10/2025"},
                follow=True,
            )
        )

    # 6. After the posting window (07–09/10, three working days): the district's opinion.
    with on("13/10"):
        ok(login("xa-13504").post(cr(review_round, commune, "commune_send"), follow=True))
        asked = OpinionRequest.objects.get(review_round=review_round, commune=commune)
        assert asked.asked == district and asked.items.count() == 3
    with on("15/10"):
        ok(
            login("huyen-352").post(
                cr(review_round, commune, "commune_opinion", request_id=asked.public_id),
                {"verdict": "agree", "opinion": "Thống nhất với kết quả rà soát của xã."},
                follow=True,
            )
        )

    # 7. The chairman's decision, then the commune hands in its result.
    with on("17/10"):
        client = login("xa-13504")
        ok(
            client.post(
                ws(review_round, village, "approve"),
                {
                    "decision_number": "245/QĐ-UBND",
                    "decision_date": "17/10/2025",
                    **{f"approve_{r.public_id}": "on" for r in forms.values()},
                },
                follow=True,
            )
        )
        assert set(statuses(review_round).values()) == {"approved"}
        listing = client.get(ws(review_round, village, "approval_list")).content.decode()
        assert "Lò Văn Nghèo" in listing and "245/QĐ-UBND" in listing
        ok(client.post(cr(review_round, commune, "commune_hand_in"), follow=True))

    # 8. The other communes and districts hand in too (their own path is tested elsewhere);
    # the district confirms and hands in to the province, which closes the round.
    hand_in_the_others(review_round, keep=[commune, district])
    with on("20/10"):
        page = login("huyen-352").post(
            reverse(
                "survey:district_hand_in",
                kwargs={"round_id": review_round.public_id, "district_id": district.public_id},
            ),
            follow=True,
        )
        ok(page)
    with on("21/10"):
        client = login("tinh-35")
        ok(
            client.post(
                reverse("survey:round_close", kwargs={"round_id": review_round.public_id}),
                follow=True,
            )
        )
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.CLOSED

    # Who did what: each step by its own role, with its reason where the law wants one.
    by = {
        (t.to_status, t.actor.username)
        for t in ResponseTransition.objects.filter(response__review_round=review_round)
    }
    assert {
        ("submitted", "rsv-13504"),
        ("agreed", "tt-13504-3"),
        ("disputed", "tt-13504-3"),
        ("rechecked", "xa-13504"),
        ("posted", "xa-13504"),
        ("approved", "xa-13504"),
    } == by
    assert Recheck.objects.get().recorded_by == officer
    steps = list(
        UnitTransition.objects.filter(review_round=review_round)
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert steps[:3] == [
        ("opinion_request", "xa-13504"),
        ("opinion_give", "huyen-352"),
        ("commune_hand_in", "xa-13504"),
    ]
    assert steps[-2:] == [("district_hand_in", "huyen-352"), ("round_close", "tinh-35")]
    assert UnitRoundState.objects.get(review_round=review_round, unit=district).stage == "handed_in"
    assert AuditEvent.objects.filter(action="round_close", actor=province_staff).exists()

    # A closed round refuses every change, and says so.
    with on("22/10"):
        client = login("xa-13504")
        response = forms["Vi Văn Bàn"]
        response.refresh_from_db()
        page = client.post(
            reverse("survey:response_reopen", kwargs={"public_id": response.public_id}),
            {"reason": "Sửa sau khi đóng đợt"},
            follow=True,
        )
        response.refresh_from_db()
        assert response.status == "approved"
        assert "alert-danger" in page.content.decode()
