"""The load scenario's machinery (benchmarks/load/) runs end to end, so it cannot rot.

The full scenario (50 users, 3 minutes) is run by hand (``make load``); here two people for ten
seconds on SQLite go through every phase: a fresh database with the demo, gunicorn with
production settings and a worker, locust, the saturation phase, the report, and the clean-up.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))

from endpoints import ENDPOINTS, endpoint_name, parse_access_log  # noqa: E402


def test_the_bare_view_exists_only_when_the_load_scenario_enables_it(client) -> None:
    # The baseline answers anyone without a permission check: it must not exist in production.
    assert client.get("/load/bare/").status_code == 404


def test_every_request_the_locustfile_names_is_mapped_to_its_page() -> None:
    source = (ROOT / "benchmarks" / "load" / "locustfile.py").read_text(encoding="utf-8")
    named = set(re.findall(r'name="([^"]+)"', source)) | set(
        re.findall(r'self\.get\([^)]*?,\s*"([^"]+)"\)', source, flags=re.S)
    )
    named = {name for name in named if "{" not in name}
    assert len(named) > 10, "the locustfile's request names were not found"
    assert named <= {name for name, _, _ in ENDPOINTS}


def test_access_log_lines_are_attributed_to_pages() -> None:
    assert endpoint_name("GET", "/planning/countries/SEN/") == "planner country"
    assert endpoint_name("POST", "/assessments/3/edit/CON/") == "wizard save"
    assert endpoint_name("GET", "/static/css/site.css") is None
    times = parse_access_log(
        ["POST /assessments/3/autosave/ 200 2500", "GET /load/bare/ 200 700", "garbage"]
    )
    assert times == {"autosave": [2.5], "bare view (baseline)": [0.7]}


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the machinery is the same on both engines: checked once, in the SQLite run",
)
def test_a_short_scenario_runs_end_to_end_and_stops_everything(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, "benchmarks/load/run.py", "--engine", "sqlite", "--users", "2"]
        + ["--minutes", "0.17", "--saturation-seconds", "0.5", "--rounds", "1"]
        + ["--fast-static", "--out", str(tmp_path)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (report,) = tmp_path.glob("load-sqlite-*.md")
    text = report.read_text(encoding="utf-8")
    assert re.search(r"- requests [1-9]\d*, failures 0\b", text), text
    rows = {
        cells[0]: cells
        for line in text.splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 9
    }
    # Focal points have the largest weight: with two people one of them is a focal point.
    assert int(rows["wizard step"][1]) > 0
    assert rows["wizard step"][4] != "—"  # the server's own times were read from its log
    assert float(rows["bare view (baseline)"][6]) > 0  # the baseline was saturated
    workdir = re.search(r"database sqlite:///(\S+)/db\.sqlite3", run.stdout).group(1)
    assert not Path(workdir).exists(), "the run's database and logs were left behind"
    port = int(re.search(r"on http://127\.0\.0\.1:(\d+)", run.stdout).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "gunicorn outlived the run"
