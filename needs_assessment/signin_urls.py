"""Password reset by e-mail (Django's views, the site's templates) and two-factor sign-in."""

from django.contrib.auth import views as auth_views
from django.urls import path

from surveys.views import password_reset, two_factor

urlpatterns = [
    path(
        "accounts/password/reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/two-factor/", two_factor.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", two_factor.two_factor_verify, name="two-factor-verify"),
]
