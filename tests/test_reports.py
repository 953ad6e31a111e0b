"""Report numbers against counts done independently in the test, on small rounds built by hand."""

from decimal import Decimal

from areas.services import unit_resolve
from households.models import Household
from reports.selectors import deprivations, movements, rate, report_scope, summary
from survey.models import (
    ProvinceTarget,
    ResponseDeprivation,
)
from tests.factories import household, result


def test_summary_by_district_and_by_commune_matches_independent_counts(world):
    va, vb, vc = world["villages"]
    made = [
        (va, "poor", "approved", 4, {"head_minority": True}),
        (va, "poor", "approved", 2, {"has_person_of_merit": True}),
        (va, "near_poor", "approved", 5, {}),
        (va, "average", "approved", 3, {}),
        (va, "not_poor", "approved", 6, {}),
        (va, "poor", "posted", 7, {}),  # not approved: counted only on the "submitted" basis
        (vb, "near_poor", "approved", 1, {"no_labour_capacity": True}),
        (vb, "poor", "draft", 2, {}),  # a draft never counts
        (vc, "poor", "approved", 2, {}),
    ]
    for village, final, status, members, flags in made:
        result(
            world, household(world, village), 2025, final, status=status, members=members, **flags
        )
    override = household(world, va)
    result(world, override, 2025, "near_poor", computed="poor", members=2)

    province = world["rounds"][2025].province
    report = summary(report_scope(world["rounds"][2025], province))
    by_label = {row.label: row for row in report.rows}
    assert len(report.rows) == 6  # the six districts of Hà Nam
    binh_luc = by_label["Huyện Bình Lục"]
    approved_bl = [m for m in made if m[2] == "approved" and m[0] in (va, vb)]
    assert binh_luc.poor == sum(1 for m in approved_bl if m[1] == "poor")
    assert binh_luc.near_poor == sum(1 for m in approved_bl if m[1] == "near_poor") + 1
    assert binh_luc.average == 1
    assert binh_luc.poor_persons == 4 + 2
    assert binh_luc.near_poor_persons == 5 + 1 + 2
    assert binh_luc.total_households == 1000 + 800
    assert binh_luc.poor_rate == rate(2, 1800)
    assert binh_luc.poor_minority == 1 and binh_luc.poor_merit == 1
    assert binh_luc.near_poor_no_labour == 1
    assert binh_luc.overrides == 1
    assert by_label["Thành phố Phủ Lý"].poor == 1
    assert report.total.poor == 3
    assert report.total.total_households == 3800
    assert report.total.surveyed == sum(1 for m in made if m[2] == "approved") + 1

    provisional = summary(report_scope(world["rounds"][2025], province, basis="submitted"))
    assert provisional.total.poor == 4

    district = unit_resolve("352", edition=province.edition)
    by_commune = summary(report_scope(world["rounds"][2025], district))
    rows = {row.label: row for row in by_commune.rows}
    assert len(by_commune.rows) == 15
    assert rows["Xã Bình Nghĩa"].poor == 2 and rows["Xã Tràng An"].near_poor == 1
    assert rows["Xã Bình Nghĩa"].total_households == 1000


def test_target_and_gap_in_percentage_points(world):
    province = world["rounds"][2025].province
    ProvinceTarget.objects.create(
        province=province, year=2025, target_poverty_rate="0.05", recorded_by=world["admin"]
    )
    va = world["villages"][0]
    for _ in range(3):
        result(world, household(world, va), 2025, "poor")
    report = summary(report_scope(world["rounds"][2025], province))
    assert report.total.poor_rate == rate(3, 3800) == Decimal("0.08")
    assert report.target_gap == Decimal("0.03")


def test_movements_put_every_household_in_exactly_one_bucket_and_balance(world):
    va, vb, _vc = world["villages"]
    stay = household(world, va)
    result(world, stay, 2024, "poor", members=3)
    result(world, stay, 2025, "poor", members=4)  # one more person in a household still poor
    to_near = household(world, va)
    result(world, to_near, 2024, "poor", members=2)
    result(world, to_near, 2025, "near_poor", members=2)
    above = household(world, va)
    result(world, above, 2024, "poor", members=5)
    result(world, above, 2025, "not_poor", members=5)
    gone = household(world, vb)
    result(world, gone, 2024, "poor", members=1)
    Household.objects.filter(pk=gone.pk).update(status="moved_away")
    from_near = household(world, vb)
    result(world, from_near, 2024, "near_poor", members=6)
    result(world, from_near, 2025, "poor", members=6)
    returned = household(world, vb)
    result(world, returned, 2023, "poor", members=2)
    result(world, returned, 2024, "not_poor", members=2)
    result(world, returned, 2025, "poor", members=2)
    new = household(world, va)
    result(world, new, 2025, "poor", members=3)
    split_off = household(world, va, split_after_2024=True)
    result(world, split_off, 2025, "poor", members=1)

    district = va.parent.parent
    report = movements(report_scope(world["rounds"][2025], district))
    assert report.previous_round == world["rounds"][2024]
    t = report.households_total
    assert (t.start, t.dec_other_class, t.dec_above_line, t.dec_other) == (4, 1, 1, 1)
    assert (t.inc_other_class, t.inc_returned, t.inc_new, t.inc_other, t.end) == (1, 1, 1, 1, 5)
    p = report.persons_total
    assert p.start == 3 + 2 + 5 + 1
    assert p.end == 4 + 6 + 2 + 3 + 1
    assert p.inc_other == 1 + 1  # the split-off household's person and the stay household's gain
    for row in [*report.households, t, *report.persons, p]:
        assert row.balanced, row

    near = movements(report_scope(world["rounds"][2025], district), target="near_poor")
    n = near.households_total
    assert (n.start, n.end, n.inc_other_class, n.dec_other_class) == (1, 1, 1, 1)
    assert all(row.balanced for row in [*near.households, n, *near.persons, near.persons_total])


def test_deprivations_count_poor_and_near_poor_households_per_indicator(world):
    va = world["villages"][0]
    cases = [
        ("poor", ["health_insurance", "water_source"]),
        ("poor", ["water_source"]),
        ("near_poor", ["water_source", "housing_area"]),
        ("not_poor", ["water_source"]),
    ]
    for final, keys in cases:
        response = result(world, household(world, va), 2025, final)
        ResponseDeprivation.objects.bulk_create(
            ResponseDeprivation(response=response, indicator=k) for k in keys
        )
    scope = report_scope(world["rounds"][2025], world["rounds"][2025].province)
    rows = {row.key: row for row in deprivations(scope, summary(scope).total)}
    assert list(rows) == list(scope.standard.indicator_keys)
    assert (rows["water_source"].poor, rows["water_source"].near_poor) == (2, 1)
    assert rows["water_source"].poor_rate == Decimal("100.00")
    assert (rows["health_insurance"].poor, rows["housing_area"].near_poor) == (1, 1)
    assert rows["health_insurance"].poor_rate == Decimal("50.00")
    assert rows["employment"].poor == 0
