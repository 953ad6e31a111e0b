from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("units/<uuid:public_id>/", views.unit_detail, name="unit_detail"),
    path("units/<uuid:public_id>/villages/new/", views.village_add, name="village_add"),
    path("units/<uuid:public_id>/edit/", views.village_edit, name="village_edit"),
]
