"""One request per page, profiled inside Django: wall and CPU time, SQL count and SQL time.

Run by ``run.py`` in the run's database (``manage.py shell``) after the load, so the figures
explain the table's slow pages: a page whose CPU time is far above its SQL time spends it in
Python (computing or rendering); one with many queries or a long SQL time, in the database.
The first request of a page is reported apart: it may fill a cache the next ones read.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def _measure(client: Client, path: str) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "status": response.status_code,
        "wall": wall * 1000,
        "cpu": cpu * 1000,
        "queries": len(queries.captured_queries),
        "sql": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
    }


def profile(pages: list[tuple[str, str, str]], repeat: int = 3) -> list[dict[str, Any]]:
    """``pages``: (name, username, path); returns one row per page."""
    users = get_user_model().objects
    rows = []
    for name, username, path in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users.get(username=username))
        first = _measure(client, path)
        warm = [_measure(client, path) for _ in range(repeat)]
        rows.append(
            {
                "page": name,
                "path": path,
                "status": warm[-1]["status"],
                "first_ms": first["wall"],
                **{
                    key: statistics.median(m[key] for m in warm)
                    for key in ("wall", "cpu", "queries", "sql")
                },
            }
        )
    return rows


def password_check_ms(repeat: int = 3) -> float:
    """Time of one password check with the first hasher (what every sign-in pays)."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("a password of ordinary length")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        check_password("a password of ordinary length", encoded)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(pages_json: str, out: str) -> None:
    rows = profile([tuple(page) for page in json.loads(pages_json)])
    rows.append(
        {
            "page": "sign in: one password check (first hasher)",
            "path": "-",
            "status": "-",
            "first_ms": None,
            "wall": password_check_ms(),
            "cpu": None,
            "queries": 0,
            "sql": 0.0,
        }
    )
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(rows, handle)
