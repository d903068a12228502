"""Error pages (400, 403, 404, 500 and the CSRF failure) in the site's design and language.

They are rendered without the request's context processors: an error page must appear even
when what broke the page was a context processor, the database or the session. Nothing from
the exception is shown (messages of ``Http404`` and ``PermissionDenied`` can name models or
internals); the language is the one ``LocaleMiddleware`` activated for the request.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# Posted fields that are not what the person typed (tokens, buttons, bookkeeping).
_NOT_TYPED = ("csrfmiddlewaretoken", "base_revision", "wizard_action", "wizard_goto_step")
_MAX_SHOWN = 200


def _render(template_name: str, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render(context or {})
    except Exception:  # an error page must never fail: fall back to plain text
        logger.exception("The %s error page could not be rendered", status)
        body = _("Sorry, something went wrong (error %(status)s).") % {"status": status}
        return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render("500.html", 500)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or bool(
        request.headers.get("X-Requested-With")
    )


def typed_values(request: HttpRequest) -> list[tuple[str, str]]:
    """What the refused form carried that a person typed or chose, to copy back by hand.

    Shown, never saved: a form whose CSRF check failed may come from another site.
    """
    shown: list[tuple[str, str]] = []
    for name, values in request.POST.lists():
        if name in _NOT_TYPED or name.endswith(("-status", "-current_step")):
            continue
        field = name.split("-", 1)[-1]
        for value in values:
            if value.strip():
                shown.append((field, value))
    return shown[:_MAX_SHOWN]


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: explain, keep what was typed in sight, and show the way back."""
    if _wants_json(request):
        return JsonResponse(
            {
                "status": "error",
                "status_code": "csrf",
                "message": _("Your session has ended: sign in again to save your answers."),
            },
            status=403,
        )
    # A fresh token, so the page opened next (or the login page) works at once.
    get_token(request)
    context = {
        # Stakeholders have no account: their way back is the link in their e-mail.
        "stakeholder": request.path.startswith(reverse("surveys:stakeholder-page")),
        "typed": typed_values(request),
        "page_url": request.path,
        "login_url": reverse("login") + "?" + urlencode({"next": request.path}),
        "signed_in": request.user.is_authenticated,
    }
    return _render("403_csrf.html", 403, context)
