"""The probe table of issue 16: each probe that broke in the attack, replayed for real.

An attack on a production-like deployment tried 307 probes; 26 broke (issue 16 items 1-6).
This script starts the same kind of deployment (``benchmarks/load/stack.py``: a fresh database
with the demo, gunicorn with 2 workers and ``DEBUG=0``, a background worker; loopback only),
replays each of those probes as a real request and prints a Markdown table: the probe, what
broke before, what happens now (status, an excerpt of the answer, the time it took) and the
test in ``tests/`` that keeps it refused.

Faults are real where the machine allows it: the evidence folder is a small tmpfs mounted for
the run, filled up and then remounted read-only (needs root; otherwise the row says so and
cites the test that injects the fault); the database outage goes through a TCP relay between a
second gunicorn and PostgreSQL that drops every connection and refuses new ones, then lets them
through again (PostgreSQL only; on SQLite the row cites the test).

Usage: ``.venv/bin/python benchmarks/probes.py [--engine postgresql|sqlite]`` (PostgreSQL when
``DATABASE_URL`` names one). The sign-in probes lock the loopback address out for the run's
database only; nothing outlives the run.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))
sys.path.insert(0, str(ROOT))

from stack import Stack, csrf_token, free_port, platform, signed_in  # noqa: E402

TIMEOUT = 120


@dataclass
class Probe:
    item: str
    name: str
    before: str
    test: str
    run: Callable[[Context], tuple[str, str]]


@dataclass
class Result:
    probe: Probe
    now: str
    excerpt: str
    seconds: float


class Context:
    """The running platform and the people and objects the probes use."""

    def __init__(self, stack: Stack, data: dict, evidence_root: Path) -> None:
        self.stack, self.data, self.base = stack, data, stack.base_url
        self.evidence_root = evidence_root
        self.focal = signed_in(self.base, data["focal"], data["password"])
        self.admin = signed_in(self.base, data["admin"], data["password"])
        self.assessment = data["assessment"]

    def api(self, token: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        return session

    def upload(self, session: requests.Session, url: str, name: str, content: bytes) -> str:
        page = session.get(self.base + url, timeout=TIMEOUT)
        answer = session.post(
            self.base + url,
            data={"csrfmiddlewaretoken": csrf_token(page.text), "dry_run": ""},
            files={"file": (name, content)},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        return status_and(answer, r"(limit|accepted|cannot|refus|declar|entit|column|row|long)")


def text_of(body: str) -> str:
    """The visible text of a page's main part (not its navigation)."""
    main = re.search(r"(?s)<main\b.*?</main>", body)
    body = main.group(0) if main else body
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def excerpt(response: requests.Response, pattern: str, width: int = 150) -> str:
    """The sentence of the answer that matches ``pattern`` (the message a person reads)."""
    if "json" in response.headers.get("Content-Type", ""):
        return response.text[:width]
    text = text_of(response.text)
    match = re.search(pattern, text, flags=re.I)
    if match is None:
        return text[:width]
    sentence = text.rfind(". ", 0, match.start())
    start = max(sentence + 2 if sentence >= 0 else 0, match.start() - width // 2)
    return text[start : start + width].strip()


def status_and(response: requests.Response, pattern: str) -> str:
    return f"{response.status_code}\t{excerpt(response, pattern)}"


# --- item 1: hostile imports -------------------------------------------------------------


def _hostile():  # type: ignore[no-untyped-def]
    from tests.exchange import hostile

    return hostile


def import_url(ctx: Context) -> str:
    return f"/assessments/{ctx.assessment}/import/"


_BOMB: dict[int, bytes] = {}


def bomb(unpacked_mb: int = 420) -> bytes:
    if unpacked_mb not in _BOMB:
        _BOMB[unpacked_mb] = _hostile().shared_strings_bomb(unpacked_mb=unpacked_mb)
    return _BOMB[unpacked_mb]


def probe_bomb(ctx: Context) -> tuple[str, str]:
    data = bomb()
    answer = ctx.upload(ctx.focal, import_url(ctx), "answers.xlsx", data)
    return answer.split("\t")[0], f"({len(data) / 1e6:.1f} MB upload) " + answer.split("\t")[1]


def probe_two_bombs_and_health(ctx: Context) -> tuple[str, str]:
    data = bomb()
    results: list[str] = []
    other = signed_in(ctx.base, ctx.data["focal"], ctx.data["password"])

    def send(session: requests.Session) -> None:
        results.append(ctx.upload(session, import_url(ctx), "answers.xlsx", data).split("\t")[0])

    threads = [threading.Thread(target=send, args=(s,)) for s in (ctx.focal, other)]
    for thread in threads:
        thread.start()
    health: list[float] = []
    statuses: Counter[int] = Counter()
    while any(t.is_alive() for t in threads):
        started = time.monotonic()
        statuses[requests.get(ctx.base + "/healthz", timeout=TIMEOUT).status_code] += 1
        health.append(time.monotonic() - started)
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    return (
        " and ".join(results),
        f"/healthz meanwhile: {dict(statuses)}, slowest {max(health) * 1000:.0f} ms",
    )


def probe_declared_rows(ctx: Context) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        ctx.upload(
            ctx.focal, import_url(ctx), "answers.xlsx", _hostile().sheet_declaring(3_000_000)
        ).split("\t")
    )


def probe_declared_columns(ctx: Context) -> tuple[str, str]:
    data = _hostile().sheet_declaring(10, columns_ref="XFD")
    return tuple(ctx.upload(ctx.focal, import_url(ctx), "answers.xlsx", data).split("\t"))  # type: ignore[return-value]


def probe_row_number(ctx: Context) -> tuple[str, str]:
    data = _hostile().sheet_with_row_number(3_000_000)
    return tuple(ctx.upload(ctx.focal, import_url(ctx), "answers.xlsx", data).split("\t"))  # type: ignore[return-value]


def probe_entities(ctx: Context) -> tuple[str, str]:
    data = _hostile().sheet_with_entities()
    return tuple(ctx.upload(ctx.focal, import_url(ctx), "answers.xlsx", data).split("\t"))  # type: ignore[return-value]


def probe_csv_rows(ctx: Context) -> tuple[str, str]:
    data = b"question_code,value\n" + b"GOV.1.a,3\n" * 3_000_000
    status, text = ctx.upload(ctx.focal, import_url(ctx), "answers.csv", data).split("\t")
    return status, f"({len(data) / 1e6:.0f} MB, 3,000,000 rows) {text}"


def probe_long_cell(ctx: Context) -> tuple[str, str]:
    data = b"question_code,value\nGOV.1.a," + b"x" * 100_000 + b"\n"
    return tuple(ctx.upload(ctx.focal, import_url(ctx), "answers.csv", data).split("\t"))  # type: ignore[return-value]


def probe_truncated(ctx: Context) -> tuple[str, str]:
    from tests.exchange.helpers import xlsx_bytes

    data = xlsx_bytes(_hostile().ANSWER_ROWS)
    return tuple(  # type: ignore[return-value]
        ctx.upload(ctx.focal, import_url(ctx), "answers.xlsx", data[: len(data) // 2]).split("\t")
    )


def probe_statistics_bomb(ctx: Context) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        ctx.upload(ctx.admin, "/statistics/import/", "statistics.xlsx", bomb()).split("\t")
    )


def probe_deep_json(ctx: Context) -> tuple[str, str]:
    answer = ctx.api(ctx.data["tokens"]["read_write"]).put(
        f"{ctx.base}/api/assessments/{ctx.assessment}/answers/",
        data=_hostile().deep_json(100_000),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    return str(answer.status_code), answer.text[:150]


# --- item 2: sign-in throttling ----------------------------------------------------------


def _sign_in_attempts(url: str, username: str, wrong: int, right: str) -> requests.Response:
    session = requests.Session()
    for n in range(wrong + 1):
        page = session.get(url, timeout=TIMEOUT)
        answer = session.post(
            url,
            data={
                "username": username,
                "password": right if n == wrong else f"wrong-{n}",
                "csrfmiddlewaretoken": csrf_token(page.text),
                "next": "/admin/",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    return answer


def probe_site_sign_in(ctx: Context) -> tuple[str, str]:
    answer = _sign_in_attempts(
        ctx.base + "/accounts/login/", ctx.data["victim"], 30, ctx.data["password"]
    )
    ctx.stack.manage("axes_reset")  # the next probe starts from a clean slate
    return str(answer.status_code), excerpt(answer, r"paused|failed attempts")


def probe_admin_sign_in(ctx: Context) -> tuple[str, str]:
    answer = _sign_in_attempts(
        ctx.base + "/admin/login/", ctx.data["admin_victim"], 20, ctx.data["password"]
    )
    ctx.stack.manage("axes_reset")
    return str(answer.status_code), excerpt(answer, r"paused|failed attempts")


# --- item 3: API tokens --------------------------------------------------------------------


def probe_tokens_hashed(ctx: Context) -> tuple[str, str]:
    shown = ctx.focal.get(ctx.base + "/account/api-tokens/", timeout=TIMEOUT)
    key = ctx.data["tokens"]["read_write"]
    stored = ctx.stack.manage(
        "shell",
        "-c",
        "from surveys.models import ApiToken; import json; "
        "print(json.dumps([[t.prefix, t.key_hash] for t in ApiToken.objects.all()]))",
    ).stdout
    in_clear = key in stored or key in shown.text
    return (
        f"{shown.status_code}",
        f"key in the database or on the page: {'YES' if in_clear else 'no'}; the page shows "
        f"its prefix {key[:8]}…: {'yes' if key[:8] in shown.text else 'no'}; stored: SHA-256",
    )


def probe_expired_token(ctx: Context) -> tuple[str, str]:
    answer = ctx.api(ctx.data["tokens"]["expired"]).get(
        ctx.base + "/api/assessments/", timeout=TIMEOUT
    )
    return str(answer.status_code), answer.text[:150]


def probe_revoked_token(ctx: Context) -> tuple[str, str]:
    answer = ctx.api(ctx.data["tokens"]["revoked"]).get(
        ctx.base + "/api/assessments/", timeout=TIMEOUT
    )
    return str(answer.status_code), answer.text[:150]


def probe_read_only_token_writes(ctx: Context) -> tuple[str, str]:
    answer = ctx.api(ctx.data["tokens"]["read"]).patch(
        f"{ctx.base}/api/assessments/{ctx.assessment}/answers/",
        json={"base_revision": 0, "answers": []},
        timeout=TIMEOUT,
    )
    return str(answer.status_code), answer.text[:150]


def probe_api_rate(ctx: Context) -> tuple[str, str]:
    session = ctx.api(ctx.data["tokens"]["read"])
    statuses = []
    started = time.monotonic()
    for _ in range(300):
        statuses.append(session.get(ctx.base + "/api/countries/", timeout=TIMEOUT).status_code)
    elapsed = time.monotonic() - started
    counts = Counter(statuses)
    first = statuses.index(429) + 1 if 429 in statuses else None
    return (
        " ".join(f"{n}×{s}" for s, n in sorted(counts.items())),
        f"300 calls in {elapsed:.1f} s; first 429 at call {first} (limit 120/minute per user, "
        "counted by each gunicorn worker)",
    )


def probe_upload_rate(ctx: Context) -> tuple[str, str]:
    session = ctx.api(ctx.data["tokens"]["read_write"])
    statuses = [
        session.patch(
            f"{ctx.base}/api/assessments/{ctx.assessment}/answers/",
            json={"base_revision": 0, "answers": []},
            timeout=TIMEOUT,
        ).status_code
        for _ in range(60)
    ]
    counts = Counter(statuses)
    first = statuses.index(429) + 1 if 429 in statuses else None
    return (
        " ".join(f"{n}×{s}" for s, n in sorted(counts.items())),
        f"60 writes at once; first 429 at write {first} (20/minute per user and worker)",
    )


def probe_schema(ctx: Context) -> tuple[str, str]:
    answer = requests.get(ctx.base + "/api/schema/", timeout=TIMEOUT)
    return str(answer.status_code), answer.text[:150]


def probe_docs(ctx: Context) -> tuple[str, str]:
    answer = requests.get(ctx.base + "/api/docs/", allow_redirects=False, timeout=TIMEOUT)
    return str(answer.status_code), f"Location: {answer.headers.get('Location')}"


# --- item 4: headers -----------------------------------------------------------------------


def _csp_pages(ctx: Context) -> list[requests.Response]:
    paths = ["/", "/accounts/login/", f"/assessments/{ctx.assessment}/", "/no-such-page/"]
    return [ctx.focal.get(ctx.base + path, timeout=TIMEOUT) for path in paths]


def probe_csp(ctx: Context) -> tuple[str, str]:
    pages = _csp_pages(ctx)
    policies = [p.headers.get("Content-Security-Policy", "") for p in pages]
    ok = all(policy and "unsafe-inline" not in policy for policy in policies)
    return (
        " ".join(str(p.status_code) for p in pages),
        f"{'on every page, no unsafe-inline' if ok else 'MISSING or unsafe'}: {policies[0][:110]}",
    )


def probe_permissions_policy(ctx: Context) -> tuple[str, str]:
    pages = _csp_pages(ctx)
    policies = [p.headers.get("Permissions-Policy", "") for p in pages]
    return (
        " ".join(str(p.status_code) for p in pages),
        f"{'on every page' if all(policies) else 'MISSING'}: {policies[0][:110]}",
    )


# --- item 5: evidence storage --------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _evidence_question(ctx: Context) -> str:
    return f"/assessments/{ctx.assessment}/evidence/{ctx.data['question']}/"


def _upload_evidence(ctx: Context) -> requests.Response:
    url = ctx.base + _evidence_question(ctx)
    page = ctx.focal.get(url, timeout=TIMEOUT)
    return ctx.focal.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token(page.text), "url": "", "description": "probe"},
        files={"file": ("report.pdf", PDF * 200, "application/pdf")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def _mount(*args: str) -> bool:
    # Fixed mount(8) commands on the run's own folder; root only.
    return (
        subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0  # noqa: S603, S607
    )


def probe_evidence_full(ctx: Context) -> tuple[str, str]:
    root = ctx.evidence_root
    if not _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(root)):
        return "not replayed", "mounting a small tmpfs needs root: the test injects ENOSPC"
    try:
        filler = open(root / "filler", "wb", buffering=0)  # noqa: SIM115 - closed below
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass  # full: what the probe wants
        finally:
            filler.close()
        answer = _upload_evidence(ctx)
        return str(answer.status_code), excerpt(answer, r"could not be stored")
    finally:
        (root / "filler").unlink(missing_ok=True)


def probe_evidence_read_only(ctx: Context) -> tuple[str, str]:
    root = ctx.evidence_root
    if not os.path.ismount(root) or not _mount("-o", "remount,ro", str(root)):
        return "not replayed", "remounting read-only needs root: the test injects EROFS"
    try:
        answer = _upload_evidence(ctx)
        return str(answer.status_code), excerpt(answer, r"could not be stored")
    finally:
        _mount_cleanup(root)


def _mount_cleanup(root: Path) -> None:
    if os.path.ismount(root):
        # Fixed umount(8) command on the run's own folder.
        subprocess.run(["umount", str(root)], capture_output=True, check=False)  # noqa: S603, S607


def probe_orphan(ctx: Context) -> tuple[str, str]:
    stray = ctx.evidence_root / "left-by-a-crash.pdf"
    stray.write_bytes(PDF)
    two_hours_ago = time.time() - 7200
    os.utime(stray, (two_hours_ago, two_hours_ago))
    listed = ctx.stack.manage("evidence_orphans").stdout.strip()
    ctx.stack.manage("evidence_orphans", "--delete")
    return (
        f"file {'removed' if not stray.exists() else 'STILL THERE'} by --delete",
        "evidence_orphans: " + listed.replace(str(ctx.evidence_root), "<EVIDENCE_ROOT>")[:150],
    )


def probe_url_evidence(ctx: Context) -> tuple[str, str]:
    answer = ctx.focal.get(
        f"{ctx.base}/evidence/{ctx.data['url_evidence']}/download/",
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return str(answer.status_code), excerpt(answer, r"example\.org|outside|leave")


# --- item 6: database outage --------------------------------------------------------------


class Relay(threading.Thread):
    """A TCP relay to PostgreSQL that can drop every connection and refuse new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__(daemon=True)
        self.target, self.port = target, free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.up = threading.Event()
        self.up.set()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()  # the server is down: the connection is refused at once
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self.pump, args=(client, server), daemon=True).start()

    def pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    (b if sock is a else a).sendall(data)
        except OSError:
            a.close()
            b.close()

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for a, b in self.pairs:
                for sock in (a, b):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            self.pairs.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.listener.close()


def probe_outage(ctx: Context) -> tuple[str, str]:
    if ctx.stack.engine != "postgresql":
        return "not replayed", "SQLite has no server to lose: the test makes PostgreSQL unreachable"
    parts = urlsplit(ctx.stack.env["DATABASE_URL"])
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relay.start()
    relayed = parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{relay.port}"))
    port = free_port()
    env = {**ctx.stack.env, "DATABASE_URL": urlunsplit(relayed), "DATABASE_CONNECT_TIMEOUT": "2"}
    log = (ctx.stack.workdir / "outage-gunicorn.log").open("wb")
    # This checkout's gunicorn with fixed arguments, on loopback.
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "needs_assessment.wsgi", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        session = signed_in(base, ctx.data["focal"], ctx.data["password"])
        page = f"{base}/assessments/{ctx.assessment}/"
        before = session.get(page, timeout=TIMEOUT).status_code
        relay.cut()
        browser = {"Accept-Language": "fr", "Accept": "text/html,application/xhtml+xml"}
        during = [session.get(page, headers=browser, timeout=TIMEOUT) for _ in range(6)]
        api = requests.get(base + "/healthz", timeout=TIMEOUT)
        relay.restore()
        after = [session.get(page, timeout=TIMEOUT).status_code for _ in range(4)]
        codes = Counter(r.status_code for r in during)
        return (
            f"before {before}; during {dict(codes)}; /healthz {api.status_code}; after {after}",
            excerpt(during[-1], r"réessay|quelques|instant|base de données"),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        relay.close()


# --- the table ----------------------------------------------------------------------------

HOSTILE = "tests/exchange/test_hostile_files.py::HostileUploadPageTests::"
TOKENS = "tests/api/test_tokens.py::"
EVIDENCE = "tests/surveys/test_evidence_storage.py::"
PROBES = [
    Probe(
        "1",
        "XLSX shared-strings bomb (1.4 MB → 420 MB) on /assessments/{id}/import/",
        "43 s, 900 MB of memory",
        HOSTILE + "test_a_shared_strings_bomb_is_refused_by_the_unpacked_part_limit",
        probe_bomb,
    ),
    Probe(
        "1",
        "two bombs at once, /healthz polled meanwhile",
        "both workers busy until killed; /healthz silent 30 s",
        HOSTILE + "test_a_shared_strings_bomb_is_refused_by_the_unpacked_part_limit",
        probe_two_bombs_and_health,
    ),
    Probe(
        "1",
        "sheet declaring 3,000,000 rows",
        "parsed row by row",
        HOSTILE + "test_a_sheet_declaring_three_million_rows_is_refused_by_its_dimension",
        probe_declared_rows,
    ),
    Probe(
        "1",
        "sheet declaring columns up to XFD (16,384)",
        "parsed",
        HOSTILE + "test_a_sheet_declaring_columns_up_to_xfd_is_refused",
        probe_declared_columns,
    ),
    Probe(
        "1",
        "row numbered 3,000,000 with no dimension",
        "parsed up to it",
        HOSTILE + "test_a_row_numbered_past_the_limit_is_refused_without_reading_up_to_it",
        probe_row_number,
    ),
    Probe(
        "1",
        "XML entity declarations (billion laughs) in a sheet",
        "500",
        HOSTILE + "test_xml_entity_declarations_are_refused",
        probe_entities,
    ),
    Probe(
        "1",
        "CSV of 3,000,000 rows",
        "57 s of CPU",
        HOSTILE + "test_a_csv_of_three_million_rows_is_refused_by_its_line_count",
        probe_csv_rows,
    ),
    Probe(
        "1",
        "CSV cell of 100,000 characters",
        "accepted",
        HOSTILE + "test_a_csv_cell_longer_than_the_limit_is_refused_with_its_place",
        probe_long_cell,
    ),
    Probe(
        "1",
        "truncated XLSX archive",
        "500",
        HOSTILE + "test_a_truncated_archive_gets_a_message_not_a_500",
        probe_truncated,
    ),
    Probe(
        "1",
        "shared-strings bomb on /statistics/import/",
        "as on the answers import",
        HOSTILE + "test_the_statistics_import_refuses_a_bomb_too",
        probe_statistics_bomb,
    ),
    Probe(
        "1",
        "100,000-deep JSON to PUT /api/assessments/{id}/answers/",
        "500 (RecursionError)",
        "tests/exchange/test_hostile_files.py::HostileJsonTests::test_100000_deep_json_gets_a_400_naming_the_depth_limit",
        probe_deep_json,
    ),
    Probe(
        "2",
        "30 wrong passwords on /accounts/login/, then the right one",
        "signed in",
        "tests/platform/test_signin_throttling.py::SignInThrottlingTests::test_the_right_password_is_refused_after_too_many_failures_on_the_site",
        probe_site_sign_in,
    ),
    Probe(
        "2",
        "20 wrong passwords on /admin/login/, then the right one",
        "signed in",
        "tests/platform/test_signin_throttling.py::SignInThrottlingTests::test_the_admin_login_is_throttled_too",
        probe_admin_sign_in,
    ),
    Probe(
        "3",
        "API token stored in clear",
        "key in the database",
        TOKENS + "TokenStorageAndScopeTests::test_only_a_hash_and_a_prefix_of_the_key_are_stored",
        probe_tokens_hashed,
    ),
    Probe(
        "3",
        "expired token",
        "tokens never expired",
        TOKENS + "TokenStorageAndScopeTests::test_an_expired_token_is_refused",
        probe_expired_token,
    ),
    Probe(
        "3",
        "revoked token",
        "tokens could not be revoked",
        TOKENS + "TokenPageTests::test_the_owner_revokes_a_token_and_it_stops_working",
        probe_revoked_token,
    ),
    Probe(
        "3",
        "read-only token writes answers",
        "no scopes",
        TOKENS + "TokenStorageAndScopeTests::test_a_read_only_token_reads_but_cannot_write",
        probe_read_only_token_writes,
    ),
    Probe(
        "3",
        "60 API writes at once",
        "unthrottled",
        TOKENS + "ThrottlingTests::test_uploads_have_a_stricter_limit_than_reads",
        probe_upload_rate,
    ),
    Probe(
        "3",
        "300 API reads as fast as possible",
        "100 calls in 1.1 s, all 200",
        TOKENS + "ThrottlingTests::test_a_user_making_100_calls_at_once_is_stopped_at_the_rate",
        probe_api_rate,
    ),
    Probe(
        "3",
        "GET /api/schema/ anonymously",
        "200",
        TOKENS
        + "SchemaNeedsSignInTests::test_the_schema_and_docs_are_refused_to_anonymous_visitors",
        probe_schema,
    ),
    Probe(
        "3",
        "GET /api/docs/ anonymously",
        "200",
        TOKENS
        + "SchemaNeedsSignInTests::test_the_schema_and_docs_are_refused_to_anonymous_visitors",
        probe_docs,
    ),
    Probe(
        "4",
        "Content-Security-Policy on HTML pages (home, sign-in, assessment, 404)",
        "missing",
        "tests/platform/test_security_headers.py::SecurityHeaderTests::test_every_html_page_carries_both_headers_and_nothing_inline",
        probe_csp,
    ),
    Probe(
        "4",
        "Permissions-Policy on HTML pages",
        "missing",
        "tests/platform/test_security_headers.py::SecurityHeaderTests::test_every_html_page_carries_both_headers_and_nothing_inline",
        probe_permissions_policy,
    ),
    Probe(
        "5",
        "evidence upload into a full folder (tmpfs filled)",
        "bare 500",
        EVIDENCE
        + "EvidenceStorageFaultTests::test_a_full_folder_gives_a_clear_message_and_keeps_nothing",
        probe_evidence_full,
    ),
    Probe(
        "5",
        "evidence upload into a read-only folder (tmpfs remounted ro)",
        "bare 500",
        EVIDENCE + "EvidenceStorageFaultTests::test_a_read_only_folder_gives_a_clear_message",
        probe_evidence_read_only,
    ),
    Probe(
        "5",
        "file left without its row (as by a crash before commit)",
        "orphan stays forever",
        EVIDENCE + "OrphanCommandTests::test_delete_removes_only_old_orphans",
        probe_orphan,
    ),
    Probe(
        "5",
        "URL evidence: GET /evidence/{id}/download/",
        "302 to any outside address",
        EVIDENCE
        + "UrlEvidenceIsALinkTests::test_the_download_address_shows_the_link_instead_of_redirecting",  # noqa: E501
        probe_url_evidence,
    ),
    Probe(
        "6",
        "database unreachable (connections dropped and refused), then back",
        "15 × 500",
        "tests/platform/test_outage.py::PostgresqlOutageTests::test_an_unreachable_server_gives_503_then_recovers_without_restart",
        probe_outage,
    ),
]


def prepare(path: str) -> None:
    """Inside Django (manage.py shell): the accounts, tokens and evidence the probes use."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from demo.loader import DEMO_PASSWORD
    from surveys.models import ApiToken, Assessment, Role, RoleAssignment
    from surveys.services.answers import framework_spec
    from surveys.services.evidence import evidence_add_url
    from surveys.services.tokens import api_token_create, api_token_revoke

    User = get_user_model()
    assessment = Assessment.objects.get(country__alpha3="ALB", round=2026)
    focal = User.objects.get(username="focal.alb")
    victim = User.objects.create_user("probe.victim", password=DEMO_PASSWORD)
    RoleAssignment.objects.create(user=victim, role=Role.FOCAL_POINT, country=assessment.country)
    User.objects.create_user(
        "probe.admin", password=DEMO_PASSWORD, is_staff=True, is_superuser=True
    )
    tokens = {}
    for scope in ("read", "read_write"):
        tokens[scope] = api_token_create(user=focal, name=scope, scope=scope, lifetime_days=1)[1]
    expired, tokens["expired"] = api_token_create(
        user=focal, name="expired", scope="read", lifetime_days=1
    )
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    revoked, tokens["revoked"] = api_token_create(
        user=focal, name="revoked", scope="read", lifetime_days=1
    )
    api_token_revoke(token=revoked, actor=focal)
    question = framework_spec(assessment.framework).questions[0].code
    link = evidence_add_url(
        assessment=assessment, question_code=question, url="https://example.org/", actor=focal
    )
    data = {
        "focal": "focal.alb",
        "admin": "admin",
        "password": DEMO_PASSWORD,
        "victim": "probe.victim",
        "admin_victim": "probe.admin",
        "assessment": assessment.pk,
        "question": question,
        "url_evidence": link.pk,
        "tokens": tokens,
    }
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def table(results: list[Result]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| # | item | probe | before | now: status | now: answer (excerpt) | time | kept by |",
        "|---:|:-:|---|---|---|---|---:|---|",
    ]
    for n, r in enumerate(results, 1):
        lines.append(
            f"| {n} | {r.probe.item} | {cell(r.probe.name)} | {cell(r.probe.before)} "
            f"| {cell(r.now)} | {cell(r.excerpt)} | {r.seconds:.2f} s | `{r.probe.test}` |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default=default)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--only", help="run only the probes whose name contains this")
    parser.add_argument("--fast-static", action="store_true")
    args = parser.parse_args()
    evidence_root = Path(tempfile.mkdtemp(prefix="probes-evidence-"))
    results: list[Result] = []
    try:
        with platform(
            engine=args.engine,
            port=args.port,
            fast_static=args.fast_static,
            extra_env={"EVIDENCE_ROOT": str(evidence_root)},
        ) as stack:
            data_file = stack.workdir / "probes.json"
            stack.manage(
                "shell",
                "-c",
                "import sys; sys.path.insert(0, 'benchmarks'); import probes; "
                f"probes.prepare({str(data_file)!r})",
            )
            ctx = Context(stack, json.loads(data_file.read_text()), evidence_root)
            for probe in PROBES:
                if args.only and args.only not in probe.name:
                    continue
                started = time.monotonic()
                try:
                    now, text = probe.run(ctx)
                except Exception as error:  # noqa: BLE001 - a probe that errors is a result
                    now, text = "ERROR", f"{type(error).__name__}: {error}"[:150]
                results.append(Result(probe, now, text, time.monotonic() - started))
                print(f"  {probe.name}: {now} ({results[-1].seconds:.2f} s)", flush=True)
            errors = (stack.workdir / "gunicorn.log").read_text(errors="replace")
            server_errors = errors.count("Traceback")
    finally:
        _mount_cleanup(evidence_root)
        shutil.rmtree(evidence_root, ignore_errors=True)
    output = io.StringIO()
    output.write(f"# Probes of issue 16 on {args.engine} ({time.strftime('%Y-%m-%d %H:%M')})\n\n")
    output.write(table(results) + "\n\n")
    output.write(f"Tracebacks in gunicorn's error log during the probes: {server_errors}\n")
    print(output.getvalue())
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"probes-{args.engine}-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(output.getvalue(), encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: everything the run started has been stopped")
