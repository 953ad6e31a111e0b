"""``python manage.py classify``: the contract of issue 3, section 4, from the outside.

Most cases run the command in-process through ``run_from_argv`` (the same path as the real
command line: argparse errors and CommandError both end in ``sys.exit(2)``), with stdin, stdout and
stderr captured. A few run a real ``python manage.py classify`` process to prove the exit status.
No database is used.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from survey.management.commands.classify import Command

ROOT = Path(__file__).resolve().parent.parent


def run(argv: list[str], stdin: str, monkeypatch, capsys) -> tuple[int, str, str]:
    """Run ``manage.py classify ARGV`` in-process; returns (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
    status = 0
    try:
        Command().run_from_argv(["manage.py", "classify", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def ok(argv: list[str], records: object, monkeypatch, capsys) -> list[dict[str, object]]:
    status, out, err = run(argv, json.dumps(records), monkeypatch, capsys)
    assert (status, err) == (0, "")
    return json.loads(out)


# --- the happy path ------------------------------------------------------------------------------


def test_year_selects_the_standard_and_each_record_gets_a_result_in_order(monkeypatch, capsys):
    records = [
        {
            "id": "h1",
            "area": "rural",
            "income_score": 140,
            "deprived": ["nutrition", "employment", "dependents"],
        },
        {"id": "h2", "area": "rural", "income_score": 140, "deprived": ["nutrition"]},
        {"id": "h3", "area": "rural", "income_per_capita": 2_250_000, "agricultural": True},
        {"id": "h4", "area": "urban", "income_per_capita": 3_000_001, "agricultural": True},
    ]
    out = ok(["--year", "2024"], records, monkeypatch, capsys)
    assert [r["id"] for r in out] == ["h1", "h2", "h3", "h4"]
    assert [r["classification"] for r in out] == ["poor", "near_poor", "average", "not_poor"]
    assert out[0] == {
        "id": "h1",
        "standard": "vn-2022-2025",
        "classification": "poor",
        "deprivation_score": 30,
        "deprived": ["employment", "dependents", "nutrition"],
        "reason": out[0]["reason"],
    }
    assert "Hộ nghèo" in str(out[0]["reason"])


@pytest.mark.parametrize(
    ("argv", "standard"),
    [
        (["--year", "2016"], "vn-2016-2020"),
        (["--year", "2021"], "vn-2016-2020"),
        (["--year", "2022"], "vn-2022-2025"),
        (["--year", "2026"], "vn-2022-2025"),
        (["--year", "2027"], "vn-2026-2030"),
        (["--year", "2030"], "vn-2026-2030"),
        (["--standard", "vn-2016-2020"], "vn-2016-2020"),
    ],
)
def test_year_or_standard_code_chooses_the_standard(argv, standard, monkeypatch, capsys):
    out = ok(argv, [{"id": "x", "area": "urban", "income_per_capita": 0}], monkeypatch, capsys)
    assert out[0]["standard"] == standard


def test_2016_2020_score_rule_and_income_rule_apply(monkeypatch, capsys):
    records = [
        {"id": "a", "area": "rural", "income_score": 120},
        {"id": "b", "area": "urban", "income_per_capita": 900_000},
        {"id": "c", "area": "rural", "income_per_capita": 1_400_000, "agricultural": True},
    ]
    out = ok(["--standard", "vn-2016-2020"], records, monkeypatch, capsys)
    assert [r["classification"] for r in out] == ["poor", "poor", "not_poor"]


def test_input_file_is_read_instead_of_stdin(tmp_path, monkeypatch, capsys):
    path = tmp_path / "households.json"
    path.write_text(json.dumps([{"id": "f", "area": "rural", "income_per_capita": 1}]), "utf-8")
    status, out, err = run(
        ["--year", "2028", "--input", str(path)], "not read", monkeypatch, capsys
    )
    assert (status, err) == (0, "")
    assert json.loads(out)[0]["classification"] == "near_poor"


def test_extra_fields_are_ignored_and_an_empty_array_gives_an_empty_array(monkeypatch, capsys):
    out = ok(
        ["--year", "2023"],
        [{"id": "e", "area": "rural", "income_per_capita": 5, "household_head": "Nguyễn Văn A"}],
        monkeypatch,
        capsys,
    )
    assert out[0]["classification"] == "near_poor"
    assert ok(["--year", "2023"], [], monkeypatch, capsys) == []


# --- bad input: exit status 2, message on stderr naming record and field, nothing on stdout ------


GOOD = {"id": "ok-1", "area": "rural", "income_per_capita": 1_000_000}


@pytest.mark.parametrize(
    ("record", "names"),
    [
        ({"area": "rural", "income_score": 10}, ["vị trí 1", '"id"']),
        ({"id": 5, "area": "rural", "income_score": 10}, ["vị trí 1", '"id"']),
        ({"id": "bad-area", "area": "city", "income_score": 10}, ['"bad-area"', '"area"']),
        ({"id": "no-area", "income_score": 10}, ['"no-area"', '"area"']),
        (
            {"id": "neg-score", "area": "rural", "income_score": -0.5},
            ['"neg-score"', '"income_score"'],
        ),
        (
            {"id": "str-score", "area": "rural", "income_score": "high"},
            ['"str-score"', '"income_score"'],
        ),
        (
            {"id": "neg-inc", "area": "rural", "income_per_capita": -1},
            ['"neg-inc"', '"income_per_capita"'],
        ),
        (
            {"id": "str-inc", "area": "rural", "income_per_capita": "1tr"},
            ['"str-inc"', '"income_per_capita"'],
        ),
        (
            {"id": "foreign", "area": "rural", "income_score": 1, "deprived": ["waste_treatment"]},
            ['"foreign"', '"deprived[0]"'],
        ),
        (
            {"id": "no-evidence", "area": "urban", "deprived": []},
            ['"no-evidence"', "income_score/income_per_capita"],
        ),
        (
            {"id": "agri", "area": "urban", "income_score": 1, "agricultural": 1},
            ['"agri"', '"agricultural"'],
        ),
        ("just a string", ["vị trí 1"]),
    ],
)
def test_bad_record_exits_2_naming_record_and_field_with_nothing_on_stdout(
    record, names, monkeypatch, capsys
):
    status, out, err = run(["--year", "2024"], json.dumps([GOOD, record]), monkeypatch, capsys)
    assert status == 2
    assert out == ""
    for name in names:
        assert name in err


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("[{", "không phải JSON hợp lệ"),
        ('{"id": "h1", "area": "rural", "income_score": 1}', "phải là một mảng JSON"),
        ("null", "phải là một mảng JSON"),
    ],
)
def test_input_that_is_not_a_json_array_exits_2(stdin, message, monkeypatch, capsys):
    status, out, err = run(["--year", "2024"], stdin, monkeypatch, capsys)
    assert (status, out) == (2, "")
    assert message in err


def test_income_score_under_2026_2030_exits_2_saying_why(monkeypatch, capsys):
    record = {"id": "s27", "area": "rural", "income_score": 100, "income_per_capita": 1_000_000}
    status, out, err = run(["--year", "2027"], json.dumps([record]), monkeypatch, capsys)
    assert (status, out) == (2, "")
    assert '"s27"' in err and '"income_score"' in err
    assert "vn-2026-2030 không phân loại theo điểm" in err
    assert "thang điểm" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--year", "2015"],
        ["--year", "2031"],
        ["--year", "soon"],
        ["--standard", "vn-1999-2000"],
        ["--year", "2024", "--standard", "vn-2022-2025"],
        [],
        ["--year", "2024", "--input", "/nonexistent/households.json"],
    ],
)
def test_bad_options_exit_2_with_nothing_on_stdout(argv, monkeypatch, capsys):
    status, out, err = run(argv, json.dumps([GOOD]), monkeypatch, capsys)
    assert (status, out) == (2, "")
    assert err.strip()


def test_one_bad_record_among_many_prints_no_partial_results(monkeypatch, capsys):
    records = [dict(GOOD, id=f"g{i}") for i in range(50)]
    records.insert(30, {"id": "broken", "area": "rural"})
    status, out, err = run(["--year", "2024"], json.dumps(records), monkeypatch, capsys)
    assert (status, out) == (2, "")
    assert '"broken"' in err and "vị trí 30" in err


# --- the real process ----------------------------------------------------------------------------


def _manage(argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "test-only-not-a-secret")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "classify", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_real_process_writes_json_and_exits_0():
    done = _manage(
        ["--year", "2019"], json.dumps([{"id": "p", "area": "rural", "income_score": 110}])
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)[0]["classification"] == "poor"


def test_real_process_exits_2_on_bad_input_with_empty_stdout():
    done = _manage(["--year", "2024"], json.dumps([{"id": "q", "area": "town", "income_score": 1}]))
    assert (done.returncode, done.stdout) == (2, "")
    assert '"q"' in done.stderr and '"area"' in done.stderr


def test_real_process_exits_2_when_both_year_and_standard_are_given():
    done = _manage(["--year", "2024", "--standard", "vn-2022-2025"], "[]")
    assert (done.returncode, done.stdout) == (2, "")
    assert "not allowed with argument" in done.stderr
