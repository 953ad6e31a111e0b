from django.urls import path

from . import download_views

app_name = "report_downloads"
urlpatterns = [
    path(
        "reports/<uuid:round_id>/<uuid:unit_id>/workbook.xlsx",
        download_views.workbook_download,
        name="workbook",
    ),
    path(
        "reports/<uuid:round_id>/<uuid:unit_id>/households.xlsx",
        download_views.households_download,
        name="households",
    ),
]
