from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("households/", views.household_list, name="list"),
    path("households/new/", views.household_new, name="new"),
    path("households/<uuid:public_id>/", views.household_detail, name="detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="edit"),
    path("households/<uuid:public_id>/split/", views.household_split_page, name="split"),
    path("households/<uuid:public_id>/merge/", views.household_merge_page, name="merge"),
    path("households/<uuid:public_id>/close/", views.household_close_page, name="close"),
    path("households/<uuid:public_id>/members/new/", views.member_new, name="member_new"),
    path("members/<uuid:public_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:public_id>/status/", views.member_status, name="member_status"),
]
