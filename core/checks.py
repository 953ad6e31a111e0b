"""Deploy checks of our own (`manage.py check --deploy`).

Django's security.W009 only warns about a weak SECRET_KEY, and a warning does not stop a deploy
script that runs `check --deploy` with the default fail level (ERROR). A guessable key lets anyone
forge session cookies and password-reset tokens, so here it is an error.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MIN_LENGTH = 50
MIN_UNIQUE = 5
INSECURE_PREFIX = "django-insecure-"


@register(Tags.security, deploy=True)
def check_secret_key_strength(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    problems = []
    if len(key) < MIN_LENGTH:
        problems.append(f"it has {len(key)} characters (at least {MIN_LENGTH} needed)")
    if len(set(key)) < MIN_UNIQUE:
        problems.append(f"it has {len(set(key))} distinct characters (at least {MIN_UNIQUE})")
    if key.startswith(INSECURE_PREFIX):
        problems.append(f"it starts with {INSECURE_PREFIX!r} (a key made for development)")
    if not problems:
        return []
    return [
        Error(
            "SECRET_KEY is too weak for production: " + "; ".join(problems) + ".",
            hint=(
                "Generate one with: python -c 'from django.core.management.utils import "
                "get_random_secret_key; print(get_random_secret_key())' and set it in the "
                "environment."
            ),
            id="core.E001",
        )
    ]
