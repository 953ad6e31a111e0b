"""Page benchmark on the bench province (issue 14): ``python -m tools.bench_pages``.

Needs PostgreSQL (``DATABASE_URL=postgres://...``) and the bench province of
``tools.bench_reports`` already generated in that database (``make bench`` or
``tools.bench_reports.generate``). Prints ``key=value`` lines on standard output:

- ``form_section_save_per_s``, ``form_submit_per_s`` (``measure_form_submits``): a commune
  officer of one bench commune, through Django's test client in this process, registers new
  households in the commune (not timed: the bench households all have their 2025 form already),
  opens each one's 2025 form, saves its four sections (Phiếu A, housing, income, needs) and
  submits it. All inside one transaction that is rolled back at the end: the bench data is left
  as it was, and a second call does the same work again.
- ``healthz_rps``, ``household_list_rps``, ``running_score_rps`` and the ratios
  ``household_list_vs_healthz``, ``running_score_vs_healthz`` (``measure_load``): real HTTP
  against ``gunicorn config.wsgi`` (sync workers, as in production) started on a free port with
  production-like settings (DEBUG off), by a few client threads with keep-alive connections,
  logged in as a commune officer through a session cookie made here (``/healthz`` without it, as
  a health probe asks). The household list is the
  officer's ``/households/`` (first page of the largest bench commune); the running score the
  HTMX preview that recomputes the score while the officer types (``survey:response_preview``)
  on one of the commune's 2025 forms (it saves nothing). The three endpoints are measured in
  turns, several times each, and the ratios are of the totals.

The officer account used by the load run (``bench-pages-officer``) and its session are deleted
at the end (a user refers to its unit: leaving it would stop ``drop_bench_data``).
"""

# Django is set up below before the models are imported when run as a script (E402).
# ruff: noqa: E402

from __future__ import annotations

import os
import sys

EXIT_NOT_POSTGRES = 2


def _bootstrap() -> None:
    """Run as a script: refuse anything but PostgreSQL, then set Django up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    scheme = os.environ.get("DATABASE_URL", "").split("://", 1)[0].lower()
    if scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        print(
            "tools.bench_pages: the benchmark runs on PostgreSQL only (on the bench province of "
            "tools.bench_reports). Set DATABASE_URL=postgres://...",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NOT_POSTGRES)
    import django

    django.setup()


if __name__ == "__main__":
    _bootstrap()

import http.client
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Count
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse

from accounts.models import User
from areas.models import AdminUnit
from households.models import Household
from households.services import household_register
from survey.models import SurveyResponse
from tools.bench_reports import World, bench_world

OFFICER_USERNAME = "bench-pages-officer"
FORM_COUNT = 30  # households whose forms are filled and submitted, per call
LOAD_SECONDS = 15.0  # per endpoint, in turns
LOAD_TURNS = 3
LOAD_THREADS = 4
WORKERS = 2
GOAL_RATIO = 0.10
FORM_SECTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("screening", {"screening": "proceed", "screening_reason": ""}),
    (
        "housing",
        {
            "floor_area_m2": "6",
            "wall_durable": "true",
            "column_durable": "true",
            "roof_durable": "true",
            "water_source": "surface",
            "latrine_hygienic": "false",
        },
    ),
    ("income", {"income_score_manual": "130"}),
    ("needs", {"poverty_causes": ["capital"], "support_needs": ["production"]}),
)
# What the officer types in the housing section while the running score follows.
TYPING = {
    "floor_area_m2": "24",
    "wall_durable": "true",
    "column_durable": "true",
    "roof_durable": "false",
    "water_source": "piped",
    "latrine_hygienic": "true",
}


def _note(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _largest_commune(world: World) -> AdminUnit:
    """The bench commune with the most households (its officer has the longest list)."""
    top = (
        Household.objects.filter(commune__path__startswith=world.province.path)
        .values("commune_id")
        .annotate(n=Count("id"))
        .order_by("-n", "commune_id")
        .first()
    )
    if top is None:
        raise RuntimeError("tools.bench_pages: the bench province has no households")
    return AdminUnit.objects.get(pk=top["commune_id"])


def _officer(commune: AdminUnit) -> User:
    user = User.objects.filter(username=OFFICER_USERNAME).first()
    if user is None:
        user = User(username=OFFICER_USERNAME, first_name="Benchmark")
        user.set_unusable_password()
    user.role, user.unit, user.is_active, user.must_change_password = (
        User.Role.COMMUNE_OFFICER,
        commune,
        True,
        False,
    )
    user.save()
    return user


def _drop_officer(session_key: str = "") -> None:
    if session_key:
        Session.objects.filter(session_key=session_key).delete()
    User.objects.filter(username=OFFICER_USERNAME).delete()


# --- Saving sections and submitting forms, in process ---------------------------------------------


class _Rollback(Exception):
    pass


def _client() -> Client:
    """A test client speaking to a host the settings allow, over HTTPS (production redirects
    plain HTTP): out of the test runner, ``testserver`` is not an allowed host."""
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    host = "testserver" if "testserver" in settings.ALLOWED_HOSTS or not hosts else hosts[0]
    return Client(SERVER_NAME=host, HTTP_HOST=host)


def _post(client: Client, url: str, data: dict[str, Any]) -> None:
    result = client.post(url, data, secure=True)
    if result.status_code != 302:
        raise RuntimeError(
            f"tools.bench_pages: POST {url} answered {result.status_code}, not a redirect: "
            f"{result.content.decode()[:500]}"
        )


def measure_form_submits(world: World, count: int = FORM_COUNT) -> dict[str, str]:
    """Fill and submit the 2025 forms of ``count`` new households of the largest bench commune.

    Through the pages, as a commune officer: open the form, save its four sections, submit.
    Everything (the officer, the households, the forms, the audit trail) is rolled back at the
    end, so the same call can be repeated and leaves the bench figures untouched.
    """
    if world.review_round.status != world.review_round.Status.OPEN:
        raise RuntimeError("tools.bench_pages: the bench round 2025 is not open for forms")
    commune = _largest_commune(world)
    village = AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE).first()
    assert village is not None
    figures: dict[str, str] = {}
    try:
        with transaction.atomic():
            officer = _officer(commune)
            households = [
                household_register(
                    actor=officer,
                    village=village,
                    address=f"Hộ mới {i + 1}, thôn trung tâm",
                    head={
                        "full_name": f"Nguyễn Văn Thử {i + 1}",
                        "birth_year": 1980,
                        "sex": "male",
                        "ethnicity": "01",
                    },
                )
                for i in range(count)
            ]
            client = _client()
            client.force_login(officer)
            started = time.perf_counter()
            responses = []
            for household in households:
                url = reverse(
                    "survey:response_begin",
                    kwargs={
                        "round_id": world.review_round.public_id,
                        "household_id": household.public_id,
                    },
                )
                _post(client, url, {})
                responses.append(
                    SurveyResponse.objects.only("public_id", "version").get(
                        review_round=world.review_round, household=household
                    )
                )
            opened = time.perf_counter() - started
            saving = 0.0
            submitting = 0.0
            for response in responses:
                version = response.version
                for section, data in FORM_SECTIONS:
                    url = reverse(
                        "survey:response_section",
                        kwargs={"public_id": response.public_id, "section": section},
                    )
                    started = time.perf_counter()
                    _post(client, url, {**data, "version": version})
                    saving += time.perf_counter() - started
                    version += 1
                url = reverse("survey:response_submit", kwargs={"public_id": response.public_id})
                started = time.perf_counter()
                _post(client, url, {"version": version})
                submitting += time.perf_counter() - started
            submitted = SurveyResponse.objects.filter(
                pk__in=[r.pk for r in responses], status=SurveyResponse.Status.SUBMITTED
            ).count()
            if submitted != count:
                raise RuntimeError(
                    f"tools.bench_pages: {submitted} of {count} forms were submitted (a section "
                    "or the submission was refused)"
                )
            saves = count * len(FORM_SECTIONS)
            figures = {
                "form_open_per_s": f"{count / opened:.1f}",
                "form_section_save_per_s": f"{saves / saving:.1f}",
                "form_submit_per_s": f"{count / submitting:.1f}",
            }
            _note(
                f"  forms: {count} households of {commune.name}: opened in {opened:.2f} s, "
                f"{saves} section saves in {saving:.2f} s, {count} submissions in "
                f"{submitting:.2f} s (rolled back)"
            )
            raise _Rollback
    except _Rollback:
        pass
    return figures


# --- Requests per second over HTTP against gunicorn -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The database this process is connected to (under the tests, the test database)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"


def server_env() -> dict[str, str]:
    """The environment of the measured server: production settings (DEBUG off) on plain HTTP,
    static files from the apps (no collectstatic), this process's database and secret key."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=_database_url(),
        DEBUG="false",
        DEMO="false",
        SECURE_SSL="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


@contextmanager
def gunicorn(workers: int = WORKERS) -> Iterator[int]:
    """``gunicorn config.wsgi`` on a free port of 127.0.0.1 for the block; yields the port."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own server, no shell
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=server_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"tools.bench_pages: gunicorn exited ({process.returncode})")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("tools.bench_pages: gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: bytes = b""
    expect: bytes = b""  # in every answer (the page is the one meant, not a login page)
    logged_in: bool = True  # sends the officer's session cookie (a health probe does not)


def _hammer(
    port: int, endpoint: Endpoint, headers: dict[str, str], seconds: float, threads: int
) -> tuple[int, float, list[str]]:
    """Requests answered 200 (with the expected text) in ``seconds``, by ``threads`` clients."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    errors: list[str] = []

    sent = headers if endpoint.logged_in else {"Host": headers["Host"]}

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop:
                try:
                    conn.request(endpoint.method, endpoint.path, endpoint.body or None, sent)
                    answer = conn.getresponse()
                    body = answer.read()
                except (OSError, http.client.HTTPException) as error:  # reconnect and go on
                    conn.close()
                    errors.append(f"{endpoint.name}: {error!r}")
                    continue
                if answer.status != 200 or endpoint.expect not in body:
                    errors.append(f"{endpoint.name}: {answer.status} {body[:200]!r}")
                    return
                counts[i] += 1
        finally:
            conn.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts), time.perf_counter() - started, errors


def load_endpoints(world: World, commune: AdminUnit) -> list[Endpoint]:
    response = (
        SurveyResponse.objects.filter(review_round=world.review_round, commune=commune)
        .exclude(screening="stop")
        .order_by("id")
        .first()
    )
    if response is None:
        raise RuntimeError(f"tools.bench_pages: no 2025 form in {commune.name}")
    first_head = (
        Household.objects.filter(commune=commune, status=Household.Status.ACTIVE)
        .order_by("village__code", "head_name_key", "id")
        .values_list("head_name", flat=True)
        .first()
    )
    preview = reverse(
        "survey:response_preview", kwargs={"public_id": response.public_id, "section": "housing"}
    )
    return [
        Endpoint("healthz", "GET", "/healthz", expect=b"ok", logged_in=False),
        Endpoint(
            "household_list",
            "GET",
            reverse("households:list"),
            expect=(first_head or "").encode(),
        ),
        Endpoint(
            "running_score",
            "POST",
            preview,
            body=urlencode(TYPING).encode(),
            expect=b'id="score"',
        ),
    ]


def measure_load(
    world: World,
    seconds: float = LOAD_SECONDS,
    *,
    threads: int = LOAD_THREADS,
    workers: int = WORKERS,
    turns: int = LOAD_TURNS,
) -> dict[str, str]:
    """Requests per second of ``/healthz``, the officer's household list and the running score,
    over HTTP against gunicorn: ``seconds`` per endpoint in all, in ``turns`` turns."""
    commune = _largest_commune(world)
    _drop_officer()
    officer = _officer(commune)
    session = ""
    try:
        login = _client()
        login.force_login(officer)
        session = login.cookies[settings.SESSION_COOKIE_NAME].value
        csrf = _get_new_csrf_string()
        headers = {
            "Host": "127.0.0.1",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
            "Connection": "keep-alive",
        }
        endpoints = load_endpoints(world, commune)
        totals = {e.name: [0, 0.0] for e in endpoints}
        with gunicorn(workers) as port:
            for e in endpoints:  # warm up: imports, templates, connections of every worker
                _hammer(port, e, headers, min(1.0, seconds / 10), threads)
            for _ in range(turns):
                for e in endpoints:
                    done, elapsed, errors = _hammer(port, e, headers, seconds / turns, threads)
                    if errors:
                        raise RuntimeError(f"tools.bench_pages: {errors[0]}")
                    totals[e.name][0] += done
                    totals[e.name][1] += elapsed
    finally:
        _drop_officer(session)
    rps = {name: done / elapsed for name, (done, elapsed) in totals.items()}
    _note(
        f"  load: {commune.name}, gunicorn {workers} workers, {threads} client threads, "
        + ", ".join(f"{name} {int(done)} requests" for name, (done, _s) in totals.items())
    )
    return {
        "healthz_rps": f"{rps['healthz']:.1f}",
        "household_list_rps": f"{rps['household_list']:.1f}",
        "running_score_rps": f"{rps['running_score']:.1f}",
        "household_list_vs_healthz": f"{rps['household_list'] / rps['healthz']:.3f}",
        "running_score_vs_healthz": f"{rps['running_score'] / rps['healthz']:.3f}",
    }


def goal_lines(figures: dict[str, str]) -> list[str]:
    lines = []
    for key in ("household_list_vs_healthz", "running_score_vs_healthz"):
        value = float(figures[key])
        state = "met" if value >= GOAL_RATIO else f"MISSED by {GOAL_RATIO - value:.3f}"
        lines.append(f"# goal {key} ≥ {GOAL_RATIO:g}: {state} ({value:g})")
    return lines


def main() -> int:
    if connection.vendor != "postgresql":
        print("tools.bench_pages: the benchmark runs on PostgreSQL only.", file=sys.stderr)
        return EXIT_NOT_POSTGRES
    world = bench_world()
    figures = measure_form_submits(world)
    figures.update(measure_load(world, float(os.environ.get("BENCH_LOAD_SECONDS", LOAD_SECONDS))))
    for key, value in figures.items():
        print(f"{key}={value}", flush=True)
    for line in goal_lines(figures):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
