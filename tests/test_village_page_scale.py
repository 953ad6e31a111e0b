"""The village page at the size of a large village: its forms a page at a time, the counts over
the whole village, and a fixed number of queries however many forms it has."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Household
from survey.models import SurveyResponse
from tests.factories import many_households


def many_forms(world, village, statuses: dict[str, int]) -> None:
    """Households of `village` with a 2025 form in each given status, written in bulk (a service
    call per household would make a 100-form village slow to build)."""
    made = 0
    for status, n in statuses.items():
        households = many_households(village, n, start=made)
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                review_round=world["rounds"][2025],
                household=h,
                commune=h.commune,
                village=village,
                status=status,
                computed_classification="poor",
                final_classification="poor",
                member_count=3,
                created_by=world["admin"],
            )
            for h in households
        )
        made += n


def workspace_url(world, village, **query: str) -> str:
    url = reverse(
        "survey:village_workspace",
        kwargs={"round_id": world["rounds"][2025].public_id, "village_id": village.public_id},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(body: str) -> list[str]:
    """The household names in the forms list (not in the steps' lists below it)."""
    table = body.split('class="table table-sm mt-2 village-forms"')[1].split("</table>")[0]
    return re.findall(r">(Hộ \d{4})</a>", table)


def test_a_large_village_lists_its_forms_a_hundred_at_a_time(officer_a, world, client_for):
    village = world["villages"][0]
    many_forms(world, village, {"approved": 70, "submitted": 35})
    client = client_for(officer_a)

    first = client.get(workspace_url(world, village)).content.decode()
    assert listed(first) == [f"Hộ {i:04d}" for i in range(100)]
    # The counts are the village's, not the page's.
    assert "Tất cả phiếu (105)" in first
    assert "Đã phê duyệt (70)" in first and "Đã nộp (35)" in first
    # The meeting step still offers every submitted form, those of page 2 too.
    assert first.count('value="agreed"') == 35
    assert "1 / 2" in first

    second = client.get(workspace_url(world, village, page="2")).content.decode()
    assert listed(second) == [f"Hộ {i:04d}" for i in range(100, 105)]

    # A status filter pages too, and its links keep the status.
    submitted = client.get(workspace_url(world, village, status="submitted")).content.decode()
    assert listed(submitted) == [f"Hộ {i:04d}" for i in range(70, 105)]
    assert "Đã nộp</strong> (35)" in submitted
    assert "1 / 2" not in submitted


def test_the_page_links_keep_the_status_filter(officer_a, world, client_for):
    village = world["villages"][0]
    many_forms(world, village, {"approved": 10, "submitted": 101})
    body = client_for(officer_a).get(workspace_url(world, village, status="submitted"))
    assert "status=submitted&amp;page=2" in body.content.decode()
    page_2 = client_for(officer_a).get(workspace_url(world, village, status="submitted", page="2"))
    assert listed(page_2.content.decode()) == ["Hộ 0110"]


def test_the_village_page_makes_as_many_queries_for_50_forms_as_for_5(officer_a, world, client_for):
    village = world["villages"][0]
    client = client_for(officer_a)
    mix = ("submitted", "disputed", "agreed", "posted", "approved")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(workspace_url(world, village)).status_code == 200
        return len(captured.captured_queries)

    many_forms(world, village, dict.fromkeys(mix, 1))
    few = queries()
    # 45 more forms under other names (the builder numbers from 0 in each call).
    Household.objects.filter(village=village).update(head_name="Hộ cũ")
    many_forms(world, village, dict.fromkeys(mix, 9))
    assert queries() == few
