"""The public address of the site, for links that leave it (e-mails, stakeholder links)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# Commands run without a request (reminders) in development, where SITE_URL is usually unset:
# the address `make run` serves by default.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """The site's base URL, without a trailing slash.

    ``SITE_URL`` when it is set (production: the public address behind the proxy); otherwise the
    scheme, host and port the request came to (``Host`` is checked against ``ALLOWED_HOSTS``), so
    a development server on any port hands out links that work; otherwise
    :data:`DEVELOPMENT_SITE_URL`.
    """
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEVELOPMENT_SITE_URL
