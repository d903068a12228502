"""The baseline of the load scenario (benchmarks/load/): a Django view that does nothing.

It touches neither the database nor a template, so its throughput through the same gunicorn,
middleware and settings is the ceiling every page's throughput is compared with. ``/healthz`` is
not used for this because it queries the database. The URL exists only when ``LOAD_BARE_VIEW=1``
(needs_assessment/urls.py); the load scenario sets it, production and the tests do not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    """Answer ``ok`` to anyone: there is nothing to protect and nothing to compute."""
    return HttpResponse("ok", content_type="text/plain")
