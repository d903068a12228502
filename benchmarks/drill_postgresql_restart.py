"""Drill: restart PostgreSQL for real while focal points save answers (issue 16 §6 and §10).

Not a timing benchmark: it counts what users see while the database restarts. It starts a
private PostgreSQL cluster (initdb as the ``postgres`` system user, a port of its own, deleted
afterwards), migrates it, serves the platform with gunicorn (2 workers, production settings),
lets ``--users`` focal points save their own answer through the API as fast as they can, and
restarts PostgreSQL (``pg_ctl restart -m fast``) ``--restart-after`` seconds in. It prints the
responses by status (a 500 is a failure; a 503 "try again in a moment" is the designed answer
during the outage), how long saves were refused, and reads the database back: every
acknowledged save is stored, and the audit chain verifies.

Needs PostgreSQL's server binaries (``/usr/lib/postgresql/*/bin``) and root (to run them as
``postgres``). Run: ``.venv/bin/python benchmarks/drill_postgresql_restart.py``.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "drill-password-0"  # noqa: S105 - a throwaway account in a throwaway cluster


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command: str) -> None:
    # Fixed commands built by this script; runuser is found on PATH like any system tool.
    subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", *command],  # noqa: S607
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--restart-after", type=float, default=5)
    args = parser.parse_args()

    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    pg_bin = binaries[-1]
    data = Path(tempfile.mkdtemp(prefix="drill-pg-"))
    shutil.chown(data, "postgres")
    pg_port, web_port = free_port(), free_port()
    pg_ctl = [f"{pg_bin}/pg_ctl", "-D", str(data), "-w"]
    options = f"-p {pg_port} -k {data} -c listen_addresses=127.0.0.1"
    as_postgres(f"{pg_bin}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    as_postgres(*pg_ctl, "-o", options, "-l", str(data / "log"), "start")
    gunicorn = None
    try:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=pg_port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE drill")
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/drill",
            "DEBUG": "0",
            "SECRET_KEY": "drill-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "CRITICAL",
        }
        os.environ.update(env)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        framework = ROOT / "frameworks" / "dcna-2026.yaml"
        subprocess.run(  # noqa: S603 - this checkout's manage.py and framework
            [*manage, "load_framework", str(framework), "--publish"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection

        from surveys.models import Answer, Assessment, Country, Framework, Role, RoleAssignment
        from surveys.services.answers import framework_spec

        country = Country.objects.get(alpha3="SEN")
        assessment = Assessment.objects.create(
            country=country, round=2026, framework=Framework.objects.get()
        )
        spec = framework_spec(assessment.framework)
        codes = [c for c, q in spec.questions_by_code.items() if q.type == "percentage"]
        users = []
        for n in range(args.users):
            user = get_user_model().objects.create_user(f"drill{n}", password=PASSWORD)
            RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT, country=country)
            users.append(user.username)

        gunicorn = subprocess.Popen(  # noqa: S603 - this checkout's gunicorn
            [sys.executable, "-m", "gunicorn", "needs_assessment.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{web_port}", "--log-level", "critical", "--preload"],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{web_port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)

        log: list[tuple[float, str, int | str, int]] = []
        start = 0.0

        def set_start() -> None:
            nonlocal start
            start = time.monotonic()

        # Everybody is signed in before the clock starts (Argon2 takes a moment per sign-in).
        ready = threading.Barrier(args.users + 1, action=set_start)

        def save_loop(username: str, code: str) -> None:
            try:
                saves(username, code)
            except Exception as error:  # noqa: BLE001 - shown, and the count shows it too
                print(f"{username} stopped: {error!r}")

        def saves(username: str, code: str) -> None:
            session = requests.Session()
            session.get(f"{base}/accounts/login/", timeout=10)
            signed_in = session.post(
                f"{base}/accounts/login/",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                allow_redirects=False,
                timeout=60,
            )
            ready.wait(timeout=120)
            if signed_in.status_code != 302:
                raise RuntimeError(f"sign-in answered {signed_in.status_code}")
            revision, value = 0, 0
            while time.monotonic() - start < args.seconds:
                value += 1
                try:
                    response = session.patch(
                        f"{base}/api/assessments/{assessment.pk}/answers/",
                        json={
                            "base_revision": revision,
                            "answers": [{"question_code": code, "value": value}],
                        },
                        headers={"X-CSRFToken": session.cookies["csrftoken"]},
                        timeout=30,
                    )
                    status: int | str = response.status_code
                    body = response.json() if status in (200, 409) else {}
                    revision = body.get("revision", body.get("current_revision", revision))
                except requests.RequestException as error:
                    status = type(error).__name__
                log.append((time.monotonic() - start, code, status, value))
                if status != 200:
                    time.sleep(0.2)  # what a browser's autosave does before retrying

        threads = [
            threading.Thread(target=save_loop, args=(username, code))
            for username, code in zip(users, codes, strict=False)
        ]
        for thread in threads:
            thread.start()
        ready.wait(timeout=120)
        time.sleep(args.restart_after)
        restart_at = time.monotonic() - start
        as_postgres(*pg_ctl, "-o", options, "-l", str(data / "log"), "-m", "fast", "restart")
        restarted_at = time.monotonic() - start
        for thread in threads:
            thread.join()

        statuses = Counter(status for _, _, status, _ in log)
        refused = [t for t, _, status, _ in log if status != 200]
        print(f"PostgreSQL restart: {restart_at:.1f} s to {restarted_at:.1f} s into the run")
        print(f"{len(log)} saves by {args.users} users in {args.seconds:g} s:")
        for status, count in sorted(statuses.items(), key=lambda item: str(item[0])):
            print(f"  {status}: {count}")
        if refused:
            print(f"saves refused from {min(refused):.1f} s to {max(refused):.1f} s")
        print(f"HTTP 500 responses: {statuses.get(500, 0)}")
        connection.close()  # this script's own connection did not survive the restart either
        lost = 0
        for code in codes[: args.users]:
            acknowledged = [v for _, c, status, v in log if c == code and status == 200]
            stored = Answer.objects.get(assessment=assessment, question_code=code).value
            lost += bool(acknowledged) and stored < acknowledged[-1]
        print(f"answers whose last acknowledged save is missing: {lost}")
        call_command("verify_audit")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        as_postgres(*pg_ctl, "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
