"""The README's commands work as written in a new shell after ``make run``.

A new shell: no DEBUG or SECRET_KEY in the environment, no virtual environment activated, and a
Python that is not the project's. ``manage.py`` re-runs itself with ``.venv`` and reads the
development ``.env`` that ``make run`` writes (here a copy in a temporary folder, via
``ENV_FILE``); variables set in the environment still win.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL_FRAMEWORK = ROOT / "tests" / "fixtures" / "small-framework.yaml"
TABLE = "country,NET.1.a,GOV.1.a\nKenya,50,3\nSenegal,30,1\n"
SYSTEM_PYTHON = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")

pytestmark = pytest.mark.skipif(
    SYSTEM_PYTHON is None or not (ROOT / ".venv" / "bin" / "python").exists(),
    reason="needs a python3 outside the project and the project's .venv (make run makes it)",
)


def new_shell(tmp_path: Path, *args: str, env_file: str = "DEBUG=1\n", **env: str):
    (tmp_path / "dev.env").write_text(env_file, encoding="utf-8")
    environment = {
        "HOME": str(tmp_path),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "ENV_FILE": str(tmp_path / "dev.env"),
        "VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [str(SYSTEM_PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_readme_score_command_runs_without_debug_or_the_venv_in_the_shell(
    tmp_path: Path,
) -> None:
    data = tmp_path / "statistics.csv"
    data.write_text(TABLE, encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = new_shell(
        tmp_path,
        "score",
        "--framework",
        str(SMALL_FRAMEWORK),
        "--data",
        str(data),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("unit,overall,")


def test_the_environment_wins_over_the_development_file(tmp_path: Path) -> None:
    result = new_shell(tmp_path, "check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_development_file_names_the_line(tmp_path: Path) -> None:
    result = new_shell(tmp_path, "check", env_file="DEBUG=1\nthis is not a setting\n")
    assert result.returncode != 0
    assert "dev.env, line 2: expected NAME=value" in result.stderr


def test_the_project_python_is_used_even_when_another_one_starts_it(tmp_path: Path) -> None:
    result = new_shell(tmp_path, "shell", "-c", "import sys; print('prefix=' + sys.prefix)")
    assert result.returncode == 0, result.stderr
    prefix = result.stdout.split("prefix=")[1].strip()
    assert Path(prefix).resolve() == (ROOT / ".venv").resolve()
    assert os.environ.get("NEEDS_ASSESSMENT_REEXEC") is None
