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
    # A district's or a province's household list, made in the background (reports.exports).
    path(
        "reports/<uuid:round_id>/<uuid:unit_id>/households/job",
        download_views.households_job_start,
        name="households_job",
    ),
    path("downloads/<uuid:job_id>/", download_views.job_status, name="job"),
    path("downloads/<uuid:job_id>/file.xlsx", download_views.job_file, name="job_file"),
]
