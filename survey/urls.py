from django.urls import path

from . import chain_views, response_views, review_list_views, standard_views, views, village_views

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
    path("criteria/", views.criteria, name="criteria"),
    path("rounds/<uuid:public_id>/overrides/", views.overrides, name="overrides"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path(
        "rounds/<uuid:public_id>/communes/<uuid:commune_id>/total/",
        views.commune_total,
        name="commune_total",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/review-list/",
        review_list_views.review_list,
        name="review_list",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/review-list/build/",
        review_list_views.review_list_build_view,
        name="review_list_build",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/review-list/",
        review_list_views.review_list_print,
        name="review_list_print",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/result/",
        chain_views.commune_result,
        name="commune_result",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/result/send/",
        chain_views.commune_send,
        name="commune_send",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/result/opinion/<uuid:request_id>/",
        chain_views.commune_opinion,
        name="commune_opinion",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/result/hand-in/",
        chain_views.commune_hand_in_view,
        name="commune_hand_in",
    ),
    path(
        "rounds/<uuid:round_id>/communes/<uuid:commune_id>/result/reopen/",
        chain_views.commune_reopen_view,
        name="commune_reopen",
    ),
    path("rounds/<uuid:round_id>/progress/", chain_views.round_progress, name="round_progress"),
    path(
        "rounds/<uuid:round_id>/districts/<uuid:district_id>/hand-in/",
        chain_views.district_hand_in_view,
        name="district_hand_in",
    ),
    path(
        "rounds/<uuid:round_id>/districts/<uuid:district_id>/reopen/",
        chain_views.district_reopen_view,
        name="district_reopen",
    ),
    path("rounds/<uuid:round_id>/close/", chain_views.round_close_view, name="round_close"),
    path(
        "rounds/<uuid:round_id>/households/<uuid:household_id>/start/",
        response_views.response_begin,
        name="response_begin",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/",
        village_views.village_workspace,
        name="village_workspace",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/meeting/",
        village_views.meeting_new,
        name="meeting_new",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/recheck/<uuid:response_id>/",
        village_views.recheck_new,
        name="recheck_new",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/posting/",
        village_views.posting_new,
        name="posting_new",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/complaints/",
        village_views.complaint_new,
        name="complaint_new",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/complaints/<uuid:complaint_id>/",
        village_views.complaint_close,
        name="complaint_close",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/approve/",
        village_views.approve,
        name="approve",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/posting-list/",
        village_views.posting_list,
        name="posting_list",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/approval-list/",
        village_views.approval_list,
        name="approval_list",
    ),
    path(
        "rounds/<uuid:round_id>/villages/<uuid:village_id>/minutes/",
        village_views.minutes_template,
        name="minutes_template",
    ),
    path("responses/<uuid:public_id>/sheet/", village_views.score_sheet, name="score_sheet"),
    path(
        "responses/<uuid:public_id>/return/",
        response_views.response_return_view,
        name="response_return",
    ),
    path(
        "responses/<uuid:public_id>/reopen/",
        response_views.response_reopen_view,
        name="response_reopen",
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
