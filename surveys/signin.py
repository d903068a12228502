"""Sign-in throttling with django-axes: who is signing in, from where, and what a locked-out
person is told.

Failed sign-ins on the site's login page and on ``/admin/login/`` are counted by axes (in the
database, so every app server sees the same counts) per account and per address; past
``AXES_FAILURE_LIMIT`` failures the account or address is refused for ``AXES_COOLOFF_MINUTES``
and the person sees ``registration/locked_out.html``. Administrators unlock earlier with
``manage.py axes_reset_username NAME`` (or ``axes_reset`` for everyone) or by deleting the
access attempt in the admin.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SignInThrottleBackend(AxesStandaloneBackend):
    """axes' guard, placed before the model backend, that ignores requestless calls.

    ``authenticate()`` without a request does not come from a sign-in form (the login view and
    the admin always pass theirs): it comes from Django's test client or a shell, where there
    is no address to throttle; axes would refuse it outright.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from, as axes counts it.

    Behind the TLS proxy (``BEHIND_TLS_PROXY``) every request arrives from the proxy, so the
    address is the last one the proxy appended to ``X-Forwarded-For``; earlier entries are
    whatever the client chose to send and are never trusted.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked-out person sees (HTTP 429): what happened and how to get back in."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
