"""The pages of the load scenario: one name per page, for locust's requests and the access log.

locust reports a request under the name the locustfile gives it; gunicorn logs its path. The
table below maps a logged method and path to the same name, so that the client's times and the
server's service time are reported side by side.
"""

from __future__ import annotations

import re

#: (locust name, method, path pattern), in the locustfile's order.
ENDPOINTS: list[tuple[str, str, str]] = [
    ("bare view (baseline)", "GET", r"/load/bare/"),
    ("sign-in page", "GET", r"/accounts/login/"),
    ("sign in", "POST", r"/accounts/login/"),
    ("sign out", "POST", r"/accounts/logout/"),
    ("home", "GET", r"/"),
    ("wizard step", "GET", r"/assessments/\d+/edit/[^/]+/"),
    ("wizard save", "POST", r"/assessments/\d+/edit/[^/]+/"),
    ("autosave", "POST", r"/assessments/\d+/autosave/"),
    ("review workspace", "GET", r"/assessments/\d+/review/"),
    ("work queue", "GET", r"/work-queue/"),
    ("history", "GET", r"/assessments/\d+/history/"),
    ("planner home", "GET", r"/planning/"),
    ("planner country", "GET", r"/planning/countries/[A-Z]{3}/"),
    ("demand (priorities)", "GET", r"/planning/demand/"),
    ("regional dashboard", "GET", r"/reports/regional/"),
    ("country dashboard", "GET", r"/reports/countries/[A-Z]{3}/"),
    ("API assessments", "GET", r"/api/assessments/"),
    ("API assessment", "GET", r"/api/assessments/\d+/"),
    ("API scores", "GET", r"/api/scores/"),
]
_COMPILED = [(name, method, re.compile(pattern + r"\Z")) for name, method, pattern in ENDPOINTS]


def endpoint_name(method: str, path: str) -> str | None:
    """The scenario's name for a request, or None for one outside the scenario.

    >>> endpoint_name("GET", "/assessments/12/edit/CON/")
    'wizard step'
    >>> endpoint_name("POST", "/assessments/12/autosave/")
    'autosave'
    >>> endpoint_name("GET", "/static/css/site.css") is None
    True
    """
    for name, expected, pattern in _COMPILED:
        if method == expected and pattern.match(path):
            return name
    return None


def parse_access_log(lines: list[str]) -> dict[str, list[float]]:
    """Service times in milliseconds per endpoint, from lines in ``stack.ACCESS_LOG_FORMAT``.

    >>> parse_access_log(["GET /load/bare/ 200 1500", "GET /static/x.css 200 90"])
    {'bare view (baseline)': [1.5]}
    """
    times: dict[str, list[float]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 4:
            continue
        method, path, _status, micros = parts
        name = endpoint_name(method, path)
        if name is not None and micros.isdigit():
            times.setdefault(name, []).append(int(micros) / 1000.0)
    return times
