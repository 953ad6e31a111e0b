"""The home page is a work list: each role sees the open round's progress one level below them."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from areas.models import AdminUnit
from households.services import household_register
from households.villages import village_create
from survey.board import deadline_words
from survey.models import ReviewRound, SurveyResponse
from survey.services import response_start, response_submit, response_update

STATUSES = SurveyResponse.Status.values
TODAY = timezone.localdate


def d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ws(review_round, village, name="village_workspace"):
    kwargs = {"round_id": review_round.public_id, "village_id": village.public_id}
    return reverse(f"survey:{name}", kwargs=kwargs)


def register(officer, village, name):
    return household_register(
        actor=officer,
        village=village,
        address="Xóm 1",
        head={"full_name": name, "birth_year": 1970, "sex": "male"},
    )


def draft(officer, review_round, household):
    return response_start(actor=officer, review_round=review_round, household=household)


def submit(officer, review_round, household):
    response = draft(officer, review_round, household)
    response_update(
        actor=officer,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    return response_submit(actor=officer, response=response, expected_version=response.version)


def meet(client, review_round, village, decisions):
    data = {
        "held_on": d(TODAY()),
        "attendance": 30,
        "chaired_by": "Trưởng thôn",
        "notes": "Cần xác minh",
    }
    data |= {f"decision_{r.public_id}": decision for r, decision in decisions}
    assert client.post(ws(review_round, village, "meeting_new"), data).status_code == 302


def post(client, review_round, village, starts_on):
    data = {"starts_on": d(starts_on), "place": "Nhà văn hoá"}
    assert client.post(ws(review_round, village, "posting_new"), data).status_code == 302


@pytest.fixture
def story(officer_a, officer_b, district_reader, village_a, village_b, client_for, legacy_tree):
    """Commune A: two villages with forms in every status; commune B: one submitted form."""
    review_round = ReviewRound.objects.create(
        province=AdminUnit.objects.get(edition=legacy_tree, code="35"),
        year=2025,
        kind="periodic",
        standard_code="vn-2022-2025",
        starts_on=TODAY() - timedelta(days=30),
        ends_on=TODAY() + timedelta(days=30),
        commune_deadline=TODAY() + timedelta(days=5),
        opened_by=district_reader,
    )
    client = client_for(officer_a)
    east = village_a  # Thôn Đông
    north = village_create(actor=officer_a, commune=officer_a.unit, name="Thôn Bắc", kind="thon")
    h = {name: register(officer_a, east, name) for name in ("Đông 1", "Đông 2", "Đông 3")}
    h |= {name: register(officer_a, east, name) for name in ("Đông 4", "Đông 5", "Đông 6")}
    h |= {name: register(officer_a, north, name) for name in ("Bắc 1", "Bắc 2", "Bắc 3")}
    h["Bắc 4"] = register(officer_a, north, "Bắc 4")
    # Thôn Đông: a draft, a submitted form, a returned form, a posted form with a complaint while
    # its posting runs, and two households without a form.
    draft(officer_a, review_round, h["Đông 1"])
    submit(officer_a, review_round, h["Đông 2"])
    returned = submit(officer_a, review_round, h["Đông 3"])
    reason = "Thiếu thông tin thu nhập"
    client_for(district_reader).post(
        reverse("survey:response_return", kwargs={"public_id": returned.public_id}),
        {"reason": reason},
    )
    posted = submit(officer_a, review_round, h["Đông 4"])
    meet(client, review_round, east, [(posted, "agreed")])
    post(client, review_round, east, TODAY())
    client.post(
        ws(review_round, east, "complaint_new"),
        {"response": str(posted.public_id), "received_on": d(TODAY()), "content": "Sai"},
    )
    # Thôn Bắc: one approved, one disputed, one agreed, one household without a form. The board
    # only reads statuses: the approved form is stored as approval leaves it (as tests/factories.py
    # does), since approving through the pages needs a posting window that has run out.
    SurveyResponse.objects.create(
        review_round=review_round,
        household=h["Bắc 1"],
        commune=h["Bắc 1"].commune,
        village=north,
        status="approved",
        computed_classification="poor",
        final_classification="poor",
        created_by=officer_a,
    )
    disputed, agreed = (submit(officer_a, review_round, h[n]) for n in ("Bắc 2", "Bắc 3"))
    meet(client, review_round, north, [(agreed, "agreed"), (disputed, "disputed")])
    # Commune B: one submitted form.
    submit(officer_b, review_round, register(officer_b, village_b, "Tây 1"))
    return {
        "round": review_round,
        "east": east,
        "north": north,
        "returned": returned,
        "reason": reason,
    }


def expected_by_village(review_round):
    """Counts done here, from the rows themselves, to check the board against."""
    counts: dict[int, Counter] = {}
    for village_id, status in SurveyResponse.objects.filter(review_round=review_round).values_list(
        "village_id", "status"
    ):
        counts.setdefault(village_id, Counter())[status] += 1
    return counts


def counts_of(row):
    return {s: getattr(row, s) for s in STATUSES}


def test_officer_a_sees_the_open_round_and_each_village_of_commune_a(officer_a, story, client_for):
    response = client_for(officer_a).get(reverse("home"))
    assert response.status_code == 200
    [board] = response.context["boards"]
    assert board.review_round == story["round"]
    assert board.deadline.endswith("còn 5 ngày.")
    rows = {row.unit.name: row for row in board.villages}
    assert set(rows) == {"Thôn Đông", "Thôn Bắc"}
    expected = expected_by_village(story["round"])
    for name, village in (("Thôn Đông", story["east"]), ("Thôn Bắc", story["north"])):
        assert counts_of(rows[name]) == {s: expected[village.pk][s] for s in STATUSES}
    # The story as told, so that a wrong setup cannot make both sides agree on nothing.
    east, north = rows["Thôn Đông"], rows["Thôn Bắc"]
    assert (east.draft, east.submitted, east.returned, east.posted) == (1, 1, 1, 1)
    assert (north.approved, north.disputed, north.agreed) == (1, 1, 1)
    assert (east.households, east.without_form) == (6, 2)
    assert (north.households, north.without_form) == (4, 1)
    assert east.open_complaints == 1 and north.open_complaints == 0
    assert east.posting_until is not None and east.posting_until >= TODAY()
    assert north.posting_until is None
    assert board.total.forms == 7 and board.households == 10


def test_each_count_links_to_the_page_that_lists_those(officer_a, story, client_for):
    client = client_for(officer_a)
    body = client.get(reverse("home")).content.decode()
    east = ws(story["round"], story["east"])
    for link in (
        f"{east}?status=returned#forms",
        f"{east}?status=draft#forms",
        f"{east}#complaints",
        f"{east}#not-started",
        f"{reverse('households:list')}?village={story['east'].public_id}",
    ):
        assert f'href="{link}"' in body, link
    assert "đang niêm yết đến hết ngày" in body
    assert "1 khiếu nại chưa giải quyết" in body
    assert "2 hộ chưa có phiếu trong đợt" in body
    # The returned list shows the returned form, whose page carries the district's reason.
    listed = client.get(f"{east}?status=returned").content.decode()
    result = reverse(
        "survey:response_section",
        kwargs={"public_id": story["returned"].public_id, "section": "result"},
    )
    forms = listed.split('id="forms"')[1].split("</table>")[0]
    assert result in forms and "Đông 3" in forms
    assert "Đông 1" not in forms and "Đông 2" not in forms and "Đông 4" not in forms
    assert story["reason"] in client.get(result).content.decode()
    # The household list, filtered to one village, lists that village's households only.
    households = client.get(
        reverse("households:list"), {"village": str(story["north"].public_id)}
    ).content.decode()
    assert "Bắc 4" in households and "Đông 1" not in households


def test_officer_b_cannot_see_commune_a(officer_b, officer_a, story, client_for):
    client = client_for(officer_b)
    body = client.get(reverse("home")).content.decode()
    assert "Thôn Tây" in body
    assert "Thôn Đông" not in body and "Thôn Bắc" not in body
    [board] = client.get(reverse("home")).context["boards"]
    assert [row.submitted for row in board.villages] == [1]
    assert client.get(reverse("home"), {"unit": str(officer_a.unit.public_id)}).status_code == 404
    village = {"village": str(story["east"].public_id)}
    assert client.get(reverse("households:list"), village).status_code == 404


def test_district_reader_sees_the_communes_of_binh_luc_behind_first(
    district_reader, officer_a, officer_b, story, client_for
):
    response = client_for(district_reader).get(reverse("home"))
    [board] = response.context["boards"]
    district = district_reader.unit
    communes = AdminUnit.objects.filter(parent=district, level="commune")
    assert {row.unit.pk for row in board.communes} == set(communes.values_list("pk", flat=True))
    assert board.districts == []
    rows = {row.unit.pk: row for row in board.communes}
    a, b = rows[officer_a.unit.pk], rows[officer_b.unit.pk]
    by_commune = Counter(
        SurveyResponse.objects.filter(commune=officer_a.unit).values_list("status", flat=True)
    )
    assert counts_of(a) == {s: by_commune[s] for s in STATUSES}
    assert (b.submitted, b.forms) == (1, 1)
    assert a.open_complaints == 1 and a.households == 10
    assert "chưa ghi tổng số hộ" in a.behind
    # Communes with nothing started come first, then the ones with the most to chase.
    not_started = [row for row in board.communes if row.forms == 0]
    assert board.communes[: len(not_started)] == not_started
    assert all(row.behind for row in board.communes)
    body = response.content.decode()
    assert f"?unit={officer_a.unit.public_id}" in body
    assert "Phường Quang Trung" not in body
    # Drilling down into commune A shows its villages, read-only.
    inner = client_for(district_reader).get(
        reverse("home"), {"unit": str(officer_a.unit.public_id)}
    )
    assert {row.unit.name for row in inner.context["boards"][0].villages} == {
        "Thôn Đông",
        "Thôn Bắc",
    }


def test_province_reader_sees_districts_and_communes(province_reader, officer_a, story, client_for):
    response = client_for(province_reader).get(reverse("home"))
    [board] = response.context["boards"]
    assert len(board.communes) == 98
    districts = {row.unit.code: row for row in board.districts}
    assert len(districts) == 6
    binh_luc = districts["352"]
    assert binh_luc.forms == 8 and binh_luc.submitted == 2
    assert binh_luc.communes == AdminUnit.objects.filter(parent__code="352").count()
    assert sum(row.forms for row in board.districts) == board.total.forms == 8
    # Every district is behind (no commune total anywhere), and every one but Bình Lục has
    # started nothing: Bình Lục, the least behind, comes last.
    assert board.districts[-1].unit.code == "352"
    assert all(row.communes_not_started == row.communes for row in board.districts[:-1])
    a = next(row for row in board.communes if row.unit.pk == officer_a.unit.pk)
    assert (a.draft, a.submitted, a.returned, a.approved) == (1, 1, 1, 1)


def test_admin_sees_one_row_per_open_round_across_provinces(admin, story, client_for):
    response = client_for(admin).get(reverse("home"))
    [row] = response.context["rows"]
    assert row.review_round == story["round"]
    assert row.communes == 98 and row.communes_started == 2
    assert row.forms == 8 and row.open_complaints == 1 and row.totals_missing == 98
    assert "Hà Nam" in response.content.decode()


def test_a_closed_round_is_not_work(officer_a, story, client_for):
    ReviewRound.objects.filter(pk=story["round"].pk).update(status="closed")
    response = client_for(officer_a).get(reverse("home"))
    assert response.context["boards"] == []
    assert "chưa có việc cần làm" in response.content.decode()


@pytest.mark.parametrize(
    ("offset", "words", "overdue"),
    [
        (3, "còn 3 ngày", False),
        (0, "hôm nay là ngày cuối", False),
        (-2, "đã quá hạn 2 ngày", True),
    ],
)
def test_the_deadline_is_said_in_words(offset, words, overdue):
    today = date(2025, 10, 10)
    review_round = ReviewRound(
        year=2025,
        kind="periodic",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 1),
        commune_deadline=today + timedelta(days=offset),
    )
    text, late = deadline_words(review_round, today)
    assert words in text and late is overdue
    assert d(today + timedelta(days=offset)) in text


def test_an_overdue_round_says_so_on_the_page(officer_a, story, client_for):
    ReviewRound.objects.filter(pk=story["round"].pk).update(
        commune_deadline=TODAY() - timedelta(days=1)
    )
    body = client_for(officer_a).get(reverse("home")).content.decode()
    assert "Quá hạn" in body and "đã quá hạn 1 ngày" in body


def test_the_village_filter_of_the_household_list_survives_paging(officer_a, village_a, client_for):
    north = village_create(actor=officer_a, commune=officer_a.unit, name="Thôn Bắc", kind="thon")
    register(officer_a, north, "Bắc 1")
    for index in range(51):
        register(officer_a, village_a, f"Đông {index:02d}")
    client = client_for(officer_a)
    url = reverse("households:list")
    first = client.get(url, {"village": str(village_a.public_id)})
    assert first.context["page"].paginator.count == 51
    next_link = f"?village={village_a.public_id}&amp;page=2"
    assert next_link in first.content.decode()
    second = client.get(url, {"village": str(village_a.public_id), "page": 2}).content.decode()
    assert "Đông 50" in second and "Bắc 1" not in second
    assert client.get(url, {"village": "not-a-uuid"}).status_code == 404
    assert client.get(url, {"village": str(officer_a.unit.public_id)}).status_code == 404


def test_without_a_commune_deadline_the_round_end_is_the_deadline():
    review_round = ReviewRound(
        year=2024, kind="periodic", starts_on=date(2024, 9, 1), ends_on=date(2024, 12, 14)
    )
    text, late = deadline_words(review_round, date(2024, 12, 24))
    assert "Chưa đặt hạn xã báo cáo" in text and "14/12/2024" in text
    assert "đã quá hạn 10 ngày" in text and late


def test_the_officer_is_told_to_record_the_commune_total(officer_a, story, client_for):
    client = client_for(officer_a)
    missing = "Xã chưa ghi tổng số hộ dân cư của đợt"
    assert missing in client.get(reverse("home")).content.decode()
    url = reverse(
        "survey:commune_total",
        kwargs={"public_id": story["round"].public_id, "commune_id": officer_a.unit.public_id},
    )
    client.post(url, {"total_households": 1200, "source": "Công an xã"})
    assert missing not in client.get(reverse("home")).content.decode()
