"""Password reset by e-mail: Django's view, with links to the configured public address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form: Any) -> Any:
        # The link points at SITE_URL, never at the request's Host header (which an attacker
        # could set to their own site to catch the token).
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)
