from django.urls import path

from . import unit_views

app_name = "units"
urlpatterns = [
    path("units/<uuid:public_id>/", unit_views.unit_detail, name="unit_detail"),
    path("units/<uuid:public_id>/villages/new/", unit_views.village_add, name="village_add"),
    path("units/<uuid:public_id>/edit/", unit_views.village_edit, name="village_edit"),
]
