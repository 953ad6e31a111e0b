"""Every command README.md prints works as printed, on a fresh clone after ``make install``.

The test reads README.md: the set-up commands (the ``sh`` block under "Two commands on a fresh
machine") and the first cell of every table headed "command". Each one is run here (``RUNS``, or a
test of its own named in ``OWN_TEST``) or named in ``NOT_RUN`` with the reason; a README command in
none of them fails the test, and so does an entry here that the README no longer prints.

Commands run through ``sh -c`` exactly as printed (placeholders such as ``CODE`` filled in), in a
fresh copy of this working tree: the files git tracks or would track, which is what a clone of this
work holds, so no ``.env``, no ``db.sqlite3``. The environment is clean: no DEBUG, SECRET_KEY,
DATABASE_URL or anything else of the test session's (``make test`` exports DEBUG=false and
PostgreSQL), only PATH, HOME and a throw-away SQLite ``DATABASE_URL`` for the commands that need
data. Only the venv is shared: the copy's ``.venv`` is a link to this checkout's (building one takes
minutes and the network), so the copy's ``make install`` finds it up to date and writes ``.env``.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
PY = ".venv/bin/python manage.py"

# A small input for `classify`, following the contract in survey/engine/records.py.
RECORDS_JSON = """[
  {"id": "h1", "area": "rural", "income_score": 140,
   "deprived": ["nutrition", "employment", "dependents"]},
  {"id": "h2", "area": "urban", "income_per_capita": 5000000}
]
"""


@dataclass(frozen=True)
class Step:
    """One command, typed as a shell would get it, and a line (or part of one) it must print."""

    command: str
    prints: str
    writes: str | None = None  # a workbook it must write, relative to the project directory
    holds: str = ""  # a value of a cell of that workbook's first sheet


# README command (as printed) -> the steps that run it, in order, on one fresh migrated database.
# Steps that only provide data are README commands too.
RUNS: dict[str, list[Step]] = {
    f"{PY} load_units [--legacy]": [
        Step(f"{PY} load_units --legacy", "vn-legacy: thêm 105, cập nhật 0, giữ nguyên 0"),
        Step(f"{PY} load_units", "vn-2025: thêm 3355, cập nhật 0, giữ nguyên 0"),
    ],
    f"{PY} load_units --successions": [
        Step(f"{PY} load_units --legacy", "vn-legacy: thêm 105"),
        Step(f"{PY} load_units", "vn-2025: thêm 3355"),
        Step(f"{PY} load_units --successions", "Đơn vị kế thừa: thêm 104, giữ nguyên 0, bỏ qua 0"),
    ],
    f"{PY} create_commune_accounts --province CODE [--legacy]": [
        Step(f"{PY} load_units --legacy", "vn-legacy: thêm 105"),
        Step(
            f"{PY} create_commune_accounts --province 35 --legacy",
            "Tỉnh Hà Nam: đã tạo 98 tài khoản cán bộ xã",
        ),
    ],
    f"{PY} seed_demo": [
        Step(f"{PY} seed_demo", "Tài khoản mẫu (mật khẩu: demo):"),
        # Idempotent, says the README: a second run goes through and lists the same logins.
        Step(f"{PY} seed_demo", "xa-13504"),
    ],
    f"{PY} classify --year YEAR < records.json": [
        Step(
            f"{PY} classify --year 2024 < records.json",
            '[{"id": "h1", "standard": "vn-2022-2025", "classification": "poor", '
            '"deprivation_score": 30,',
        ),
    ],
    f"{PY} export_report --round YEAR --unit CODE --out FILE.xlsx [--user U] [--households]": [
        Step(f"{PY} seed_demo", "xa-13504"),
        Step(
            f"{PY} export_report --round 2024 --unit 352 --out report-352.xlsx",
            "Đã ghi report-352.xlsx: 15 dòng đơn vị — Huyện Bình Lục, Rà soát định kỳ năm 2024",
            writes="report-352.xlsx",
            holds="Đơn vị: Huyện Bình Lục, Tỉnh Hà Nam",
        ),
        Step(
            f"{PY} export_report --round 2024 --unit 13504 --out ds-13504.xlsx"
            " --user xa-13504 --households",
            "Đã ghi ds-13504.xlsx: 1 dòng hộ — Xã Bình Nghĩa",
            writes="ds-13504.xlsx",
            holds="Nguyễn Văn Hùng",  # the demo's poor household head in Xã Bình Nghĩa
        ),
    ],
    f"{PY} purge_downloads": [
        Step(f"{PY} purge_downloads", "Đã xoá 0 tệp hết hạn; 0 việc bị treo được đánh dấu lỗi."),
    ],
    f"{PY} verify_aggregates [--round ROUND] [--rebuild]": [
        Step(f"{PY} seed_demo", "xa-13504"),
        Step(f"{PY} verify_aggregates --round 2024", "Số liệu tổng hợp khớp với các phiếu."),
    ],
    f"{PY} fold_aggregates": [
        Step(f"{PY} seed_demo", "xa-13504"),
        Step(f"{PY} fold_aggregates", "Đã cập nhật số liệu tổng hợp:"),
    ],
    f"{PY} integrity_report --round YEAR --unit CODE [--json]": [
        Step(f"{PY} seed_demo", "xa-13504"),
        Step(
            f"{PY} integrity_report --round 2024 --unit 35",
            "Dấu hiệu cần xem xét — Tỉnh Hà Nam, Rà soát định kỳ năm 2024",
        ),
        # The demo's planted split in Thành phố Phủ Lý, found again as JSON.
        Step(f"{PY} integrity_report --round 2024 --unit 347 --json", '"kind": "split"'),
    ],
}

# README commands with a test of their own below.
OWN_TEST: dict[str, str] = {
    "make install": "test_make_install_writes_a_development_env_once_and_never_overwrites_it",
    "make demo": "test_make_demo_serves_the_demo_and_its_commune_officer_can_log_in",
}

NOT_RUN: dict[str, str] = {
    f"{PY} import_households --commune CODE FILE.xlsx [--legacy] [--dry-run] [--user USERNAME]": (
        "needs a commune's workbook: tests/test_household_import.py runs this command with files "
        "it builds (a valid list, each kind of row error, the same file twice, a changed file)"
    ),
    f"{PY} db_worker": (
        "runs until it is stopped; tests/test_background_downloads.py runs it with --batch on a "
        "queued job, and the make demo test starts it beside the server"
    ),
    "make test": (
        "runs the whole suite, this test included (it would start itself again); "
        "CI runs it (.ci/run)"
    ),
    "make check": (
        "ruff, mypy and makemigrations over the whole tree take minutes on a 2-core machine; "
        "CI runs it (.ci/run) right before make test"
    ),
    "make messages": (
        "rewrites the English catalogue (locale/en), which is regenerated only on purpose, and "
        "needs GNU gettext, which neither make install nor .ci/run installs"
    ),
}
# `make bench`, `make bench-engine` and any other `make bench-*` row.
BENCH_REASON = (
    "the bench family builds or classifies about 1,000,000 synthetic households: it needs a big "
    "PostgreSQL database and minutes; tests/test_bench_smoke.py runs the report bench at a tiny "
    "scale"
)


def is_bench(command: str) -> bool:
    return command == "make bench" or command.startswith("make bench-")


# --- reading the README ---------------------------------------------------------------------------


def readme_commands() -> list[str]:
    """The set-up block's commands, then the first cell of every table headed "command"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"^## Two commands on a fresh machine\s*\n+```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL
    )
    assert block, "README.md has no sh block under '## Two commands on a fresh machine'"
    commands = [
        line.split("#", 1)[0].strip()
        for line in block.group(1).splitlines()
        if line.split("#", 1)[0].strip()
    ]
    in_table = False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        first = line.strip().strip("|").split("|")[0].strip()
        if first == "command":
            in_table = True
        elif in_table and not set(first) <= set("-: "):
            cell = re.fullmatch(r"`([^`]+)`", first)
            assert cell, f"a README command cell is not one `command`: {first!r}"
            commands.append(cell.group(1))
    return commands


def printed_as(template: str) -> re.Pattern[str]:
    """What typing ``template`` may give: [optional parts] present or not, PLACEHOLDERS filled."""

    def part(text: str) -> str:
        out, pos = "", 0
        for match in re.finditer(r" \[([^\]]+)\]|\b[A-Z][A-Z_]*\b(\.[a-z]+)?", text):
            out += re.escape(text[pos : match.start()])
            if match.group(1):
                out += f"(?: {part(match.group(1))})?"
            else:
                out += r"\S+" + re.escape(match.group(2) or "")
            pos = match.end()
        return out + re.escape(text[pos:])

    return re.compile(part(template))


# --- a fresh clone and a clean environment --------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR") if name in os.environ}
    return {**env, "LANG": "C.UTF-8", **extra}


def sh(command: str, cwd: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fresh_clone(into: Path) -> Path:
    """This working tree as a clone of it would hold it, with this checkout's venv linked in."""
    venv = ROOT / ".venv"
    stamp = venv / ".installed"
    assert stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime, (
        "run `make install` first: the copy's `make install` must find the shared venv up to date"
    )
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not there
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)  # mtimes kept: make sees the venv up to date
    (into / ".venv").symlink_to(venv)
    return into


@dataclass(frozen=True)
class Project:
    dir: Path
    migrated: Path  # an SQLite database with every migration applied, to copy


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    clone = fresh_clone(tmp_path_factory.mktemp("clone"))
    assert not (clone / ".env").exists()
    installed = sh("make install", clone)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Wrote .env for development" in installed.stdout
    (clone / "records.json").write_text(RECORDS_JSON, encoding="utf-8")
    migrated = tmp_path_factory.mktemp("db") / "migrated.sqlite3"
    result = sh(f"{PY} migrate --noinput", clone, DATABASE_URL=f"sqlite:///{migrated}")
    assert result.returncode == 0, result.stdout + result.stderr
    return Project(clone, migrated)


# --- the tests ------------------------------------------------------------------------------------


def test_every_readme_command_is_run_here_or_named_with_the_reason_it_is_not():
    commands = readme_commands()
    assert "make demo" in commands and "make test" in commands  # the set-up block was read
    unhandled = [
        c
        for c in commands
        if c not in RUNS and c not in OWN_TEST and c not in NOT_RUN and not is_bench(c)
    ]
    assert unhandled == [], "README commands this test neither runs nor excuses"
    stale = (set(RUNS) | set(OWN_TEST) | set(NOT_RUN)) - set(commands)
    assert stale == set(), "commands handled here that README.md no longer prints"
    for test_name in OWN_TEST.values():
        assert callable(globals().get(test_name)), test_name


def test_each_step_run_here_is_a_readme_command_as_printed():
    patterns = [printed_as(template) for template in readme_commands()]
    for steps in RUNS.values():
        for step in steps:
            assert any(p.fullmatch(step.command) for p in patterns), step.command
    assert not printed_as(f"{PY} load_units [--legacy]").fullmatch(f"{PY} load_units --current")


@pytest.mark.parametrize("template", list(RUNS), ids=lambda t: t.split()[2])
def test_readme_command_runs_as_printed(project: Project, template: str, tmp_path: Path):
    database = tmp_path / "db.sqlite3"
    shutil.copyfile(project.migrated, database)
    for step in RUNS[template]:
        result = sh(step.command, project.dir, DATABASE_URL=f"sqlite:///{database}")
        assert result.returncode == 0, f"{step.command}\n{result.stdout}\n{result.stderr}"
        assert any(step.prints in line for line in result.stdout.splitlines()), (
            f"{step.command} did not print {step.prints!r}:\n{result.stdout}"
        )
        if step.writes:
            sheet = openpyxl.load_workbook(project.dir / step.writes).worksheets[0]
            assert step.holds in {cell for row in sheet.iter_rows(values_only=True) for cell in row}


def test_make_install_writes_a_development_env_once_and_never_overwrites_it(
    project: Project, tmp_path: Path
):
    env_file = project.dir / ".env"
    written = env_file.read_text()
    assert "DEBUG=true" in written.splitlines()
    key = re.search(r"^SECRET_KEY=(\S{50,})$", written, re.MULTILINE)
    assert key, "no generated SECRET_KEY of at least 50 characters in .env"
    assert env_file.stat().st_mode & 0o077 == 0, ".env holds a secret: readable by its owner only"
    assert subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0

    again = sh("make install", project.dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to be done for 'install'" in again.stdout
    assert env_file.read_text() == written

    # Another clone, where nothing is exported and there is no .env yet: as in production, the app
    # refuses to start without a SECRET_KEY.
    clone = fresh_clone(tmp_path)
    (clone / "records.json").write_text(RECORDS_JSON, encoding="utf-8")
    refused = sh(f"{PY} classify --year 2024 < records.json", clone)
    assert refused.returncode == 1
    assert "SECRET_KEY is not set" in refused.stderr
    assert refused.stdout == ""

    # A .env of the developer's own is kept as it is, and used.
    own = "DEBUG=true\nSECRET_KEY=the-developer-s-own-key-kept-by-make-install-0123456789\n"
    (clone / ".env").write_text(own)
    kept = sh("make install", clone)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert (clone / ".env").read_text() == own
    show = f"{PY} shell -c 'from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)'"
    assert sh(show, clone).stdout.splitlines()[-1] == (
        "True the-developer-s-own-key-kept-by-make-install-0123456789"
    )

    # The environment wins over .env, as `make test` (DEBUG=false ...) needs.
    overridden = sh(show, clone, DEBUG="false", SECRET_KEY="from-the-environment", SECURE_SSL="0")
    assert overridden.returncode == 0, overridden.stderr
    assert overridden.stdout.splitlines()[-1] == "False from-the-environment"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_demo_serves_the_demo_and_its_commune_officer_can_log_in(project: Project):
    """`make demo` as printed (with PORT, as the README offers), minus its endless runserver:
    it is stopped once the officer of the README has logged in and seen the commune."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = project.dir / "demo.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["sh", "-c", "make demo"],
            cwd=project.dir,
            env=clean_env(PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, runserver and its reloader
        )
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, f"make demo stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer on {base}/healthz:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    assert response.read() == b"ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(1)
        printed = log.read_text()
        assert "xa-13504" in printed and "huyen-352" in printed, printed  # the demo logins
        assert f"Mở http://127.0.0.1:{port}/" in printed

        # The README: log in as xa-13504 (password demo): the page shows Xã Bình Nghĩa.
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login_page = browser.open(f"{base}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
        assert token, login_page[:500]
        form = {"csrfmiddlewaretoken": token.group(1), "username": "xa-13504", "password": "demo"}
        home = browser.open(
            f"{base}/accounts/login/", urllib.parse.urlencode(form).encode(), timeout=30
        )
        assert "/accounts/login/" not in home.geturl()
        assert "Xã Bình Nghĩa" in home.read().decode()

        # The README: the worker runs beside the server, so tinh-35's province list is made.
        assert "Tệp đã sẵn sàng" in province_list_made_in_the_background(base)
    finally:
        stop(server)


def province_list_made_in_the_background(base: str) -> str:
    """Log in as tinh-35, press "Danh sách hộ (Excel)" on the province report, wait for the job."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_page = browser.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token, login_page[:500]
    form = {"csrfmiddlewaretoken": token.group(1), "username": "tinh-35", "password": "demo"}
    browser.open(f"{base}/accounts/login/", urllib.parse.urlencode(form).encode(), timeout=30)
    report = browser.open(f"{base}/reports/", timeout=30).read().decode()
    start = re.search(r'<form method="post" action="([^"]+/households/job[^"]*)"', report)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', report)
    assert start and token, report[:500]
    status = browser.open(
        base + start.group(1).replace("&amp;", "&"),
        urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode(),
        timeout=30,
    )
    status_url = status.geturl()
    assert "/downloads/" in status_url, status_url
    deadline = time.monotonic() + 120
    while True:
        page = browser.open(status_url, timeout=30).read().decode()
        if "hx-trigger" not in page or time.monotonic() > deadline:  # no longer waiting
            return page
        time.sleep(1)


def stop(server: subprocess.Popen[bytes]) -> None:
    """End the process group this test started (make, runserver and its reloader), by its id."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue
