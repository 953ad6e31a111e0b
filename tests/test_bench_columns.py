"""The benchmark writes its big tables with COPY in the columns the models declare, not in a list
kept by hand: every column of the model is written, and one the generator cannot fill fails by name.
"""

import random

import pytest

from accounts.models import User
from households.models import Household
from survey.engine import get_standard
from survey.models import ResponseDeprivation, ReviewRound, SurveyResponse
from tools.bench_reports import RESPONSE_GIVEN, CopyLayout, _Generator


def generator() -> _Generator:
    rounds = {2025: ReviewRound(pk=11), 2024: ReviewRound(pk=10)}
    indicators = [i.key for i in get_standard("vn-2022-2025").indicators]
    return _Generator(random.Random(1), rounds, User(pk=7), indicators)


def columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def test_every_column_of_the_models_is_written_in_the_models_order():
    g = generator()
    assert list(g.households.columns) == columns(Household)
    assert list(g.responses[2025].columns) == columns(SurveyResponse)
    # The deprivation rows' id is left to its sequence.
    assert list(g.deprivations.columns) == [c for c in columns(ResponseDeprivation) if c != "id"]


def test_a_line_has_one_value_per_column_and_the_model_defaults_where_not_given():
    g = generator()
    households, members, responses, deprivations, answers, _next = g.batch(
        100, 500, [(1, 2, n) for n in range(1, 41)]
    )
    for lines, layout in (
        (households, g.households),
        (members, g.members),
        (responses, g.responses[2025]),
        (deprivations, g.deprivations),
    ):
        assert lines
        for line in lines:
            assert len(line.split("\t")) == len(layout.columns)
    for line in answers:  # causes ("c") and needs ("n") of the poor and near-poor
        layout = g.causes if line[0] == "c" else g.needs
        assert len(line[1:].split("\t")) == len(layout.columns) == 2
    first = dict(zip(g.responses[2025].columns, responses[0].split("\t"), strict=True))
    assert first["card_answers"] == "{}" and first["card_flags"] == "[]"  # the fields' defaults
    assert first["income_score_by_hand"] == "f" and first["version"] == "1"
    assert first["explanation"] == "\\N"  # nullable, no default
    assert first["review_round_id"] == "11" and first["status"] == "approved"
    # Each household's members, the head first under the household's own name; no CCCD twice.
    member_rows = [dict(zip(g.members.columns, m.split("\t"), strict=True)) for m in members]
    heads = [m for m in member_rows if m["relationship"] == "head"]
    assert [m["household_id"] for m in heads] == [str(100 + n) for n in range(40)]
    head_names = [dict(zip(g.households.columns, h.split("\t"), strict=True)) for h in households]
    assert [m["full_name"] for m in heads] == [h["head_name"] for h in head_names]
    ids = [m["citizen_id"] for m in member_rows if m["citizen_id"] != "\\N"]
    assert len(ids) == len(set(ids)) and all(len(i) == 12 for i in ids)
    assert all(m["status"] == "present" for m in member_rows)


def test_a_not_null_column_without_default_that_the_generator_does_not_fill_fails_by_name():
    given = [c for c in RESPONSE_GIVEN if c != "household_id"]
    with pytest.raises(RuntimeError, match="household_id"):
        CopyLayout(
            SurveyResponse,
            given,
            {"review_round_id": 1, "created_at": "x", "updated_at": "x", "created_by_id": 1},
        )


def test_a_column_the_model_does_not_have_fails_by_name():
    with pytest.raises(RuntimeError, match="no_such_column"):
        CopyLayout(ResponseDeprivation, ["response_id", "indicator", "no_such_column"])
