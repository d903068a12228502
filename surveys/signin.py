"""Sign-in hygiene: the idle session timeout and two-factor sign-in (TOTP, django-otp).

- ``IdleTimeoutMiddleware`` ends a signed-in session after
  ``settings.SESSION_IDLE_TIMEOUT_MINUTES`` without a request (OWASP ASVS 4.0 §3.3.2); the
  absolute lifetime stays ``SESSION_COOKIE_AGE``. Drafts live in the database, so signing in
  again loses no saved answer.
- ``TwoFactorMiddleware`` sends a signed-in user who enrolled an authenticator app to the
  verification page until they enter a code, and a user whose role requires a second factor
  (``settings.TWO_FACTOR_REQUIRED_ROLES``) to enrolment until they enrol. Codes are TOTP
  (RFC 6238, 30-second steps, 6 digits) checked by django-otp, which also throttles guesses;
  ten single-use recovery codes (django-otp's static tokens) replace a lost phone, and an
  administrator can reset a user's second factor by deleting their devices in the admin.
- Sign-in throttling with django-axes: who is signing in, from where, and what a locked-out
  person is told.

  Failed sign-ins on the site's login page and on ``/admin/login/`` are counted by axes (in the
  database, so every app server sees the same counts) per account and per address; past
  ``AXES_FAILURE_LIMIT`` failures the account or address is refused for ``AXES_COOLOFF_MINUTES``
  and the person sees ``registration/locked_out.html``. Administrators unlock earlier with
  ``manage.py axes_reset_username NAME`` (or ``axes_reset`` for everyone) or by deleting the
  access attempt in the admin.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Callable
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys import permissions
from surveys.outage import outage_response

LAST_SEEN = "signin_last_seen"
TWO_FACTOR_STATE = "signin_two_factor"
ENROLLED, REQUIRED, OPTIONAL = "enrolled", "required", "optional"
# Writing the session on every request would cost a write per page; a minute's precision on a
# 30-minute timeout is enough.
LAST_SEEN_RESOLUTION_SECONDS = 60
RECOVERY_CODES = 10
# Pages a signed-in user can reach before the second factor: the two-factor pages themselves,
# signing out and switching the language.
TWO_FACTOR_EXEMPT_VIEWS = frozenset(
    {"two-factor-verify", "two-factor-setup", "logout", "set_language", "healthz", "admin:logout"}
)


class IdleTimeoutMiddleware:
    """End a signed-in session that has been idle longer than the configured timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self.check(request)
        except (OperationalError, InterfaceError):
            # Reading the session needs the database; middleware errors bypass the outage
            # middleware's process_exception, so answer the same 503 here.
            return outage_response(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        if not request.user.is_authenticated:
            return
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            logout(request)
            messages.info(
                request,
                _(
                    "You were signed out after %(minutes)d minutes without activity. Sign in "
                    "again to continue; your saved answers are kept."
                )
                % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES},
            )
        elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            request.session[LAST_SEEN] = now


def _two_factor_state_of(user: AbstractBaseUser) -> str:
    if user_has_device(user):
        return ENROLLED
    if permissions.requires_two_factor(user, settings.TWO_FACTOR_REQUIRED_ROLES):
        return REQUIRED
    return OPTIONAL


def two_factor_state(request: HttpRequest) -> str:
    """ENROLLED, REQUIRED (not enrolled, but the role needs it) or OPTIONAL; once per session."""
    state = request.session.get(TWO_FACTOR_STATE)
    if state is None:
        state = request.session[TWO_FACTOR_STATE] = _two_factor_state_of(request.user)
    return state


def remember_sign_in(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **_: object
) -> None:
    """At sign-in (``user_logged_in``): start the idle clock and settle the two-factor state,
    so that pages afterwards neither query the devices nor write the session for them."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_SEEN] = int(time.time())
    request.session[TWO_FACTOR_STATE] = _two_factor_state_of(user)


class TwoFactorMiddleware:
    """Ask for the second factor before any page but the exempt ones."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        state = two_factor_state(request)
        if state == OPTIONAL:
            return None
        target = "two-factor-verify" if state == ENROLLED else "two-factor-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class CodeThrottled(Exception):
    """Too many wrong codes in a row: django-otp refuses any code for ``seconds`` more."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _throttle_seconds(device: Device) -> int:
    """Seconds until ``device`` accepts a code again (0: now)."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """The ``next`` address if it stays on this site, else ``default``'s URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def totp_device_pending(user: AbstractBaseUser) -> TOTPDevice:
    """The user's authenticator being set up (unconfirmed), created with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed in."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def two_factor_enrol(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; replace any earlier second factor.

    Returns the new recovery codes (to be shown once), or ``None`` if the code is wrong;
    raises ``CodeThrottled`` after too many wrong codes.
    """
    with transaction.atomic():
        if wait := _throttle_seconds(device):
            raise CodeThrottled(wait)
        if not device.verify_token(code.strip()):
            return None
        user = device.user
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        recovery = StaticDevice.objects.create(user=user, name="recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(
            [StaticToken(device=recovery, token=code) for code in codes]
        )
    otp_login(request, device)
    request.session[TWO_FACTOR_STATE] = ENROLLED
    return codes


def two_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """Check a code from the authenticator app, or a recovery code (used up by this).

    django-otp throttles each device after failures (growing delays), so codes cannot be
    guessed by trying them all: ``CodeThrottled`` says how long to wait.
    """
    code = code.strip().replace(" ", "")
    # Six digits go to the app's device, anything else to the recovery codes, so that one
    # kind of code does not count as a failed guess (and a throttle step) against the other.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        candidates = [
            device
            for device in devices_for_user(request.user, for_verify=True)
            if isinstance(device, kind)
        ]
        waits = [_throttle_seconds(device) for device in candidates]
        if candidates and all(waits):
            raise CodeThrottled(min(waits))
        for device in candidates:
            if device.verify_token(code):
                otp_login(request, device)
                return True
    return False


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
