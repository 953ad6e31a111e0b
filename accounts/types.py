from django.http import HttpRequest

from .models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind LoginRequiredMiddleware: its user is always one of ours."""

    user: User
