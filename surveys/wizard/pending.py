"""A form posted after the session ended is kept in the new session and saved after sign-in.

A focal point who types for an hour and presses "Save" after the session expired (or after
signing out in another tab) would otherwise be sent to the login page and lose everything. The
posted form passed the CSRF check, so it comes from the site's own page; it is kept in the
anonymous session, which ``django.contrib.auth.login`` keeps (it only cycles the key), and the
wizard saves it on the first visit of the same page after signing in.

Nothing is kept when the CSRF check fails: a form posted from another site must never be saved
in somebody's name (the CSRF failure page shows what was typed instead).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

SESSION_KEY = "pending_post"
# Fields that must not be replayed: the token belongs to the old session.
_NOT_KEPT = {"csrfmiddlewaretoken"}


def pending_post_keep(request: HttpRequest) -> None:
    """Keep the posted form of ``request`` in its (anonymous) session."""
    request.session[SESSION_KEY] = {
        "path": request.path,
        "data": [[key, values] for key, values in request.POST.lists() if key not in _NOT_KEPT],
    }


def pending_post_take(request: HttpRequest, path: str | None = None) -> QueryDict | None:
    """The form kept for ``path`` (default: this page), removed from the session, or None."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("path") != (path or request.path):
        return None
    del request.session[SESSION_KEY]
    data = QueryDict(mutable=True)
    for key, values in kept.get("data", []):
        data.setlist(key, [str(value) for value in values])
    return data


def login_required_keeping_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``login_required``, but a form posted without a session is kept for after sign-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            pending_post_keep(request)
            messages.warning(
                request,
                _(
                    "Your session had ended, so your answers could not be saved yet. They are "
                    "kept: sign in again and they will be saved."
                ),
            )
        return redirect_to_login(request.get_full_path())

    return wrapped
