from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose otherwise with the language switch (a cookie).

    The browser's Accept-Language is ignored on purpose: many commune offices run an English
    Windows and browser, and their officers should still get the Vietnamese forms.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` from settings.PERMISSIONS_POLICY ({"camera": [], ...}).

    Ten lines of our own rather than a package: the header is one fixed string built once, and a
    dependency would have to follow Django releases for it. An empty list switches a feature off
    ("camera=()"); origins may be listed ("self" or a quoted URL) if a page ever needs one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        policy: dict[str, list[str]] = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in sorted(policy.items())
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
