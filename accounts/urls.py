from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_add, name="user_add"),
    path("users/<uuid:public_id>/", views.user_edit, name="user_edit"),
    path(
        "users/<uuid:public_id>/reset-password/",
        views.user_password_reset,
        name="user_password_reset",
    ),
    path("audit/", views.audit_list, name="audit_list"),
    # The commune officer's own: surveyors and village heads of the commune.
    path("commune/", views.field_list, name="field_list"),
    path("commune/new/", views.field_add, name="field_add"),
    path("commune/<uuid:public_id>/", views.field_edit, name="field_edit"),
    path(
        "commune/<uuid:public_id>/reset-password/",
        views.field_password_reset,
        name="field_password_reset",
    ),
]
