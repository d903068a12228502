"""Load scenario (issue 16 item 9): focal points, reviewers, planners and API clients at once.

Bounded in time and on loopback only. It creates a fresh database with the demo (``--engine
postgresql`` beside ``DATABASE_URL``'s database, or ``sqlite``), serves it with gunicorn
(2 workers, production settings, service time per request in the access log) and a background
worker (``stack.py``), then

1. runs locust headless: ``--users`` people (default 50) for ``--minutes`` (default 3), spawned
   at 5 a second (``locustfile.py``);
2. measures each page's saturation throughput: ``--concurrency`` clients (default 4, twice the
   workers) request it back to back for ``--saturation-seconds``, the bare view
   (``/load/bare/``, no database, no template) likewise, interleaved over ``--rounds`` rounds
   so a change in the shared machine's load weighs on all alike; the ratio of medians is what
   to compare between runs, not the absolute rate;
3. prints and writes ``var/bench/load-<engine>-<time>.md``: per page the requests, failures,
   p50/p95/p99 of the client's time (locust) and of the server's service time (gunicorn's
   ``%(D)s``), the saturation rate and its ratio to the bare view; and the load average.

Usage: ``make load`` or ``.venv/bin/python benchmarks/load/run.py [--engine sqlite]
[--users 10 --minutes 0.5]``. Needs locust (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoints import ENDPOINTS, parse_access_log  # noqa: E402
from stack import BARE_PATH, ROOT, Stack, platform, signed_in  # noqa: E402

TARGET_P95_MS = 150.0


@dataclass
class Row:
    name: str
    requests: int = 0
    failures: int = 0
    client: tuple[float, float, float] | None = None
    server: tuple[float, float, float] | None = None
    server_errors: int = 0
    saturation: list[float] = field(default_factory=list)
    saturation_server_p95: float | None = None


class LoadAverage(threading.Thread):
    """Samples the 1-minute load average every few seconds while the scenario runs."""

    def __init__(self, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every, self.samples, self.stopped = every, [os.getloadavg()[0]], threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> str:
        self.stopped.set()
        self.samples.append(os.getloadavg()[0])
        s = self.samples
        return f"{s[0]:.1f} at the start, mean {statistics.fmean(s):.1f}, max {max(s):.1f}"


def percentiles(values: list[float]) -> tuple[float, float, float] | None:
    if not values:
        return None
    p50, p95, p99 = np.percentile(np.asarray(values), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def run_locust(stack: Stack, *, users: int, seconds: int, out: Path) -> None:
    env = {**os.environ, "LOAD_SCENARIO": str(stack.scenario)}
    # This checkout's locust with fixed arguments, against loopback only.
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            "5",
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            stack.base_url,
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        env=env,
        check=True,
    )


def saturation_targets(stack: Stack) -> dict[str, tuple[str, dict[str, str], dict[str, str]]]:
    """Page name -> (path, cookies, headers) for the saturation phase (reads only)."""
    scenario = json.loads(Path(stack.scenario).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    focal = scenario["focal_points"][0]
    reviewer = next(r for r in scenario["reviewers"] if r["username"] == "reviewer.ken")
    planner = scenario["planners"][0]
    country = "SEN" if "SEN" in planner["countries"] else planner["countries"][0]
    cookies = {
        "focal": signed_in(stack.base_url, focal["username"], focal["password"]).cookies.get_dict(),
        "reviewer": signed_in(
            stack.base_url, reviewer["username"], reviewer["password"]
        ).cookies.get_dict(),
        "planner": signed_in(
            stack.base_url, planner["username"], planner["password"]
        ).cookies.get_dict(),
    }
    token = {"Authorization": f"Token {scenario['api_clients'][0]['token']}"}
    none: dict[str, str] = {}
    return {
        "bare view (baseline)": (BARE_PATH, none, none),
        "sign-in page": ("/accounts/login/", none, none),
        "wizard step": (
            f"/assessments/{focal['assessment']}/edit/{focal['steps'][0]}/",
            cookies["focal"],
            none,
        ),
        "review workspace": (
            f"/assessments/{reviewer['assessments'][-1]}/review/",
            cookies["reviewer"],
            none,
        ),
        "work queue": ("/work-queue/", cookies["reviewer"], none),
        "planner home": ("/planning/", cookies["planner"], none),
        "planner country": (f"/planning/countries/{country}/", cookies["planner"], none),
        "demand (priorities)": ("/planning/demand/", cookies["planner"], none),
        "regional dashboard": ("/reports/regional/", cookies["planner"], none),
        "country dashboard": (f"/reports/countries/{country}/", cookies["planner"], none),
        "API assessments": ("/api/assessments/", none, token),
    }


def profile_pages(stack: Stack) -> list[dict]:
    """pageprofile.py run in the run's database: SQL count and time, CPU time, per page."""
    scenario = json.loads(Path(stack.scenario).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    focal = scenario["focal_points"][0]
    reviewer = next(r for r in scenario["reviewers"] if r["username"] == "reviewer.ken")
    countries = scenario["planners"][0]["countries"]
    country = "SEN" if "SEN" in countries else countries[0]
    assessment = reviewer["assessments"][-1]
    pages = [
        (
            "wizard step",
            focal["username"],
            f"/assessments/{focal['assessment']}/edit/{focal['steps'][0]}/",
        ),
        ("review workspace", reviewer["username"], f"/assessments/{assessment}/review/"),
        ("work queue", reviewer["username"], "/work-queue/"),
        ("history", reviewer["username"], f"/assessments/{assessment}/history/"),
        ("planner home", "planner", "/planning/"),
        ("planner country", "planner", f"/planning/countries/{country}/"),
        ("demand (priorities)", "planner", "/planning/demand/"),
        ("regional dashboard", "planner", "/reports/regional/"),
        ("country dashboard", "planner", f"/reports/countries/{country}/"),
        ("API assessments", "planner", "/api/assessments/"),
    ]
    out = stack.workdir / "profile.json"
    stack.manage(
        "shell",
        "-c",
        "import sys; sys.path.insert(0, 'benchmarks/load'); import pageprofile; "
        f"pageprofile.main({json.dumps(pages)!r}, {str(out)!r})",
    )
    return json.loads(out.read_text(encoding="utf-8"))


def profile_table(rows: list[dict]) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}"

    lines = [
        "| page | status | first request (ms) | wall (ms) | CPU (ms) | SQL queries | SQL (ms) |",
        "|---|:-:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['page']} | {row['status']} | {ms(row['first_ms'])} | {ms(row['wall'])} "
            f"| {ms(row['cpu'])} | {row['queries']:.0f} | {ms(row['sql'])} |"
        )
    return "\n".join(lines)


def saturate(
    stack: Stack,
    path: str,
    cookies: dict[str, str],
    headers: dict[str, str],
    *,
    seconds: float,
    concurrency: int,
) -> tuple[float, int]:
    """Requests per second answered 200 by ``concurrency`` back-to-back clients; and non-200s."""
    done = [0] * concurrency
    bad = [0] * concurrency
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        session.headers.update(headers)
        while time.monotonic() < stop_at:
            try:
                ok = session.get(stack.base_url + path, timeout=60, allow_redirects=False)
                if ok.status_code == 200:
                    done[n] += 1
                else:
                    bad[n] += 1
            except requests.RequestException:
                bad[n] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(bad)


def read_locust(prefix: Path) -> tuple[dict[str, Row], list[str]]:
    rows: dict[str, Row] = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if record["Name"] == "Aggregated":
                continue
            row = Row(
                record["Name"],
                requests=int(record["Request Count"]),
                failures=int(record["Failure Count"]),
            )
            if row.requests:
                row.client = (float(record["50%"]), float(record["95%"]), float(record["99%"]))
            rows[row.name] = row
    failures = []
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            failures.append(
                f"{record['Occurrences']} × {record['Method']} {record['Name']}: {record['Error']}"
            )
    return rows, failures


def fmt(values: tuple[float, float, float] | None) -> str:
    return " / ".join(f"{v:.0f}" for v in values) if values else "—"


def table(rows: list[Row], bare_rate: float) -> str:
    lines = [
        "| page | requests | failures | client p50 / p95 / p99 (ms) "
        "| server p50 / p95 / p99 (ms) | server p95 ≤ 150 ms | saturation (req/s) "
        "| ratio to bare view | server p95 at saturation (ms) |",
        "|---|---:|---:|---:|---:|:-:|---:|---:|---:|",
    ]
    for row in rows:
        rate = statistics.median(row.saturation) if row.saturation else None
        target = "—" if row.server is None else ("yes" if row.server[1] <= TARGET_P95_MS else "NO")
        lines.append(
            f"| {row.name} | {row.requests} | {row.failures}"
            f"{f' ({row.server_errors}×5xx)' if row.server_errors else ''} | {fmt(row.client)} "
            f"| {fmt(row.server)} | {target} | {f'{rate:.1f}' if rate is not None else '—'} "
            f"| {f'{rate / bare_rate:.3f}' if rate is not None and bare_rate else '—'} "
            f"| {f'{row.saturation_server_p95:.0f}' if row.saturation_server_p95 else '—'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_engine = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default=default_engine)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--port", type=int, default=0, help="0: any free port on 127.0.0.1")
    parser.add_argument("--saturation-seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--fast-static", action="store_true", help="skip collectstatic (tests)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args(argv)
    started = time.strftime("%Y%m%d-%H%M%S")
    with platform(
        engine=args.engine,
        port=args.port,
        fast_static=args.fast_static,
        scenario_users=args.users,
    ) as stack:
        seconds = max(5, round(args.minutes * 60))
        print(f"locust: {args.users} users for {seconds} s", flush=True)
        load = LoadAverage()
        load.start()
        run_locust(stack, users=args.users, seconds=seconds, out=stack.workdir / "locust")
        load_during_run = load.stop()
        rows, failures = read_locust(stack.workdir / "locust")
        log_lines = stack.access_log.read_text(encoding="utf-8").splitlines()
        load_phase = len(log_lines)
        server = parse_access_log(log_lines)
        errors: dict[str, int] = {}
        for name, times in parse_access_log(
            [line for line in log_lines if line.split()[2:3] and line.split()[2].startswith("5")]
        ).items():
            errors[name] = len(times)

        print("saturation: each page back to back, against the bare view", flush=True)
        sat_load = LoadAverage()
        sat_load.start()
        targets = saturation_targets(stack)
        sat_rows = {name: Row(name) for name in targets}
        refused: dict[str, int] = {}
        for path, cookies, headers in targets.values():
            # Steady state is measured: a page's first view may fill a cache (its cost shows in
            # the load phase's table and in the profile's "first request").
            requests.get(stack.base_url + path, cookies=cookies, headers=headers, timeout=300)
        for _ in range(args.rounds):
            for name, (path, cookies, headers) in targets.items():
                rate, bad = saturate(
                    stack,
                    path,
                    cookies,
                    headers,
                    seconds=args.saturation_seconds,
                    concurrency=args.concurrency,
                )
                sat_rows[name].saturation.append(rate)
                refused[name] = refused.get(name, 0) + bad
        load_at_saturation = sat_load.stop()
        sat_lines = stack.access_log.read_text(encoding="utf-8").splitlines()[load_phase:]
        sat_server = parse_access_log(sat_lines)
        print("profiling one request per page inside Django", flush=True)
        profiled = profile_pages(stack)
        worker_log = "\n".join(
            (stack.workdir / name).read_text(errors="replace")
            for name in ("gunicorn.log", "worker.log")
            if (stack.workdir / name).exists()
        )

    ordered: list[Row] = []
    for name, _method, _pattern in ENDPOINTS:
        row = rows.get(name) or Row(name)
        if name in server:
            row.server = percentiles(server[name])
        row.server_errors = errors.get(name, 0)
        if name in sat_rows:
            row.saturation = sat_rows[name].saturation
            p = percentiles(sat_server.get(name, []))
            row.saturation_server_p95 = p[1] if p else None
        if row.requests or row.saturation:
            ordered.append(row)
    bare = statistics.median(sat_rows["bare view (baseline)"].saturation)
    total = sum(r.requests for r in rows.values())
    failed = sum(r.failures for r in rows.values())
    missed = [r.name for r in ordered if r.server and r.server[1] > TARGET_P95_MS]
    report = "\n".join(
        [
            f"# Load scenario on {args.engine} ({started})",
            "",
            f"{args.users} users for {seconds} s (locust, spawned at 5/s); gunicorn 2 workers, "
            "DEBUG=0, plus one background worker; loopback. "
            f"{os.cpu_count()} CPU cores, shared.",
            "",
            f"- requests {total}, failures {failed}",
            f"- load average (1 min) during the scenario: {load_during_run}",
            f"- load average during the saturation phase: {load_at_saturation}",
            f"- saturation: {args.concurrency} clients back to back, {args.saturation_seconds:g} s "
            f"per page per round, {args.rounds} rounds interleaved; bare view {bare:.1f} req/s",
            f"- pages over the target (server p95 > {TARGET_P95_MS:.0f} ms): "
            + (", ".join(missed) if missed else "none"),
            f"- 'database is locked' in the server logs: {worker_log.count('database is locked')}; "
            f"worker timeouts: {worker_log.count('WORKER TIMEOUT')}",
            "",
            table(ordered, bare),
            "",
            "One request per page inside Django, after the load (median of 3, after a first "
            "request that may fill a cache); CPU is the Python process's time, SQL the "
            "database's as Django measured it:",
            "",
            profile_table(profiled),
            "",
            "Failures (locust):" if failures else "Failures (locust): none",
            *[f"- {line}" for line in failures],
            "",
            "Non-200 answers in the saturation phase: "
            + (", ".join(f"{k} {v}" for k, v in refused.items() if v) or "none"),
            "",
        ]
    )
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"load-{args.engine}-{started}.md"
    path.write_text(report, encoding="utf-8")
    print(f"written to {path}")
    return path


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: everything the run started has been stopped")
