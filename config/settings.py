"""One settings module, read from the environment (12-factor).

Defaults make a fresh clone run (SQLite file, DEBUG off); production sets DATABASE_URL, SECRET_KEY,
ALLOWED_HOSTS. With DEBUG off there is no default SECRET_KEY: the app refuses to start.

A development checkout also has a git-ignored ``.env`` beside ``manage.py``, written once by
``make install`` (DEBUG=true and a generated SECRET_KEY), so that
``.venv/bin/python manage.py ...`` works with nothing exported. The real environment always wins
over it (``make test`` sets DEBUG=false this way); production has no ``.env``, so DEBUG stays off
and a missing SECRET_KEY still stops the app.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# Fills in only what the environment does not set (override=False); no file, nothing happens.
load_dotenv(BASE_DIR / ".env", override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# `make demo`: the app as officers see it (DEBUG off: its own 404 and 500 pages, never Django's
# technical pages with the URL list or a traceback), but on a laptop: plain HTTP on 127.0.0.1,
# static files served straight from the apps and static/ without collectstatic. One switch rather
# than four overrides on the Makefile's command line, and it wins over the .env's DEBUG=true.
DEMO = env_bool("DEMO", False)
DEBUG = env_bool("DEBUG", False) and not DEMO
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "for development, `make install` writes a .env with DEBUG=true and a generated key."
        )
    SECRET_KEY = "insecure-dev-only-key-never-used-when-debug-is-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or DEMO else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "js_lib_bootstrap5",
    "axes",
    "csp",
    "core",
    "areas",
    "accounts",
    "households",
    "survey",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.uploads.UploadSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs seconds on the report aggregates and saves nothing on OLTP queries
    # (measured with `make bench`: the movements query spent 5 of its 5.5 s compiling).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica for the report pages and workbooks (docs/decisions/0016): their reads go there
# inside core.db.reports_read(); every other read and every write stays on the primary. Without
# DATABASE_REPLICA_URL the router sends everything to "default", as if it were not there.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Under test it is the primary's test database seen through a second connection.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
REPORTS_READ_DATABASE = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["core.db.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, but the session's user is read with its unit (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UnitModelBackend",
]
# Password guessing: after 10 failures for the same username from the same address, that pair
# waits 15 minutes. Per pair, so that one commune office behind a shared address is not locked out
# by a neighbour, and unknown usernames are counted like known ones (nothing reveals which exist).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind a reverse proxy, the number of proxies in front of the app (X-Forwarded-For).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Ours where Django's message lacks a Vietnamese translation or the rule needs more
# (accounts/passwords.py). 10 characters: these accounts read households' citizen IDs.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.NotCurrentPasswordValidator"},
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first; English available through the language switch.
LANGUAGE_CODE = "vi"
# Each language named in itself, so a user who cannot read the current one still finds theirs.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEMO
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# The demo has no collectstatic: WhiteNoise finds the files where they live, as runserver does.
WHITENOISE_USE_FINDERS = DEMO
WHITENOISE_AUTOREFRESH = DEBUG or DEMO  # WhiteNoise's own default is DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions stay in the database (revocable: logging out deletes the row). Reading them from Redis
# or from signed cookies measured no faster per page (decision 0018).
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): every script, style, font and image comes from the app
# itself (no CDN, see DESIGN.md), no inline script or style, no eval. Bootstrap's CSS draws its
# icons (navbar toggler, select arrow, validation marks) as data: SVG images, hence img-src data:.
# htmx's injected indicator style is turned off in base.html (htmx-config), so style-src stays
# 'self'. The server-side SVG charts are markup, not script, and need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the app never uses, off for every page (config/middleware.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

if not DEBUG:
    # Behind TLS in production. An intranet deployment without TLS sets SECURE_SSL=false.
    _secure = env_bool("SECURE_SSL", not DEMO)
    SESSION_COOKIE_SECURE = _secure
    CSRF_COOKIE_SECURE = _secure
    SECURE_SSL_REDIRECT = _secure
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if _secure else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _secure)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The review procedure. A posting of a village's list may be recorded a few days after the paper
# was put up (the officer types it in back at the commune office), but no earlier than this: a
# start date further back would let the 3-working-day window and its complaints pass unseen. The
# window always counts from the later of the start date and the day it is recorded.
POSTING_BACKDATE_GRACE_DAYS = int(os.environ.get("POSTING_BACKDATE_GRACE_DAYS", "3"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Lockouts and failures are warnings; its start-up banner on every command is noise.
        "axes": {"level": "WARNING"},
    },
}

# Uploads. A request body over DATA_UPLOAD_MAX_MEMORY_SIZE (non-file fields) is refused by Django;
# a file over FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, not to memory. A multipart
# request larger than the workbook cap (plus room for the form's other fields) is refused by
# `core.uploads.UploadSizeLimitMiddleware` before its body is parsed. A workbook is then checked
# and read through `core.workbooks` within the caps below (see docs/decisions/0006).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
WORKBOOK_MAX_BYTES = int(float(os.environ.get("UPLOAD_MAX_MB", "10")) * 1024 * 1024)
# An over-large upload is read and dropped up to this size so the browser shows the answer.
UPLOAD_DRAIN_MAX_BYTES = 64 * 1024 * 1024
WORKBOOK_MAX_UNCOMPRESSED_BYTES = 120 * 1024 * 1024
WORKBOOK_MAX_PART_BYTES = 80 * 1024 * 1024
WORKBOOK_MAX_RATIO = 200
WORKBOOK_MAX_ROWS = int(os.environ.get("WORKBOOK_MAX_ROWS", "50000"))
WORKBOOK_MAX_COLUMNS = int(os.environ.get("WORKBOOK_MAX_COLUMNS", "100"))
# Cells in a workbook (empty styled ones too): a commune list of 18,000 × 20 is 360,000.
WORKBOOK_MAX_CELLS = int(os.environ.get("WORKBOOK_MAX_CELLS", "500000"))

# Background jobs (docs/decisions/0015): Django's tasks API through the django-tasks backport.
# TASKS_BACKEND=database (the default): the jobs wait in the app's own database and
# `manage.py db_worker` runs them (`make demo` starts one beside the server); several workers, on
# one machine or several, may run at once (each claims a job with SELECT … FOR UPDATE SKIP LOCKED).
# TASKS_BACKEND=redis: the jobs wait in Redis (REDIS_URL) and `manage.py rqworker --job-class
# django_tasks_rq.Job` runs them (needs the `redis` extra: pip install -e '.[redis]').
# TASKS_BACKEND=immediate: each job runs inside the request that starts it (no worker at all).
TASKS_BACKEND = (os.environ.get("TASKS_BACKEND") or "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, got {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
# django-rq's queues, read only by the Redis backend and its worker.
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60 * 60}}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# Files made by background jobs (the household list of a district or a province): in a private
# directory, never served as static or media files, only through the job's own view to the user
# who started it, and deleted DOWNLOADS_KEEP_HOURS after they are ready (`manage.py
# purge_downloads`, and each new job purges what has expired). Several app servers and workers
# must share this directory.
DOWNLOADS_ROOT = Path(os.environ.get("DOWNLOADS_ROOT") or BASE_DIR / "var" / "downloads")
DOWNLOADS_KEEP_HOURS = int(os.environ.get("DOWNLOADS_KEEP_HOURS", "24"))
