from django.urls import path

from . import integrity_views, views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_index, name="index"),
    path("reports/national/", views.national, name="national"),
    path("reports/<uuid:round_id>/<uuid:unit_id>/target/", views.target_set, name="target_set"),
    # Before the generic report path, which would otherwise take "integrity" as a kind.
    path(
        "reports/<uuid:round_id>/<uuid:unit_id>/integrity/",
        integrity_views.integrity,
        name="integrity",
    ),
    path("reports/<uuid:round_id>/<uuid:unit_id>/<slug:kind>/", views.report, name="report"),
]
