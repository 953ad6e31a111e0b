"""Turning a service's ValidationError into what the user sees: one way, for every view.

Services raise `ValidationError` (a dict names the fields, a list or a message does not). A view
calls `form_add_service_error` when it has a form, and `message_service_error` when it redirects.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest


def form_add_service_error(
    form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    aliases = aliases or {}
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def service_error_text(exc: ValidationError) -> str:
    """All of a service error's messages as one line (for a flash message or a command's stderr)."""
    return " ".join(exc.messages)


def message_service_error(request: HttpRequest, exc: ValidationError) -> None:
    """Show a service's ValidationError as error messages on the next page, one per problem."""
    for message in exc.messages:
        messages.error(request, message)


def run_service_step(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    """Take a service step from a POST that redirects: its success message, or its refusal as
    error messages; a PermissionDenied (a unit out of the user's reach) is a 404."""
    try:
        action()
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        message_service_error(request, exc)
    else:
        messages.success(request, success)
