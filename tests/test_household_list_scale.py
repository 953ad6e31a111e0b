"""The household list above a commune: pages without a count of the whole scope (a province has
up to a million households), in the same order, within the same scope; a commune's list keeps
its exact count."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import many_households


def names(body: str) -> list[str]:
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'">([^<]+)</a>', table)


def counts(sql: list[str]) -> list[str]:
    """The COUNT(*) queries of a paginator (not the members' count per row of the page)."""
    return [q for q in sql if q.startswith("SELECT COUNT(*)")]


def get(client, **query: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("households:list"), query)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def test_the_province_list_pages_without_counting_the_province(
    province_reader, village_a, village_b, commune_province_b, officer_province_b, client_for
):
    from households.villages import village_create

    many_households(village_a, 30, "An")
    many_households(village_b, 25, "Bình")
    other = village_create(
        actor=officer_province_b, commune=commune_province_b, name="Thôn Bắc", kind="thon"
    )
    many_households(other, 5, "Nam Định")
    client = client_for(province_reader)

    first, sql = get(client)
    assert len(names(first)) == 50
    assert not counts(sql), sql
    assert "page=2" in first and "Trang 1" in first and "1 / 2" not in first

    second, sql = get(client, page="2")
    listed = names(first) + names(second)
    assert len(names(second)) == 5 and "page=3" not in second and "page=1" in second
    assert not counts(sql), sql
    # Every household of the province once, in the list's order; none of Nam Định.
    assert sorted(listed) == sorted(
        [f"An {i:04d}" for i in range(30)] + [f"Bình {i:04d}" for i in range(25)]
    )
    assert not [n for n in listed if n.startswith("Nam Định")]

    # A page past the end is empty, with the way back.
    past, _sql = get(client, page="9")
    assert names(past) == [] and "page=8" in past
    # Name search still works over the province, without a count.
    found, sql = get(client, name="binh 001")
    assert names(found) == [f"Bình {i:04d}" for i in range(10, 20)]
    assert not counts(sql)


def test_a_commune_list_keeps_its_count(officer_a, village_a, client_for):
    many_households(village_a, 55)
    client = client_for(officer_a)
    first, sql = get(client)
    assert counts(sql)
    assert "1 / 2" in first and len(names(first)) == 50
    second, _sql = get(client, page="2")
    assert names(second) == [f"Hộ {i:04d}" for i in range(50, 55)]


def test_a_village_of_the_province_is_counted(province_reader, village_a, client_for):
    many_households(village_a, 55)
    page, sql = get(client_for(province_reader), village=str(village_a.public_id))
    assert "1 / 2" in page and counts(sql)


def test_a_commune_list_is_read_from_the_list_index_in_village_order(
    officer_a, village_a, client_for
):
    """The commune's page query names the commune's villages (households_village_list is read in
    order, with no sort of the commune's households for each page), and the order is the one the
    province's list has: by village, then the head's name."""
    from households.villages import village_create

    second_village = village_create(
        actor=officer_a, commune=village_a.parent, name="Thôn Mới", kind="thon"
    )
    many_households(second_village, 3, "An")
    many_households(village_a, 3, "Bình")
    body, sql = get(client_for(officer_a))
    [page_query] = [q for q in sql if "present_members" in q]
    assert re.search(r'"village_id" IN \(\d+, \d+\)', page_query), page_query
    first, then = sorted([village_a, second_village], key=lambda v: v.pk)
    expected = {village_a.pk: [f"Bình {i:04d}" for i in range(3)]}
    expected[second_village.pk] = [f"An {i:04d}" for i in range(3)]
    assert names(body) == expected[first.pk] + expected[then.pk]
