"""Password reset by e-mail: Django's view, with links to the configured public address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from surveys.models import UserPreference


class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """Writes the e-mail in the account holder's language when the platform knows it.

    The reset is asked for from a signed-out page, whose language may be a shared computer's
    or a browser default; the language the user last read the platform in (as for every other
    e-mail, surveys.notifications) is the one they are sure to read. Unknown: the page's.
    """

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        from surveys.notifications import language_for

        context = args[2] if len(args) > 2 else kwargs["context"]
        user = context["user"]
        known = UserPreference.objects.filter(user=user).exclude(language="").exists()
        language = language_for(user) if known else translation.get_language()
        with translation.override(language):
            super().send_mail(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    form_class = RecipientLanguagePasswordResetForm

    def form_valid(self, form: Any) -> Any:
        # The link points at SITE_URL, never at the request's Host header (which an attacker
        # could set to their own site to catch the token).
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)
