from django.urls import path

from . import import_views, views

app_name = "households"
urlpatterns = [
    path("households/", views.household_list, name="list"),
    path("households/new/", views.household_new, name="new"),
    path("households/import/", import_views.import_upload, name="import"),
    path(
        "households/import/template.xlsx",
        import_views.import_template_download,
        name="import_template",
    ),
    path("households/import/<uuid:public_id>/", import_views.import_preview, name="import_preview"),
    path(
        "households/import/<uuid:public_id>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path("households/<uuid:public_id>/", views.household_detail, name="detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="edit"),
    path("households/<uuid:public_id>/split/", views.household_split_page, name="split"),
    path("households/<uuid:public_id>/merge/", views.household_merge_page, name="merge"),
    path("households/<uuid:public_id>/close/", views.household_close_page, name="close"),
    path("households/<uuid:public_id>/members/new/", views.member_new, name="member_new"),
    path("members/<uuid:public_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:public_id>/status/", views.member_status, name="member_status"),
]
