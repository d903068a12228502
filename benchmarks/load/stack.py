"""A production-like platform on loopback, started and stopped as one unit.

Used by the load scenario (``benchmarks/load/run.py``) and the probe table
(``benchmarks/probes.py``). :func:`platform` creates a fresh database (a new PostgreSQL
database beside the one ``DATABASE_URL`` names, or an SQLite file), loads what ``make setup``
loads (framework, catalogue, sample offers, official statistics, the demo, its scores through
``run_worker --batch``), then serves it with gunicorn (2 workers, ``DEBUG=0``) and runs one
background worker. Everything it started is stopped and deleted on the way out, also on Ctrl-C,
SIGTERM or a failure.

Production settings, relaxed only where plain HTTP on loopback needs it, through variables the
settings already read: ``SECURE_SSL_REDIRECT=0`` (no TLS to redirect to), and
``SESSION_COOKIE_SECURE=0`` / ``CSRF_COOKIE_SECURE=0`` (a client sends secure cookies only over
HTTPS, so sign-in and CSRF would fail). Everything else is the production default: a generated
``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, HSTS, the manifest static storage (after
``collectstatic``), CSP and the other headers, sign-in throttling, API throttling, Argon2.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
#: gunicorn's access log, one line per request: method, path, status, service time in µs.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
#: The view the throughput ratios are taken against (needs_assessment/loadbaseline.py).
BARE_PATH = "/load/bare/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    """A running platform: where it answers and what it writes."""

    base_url: str
    engine: str
    env: dict[str, str]
    workdir: Path
    access_log: Path
    scenario: Path | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def manage(self, *args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py`` against this platform's database and settings."""
        # This checkout's manage.py with fixed arguments.
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=capture,
            text=True,
        )


class _PostgresDatabase:
    """A fresh database beside the one ``url`` names, dropped afterwards."""

    def __init__(self, url: str) -> None:
        self.parts = urlsplit(url)
        self.admin_name = self.parts.path.lstrip("/") or "postgres"
        self.name = f"{self.admin_name}_loadrun_{os.getpid()}"[:63]

    def _connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=self.parts.hostname or "127.0.0.1",
            port=self.parts.port or 5432,
            user=self.parts.username,
            password=self.parts.password,
            dbname=self.admin_name,
            autocommit=True,
        )

    def create(self) -> str:
        with self._connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        return urlunsplit(self.parts._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        with self._connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM the process's group (gunicorn's workers too), SIGKILL what outlives ``timeout``."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def production_env(*, database_url: str, var_dir: Path, fast_static: bool) -> dict[str, str]:
    # Only what a process manager would pass: nothing of the caller's settings (a test run's
    # environment, for one, switches the cache and the task queue off) leaks into production.
    kept = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")
    env = {
        **{name: os.environ[name] for name in kept if name in os.environ},
        "ENV_FILE": "",  # never the development .env (it sets DEBUG=1)
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS to redirect to, and clients keep secure cookies for
        # HTTPS only. The only production settings relaxed.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # Notifications (submit, approve) are written to files in the run's folder.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "LOAD_BARE_VIEW": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if fast_static:
        # Tests only: skips collectstatic (seconds); pages then link unhashed static names.
        env["STATIC_MANIFEST"] = "0"
    return env


@contextmanager
def platform(
    *,
    engine: str,
    port: int = 0,
    workers: int = 2,
    fast_static: bool = False,
    scenario_users: int = 0,
    extra_env: dict[str, str] | None = None,
    log: bool = True,
) -> Iterator[Stack]:
    """Create, seed and serve a fresh platform; stop and delete everything on the way out."""

    def say(message: str) -> None:
        if log:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    previous_term = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix=f"load-{engine}-"))
    database: _PostgresDatabase | None = None
    stack: Stack | None = None
    try:
        if engine == "postgresql":
            url = os.environ.get("DATABASE_URL", "")
            if not url.startswith(("postgres://", "postgresql://")):
                raise SystemExit("--engine postgresql needs DATABASE_URL=postgres://...")
            database = _PostgresDatabase(url)
            database_url = database.create()
        elif engine == "sqlite":
            database_url = f"sqlite:///{workdir / 'db.sqlite3'}"
        else:
            raise SystemExit(f"unknown engine {engine!r} (postgresql or sqlite)")
        env = production_env(
            database_url=database_url, var_dir=workdir / "var", fast_static=fast_static
        )
        env.update(extra_env or {})
        port = port or free_port()
        stack = Stack(
            base_url=f"http://127.0.0.1:{port}",
            engine=engine,
            env=env,
            workdir=workdir,
            access_log=workdir / "access.log",
        )
        say(f"database {database_url.split('@')[-1]}: migrating and loading the demo")
        _seed(stack, fast_static=fast_static, say=say)
        if scenario_users:
            stack.scenario = workdir / "scenario.json"
            stack.manage(
                "shell",
                "-c",
                "import sys; sys.path.insert(0, 'benchmarks/load'); import scenario; "
                f"scenario.write({str(stack.scenario)!r}, {scenario_users})",
            )
        say(f"gunicorn ({workers} workers) on {stack.base_url} and a background worker")
        stack.processes.append(_start_gunicorn(stack, port=port, workers=workers))
        stack.processes.append(_start_worker(stack))
        _wait_until_up(stack)
        yield stack
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        if stack is not None:
            for process in reversed(stack.processes):
                _stop(process)
        if database is not None:
            try:
                database.drop()
            except Exception as error:  # noqa: BLE001 - shown; the run's result stands
                print(f"could not drop {database.name}: {error}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        say("stopped gunicorn and the worker; deleted the run's database and files")


def _seed(stack: Stack, *, fast_static: bool, say: Callable[[str], None]) -> None:
    """What ``make setup`` does, with production settings (seed_demo needs --force then)."""
    stack.manage("migrate", "--noinput", "-v0")
    say("migrated")
    for command, path in [
        ("load_framework", "frameworks/dcna-2026.yaml"),
        ("load_catalogue", "frameworks/dcna-2026-interventions.yaml"),
        ("load_offers", "frameworks/sample-offers.yaml"),
        ("load_statistics", "data/itu-idi-2024/idi2024.statistics.csv"),
    ]:
        if (ROOT / path).exists():
            stack.manage(command, path, *(["--publish"] if command == "load_framework" else []))
    say("framework, catalogue, offers and statistics loaded")
    stack.manage("seed_demo", "--force")
    say("demo seeded")
    stack.manage("run_worker", "--batch", "--verbosity", "0")
    say("demo scored (run_worker --batch)")
    if not fast_static:
        # Into this checkout's staticfiles/ (STATIC_ROOT, git-ignored), as `make serve` does.
        stack.manage("collectstatic", "--noinput", "-v0")


def _start_gunicorn(stack: Stack, *, port: int, workers: int) -> subprocess.Popen[bytes]:
    # This checkout's gunicorn with fixed arguments, in a process group of its own so that
    # stopping it stops its workers and a Ctrl-C in the terminal reaches only this script.
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "needs_assessment.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(stack.access_log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--error-logfile",
            str(stack.workdir / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=(stack.workdir / "gunicorn.stderr").open("wb"),
        start_new_session=True,
    )


def _start_worker(stack: Stack) -> subprocess.Popen[bytes]:
    log = (stack.workdir / "worker.log").open("wb")
    return subprocess.Popen(  # noqa: S603 - this checkout's manage.py
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until_up(stack: Stack, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in stack.processes:
            if process.poll() is not None:
                log = (stack.workdir / "gunicorn.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"a server process exited at start-up:\n{log}")
        try:
            if requests.get(stack.base_url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:g} s")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def signed_in(base_url: str, username: str, password: str):  # type: ignore[no-untyped-def]
    """A ``requests`` session signed in through the sign-in form, as a browser does."""
    import requests

    session = requests.Session()
    page = session.get(base_url + "/accounts/login/", timeout=30)
    answer = session.post(
        base_url + "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return session
