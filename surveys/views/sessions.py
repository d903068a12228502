"""Signing in again while a page with unsaved work stays open in another tab."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_required
@require_GET
def signed_in(request: HttpRequest) -> HttpResponse:
    """Where the sign-in tab opened by autosave lands: it says to go back to the work."""
    return render(request, "registration/signed_in.html")
