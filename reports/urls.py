from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_index, name="index"),
    path("reports/<uuid:round_id>/<uuid:unit_id>/target/", views.target_set, name="target_set"),
    path("reports/<uuid:round_id>/<uuid:unit_id>/<slug:kind>/", views.report, name="report"),
]
