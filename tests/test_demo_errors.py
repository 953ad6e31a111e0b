"""The demo shows the app's own error pages, never Django's technical pages (URL list, traceback).

`make demo` runs with DEMO=true over a .env that says DEBUG=true; the demo's settings are checked
in a child process started that way (settings are read once per process).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

ROOT = Path(__file__).resolve().parent.parent

DEMO_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
wrong = client.get("/no-such-page/")
static = client.get("/static/js/app.js")
print(json.dumps({
    "debug": settings.DEBUG,
    "wrong_status": wrong.status_code,
    "wrong_body": wrong.content.decode(),
    "static_status": static.status_code,
    "redirects_to_https": wrong.status_code == 301,
}))
"""


def test_a_wrong_address_in_the_demo_shows_the_apps_404_page_not_the_url_list(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL", "ALLOWED_HOSTS", "STATICFILES_BACKEND", "DEMO"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEMO": "true",
        "DEBUG": "true",  # as in the .env that `make install` writes
        "SECRET_KEY": "test-only-not-a-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", DEMO_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert not seen["redirects_to_https"]  # plain HTTP on 127.0.0.1
    assert seen["wrong_status"] == 404
    assert "Không tìm thấy trang" in seen["wrong_body"]
    assert "URLconf" not in seen["wrong_body"]
    assert "Using the URLconf" not in seen["wrong_body"]
    assert seen["static_status"] == 200  # the page's JavaScript, without collectstatic


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken)]


@pytest.mark.urls("tests.test_demo_errors")
def test_a_server_error_shows_the_apps_own_500_page_with_a_way_back(client, officer_a):
    client.raise_request_exception = False
    client.force_login(officer_a)
    response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Đã có lỗi ở máy chủ" in body
    assert 'href="/"' in body and "Về trang chủ" in body
    assert "Server Error" not in body and "boom" not in body
