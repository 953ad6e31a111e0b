"""Security headers on every page: a strict Content-Security-Policy and a Permissions-Policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("who", [None, "officer_a"])
def test_pages_carry_a_strict_content_security_policy(who, request, client, client_for, db):
    if who:
        client = client_for(request.getfixturevalue(who))
        url = reverse("households:list")
    else:
        url = reverse("accounts:login")
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # htmx must not inject its indicator style, which style-src 'self' would block.
    assert '"includeIndicatorStyles": false' in response.content.decode()


def test_pages_switch_off_browser_features_the_app_never_uses(client, db):
    response = client.get(reverse("accounts:login"))
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_no_template_has_inline_script_or_style():
    """Inline code would be refused by the policy: behaviour lives in static/js, looks in CSS."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(pattern, text)]
    assert offenders == []
