"""API rate limits per user, and a stricter one for bulk writes (uploads of answers).

Rates come from ``settings.API_THROTTLE_RATES`` at each request (DRF's own classes read them
once at import), so a deployment sets them by environment and tests can change them. Counts
live in the ``throttle`` cache: per process by default (Django's LocMemCache), so each gunicorn
worker counts on its own and the effective limit is up to ``WEB_CONCURRENCY`` times the rate; a
cache shared by the app servers (``THROTTLE_CACHE_BACKEND``) gives one count per user.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    scope: str
    # Counts live in their own cache, whatever the default cache is (results kept by the
    # planner's pages may live in a file or be switched off).
    cache = caches["throttle"]

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)


class ApiUserThrottle(_SettingsRate, UserRateThrottle):
    """Every API call of a signed-in user (token or session), counted per user."""

    scope = "user"


class ApiAnonymousThrottle(_SettingsRate, AnonRateThrottle):
    """Calls without credentials, counted per address (they all end in 401 anyway)."""

    scope = "anonymous"


class ApiUploadThrottle(_SettingsRate, UserRateThrottle):
    """Bulk writes (PUT/PATCH of an assessment's answers), counted per user."""

    scope = "uploads"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method not in ("PUT", "PATCH", "POST"):
            return True
        return super().allow_request(request, view)
