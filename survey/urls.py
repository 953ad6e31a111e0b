from django.urls import path

from . import response_views, standard_views, views

app_name = "survey"
urlpatterns = [
    path("standards/", standard_views.standard_list, name="standard_list"),
    path("standards/<slug:code>/", standard_views.standard_detail, name="standard_detail"),
    path(
        "standards/<slug:code>/score-card.xlsx",
        standard_views.score_card_template_download,
        name="score_card_template",
    ),
    path(
        "standards/<slug:code>/score-card/",
        standard_views.score_card_upload,
        name="score_card_upload",
    ),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path(
        "rounds/<uuid:public_id>/communes/<uuid:commune_id>/total/",
        views.commune_total,
        name="commune_total",
    ),
    path(
        "rounds/<uuid:round_id>/households/<uuid:household_id>/start/",
        response_views.response_begin,
        name="response_begin",
    ),
    path(
        "responses/<uuid:public_id>/submit/",
        response_views.response_submit_view,
        name="response_submit",
    ),
    path(
        "responses/<uuid:public_id>/<slug:section>/",
        response_views.response_section,
        name="response_section",
    ),
    path(
        "responses/<uuid:public_id>/<slug:section>/preview/",
        response_views.response_preview,
        name="response_preview",
    ),
]
