"""Settings come from the environment and fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

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
