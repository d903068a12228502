"""Benchmark of a fresh gunicorn worker's first response, without and with ``--preload``.

Runs gunicorn (one worker, production settings, a throwaway migrated SQLite database) on
loopback twice, in the same run:

- **before**: Django's plain WSGI application without ``--preload`` (what ``make serve`` ran):
  each worker imports the views, reads the catalogues and compiles templates on its first
  request;
- **warmed up in each worker**: ``needs_assessment.wsgi`` without ``--preload`` (each worker
  warms up while booting, before it accepts connections);
- **after**: ``needs_assessment.wsgi`` with ``--preload`` (what ``make serve`` runs now): the
  master warms up once (:mod:`needs_assessment.warmup`) and forks warm workers.

For each, the worker is killed ``--repeat`` times; the master forks a fresh one, and the
benchmark records the time from the kill to the first answered request and the duration of
that first request (the login page), then of the next one. Medians.

Run: ``.venv/bin/python benchmarks/bench_worker_start.py [--repeat 5] [--port 8311]``
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def environment(folder: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needs_assessment.settings",
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "VAR_DIR": folder,
        "ENV_FILE": "",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
    }
    return env


def get(url: str) -> float:
    """Seconds to answer ``url``; raises while nothing listens."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310  # nosec B310  # loopback only
        response.read()
    return time.perf_counter() - started


def worker_pid(master: int) -> int | None:
    children = Path(f"/proc/{master}/task/{master}/children")
    pids = children.read_text().split() if children.exists() else []
    return int(pids[0]) if pids else None


def wait_for_worker(master: int, not_pid: int | None, deadline: float) -> int:
    while time.perf_counter() < deadline:
        pid = worker_pid(master)
        if pid is not None and pid != not_pid:
            return pid
        time.sleep(0.005)
    raise RuntimeError("gunicorn did not start a worker in time")


def first_answer(url: str, deadline: float) -> tuple[float, float]:
    """(time of the first answered request, that request's own duration)."""
    while time.perf_counter() < deadline:
        try:
            duration = get(url)
            return time.perf_counter(), duration
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer in time")


def measure(label: str, arguments: list[str], env: dict[str, str], port: int, repeat: int) -> None:
    url = f"http://127.0.0.1:{port}/accounts/login/"
    command = [str(GUNICORN), *arguments, "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    server = subprocess.Popen(  # noqa: S603  # nosec B603  # our own gunicorn, fixed arguments
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.perf_counter() + 120
        first_answer(url, deadline)
        since_kill, first, second = [], [], []
        for _ in range(repeat):
            old = wait_for_worker(server.pid, None, deadline)
            killed = time.perf_counter()
            os.kill(old, signal.SIGKILL)
            deadline = time.perf_counter() + 120
            wait_for_worker(server.pid, old, deadline)
            answered, duration = first_answer(url, deadline)
            since_kill.append(answered - killed)
            first.append(duration)
            second.append(get(url))
        print(
            f"  {label}: kill → first answer median {statistics.median(since_kill) * 1000:.0f} ms; "
            f"first request {statistics.median(first) * 1000:.0f} ms, "
            f"next {statistics.median(second) * 1000:.0f} ms (n={repeat})"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8311)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-worker-start-") as folder:
        env = environment(folder)
        subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print("A fresh gunicorn worker's first response (GET /accounts/login/, loopback)")
        measure(
            "before (no --preload, plain Django app)",
            ["django.core.wsgi:get_wsgi_application()"],
            env,
            args.port,
            args.repeat,
        )
        measure(
            "warmed up in each worker (no --preload)",
            ["needs_assessment.wsgi"],
            env,
            args.port,
            args.repeat,
        )
        measure(
            "after (--preload, warmed up)",
            ["needs_assessment.wsgi", "--preload"],
            env,
            args.port,
            args.repeat,
        )


if __name__ == "__main__":
    main()
