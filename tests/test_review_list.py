"""Each commune's list of households to review in a round (QĐ 24/2021, Điều 4, step 1)."""

import re
from datetime import date

from django.urls import reverse

from accounts.models import AuditEvent
from households.services import household_register, member_add
from households.villages import village_create
from survey.models import ReviewListEntry, SurveyResponse
from survey.services import round_open
from tests.factories import household, result
from tests.test_query_counts import count_queries


def list_url(review_round, commune):
    return reverse(
        "survey:review_list",
        kwargs={"round_id": review_round.public_id, "commune_id": commune.public_id},
    )


def build_url(review_round, commune):
    return reverse(
        "survey:review_list_build",
        kwargs={"round_id": review_round.public_id, "commune_id": commune.public_id},
    )


def print_url(review_round, village):
    return reverse(
        "survey:review_list_print",
        kwargs={"round_id": review_round.public_id, "village_id": village.public_id},
    )


def last_years_world(world):
    """In commune A: one poor and one near-poor household of 2024, one average, one poor whose
    2024 result is not approved yet, one poor of 2023 only; one poor of 2024 in commune B."""
    va, vb, _vc = world["villages"]
    h = {
        name: household(world, va)
        for name in ("poor", "near_poor", "average", "unapproved", "poor_2023")
    }
    result(world, h["poor"], 2024, "poor")
    result(world, h["near_poor"], 2024, "near_poor")
    result(world, h["average"], 2024, "average")
    result(world, h["unapproved"], 2024, "poor", status="posted")
    result(world, h["poor_2023"], 2023, "poor")
    h["other_commune"] = household(world, vb)
    result(world, h["other_commune"], 2024, "poor")
    return h


def test_the_list_holds_exactly_last_rounds_poor_and_near_poor_and_building_is_idempotent(
    officer_a, commune_a, world, client_for
):
    h = last_years_world(world)
    review_round = world["rounds"][2025]
    client = client_for(officer_a)
    assert client.post(build_url(review_round, commune_a)).status_code == 302
    assert client.post(build_url(review_round, commune_a)).status_code == 302
    entries = ReviewListEntry.objects.filter(review_round=review_round)
    assert sorted((e.household_id, e.previous_classification) for e in entries) == sorted(
        [(h["poor"].pk, "poor"), (h["near_poor"].pk, "near_poor")]
    )
    assert {e.source for e in entries} == {"previous_list"}
    assert AuditEvent.objects.filter(action="review_list_build").count() == 2
    # The listing, above the add form (whose household choice names every household).
    page = client.get(list_url(review_round, commune_a)).content.decode().split('id="add"')[0]
    assert h["poor"].head_name in page and h["near_poor"].head_name in page
    for name in ("average", "unapproved", "poor_2023", "other_commune"):
        assert h[name].head_name not in page
    assert "chưa lập phiếu" in page


def test_opening_a_periodic_round_builds_every_communes_list(
    admin, officer_a, commune_a, world, client_for
):
    h = last_years_world(world)
    for name in ("poor", "near_poor", "other_commune"):
        result(world, h[name], 2025, "poor" if name != "near_poor" else "near_poor")
    result(world, h["average"], 2025, "average")
    province = world["rounds"][2025].province
    opened = round_open(actor=admin, province=province, year=2026, kind="periodic")
    entries = ReviewListEntry.objects.filter(review_round=opened)
    assert sorted((e.household_id, e.commune_id, e.previous_classification) for e in entries) == (
        sorted(
            [
                (h["poor"].pk, commune_a.pk, "poor"),
                (h["near_poor"].pk, commune_a.pk, "near_poor"),
                (h["other_commune"].pk, h["other_commune"].commune_id, "poor"),
            ]
        )
    )
    assert AuditEvent.objects.get(action="round_open", target_id=opened.pk).changes["added"] == 3
    # The officer sees the commune's list at once, without building it.
    page = client_for(officer_a).get(list_url(opened, commune_a)).content.decode()
    assert h["poor"].head_name in page.split('id="add"')[0]


def test_an_application_is_recorded_and_shown_with_its_date_applicant_and_number(
    officer_a, commune_a, world, client_for
):
    review_round = world["rounds"][2025]
    applicant_household = household(world, world["villages"][0])
    client = client_for(officer_a)
    answer = client.post(
        list_url(review_round, commune_a),
        {
            "household": applicant_household.public_id,
            "source": "application",
            "applied_on": "12/08/2025",
            "applicant": "Trần Thị Bình",
            "form_number": "07/ĐĐN",
        },
    )
    assert answer.status_code == 302
    entry = ReviewListEntry.objects.get(household=applicant_household)
    assert (entry.source, entry.applicant, entry.form_number, entry.added_by) == (
        "application",
        "Trần Thị Bình",
        "07/ĐĐN",
        officer_a,
    )
    assert entry.applied_on.isoformat() == "2025-08-12"
    assert AuditEvent.objects.filter(action="review_list_add").count() == 1
    page = client.get(list_url(review_round, commune_a)).content.decode()
    assert "Trần Thị Bình" in page and "07/ĐĐN" in page and "12/08/2025" in page
    assert "Hộ có đơn đề nghị" in page
    # The same application twice is refused and named, not a second row nor an error page.
    again = client.post(
        list_url(review_round, commune_a),
        {
            "household": applicant_household.public_id,
            "source": "application",
            "applied_on": "12/08/2025",
            "applicant": "Trần Thị Bình",
            "form_number": "07/ĐĐN",
        },
    )
    assert again.status_code == 200
    assert "Hộ đã có trong danh sách với nguồn này." in again.content.decode()
    assert ReviewListEntry.objects.filter(household=applicant_household).count() == 1


def test_a_proposal_needs_who_proposed_and_an_officer_addition_needs_a_reason(
    officer_a, commune_a, world, client_for
):
    review_round = world["rounds"][2025]
    target = household(world, world["villages"][0])
    client = client_for(officer_a)
    url = list_url(review_round, commune_a)
    bare = client.post(url, {"household": target.public_id, "source": "village_proposal"})
    assert bare.status_code == 200
    assert "Hãy ghi người đề xuất" in bare.content.decode()
    bare = client.post(url, {"household": target.public_id, "source": "officer"})
    assert "Hãy ghi lý do đưa hộ vào danh sách." in bare.content.decode()
    assert not ReviewListEntry.objects.exists()
    client.post(
        url,
        {
            "household": target.public_id,
            "source": "village_proposal",
            "applied_on": "20/08/2025",
            "applicant": "Trưởng thôn Lê Văn Cường",
        },
    )
    client.post(url, {"household": target.public_id, "source": "officer", "reason": "Ốm nặng"})
    assert sorted(ReviewListEntry.objects.values_list("source", flat=True)) == [
        "officer",
        "village_proposal",
    ]


def test_officer_b_gets_404_on_commune_a_list_and_readers_cannot_add(
    cast, commune_a, world, client_for
):
    review_round = world["rounds"][2025]
    target = household(world, world["villages"][0])
    other = client_for(cast["officer_b"])
    assert other.get(list_url(review_round, commune_a)).status_code == 404
    assert other.post(build_url(review_round, commune_a)).status_code == 404
    assert other.get(print_url(review_round, world["villages"][0])).status_code == 404
    post = {"household": target.public_id, "source": "officer", "reason": "x"}
    assert other.post(list_url(review_round, commune_a), post).status_code == 404
    for name in ("district_reader", "province_reader"):
        reader = client_for(cast[name])
        page = reader.get(list_url(review_round, commune_a))
        assert page.status_code == 200
        assert "Thêm vào danh sách" not in page.content.decode()
        assert reader.post(list_url(review_round, commune_a), post).status_code == 404
        assert reader.post(build_url(review_round, commune_a)).status_code == 404
    assert not ReviewListEntry.objects.exists()
    assert client_for(cast["admin"]).post(list_url(review_round, commune_a), post).status_code == (
        302
    )


def _started(client, review_round, target):
    begin = reverse(
        "survey:response_begin",
        kwargs={"round_id": review_round.public_id, "household_id": target.public_id},
    )
    assert client.post(begin).status_code == 302
    return SurveyResponse.objects.get(household=target, review_round=review_round)


def _save(client, response, section, data):
    response.refresh_from_db()
    url = reverse(
        "survey:response_section", kwargs={"public_id": response.public_id, "section": section}
    )
    answer = client.post(url, {**data, "version": response.version})
    response.refresh_from_db()
    return answer


def _submit(client, response):
    answer = client.post(
        reverse("survey:response_submit", kwargs={"public_id": response.public_id}),
        {"version": response.version},
        follow=True,
    )
    response.refresh_from_db()
    return answer.content.decode()


STOP = {"screening": "stop", "screening_reason": "Hộ có ô tô"}


def test_screening_stop_is_refused_for_last_years_near_poor_and_allowed_for_others(
    officer_a, world, client_for
):
    va = world["villages"][0]
    listed, other = household(world, va), household(world, va)
    result(world, listed, 2024, "near_poor")
    result(world, other, 2024, "average")
    client = client_for(officer_a)
    review_round = world["rounds"][2025]

    refused = _started(client, review_round, listed)
    answer = _save(client, refused, "screening", STOP)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Hộ là hộ cận nghèo của đợt 2024: không được dừng ở Phiếu A" in page
    assert "QĐ 24/2021/QĐ-TTg, Điều 4" in page and "chưa kiểm chứng" in page
    assert refused.screening != "stop"
    # A "stop" stored before last year's result was approved is refused at submission too.
    SurveyResponse.objects.filter(pk=refused.pk).update(screening="stop", screening_reason="x")
    refused.refresh_from_db()
    page = _submit(client, refused)
    assert refused.status == "draft" and refused.final_classification == ""
    assert "không được dừng ở Phiếu A" in page

    allowed = _started(client, review_round, other)
    assert _save(client, allowed, "screening", STOP).status_code == 302
    _save(client, allowed, "housing", {})
    _save(client, allowed, "income", {})
    _submit(client, allowed)
    assert allowed.status == "submitted"
    assert allowed.final_classification == "not_poor"


def test_the_printed_village_list_has_no_citizen_id_nor_birth_date(
    officer_a, commune_a, village_a, world, client_for
):
    review_round = world["rounds"][2025]
    admin = world["admin"]
    target = household_register(
        actor=admin,
        village=village_a,
        address="Xóm 3",
        head={
            "full_name": "Phạm Văn Dũng",
            "birth_year": 1961,
            "birth_date": date(1961, 4, 17),
            "sex": "male",
            "citizen_id": "035061000456",
        },
    )
    member_add(
        actor=admin,
        household=target,
        values={
            "full_name": "Phạm Thị Em",
            "birth_year": 1990,
            "sex": "female",
            "relationship": "child",
            "citizen_id": "035190000789",
        },
    )
    result(world, target, 2024, "poor")
    client = client_for(officer_a)
    client.post(build_url(review_round, commune_a))
    page = client.get(print_url(review_round, village_a)).content.decode()
    assert "Phạm Văn Dũng" in page and "Xóm 3" in page and "Hộ nghèo" in page
    digits = re.sub(r"\D", "", page)
    for secret in ("035061000456", "035190000789"):
        assert secret not in page and secret not in digits
    assert "17/04/1961" not in page and "1961" not in page
    assert "CCCD" not in page


def test_the_list_page_is_constant_in_queries(officer_a, commune_a, world, client_for):
    review_round = world["rounds"][2025]
    va = world["villages"][0]
    client = client_for(officer_a)

    def grow(n):
        for _ in range(n):
            target = household(world, va)
            result(world, target, 2024, "poor")
            result(world, target, 2025, "poor", status="submitted")
        client.post(build_url(review_round, commune_a))

    grow(1)
    few = count_queries(client, list_url(review_round, commune_a))
    grow(8)
    assert count_queries(client, list_url(review_round, commune_a)) == few
    page = client.get(list_url(review_round, commune_a)).content.decode()
    assert page.count("Đã nộp") >= 9


def test_the_round_page_and_the_village_page_link_to_the_list(
    officer_a, commune_a, village_a, world, client_for
):
    review_round = world["rounds"][2025]
    client = client_for(officer_a)
    round_page = client.get(
        reverse("survey:round_detail", kwargs={"public_id": review_round.public_id}),
        {"commune": commune_a.public_id},
    ).content.decode()
    assert list_url(review_round, commune_a) in round_page
    village_page = client.get(
        reverse(
            "survey:village_workspace",
            kwargs={"round_id": review_round.public_id, "village_id": village_a.public_id},
        )
    ).content.decode()
    assert list_url(review_round, commune_a) in village_page
    assert print_url(review_round, village_a) in village_page


def test_the_add_form_can_be_narrowed_to_one_village_of_the_commune(
    officer_a, commune_a, world, client_for
):
    h = last_years_world(world)
    va, vb, _vc = world["villages"]
    second = village_create(actor=world["admin"], commune=commune_a, name="Thôn Hai", kind="thon")
    there = household(world, second)
    review_round = world["rounds"][2025]
    client = client_for(officer_a)
    whole = client.get(list_url(review_round, commune_a)).content.decode().split('id="add"')[1]
    assert h["average"].head_name in whole and there.head_name in whole
    page = client.get(list_url(review_round, commune_a), {"village": str(va.public_id)})
    add = page.content.decode().split('id="add"')[1]
    assert h["average"].head_name in add and there.head_name not in add
    # A village of another commune is a 404, whether the user sees it or not.
    other = client.get(list_url(review_round, commune_a), {"village": str(vb.public_id)})
    assert other.status_code == 404
