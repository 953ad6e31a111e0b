"""Issue 11 parts 5–6: the district's opinion before approval, the hand-in up the tree, the
progress board. Through HTTP, for each role, on PostgreSQL; every refusal leaves the database as
it was and names its rule and basis."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, User
from areas.models import AdminUnit, TreeEdition
from areas.services import UnitRow, _load_rows
from households.services import household_register
from households.villages import village_create
from survey.models import (
    OpinionItem,
    OpinionRequest,
    ReviewRound,
    SurveyResponse,
    UnitRoundState,
    UnitTransition,
)
from survey.services import response_start, response_submit, response_update, round_open
from survey.workflow import STEPS
from tests.conftest import HEAD, PASSWORD
from tests.test_workflow import TODAY, d, later, meet, post, ws

IN_ROUND_2025 = datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
Stage = UnitRoundState.Stage


@pytest.fixture(autouse=True)
def during_round_2025():
    with time_machine.travel(IN_ROUND_2025, tick=False):
        yield


def submit(officer, review_round, household):
    response = response_start(actor=officer, review_round=review_round, household=household)
    response_update(
        actor=officer,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    return response_submit(actor=officer, response=response, expected_version=response.version)


@pytest.fixture
def posted(officer_a, household_a, village_a, round_2025, client_for):
    """Household A's 2025 form agreed at the meeting and posted today (15/10/2025)."""
    response = submit(officer_a, round_2025, household_a)
    client = client_for(officer_a)
    meet(client, round_2025, village_a, response)
    post(client, round_2025, village_a, TODAY())
    response.refresh_from_db()
    assert response.status == "posted"
    return response


def result_url(review_round, commune, name="commune_result", **extra):
    return reverse(
        f"survey:{name}",
        kwargs={"round_id": review_round.public_id, "commune_id": commune.public_id, **extra},
    )


def progress_url(review_round, unit=None):
    url = reverse("survey:round_progress", kwargs={"round_id": review_round.public_id})
    return f"{url}?unit={unit.public_id}" if unit else url


def district_url(review_round, district, name):
    return reverse(
        f"survey:{name}",
        kwargs={"round_id": review_round.public_id, "district_id": district.public_id},
    )


def close_url(review_round):
    return reverse("survey:round_close", kwargs={"round_id": review_round.public_id})


def body(response):
    return response.content.decode()


def stage_of(review_round, unit):
    state = UnitRoundState.objects.filter(review_round=review_round, unit=unit).first()
    return state.stage if state else Stage.OPEN


def snapshot(review_round):
    """What a refused step must leave as it was."""
    return (
        sorted(
            UnitRoundState.objects.filter(review_round=review_round).values_list(
                "unit_id", "stage", "version"
            )
        ),
        UnitTransition.objects.filter(review_round=review_round).count(),
        OpinionRequest.objects.filter(review_round=review_round).count(),
        sorted(
            SurveyResponse.objects.filter(review_round=review_round).values_list(
                "id", "status", "version"
            )
        ),
        AuditEvent.objects.count(),
        ReviewRound.objects.get(pk=review_round.pk).status,
    )


def hand_in_the_others(review_round, keep):
    """Every commune and district of the province except `keep` handed in (their own path is
    not under test here: written as the hand-in leaves them)."""
    province = review_round.province
    others = AdminUnit.objects.filter(
        path__startswith=province.path,
        level__in=[AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE],
    ).exclude(pk__in=[u.pk for u in keep])
    UnitRoundState.objects.bulk_create(
        UnitRoundState(review_round=review_round, unit=u, stage=Stage.HANDED_IN) for u in others
    )


def send(client, review_round, commune):
    return client.post(result_url(review_round, commune, "commune_send"), follow=True)


def give(client, review_round, commune, verdict="agree", opinion="", comments=None):
    asked = OpinionRequest.objects.get(
        review_round=review_round, commune=commune, given_at__isnull=True
    )
    data = {"verdict": verdict, "opinion": opinion}
    for response, text in (comments or {}).items():
        data[f"comment_{response.public_id}"] = text
    return client.post(
        result_url(review_round, commune, "commune_opinion", request_id=asked.public_id),
        data,
        follow=True,
    )


def approve(client, review_round, village, response):
    return client.post(
        ws(review_round, village, "approve"),
        {
            "decision_number": "12/QĐ-UBND",
            "decision_date": d(TODAY()),
            f"approve_{response.public_id}": "on",
        },
        follow=True,
    )


def hand_in(client, review_round, commune):
    return client.post(result_url(review_round, commune, "commune_hand_in"), follow=True)


# --- The whole chain, commune A (district Bình Lục) to the round's close ----------------------


def test_the_chain_from_opinion_to_round_close_for_commune_a(
    cast, client_for, commune_a, commune_b, village_a, round_2025, posted
):
    officer, district_staff = client_for(cast["officer_a"]), client_for(cast["district_reader"])
    province = client_for(cast["province_reader"])
    district = commune_a.parent
    with later(10):  # the posting window (3 working days) has ended
        officer = client_for(cast["officer_a"])
        district_staff = client_for(cast["district_reader"])
        province = client_for(cast["province_reader"])
        # The chairman cannot decide before the district's opinion.
        page = body(approve(officer, round_2025, village_a, posted))
        assert "chưa có ý kiến của cấp trên" in page and "QĐ 24/2021/QĐ-TTg, Điều 4 bước 4" in page
        posted.refresh_from_db()
        assert posted.status == "posted"

        page = body(send(officer, round_2025, commune_a))
        assert "Đã gửi kết quả của xã xin ý kiến cấp trên." in page
        assert stage_of(round_2025, commune_a) == Stage.SENT
        asked = OpinionRequest.objects.get(review_round=round_2025, commune=commune_a)
        assert asked.asked == district and asked.basis == "QĐ 24/2021/QĐ-TTg, Điều 4 bước 4"
        assert list(asked.items.values_list("response_id", flat=True)) == [posted.pk]

        # Sent, not yet answered: approval still waits.
        page = body(approve(officer, round_2025, village_a, posted))
        assert "đã gửi xin ý kiến cấp trên, chưa có ý kiến" in page

        # The district sees the households and comments on one; a comment does not block.
        page = body(district_staff.get(result_url(round_2025, commune_a)))
        assert f"comment_{posted.public_id}" in page
        page = body(
            give(
                district_staff,
                round_2025,
                commune_a,
                "comments",
                comments={posted: "Đề nghị xã kiểm tra lại diện tích nhà ở"},
            )
        )
        assert "Đã ghi ý kiến về kết quả của xã." in page
        assert stage_of(round_2025, commune_a) == Stage.OPINION
        assert OpinionItem.objects.get(response=posted).comment.startswith("Đề nghị xã")
        workspace = body(officer.get(ws(round_2025, village_a)))
        assert "Ý kiến cấp trên: Đề nghị xã kiểm tra lại diện tích nhà ở" in workspace

        approve(officer, round_2025, village_a, posted)
        posted.refresh_from_db()
        assert posted.status == "approved"

        page = body(hand_in(officer, round_2025, commune_a))
        assert "Đã nộp kết quả của xã lên cấp trên" in page
        state = UnitRoundState.objects.get(review_round=round_2025, unit=commune_a)
        assert state.stage == Stage.HANDED_IN and state.handed_in_at is not None
        step = UnitTransition.objects.filter(unit=commune_a).order_by("id").last()
        assert (step.action, step.from_stage, step.to_stage, step.actor) == (
            "commune_hand_in",
            "opinion",
            "handed_in",
            cast["officer_a"],
        )
        assert AuditEvent.objects.filter(action="commune_hand_in", unit=commune_a).exists()
        history = body(district_staff.get(result_url(round_2025, commune_a)))
        for label in ("Gửi xin ý kiến cấp trên", "Cho ý kiến về kết quả của xã"):
            assert label in history

        # The district cannot hand in while its other communes have not.
        before = snapshot(round_2025)
        page = body(
            district_staff.post(district_url(round_2025, district, "district_hand_in"), follow=True)
        )
        assert "Chưa nộp được" in page and commune_b.name in page
        assert "kế hoạch rà soát của tỉnh" in page
        assert snapshot(round_2025) == before

        hand_in_the_others(round_2025, keep=[commune_a, district])
        page = body(
            district_staff.post(district_url(round_2025, district, "district_hand_in"), follow=True)
        )
        assert "Đã xác nhận và nộp kết quả của huyện lên tỉnh." in page
        assert stage_of(round_2025, district) == Stage.HANDED_IN

        # The province closes the round; every change is then refused.
        page = body(province.get(progress_url(round_2025)))
        assert "Kết thúc đợt rà soát" in page
        page = body(province.post(close_url(round_2025), follow=True))
        assert "Đã kết thúc đợt rà soát." in page
        round_2025.refresh_from_db()
        assert round_2025.status == "closed"
        assert UnitTransition.objects.filter(action="round_close", to_stage="closed").exists()
        before = snapshot(round_2025)
        page = body(
            district_staff.post(
                result_url(round_2025, commune_a, "commune_reopen"),
                {"reason": "Sửa số liệu"},
                follow=True,
            )
        )
        assert "đã kết thúc: không thay đổi được" in page
        assert snapshot(round_2025) == before


def test_out_of_order_steps_are_refused_with_the_rule_and_nothing_changes(
    cast, client_for, commune_a, village_a, round_2025, posted
):
    officer, district_staff = client_for(cast["officer_a"]), client_for(cast["district_reader"])
    before = snapshot(round_2025)
    # Nothing sent yet: no opinion to give (the request to answer does not exist: 404).
    page = body(hand_in(officer, round_2025, commune_a))
    assert "mọi phiếu của xã phải được phê duyệt" in page
    assert "Nguyễn Văn An" in page and "Đang niêm yết" in page
    assert snapshot(round_2025) == before
    # The posting window is still open: nothing to send.
    page = body(send(officer, round_2025, commune_a))
    assert "Chưa có hộ nào hết thời hạn niêm yết" in page
    assert "QĐ 24/2021/QĐ-TTg, Điều 4 bước 4" in page
    assert snapshot(round_2025) == before
    with later(10):
        officer = client_for(cast["officer_a"])
        district_staff = client_for(cast["district_reader"])
        send(officer, round_2025, commune_a)
        before = snapshot(round_2025)
        # Sent, waiting: a second request and the hand-in are out of order.
        page = body(send(officer, round_2025, commune_a))
        assert "đang ở bước “Đã gửi xin ý kiến”: không thể “Gửi xin ý kiến cấp trên”" in page
        assert "căn cứ: QĐ 24/2021/QĐ-TTg, Điều 4 bước 4" in page
        page = body(hand_in(officer, round_2025, commune_a))
        assert "không thể “Nộp kết quả lên cấp trên”" in page
        assert snapshot(round_2025) == before
        # Disagreeing without a word is refused.
        page = body(give(district_staff, round_2025, commune_a, "comments"))
        assert "Không thống nhất: hãy ghi ý kiến" in page
        assert snapshot(round_2025) == before
        # Reopening what was not handed in.
        page = body(
            district_staff.post(
                result_url(round_2025, commune_a, "commune_reopen"), {"reason": "x"}, follow=True
            )
        )
        assert "không thể “Mở lại kết quả xã đã nộp”" in page
        assert snapshot(round_2025) == before


def test_each_role_gets_404_where_the_step_is_not_theirs(
    cast, client_for, commune_a, village_a, round_2025, posted
):
    district = commune_a.parent
    with later(10):
        clients = {name: client_for(user) for name, user in cast.items()}

        def status(name, url, method="post"):
            return getattr(clients[name], method)(url).status_code

        before = snapshot(round_2025)
        # Commune B's officer: commune A's page and steps do not exist for them.
        assert clients["officer_b"].get(result_url(round_2025, commune_a)).status_code == 404
        assert (
            clients["officer_b"].post(result_url(round_2025, commune_a, "commune_send")).status_code
            == 404
        )
        # The district and the province do not send for the commune.
        for name in ("district_reader", "province_reader"):
            assert (
                clients[name].post(result_url(round_2025, commune_a, "commune_send")).status_code
                == 404
            )
        # Commune officers have no progress board, no district hand-in, no round close.
        assert clients["officer_a"].get(progress_url(round_2025)).status_code == 404
        assert (
            clients["officer_a"]
            .post(district_url(round_2025, district, "district_hand_in"))
            .status_code
            == 404
        )
        assert clients["officer_a"].post(close_url(round_2025)).status_code == 404
        # District staff do not close the round nor see the province's board.
        assert clients["district_reader"].post(close_url(round_2025)).status_code == 404
        assert (
            clients["district_reader"]
            .get(progress_url(round_2025, round_2025.province))
            .status_code
            == 404
        )
        assert snapshot(round_2025) == before
        clients["officer_a"].post(result_url(round_2025, commune_a, "commune_send"))
        # The opinion is the commune's own district's (the province does not give it there).
        asked = OpinionRequest.objects.get(commune=commune_a)
        opinion = result_url(round_2025, commune_a, "commune_opinion", request_id=asked.public_id)
        for name in ("officer_a", "officer_b", "province_reader"):
            assert clients[name].post(opinion, {"verdict": "agree"}).status_code == 404
        assert not OpinionRequest.objects.get(pk=asked.pk).is_given
        # An admin may.
        clients["admin"].post(opinion, {"verdict": "agree"})
        assert OpinionRequest.objects.get(pk=asked.pk).agreed is True


def test_a_handed_in_commune_is_locked_until_the_level_above_reopens_it_with_a_reason(
    cast, client_for, commune_a, village_a, round_2025, posted, officer_a
):
    with later(10):
        officer = client_for(cast["officer_a"])
        district_staff = client_for(cast["district_reader"])
        send(officer, round_2025, commune_a)
        give(district_staff, round_2025, commune_a)
        approve(officer, round_2025, village_a, posted)
        hand_in(officer, round_2025, commune_a)
        assert stage_of(round_2025, commune_a) == Stage.HANDED_IN
        other = household_register(
            actor=officer_a,
            village=village_a,
            address="Xóm 2",
            head={**HEAD, "full_name": "Trần Văn Bình", "citizen_id": "035070000999"},
        )
        before = snapshot(round_2025)
        # The officer's reopen of an approved form is refused, with the reason why.
        page = body(
            officer.post(
                reverse("survey:response_reopen", kwargs={"public_id": posted.public_id}),
                {"reason": "Sai diện tích"},
                follow=True,
            )
        )
        assert "đã nộp kết quả" in page and "số liệu của xã đã khoá" in page
        # A new household's form cannot be started.
        page = body(
            officer.post(
                reverse(
                    "survey:response_begin",
                    kwargs={"round_id": round_2025.public_id, "household_id": other.public_id},
                ),
                follow=True,
            )
        )
        assert "số liệu của xã đã khoá" in page
        # Nor may the officer reopen the hand-in.
        assert (
            officer.post(
                result_url(round_2025, commune_a, "commune_reopen"), {"reason": "x"}
            ).status_code
            == 404
        )
        assert snapshot(round_2025) == before
        # The district reopens with a reason (none: refused).
        page = body(
            district_staff.post(
                result_url(round_2025, commune_a, "commune_reopen"), {"reason": " "}, follow=True
            )
        )
        assert "phải ghi lý do" in page
        assert snapshot(round_2025) == before
        district_staff.post(
            result_url(round_2025, commune_a, "commune_reopen"),
            {"reason": "Hộ Nguyễn Văn An cần đo lại diện tích nhà"},
        )
        assert stage_of(round_2025, commune_a) == Stage.OPEN
        step = UnitTransition.objects.filter(unit=commune_a).order_by("id").last()
        assert (step.action, step.reason, step.actor) == (
            "commune_reopen",
            "Hộ Nguyễn Văn An cần đo lại diện tích nhà",
            cast["district_reader"],
        )
        officer.post(
            reverse("survey:response_reopen", kwargs={"public_id": posted.public_id}),
            {"reason": "Sai diện tích"},
        )
        posted.refresh_from_db()
        assert posted.status == "returned"


def test_a_commune_is_not_reopened_under_a_district_that_handed_in_until_the_province_reopens_it(
    cast, client_for, commune_a, village_a, round_2025, posted
):
    district = commune_a.parent
    with later(10):
        officer = client_for(cast["officer_a"])
        district_staff = client_for(cast["district_reader"])
        province = client_for(cast["province_reader"])
        send(officer, round_2025, commune_a)
        give(district_staff, round_2025, commune_a)
        approve(officer, round_2025, village_a, posted)
        hand_in(officer, round_2025, commune_a)
        hand_in_the_others(round_2025, keep=[commune_a, district])
        district_staff.post(district_url(round_2025, district, "district_hand_in"))
        before = snapshot(round_2025)
        page = body(
            province.post(
                result_url(round_2025, commune_a, "commune_reopen"), {"reason": "Sửa"}, follow=True
            )
        )
        assert "đã nộp kết quả lên tỉnh" in page
        assert snapshot(round_2025) == before
        # District staff cannot reopen their own district's hand-in.
        assert (
            district_staff.post(
                district_url(round_2025, district, "district_reopen"), {"reason": "x"}
            ).status_code
            == 404
        )
        province.post(district_url(round_2025, district, "district_reopen"), {"reason": "Sửa"})
        assert stage_of(round_2025, district) == Stage.OPEN
        province.post(result_url(round_2025, commune_a, "commune_reopen"), {"reason": "Sửa"})
        assert stage_of(round_2025, commune_a) == Stage.OPEN


# --- The two-level tree (from 1 July 2025): the commune reports to the province ------------------


@pytest.fixture
def two_level(db, admin):
    """A province of the two-level tree with two communes and no district."""
    edition, _ = TreeEdition.objects.get_or_create(
        code="vn-2025", defaults={"name": "Danh mục từ 01/7/2025", "is_current": True}
    )
    _load_rows(
        edition,
        [
            UnitRow("province", "tinh", "91", "Tỉnh Thử", None),
            UnitRow("commune", "xa", "91001", "Xã Một", "91"),
            UnitRow("commune", "xa", "91002", "Xã Hai", "91"),
        ],
    )
    province = AdminUnit.objects.get(edition=edition, code="91")
    commune = AdminUnit.objects.get(edition=edition, code="91001")
    staff = User.objects.create_user(
        username="tinh-91", password=PASSWORD, role="province_staff", unit=province
    )
    officer = User.objects.create_user(
        username="xa-91001", password=PASSWORD, role="commune_officer", unit=commune
    )
    village = village_create(actor=officer, commune=commune, name="Thôn Một", kind="thon")
    household = household_register(actor=officer, village=village, address="Xóm 1", head=HEAD)
    review_round = round_open(actor=staff, province=province, year=2025, kind="periodic")
    return {
        "province": province,
        "commune": commune,
        "other": AdminUnit.objects.get(edition=edition, code="91002"),
        "staff": staff,
        "officer": officer,
        "village": village,
        "household": household,
        "round": review_round,
    }


def test_on_the_two_level_tree_the_province_gives_the_opinion_marked_unverified(
    two_level, client_for
):
    t = two_level
    review_round, commune = t["round"], t["commune"]
    response = submit(t["officer"], review_round, t["household"])
    officer = client_for(t["officer"])
    meet(officer, review_round, t["village"], response)
    post(officer, review_round, t["village"], TODAY())
    with later(10):
        officer, province = client_for(t["officer"]), client_for(t["staff"])
        page = body(approve(officer, review_round, t["village"], response))
        assert "chưa kiểm chứng" in page and "TT 13/2025/TT-BNNMT" in page
        send(officer, review_round, commune)
        asked = OpinionRequest.objects.get(commune=commune)
        assert asked.asked == t["province"] and asked.basis.startswith("chưa kiểm chứng")
        page = body(province.get(result_url(review_round, commune)))
        assert "chưa kiểm chứng" in page and f"comment_{response.public_id}" in page
        give(province, review_round, commune)
        approve(officer, review_round, t["village"], response)
        response.refresh_from_db()
        assert response.status == "approved"
        hand_in(officer, review_round, commune)
        assert stage_of(review_round, commune) == Stage.HANDED_IN
        # The province's board lists communes (no district), and closes when all handed in.
        page = body(province.get(progress_url(review_round)))
        assert "Xã Một" in page and "Xã Hai" in page and 'id="districts"' not in page
        page = body(province.post(close_url(review_round), follow=True))
        assert "Chưa kết thúc được" in page and "Xã Hai" in page
        UnitRoundState.objects.create(
            review_round=review_round, unit=t["other"], stage=Stage.HANDED_IN
        )
        province.post(close_url(review_round))
        review_round.refresh_from_db()
        assert review_round.status == "closed"


# --- Lateness and the board ----------------------------------------------------------------------


def test_the_progress_board_shows_each_units_step_and_lateness_in_days(
    cast, client_for, commune_a, commune_b, village_a, posted, round_2025
):
    ReviewRound.objects.filter(pk=round_2025.pk).update(
        commune_deadline=date(2025, 10, 20), district_deadline=date(2025, 10, 30)
    )
    round_2025.refresh_from_db()
    with later(10):  # 25/10/2025: five days after the commune deadline
        officer = client_for(cast["officer_a"])
        district_staff = client_for(cast["district_reader"])
        send(officer, round_2025, commune_a)
        give(district_staff, round_2025, commune_a)
        approve(officer, round_2025, village_a, posted)
        hand_in(officer, round_2025, commune_a)
        page = body(district_staff.get(progress_url(round_2025)))
        assert "Bình Nghĩa" in page and "Tràng An" in page
        assert page.count("trễ hạn 5 ngày") >= 2  # A handed in late; B not handed in yet
        assert "Đã nộp kết quả" in page
        province = client_for(cast["province_reader"])
        page = body(province.get(progress_url(round_2025)))
        assert 'id="districts"' in page and "Bình Lục" in page
        assert "còn hạn" in page  # districts: their deadline (30/10) has not passed
    with later(20):  # 04/11/2025: the district deadline has passed too
        page = body(client_for(cast["province_reader"]).get(progress_url(round_2025)))
        assert "trễ hạn 5 ngày" in page  # A's hand-in stays 5 days late
        assert "trễ hạn 15 ngày" in page  # communes still not handed in
        assert "trễ hạn 5 ngày" in page


def test_the_progress_boards_queries_do_not_grow_with_the_communes(
    cast, client_for, round_2025, legacy_tree, admin
):
    client = client_for(cast["province_reader"])
    url = progress_url(round_2025)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=round_2025.province.path, level=AdminUnit.Level.COMMUNE
        )
    )
    assert len(communes) > 90
    UnitRoundState.objects.bulk_create(
        UnitRoundState(review_round=round_2025, unit=c, stage=Stage.HANDED_IN)
        for c in communes[:60]
    )
    UnitRoundState.objects.bulk_create(
        UnitRoundState(review_round=round_2025, unit=c, stage=Stage.SENT) for c in communes[60:]
    )
    OpinionRequest.objects.bulk_create(
        OpinionRequest(
            review_round=round_2025, commune=c, asked_id=c.parent_id, basis="x", sent_by=admin
        )
        for c in communes[60:]
    )
    with CaptureQueriesContext(connection) as many:
        page = body(client.get(url))
    assert "chờ ý kiến" in page and "Đã nộp kết quả" in page
    assert len(many) == len(few)


# --- Rules of the round ------------------------------------------------------------------------


def test_a_regular_round_has_no_district_opinion(
    cast, client_for, commune_a, village_a, household_a, province_reader, officer_a
):
    regular = round_open(
        actor=province_reader, province=province_reader.unit, year=2025, kind="regular", month=10
    )
    response = submit(officer_a, regular, household_a)
    officer = client_for(officer_a)
    meet(officer, regular, village_a, response)
    post(officer, regular, village_a, TODAY())
    with later(10):
        officer = client_for(officer_a)
        page = body(send(officer, regular, commune_a))
        assert "Chỉ đợt rà soát định kỳ mới xin ý kiến cấp trên" in page
        assert not OpinionRequest.objects.exists()
        approve(officer, regular, village_a, response)  # approved after its posting alone
        response.refresh_from_db()
        assert response.status == "approved"
        hand_in(officer, regular, commune_a)
        assert stage_of(regular, commune_a) == Stage.HANDED_IN


def test_a_deadline_outside_the_round_is_refused_naming_the_provinces_plan(
    client_for, province_reader
):
    page = body(
        client_for(province_reader).post(
            reverse("survey:round_new"),
            {
                "province": province_reader.unit.pk,
                "year": 2025,
                "kind": "periodic",
                "commune_deadline": "05/12/2025",
                "district_deadline": "20/12/2025",
            },
        )
    )
    assert "Hạn báo cáo phải trong thời gian của đợt (01/09/2025 – 14/12/2025)" in page
    assert "kế hoạch rà soát của tỉnh" in page
    assert not ReviewRound.objects.filter(year=2025).exists()
    page = body(
        client_for(province_reader).post(
            reverse("survey:round_new"),
            {
                "province": province_reader.unit.pk,
                "year": 2025,
                "kind": "periodic",
                "commune_deadline": "05/12/2025",
                "district_deadline": "01/12/2025",
            },
        )
    )
    assert "Hạn huyện báo cáo không được trước hạn xã báo cáo (05/12/2025)" in page
    assert not ReviewRound.objects.filter(year=2025).exists()


def test_the_new_steps_are_rows_of_the_one_table():
    subjects = {name: step.subject for name, step in STEPS.items()}
    assert subjects["opinion_request"] == subjects["commune_hand_in"] == "commune"
    assert subjects["district_hand_in"] == "district" and subjects["round_close"] == "round"
    assert all(step.basis for step in STEPS.values() if step.subject != "response")


def test_a_household_posted_after_the_request_needs_a_new_request(
    cast, client_for, commune_a, village_a, round_2025, posted, officer_a
):
    other = household_register(
        actor=officer_a,
        village=village_a,
        address="Xóm 2",
        head={**HEAD, "full_name": "Trần Văn Bình", "citizen_id": "035070000999"},
    )
    with later(10):
        officer = client_for(cast["officer_a"])
        send(officer, round_2025, commune_a)
        give(client_for(cast["district_reader"]), round_2025, commune_a)
        late = submit(officer_a, round_2025, other)
        meet(officer, round_2025, village_a, late)
        post(officer, round_2025, village_a, TODAY())
    with later(20):
        officer = client_for(cast["officer_a"])
        page = body(approve(officer, round_2025, village_a, late))
        assert "Trần Văn Bình: chưa có ý kiến của cấp trên" in page
        approve(officer, round_2025, village_a, posted)
        posted.refresh_from_db()
        assert posted.status == "approved"
        send(officer, round_2025, commune_a)
        second = OpinionRequest.objects.filter(commune=commune_a).order_by("id").last()
        assert list(second.items.values_list("response_id", flat=True)) == [late.pk]
        give(client_for(cast["district_reader"]), round_2025, commune_a)
        approve(officer, round_2025, village_a, late)
        late.refresh_from_db()
        assert late.status == "approved"
