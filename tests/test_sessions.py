"""Who is signed in, read cheaply on every page and still revocable on the server (issue 14).

- The session's user comes with the unit they serve, in one query (accounts/backends.py).
- With REDIS_URL set, sessions are read from Redis and kept in the database too ("cached_db"):
  logging out still ends the session for whoever holds its cookie, and a disabled account is
  signed out at its next request, whatever the cache holds.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import UnitModelBackend
from tests.conftest import PASSWORD
from tests.test_settings import manage

CACHED_DB = "django.contrib.sessions.backends.cached_db"


def test_the_signed_in_user_comes_with_their_unit_in_one_query(officer_a, client_for):
    user = UnitModelBackend().get_user(officer_a.pk)
    assert user is not None
    with CaptureQueriesContext(connection) as captured:
        assert user.unit.name == "Xã Bình Nghĩa"
    assert captured.captured_queries == []
    # Through a page: the session, then the user with the unit; no query for the unit alone.
    client = client_for(officer_a)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("households:list")).status_code == 200
    unit_alone = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "areas_adminunit"."id"')
        and f'"areas_adminunit"."id" = {officer_a.unit_id}' in q["sql"]
    ]
    assert unit_alone == []


def test_a_disabled_or_deleted_account_has_no_user(officer_a):
    backend = UnitModelBackend()
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert backend.get_user(officer_a.pk) is None
    assert backend.get_user(10**9) is None


def _login(client):
    answer = client.post(reverse("accounts:login"), {"username": "xa-13504", "password": PASSWORD})
    assert answer.status_code == 302
    return client.cookies["sessionid"].value


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = CACHED_DB
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_cached_sessions_are_read_from_the_cache_and_logging_out_revokes_them(
    officer_a, cached_sessions
):
    from django.contrib.sessions.models import Session

    client = Client()
    key = _login(client)
    assert Session.objects.filter(session_key=key).exists()  # the database keeps the record
    home = reverse("households:list")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(home).status_code == 200
    assert not any("django_session" in q["sql"] for q in captured.captured_queries)

    # Someone who copied the cookie before the officer logged out gets nothing after it.
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get(home).status_code == 200
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    answer = thief.get(home)
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_cached_sessions_end_when_the_account_is_disabled(officer_a, cached_sessions):
    client = Client()
    _login(client)
    home = reverse("households:list")
    assert client.get(home).status_code == 200
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    answer = client.get(home)
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def _session_engine(**env):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE); "
        "print(settings.CACHES['default']['BACKEND'])",
        DEBUG="true",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-2:]  # (after the shell's note of its automatic imports)


def test_redis_url_switches_sessions_to_redis_backed_by_the_database():
    assert _session_engine(REDIS_URL="") == [
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
    assert _session_engine(REDIS_URL="redis://127.0.0.1:6379/0") == [
        CACHED_DB,
        "django.core.cache.backends.redis.RedisCache",
    ]
