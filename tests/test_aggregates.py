"""The per-commune aggregates of the reports (reports.aggregates, decision record 0017): exact
after any sequence of writes, checked by counting again from the forms."""

from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from areas.models import AdminUnit
from households.models import Household
from households.services import household_close, household_merge, household_split, member_add
from reports.aggregates import fold_marks, rebuild, verify
from reports.models import CommuneFact, FactMark, MovementFact
from reports.selectors import (
    TARGETS,
    ReportTables,
    movement_facts,
    movements_both,
    report_scope,
    summary,
)
from survey.models import ResponseCause, ResponseDeprivation, SurveyResponse
from tests.factories import household, result

CLASSES = ("poor", "near_poor", "average", "not_poor")
S = SurveyResponse.Status


def _response(world, h, year=2025):
    return SurveyResponse.objects.filter(review_round=world["rounds"][year], household=h).first()


def _submit(world, h, final, members):
    found = _response(world, h)
    if found is None:
        found = result(world, h, 2025, final, status=S.SUBMITTED, members=members)
    else:
        SurveyResponse.objects.filter(pk=found.pk).update(
            status=S.SUBMITTED, final_classification=final, computed_classification=final
        )
    return found


def _set_status(world, h, status):
    SurveyResponse.objects.filter(review_round=world["rounds"][2025], household=h).update(
        status=status
    )


def _apply(world, pool, step):
    kind, i, j, final, members = step
    h = pool[i % len(pool)]
    h.refresh_from_db()
    other = pool[j % len(pool)]
    admin = world["admin"]
    if kind == "submit":
        _submit(world, h, final, members)
    elif kind in ("approve", "return", "reopen", "post"):
        status = {"approve": S.APPROVED, "return": S.RETURNED, "reopen": S.DRAFT, "post": S.POSTED}
        _set_status(world, h, status[kind])
    elif kind == "override":
        SurveyResponse.objects.filter(review_round=world["rounds"][2025], household=h).update(
            final_classification=final, override_reason="lý do"
        )
    elif kind == "deprive":
        found = _response(world, h)
        if found is not None:
            ResponseDeprivation.objects.get_or_create(response=found, indicator="nutrition")
            ResponseCause.objects.get_or_create(response=found, cause="illness")
    elif kind == "undeprive":
        ResponseDeprivation.objects.filter(response__household=h).delete()
    elif kind == "delete_draft":
        SurveyResponse.objects.filter(household=h, status=S.DRAFT).delete()
    elif kind == "previous":  # the previous round's approved result changes (a correction)
        found = _response(world, h, 2024)
        if found is None:
            result(world, h, 2024, final, members=members)
        else:
            SurveyResponse.objects.filter(pk=found.pk).update(
                final_classification=final, computed_classification=final
            )
    elif kind == "move" and h.status == Household.Status.ACTIVE:
        village = world["villages"][j % len(world["villages"])]
        Household.objects.filter(pk=h.pk).update(village=village, commune=village.parent)
    elif kind == "split" and h.status == Household.Status.ACTIVE:
        head = h.members.filter(status="present", relationship="child").first()
        if head is not None:
            new = household_split(
                actor=admin,
                source=h,
                members=[head],
                new_head=head,
                address="y",
                reason="tách hộ",
            )
            Household.objects.filter(pk=new.pk).update(
                created_at=timezone.make_aware(datetime(2025, 3, 1))
            )
            pool.append(new)
    elif kind == "merge" and h.pk != other.pk and h.commune_id == other.commune_id:
        if h.status == other.status == Household.Status.ACTIVE:
            household_merge(actor=admin, source=h, target=other, reason="nhập hộ")
    elif kind == "close" and h.status == Household.Status.ACTIVE:
        household_close(
            actor=admin, household=h, status=Household.Status.MOVED_AWAY, reason="chuyển đi"
        )


STEPS = st.tuples(
    st.sampled_from(
        [
            "submit",
            "approve",
            "return",
            "reopen",
            "post",
            "override",
            "deprive",
            "undeprive",
            "delete_draft",
            "previous",
            "move",
            "split",
            "merge",
            "close",
        ]
    ),
    st.integers(0, 7),
    st.integers(0, 7),
    st.sampled_from(CLASSES),
    st.integers(1, 6),
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=10))
def test_aggregates_equal_the_forms_after_any_sequence_of_writes(world, steps):
    """Submissions, returns, approvals, reopenings, overrides, deprivations, corrections of the
    previous round, moves, splits, merges and closings in any order: after each, every stored
    figure of both rounds equals the same figure counted from the forms."""
    rounds = world["rounds"]
    try:
        with transaction.atomic():  # each example starts from the same world
            pool = []
            for index, village in enumerate(world["villages"] * 2):
                h = household(world, village)
                member_add(  # a second person, who may split off
                    actor=world["admin"],
                    household=h,
                    values={
                        "full_name": f"Con {index}",
                        "birth_year": 1995,
                        "sex": "female",
                        "ethnicity": "01",
                        "relationship": "child",
                    },
                )
                if index % 2 == 0:
                    result(world, h, 2024, CLASSES[index % 3], members=index + 1)
                pool.append(h)
            for review_round in rounds.values():
                fold_marks(review_round)
            for step in steps:
                _apply(world, pool, step)
                for year in (2024, 2025):
                    assert verify(rounds[year]) == [], step
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


def test_a_write_marks_its_commune_in_its_own_transaction(world):
    rnd = world["rounds"][2025]
    rebuild(rnd)
    village = world["villages"][0]
    assert not FactMark.objects.filter(review_round_id=rnd.pk).exists()
    with transaction.atomic():
        result(world, household(world, village), 2025, "poor")
        marks = set(
            FactMark.objects.filter(review_round_id=rnd.pk).values_list("kind", "commune_id")
        )
    assert marks == {("r", village.parent_id), ("m", village.parent_id)}
    # The next report folds them: the province's summary counts the new household.
    report = summary(report_scope(rnd, rnd.province))
    assert report.total.poor == 1
    assert not FactMark.objects.filter(review_round_id=rnd.pk).exists()


def test_a_draft_saved_again_marks_nothing(world):
    rnd = world["rounds"][2025]
    draft = result(world, household(world, world["villages"][0]), 2025, "poor", status=S.DRAFT)
    rebuild(rnd)
    SurveyResponse.objects.filter(pk=draft.pk).update(member_count=5, final_classification="")
    assert not FactMark.objects.filter(review_round_id=rnd.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement triggers: PostgreSQL")
def test_a_bulk_insert_writes_one_mark_per_commune_not_per_form(world):
    rnd = world["rounds"][2025]
    rebuild(rnd)
    village = world["villages"][0]
    homes = [household(world, village) for _ in range(30)]
    FactMark.objects.all().delete()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            review_round=rnd,
            household=h,
            commune=h.commune,
            village=h.village,
            status=S.APPROVED,
            computed_classification="poor",
            final_classification="poor",
            member_count=2,
            created_by=world["admin"],
        )
        for h in homes
    )
    assert FactMark.objects.filter(review_round_id=rnd.pk).count() == 2  # "r" and "m"
    assert summary(report_scope(rnd, rnd.province)).total.poor == 30


def test_the_fold_makes_the_same_queries_for_one_commune_or_three(world):
    rnd = world["rounds"][2025]
    rebuild(rnd)

    def fold_after(villages) -> int:
        for village in villages:
            result(world, household(world, village), 2025, "near_poor")
        with CaptureQueriesContext(connection) as captured:
            assert fold_marks(rnd) > 0
        return len(captured.captured_queries)

    assert fold_after(world["villages"][:1]) == fold_after(world["villages"])


def test_verify_aggregates_command_finds_a_tampered_figure_and_rebuilds(world, capsys):
    rnd = world["rounds"][2025]
    result(world, household(world, world["villages"][0]), 2025, "poor")
    call_command("verify_aggregates", "--round", "2025")
    assert "Số liệu tổng hợp khớp với các phiếu." in capsys.readouterr().out
    # A figure changed behind the app's back (no trigger fires on the aggregates themselves).
    fact = CommuneFact.objects.get(review_round=rnd, basis="approved", family="summary")
    CommuneFact.objects.filter(pk=fact.pk).update(data={**fact.data, "poor": 7})
    MovementFact.objects.filter(review_round=rnd).update(n=9)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_aggregates", "--round", "2025")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "summary" in out and "stored {" in out and "movement" in out
    with pytest.raises(SystemExit):
        call_command("verify_aggregates", "--round", rnd.public_id.hex, "--rebuild")
    assert "còn 0 chênh lệch" in capsys.readouterr().out
    call_command("verify_aggregates")  # every round: exact again


def test_a_new_succession_rebuilds_every_round(world):
    from areas.models import UnitSuccession

    rnd = world["rounds"][2025]
    rebuild(rnd)
    commune = AdminUnit.objects.filter(level="commune", path__startswith=rnd.province.path).first()
    UnitSuccession.objects.create(
        predecessor=commune, successor=commune, is_default=True, source="test"
    )
    assert FactMark.objects.filter(review_round_id=rnd.pk, commune_id__isnull=True).exists()


def test_fold_aggregates_command_folds_every_round(world, capsys):
    result(world, household(world, world["villages"][0]), 2025, "poor")
    result(world, household(world, world["villages"][1]), 2024, "near_poor")
    assert FactMark.objects.exists()
    call_command("fold_aggregates")
    assert "Đã cập nhật số liệu tổng hợp:" in capsys.readouterr().out
    assert not FactMark.objects.exists()
    assert all(verify(r) == [] for r in world["rounds"].values())


def test_a_province_by_commune_reads_each_communes_stored_movement_rows(world):
    """The province's movement tables by commune come from each commune's stored rows and a
    total from the groups summed by district: the same tables as placing every stored group,
    with a household that moved between two districts leaving one row and entering another
    (but not the total). A tampered row is a difference `verify` reports."""
    rnd = world["rounds"][2025]
    stay_village, away_village = world["villages"][0], world["villages"][2]
    assert stay_village.parent.parent_id != away_village.parent.parent_id  # two districts
    moved, stayed = household(world, stay_village), household(world, stay_village)
    result(world, moved, 2024, "poor")
    result(world, stayed, 2024, "near_poor")
    result(world, stayed, 2025, "poor")
    Household.objects.filter(pk=moved.pk).update(village=away_village, commune=away_village.parent)
    moved.refresh_from_db()
    result(world, moved, 2025, "poor", members=4)
    scope = report_scope(rnd, rnd.province, by="commune")
    stored = ReportTables(scope).movements
    placed = movements_both(scope, movement_facts(scope))
    for target in TARGETS:
        for part in ("households", "persons", "households_total", "persons_total"):
            assert getattr(stored[target], part) == getattr(placed[target], part), (target, part)
    poor = {row.unit: row for row in stored["poor"].households}
    home = poor[stay_village.parent]
    assert (home.dec_other, home.inc_other_class) == (1, 1)
    assert poor[away_village.parent].inc_other == 1
    total = stored["poor"].households_total
    assert (total.start, total.dec_other, total.inc_other, total.end) == (1, 0, 0, 2)
    # Tampered: verify names the row.
    CommuneFact.objects.filter(
        review_round=rnd, family="movement_rows", commune=away_village.parent
    ).update(data={})
    assert {d.what for d in verify(rnd)} == {"movement_rows"}
