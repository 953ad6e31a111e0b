"""Settings come from the environment and fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        # The test session's own settings must not leak into the app it starts.
        if k
        not in {"SECRET_KEY", "DEBUG", "SECURE_SSL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    # Set, though empty: the environment wins over a developer's .env, as in production. The case
    # with no .env at all (a fresh clone) is in test_readme_commands.py.
    result = manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_in_a_production_like_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a" * 20 + "-production-like-secret-key-of-fifty-chars!",
        ALLOWED_HOSTS="ranoheo.example.gov.vn",
    )
    assert result.returncode == 0, result.stderr + result.stdout


GOOD_KEY = "a" * 20 + "-production-like-secret-key-of-fifty-chars!"


def deploy_check(key: str) -> subprocess.CompletedProcess[str]:
    return manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=key,
        ALLOWED_HOSTS="ranoheo.example.gov.vn",
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-but-varied-key-0123456789", "31 characters"),
        ("ab" * 30, "2 distinct characters"),
        ("django-insecure-" + "x7#k2@pq9!mz4&wv8^ty3*re6$ub1%on5(lf0)", "django-insecure-"),
        ("test-only-not-a-secret", "22 characters"),
    ],
    ids=["short", "few-unique", "insecure-prefix", "makefile-test-key"],
)
def test_deploy_check_fails_with_an_error_on_a_weak_secret_key(key, reason):
    result = deploy_check(key)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "core.E001" in result.stderr
    assert "SECRET_KEY is too weak" in result.stderr
    assert reason in result.stderr


def test_a_strong_secret_key_passes_the_deploy_check_at_error_level():
    result = deploy_check(GOOD_KEY)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "core.E001" not in result.stderr + result.stdout


def test_the_plain_check_does_not_run_deploy_checks():
    """`make check` and the test settings use a short key: only `check --deploy` judges it."""
    result = manage("check", DEBUG="false", SECRET_KEY="test-only-not-a-secret")
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        ("", "django_tasks_db.DatabaseBackend"),
        ("redis", "django_tasks_rq.RQBackend"),
        ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
    ],
)
def test_tasks_backend_is_chosen_by_the_environment(name, backend):
    show = (
        "from django.conf import settings as s; from django_tasks import task_backends as t; "
        "print(s.TASKS['default']['BACKEND'], type(t['default']).__name__)"
    )
    result = manage("shell", "-c", show, DEBUG="true", TASKS_BACKEND=name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [backend, backend.rsplit(".", 1)[1]]


def test_an_unknown_tasks_backend_is_refused():
    result = manage("check", DEBUG="true", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of database, redis, immediate" in result.stderr
