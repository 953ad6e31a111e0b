"""Who is signed in, read cheaply on every page and still revocable on the server (issue 14).

- The session's user comes with the unit they serve, in one query (accounts/backends.py).
- Sessions stay in the database: logging out ends the session for whoever holds its cookie, and a
  disabled account is signed out at its next request.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import UnitModelBackend
from tests.conftest import PASSWORD


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


def test_sessions_stay_on_the_server_and_logging_out_revokes_them(officer_a, settings):
    """Decision 0018 keeps database sessions (signed cookies would be as fast and could not be
    revoked): whoever copied the cookie is signed out with the officer."""
    from django.contrib.sessions.models import Session

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    client = Client()
    key = _login(client)
    thief = Client()
    thief.cookies["sessionid"] = key
    home = reverse("households:list")
    assert thief.get(home).status_code == 200
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    answer = thief.get(home)
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_a_signed_in_session_ends_when_the_account_is_disabled(officer_a):
    client = Client()
    _login(client)
    home = reverse("households:list")
    assert client.get(home).status_code == 200
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    answer = client.get(home)
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]
