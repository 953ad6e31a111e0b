"""Every URL is closed to anonymous users, and opens without a server error for each role."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User

PUBLIC = {"accounts:login", "set_language", "healthz"}


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _url(name: str, pattern: URLPattern, public_id: uuid.UUID) -> str:
    kwargs = {key: public_id for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


ALL_NAMES = sorted(name for name, _ in _named_patterns())


def test_the_walk_finds_the_urls_of_every_app():
    expected = {"home", "units:unit_detail", "accounts:user_list", "households:detail"}
    assert expected <= set(ALL_NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in ALL_NAMES if n not in PUBLIC])
def test_anonymous_request_is_sent_to_login(client, name):
    pattern = dict(_named_patterns())[name]
    url = _url(name, pattern, uuid.uuid4())
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.django_db
def test_public_pages_answer_anonymous_users(client):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("healthz")).content == b"ok"


@pytest.mark.parametrize(
    "role",
    [
        "officer_a",
        "officer_b",
        "district_reader",
        "province_reader",
        "admin",
        "surveyor_a",
        "village_head_a",
    ],
)
def test_every_page_opens_for_every_role_without_a_server_error(
    role, cast, village_a, household_a, round_2025, client_for
):
    user: User = cast[role]
    client = client_for(user)
    target_for = {
        "accounts:user_edit": cast["officer_a"].public_id,
        "accounts:user_password_reset": cast["officer_a"].public_id,
        "units:unit_detail": village_a.parent.public_id,
        "units:village_add": village_a.parent.public_id,
        "units:village_edit": village_a.public_id,
        "households:detail": household_a.public_id,
        "households:edit": household_a.public_id,
        "households:member_new": household_a.public_id,
        "households:member_edit": household_a.members.get().public_id,
        "households:split": household_a.public_id,
        "households:merge": household_a.public_id,
        "households:close": household_a.public_id,
        "survey:round_detail": round_2025.public_id,
        "accounts:field_edit": cast["surveyor_a"].public_id,
    }
    for name, pattern in _named_patterns():
        if name in {"accounts:logout", "accounts:user_password_reset", "set_language"}:
            continue
        url = _url(name, pattern, target_for.get(name, uuid.uuid4()))
        response = client.get(url)
        assert response.status_code in {200, 302, 404, 405}, (role, url, response.status_code)


def test_officer_a_opens_every_page_of_own_objects(officer_a, village_a, household_a, client_for):
    client = client_for(officer_a)
    member = household_a.members.get()
    for name, public_id in [
        ("units:unit_detail", village_a.parent.public_id),
        ("units:village_add", village_a.parent.public_id),
        ("units:village_edit", village_a.public_id),
        ("households:detail", household_a.public_id),
        ("households:edit", household_a.public_id),
        ("households:member_new", household_a.public_id),
        ("households:member_edit", member.public_id),
    ]:
        url = reverse(name, kwargs={"public_id": public_id})
        assert client.get(url).status_code == 200, url
    for name in ("households:list", "households:new", "accounts:audit_list"):
        assert client.get(reverse(name)).status_code == 200, name
