"""Lists and reports make a fixed number of queries however many rows they show."""

from django.urls import reverse

from households.services import household_register
from tests.factories import household, result


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.aggregates import fold_all

    fold_all()  # the report's own queries, not the fold of what the test just wrote
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def grow_village(world, village, n, year=2025, status="approved"):
    for index in range(n):
        result(
            world,
            household(world, village),
            year,
            ("poor", "near_poor", "average")[index % 3],
            status=status,
        )


def test_household_list_is_constant_in_queries(officer_a, village_a, client_for):
    client = client_for(officer_a)
    url = reverse("households:list")
    household_register(
        actor=officer_a,
        village=village_a,
        address="x",
        head={"full_name": "A", "birth_year": 1970, "sex": "male"},
    )
    few = count_queries(client, url)
    for i in range(10):
        household_register(
            actor=officer_a,
            village=village_a,
            address="x",
            head={"full_name": f"B {i}", "birth_year": 1970, "sex": "male"},
        )
    assert count_queries(client, url) == few


def test_report_pages_are_constant_in_queries(province_reader, world, client_for):
    client = client_for(province_reader)
    province = world["rounds"][2025].province
    grow_village(world, world["villages"][0], 2)
    grow_village(world, world["villages"][0], 2, year=2024)
    urls = [
        reverse(
            "reports:report",
            kwargs={
                "round_id": world["rounds"][2025].public_id,
                "unit_id": province.public_id,
                "kind": kind,
            },
        )
        for kind in ("summary", "movements", "deprivations", "causes", "needs", "areas")
    ]
    few = [count_queries(client, url) for url in urls]
    grow_village(world, world["villages"][1], 12)
    grow_village(world, world["villages"][2], 12, year=2024)
    assert [count_queries(client, url) for url in urls] == few


def test_village_workspace_and_round_page_are_constant_in_queries(officer_a, world, client_for):
    client = client_for(officer_a)
    review_round = world["rounds"][2025]
    village = world["villages"][0]
    workspace = reverse(
        "survey:village_workspace",
        kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
    )
    round_page = reverse("survey:round_detail", kwargs={"public_id": review_round.public_id})
    for status in ("submitted", "posted"):
        grow_village(world, village, 1, status=status)
    few = (count_queries(client, workspace), count_queries(client, round_page))
    for status in ("submitted", "posted"):
        grow_village(world, village, 8, status=status)
    assert (count_queries(client, workspace), count_queries(client, round_page)) == few


def test_home_boards_are_constant_in_queries(cast, world, client_for):
    """Each role's work list: commune A with 2 villages and 4 households (2 forms), then 20
    villages and 42 households (22 forms); the other communes grow too."""
    from households.villages import village_create

    officer = cast["officer_a"]
    commune = officer.unit
    statuses = ("draft", "submitted", "agreed", "posted", "approved", "returned")
    villages = [world["villages"][0]]
    villages.append(village_create(actor=officer, commune=commune, name="Thôn 2", kind="thon"))

    def grow(village, n):
        for index in range(n):
            result(world, household(world, village), 2025, "poor", status=statuses[index % 6])
        household(world, village)  # and one household without a form

    for village in villages:
        grow(village, 1)
    grow(world["villages"][1], 1)
    clients = {role: client_for(cast[role]) for role in cast}
    url = reverse("home")
    few = {role: count_queries(client, url) for role, client in clients.items()}
    for index in range(18):
        villages.append(
            village_create(actor=officer, commune=commune, name=f"Thôn {index + 3}", kind="thon")
        )
    for village in villages:
        grow(village, 1 if village in villages[2:] else 9)
    grow(world["villages"][1], 9)
    grow(world["villages"][2], 9)
    assert {role: count_queries(client, url) for role, client in clients.items()} == few
    # The tree's 98 communes do not grow here: a query per commune would be constant too, so the
    # count is also bounded (session, user, rounds, then two queries per open round: 3 rounds).
    assert max(few.values()) <= 12, few


def test_the_province_round_page_is_constant_in_queries_as_communes_record_totals(
    province_reader, world, client_for
):
    """The province's staff see every commune's total and who recorded it: the recorders are
    fetched with the totals, not one query per commune (1,207 queries at province scale)."""
    from accounts.models import User
    from areas.models import AdminUnit
    from survey.models import CommuneTotal

    review_round = world["rounds"][2025]
    communes = list(
        AdminUnit.objects.filter(
            level=AdminUnit.Level.COMMUNE, path__startswith=review_round.province.path
        )
        .exclude(pk__in=CommuneTotal.objects.filter(review_round=review_round).values("commune"))
        .order_by("path")[:12]
    )

    def record(commune):
        officer = User.objects.create(
            username=f"ghi-{commune.code}", role=User.Role.COMMUNE_OFFICER, unit=commune
        )
        CommuneTotal.objects.create(
            review_round=review_round,
            commune=commune,
            total_households=900,
            source="Công an xã",
            recorded_by=officer,
        )

    client = client_for(province_reader)
    url = reverse("survey:round_detail", kwargs={"public_id": review_round.public_id})
    for commune in communes[:2]:
        record(commune)
    few = count_queries(client, url)
    for commune in communes[2:]:
        record(commune)
    page = client.get(url).content.decode()
    assert "ghi-" + communes[-1].code in page
    assert count_queries(client, url) == few
