"""Standards as readable pages (every user: a result must be explainable), and the score card."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import AuthedHttpRequest
from survey.engine import Standard, available_standards, get_standard
from survey.engine.errors import UnknownStandardError

from .forms import ScoreCardUploadForm
from .intake import card_is_usable, effective_card, score_path_available
from .models import InstalledScoreCard
from .scorecard_excel import score_card_install, score_card_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _standard_or_404(code: str) -> Standard:
    try:
        return get_standard(code)
    except UnknownStandardError as exc:
        raise Http404 from exc


def standard_list(request: AuthedHttpRequest) -> HttpResponse:
    rows = [
        {"standard": s, "card": effective_card(s), "unverified": s.unverified_items()}
        for s in available_standards()
    ]
    return render(request, "survey/standard_list.html", {"rows": rows})


def standard_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    standard = _standard_or_404(code)
    card = effective_card(standard)
    return render(
        request,
        "survey/standard_detail.html",
        {
            "standard": standard,
            "card": card,
            "card_usable": card_is_usable(card),
            "score_path": score_path_available(standard),
            "installed": InstalledScoreCard.objects.filter(standard_code=code).select_related(
                "uploaded_by"
            ),
            "upload_form": ScoreCardUploadForm() if request.user.is_admin else None,
        },
    )


def score_card_template_download(request: AuthedHttpRequest, code: str) -> HttpResponse:
    standard = _standard_or_404(code)
    response = HttpResponse(score_card_template(effective_card(standard)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bang-diem-{code}.xlsx"'
    return response


@require_POST
def score_card_upload(request: AuthedHttpRequest, code: str) -> HttpResponse:
    if not request.user.is_admin:
        raise Http404
    standard = _standard_or_404(code)
    form = ScoreCardUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            score_card_install(
                actor=request.user,
                standard=standard,
                file=upload,
                file_name=upload.name,
                verified=form.cleaned_data["verified"],
                basis=form.cleaned_data["basis"],
            )
        except ValidationError as exc:
            return render(
                request,
                "survey/score_card_rejected.html",
                {"standard": standard, "errors": exc.messages},
                status=400,
            )
        messages.success(request, _("Đã cài bảng điểm cho %(c)s.") % {"c": standard.code})
    else:
        messages.error(request, _("Hãy chọn tệp Excel (.xlsx)."))
    return redirect("survey:standard_detail", code=code)
