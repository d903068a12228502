"""A database outage answers 503 "try again in a moment", not 500.

When the database cannot be reached (a PostgreSQL restart, a network cut, SQLite locked past
its busy timeout), Django raises ``OperationalError`` or ``InterfaceError``. This middleware
turns those, raised by a view or by rendering its response, into a 503 page with
``Retry-After``: in the site's design and the user's language, rendered without touching the
database (no context processors, no ``request.user``, no session). Browsers get HTML; API
clients and load balancers (anything that does not ask for HTML) get JSON.

Recovery needs no restart: ``CONN_HEALTH_CHECKS`` (settings) makes the next request test a
kept connection and open a new one when it is dead, and Django closes a connection that
raised at the end of the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 response, built from the request and the active language only."""
    if "text/html" not in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"detail": _("The service is briefly unavailable. Please try again in a moment.")},
            status=503,
        )
    else:
        # A plain dict, not a RequestContext: context processors would read the user and the
        # session from the database that is down.
        context = {"request": request, "user": None, "csrf_token": get_token(request)}
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answer 503 instead of 500 when the database is unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=True)
        return outage_response(request)
