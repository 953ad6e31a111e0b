"""A request carrying a file bigger than any upload we accept is refused before its body is parsed.

Django has no cap on a file field (DATA_UPLOAD_MAX_MEMORY_SIZE counts only the other fields, and a
big file is streamed to a temporary file): without this, a 500 MB upload is read to disk in full
before a view can say no. The middleware compares the request's Content-Length with the workbook
cap (plus room for the form's other fields) and answers 400 with a page that says why.

The body is read and thrown away (64 KB at a time, up to UPLOAD_DRAIN_MAX_BYTES) before answering:
a server that answers and closes while the browser is still sending makes the browser show
"connection reset" instead of the page. Past that amount the connection is closed unread; the
reverse proxy's own body limit (e.g. nginx client_max_body_size) is the guard for such requests.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

DRAIN_CHUNK = 1 << 16


def upload_body_limit() -> int:
    """The largest multipart body accepted: one workbook and the form's other fields."""
    return int(settings.WORKBOOK_MAX_BYTES) + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _drain(request: HttpRequest, length: int) -> bool:
    """Read and drop the body so the client gets the answer; False when it is too big for that."""
    if length > settings.UPLOAD_DRAIN_MAX_BYTES:
        return False
    try:
        while request.read(DRAIN_CHUNK):
            pass
    except OSError:
        return False
    return True


class UploadSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            length = _content_length(request)
            if length > upload_body_limit():
                drained = _drain(request, length)
                message = _("Tệp quá lớn (%(size)s MB): chỉ nhận tệp tối đa %(max)s MB.") % {
                    "size": f"{length / (1 << 20):.1f}".replace(".", ","),
                    "max": f"{settings.WORKBOOK_MAX_BYTES / (1 << 20):.1f}".replace(".", ","),
                }
                response = render(
                    request, "core/upload_refused.html", {"errors": [message]}, status=400
                )
                if not drained:
                    response["Connection"] = "close"
                return response
        return self.get_response(request)
