"""Root URL configuration. Every pattern here is covered by tests/test_permission_matrix.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from needs_assessment.signin_urls import urlpatterns as signin_urlpatterns
from surveys.views import home, sessions

handler400 = "needs_assessment.errors.bad_request"
handler403 = "needs_assessment.errors.permission_denied"
handler404 = "needs_assessment.errors.page_not_found"
handler500 = "needs_assessment.errors.server_error"

urlpatterns = [
    path("", home.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    *signin_urlpatterns,
    path("accounts/signed-in/", sessions.signed_in, name="signed-in"),
    path("healthz", home.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("surveys.urls")),
    path("", include("exchange.urls")),
    path("", include("scoring.urls")),
    path("", include("planning.urls")),
    path("", include("reports.urls")),
    path("", include("background.urls")),
]
