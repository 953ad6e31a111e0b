from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import healthz
from survey.board_views import board

urlpatterns = [
    path("", board, name="home"),
    path("", include("households.unit_urls")),
    path("", include("households.urls")),
    path("", include("survey.urls")),
    path("", include("reports.urls")),
    path("", include("reports.download_urls")),
    path("accounts/", include("accounts.urls")),
    # The language switch sits on the login page too: it only sets a cookie.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
]
