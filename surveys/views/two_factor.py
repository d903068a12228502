"""Two-factor sign-in pages: enrol an authenticator app, and enter a code after the password."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from surveys import signin

T = TypeVar("T")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _attempt(form: CodeForm, attempt: Callable[[str], T | None], wrong: str) -> T | None:
    """Run ``attempt`` with the submitted code; on failure, put the reason on the form."""
    try:
        outcome = attempt(form.cleaned_data["code"])
    except signin.CodeThrottled as throttled:
        message = ngettext(
            "Too many wrong codes in a row. Wait %(seconds)d second, then try again.",
            "Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.",
            throttled.seconds,
        ) % {"seconds": throttled.seconds}
        form.add_error("code", message)
        return None
    if not outcome:
        form.add_error("code", wrong)
    return outcome


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text); confirm it with a code; show recovery codes once."""
    # Whoever knows only the password must not replace the second factor: verify first.
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.path})}")
    device = signin.totp_device_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = _attempt(
            form,
            lambda code: signin.two_factor_enrol(request=request, device=device, code=code),
            _("This code is not right. Check the time on your phone and try again."),
        )
        if codes:
            context = {"codes": codes, "next": signin.safe_next(request)}
            return render(request, "registration/two_factor_recovery_codes.html", context)
    context = {
        "form": form,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False),
        "secret": signin.totp_secret(device),
        "next": request.GET.get("next", ""),
        "required": signin.two_factor_state(request) == signin.REQUIRED,
    }
    return render(
        request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or a recovery code."""
    if request.user.is_verified():
        return redirect(signin.safe_next(request))
    if not user_has_device(request.user):
        # An administrator reset this user's second factor.
        request.session.pop(signin.TWO_FACTOR_STATE, None)
        return redirect(signin.safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wrong = _(
            "This code is not right. After several wrong codes you must wait a little "
            "before the next try."
        )
        if _attempt(form, lambda code: signin.two_factor_verify(request=request, code=code), wrong):
            return redirect(signin.safe_next(request))
    context = {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))}
    return render(
        request, "registration/two_factor_verify.html", context, status=400 if form.errors else 200
    )
