"""Settings come from the environment, fail loudly on bad values, pass the deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from needs_assessment.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update({"SECURE_SSL_REDIRECT": "1", "STATIC_MANIFEST": "1", "ENV_FILE": ""})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_boolean_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_booleans_accept_the_usual_spellings() -> None:
    for text in ["1", "true", "YES", "on"]:
        assert env_bool("X", environ={"X": text}) is True
    for text in ["0", "false", "No", "off", ""]:
        assert env_bool("X", environ={"X": text}) is False
    assert env_bool("X", default=True, environ={}) is True


def test_bad_integer_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="EVIDENCE_MAX_MB must be a whole number"):
        env_int("EVIDENCE_MAX_MB", 10, environ={"EVIDENCE_MAX_MB": "ten"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("EVIDENCE_MAX_MB", 10, minimum=1, environ={"EVIDENCE_MAX_MB": "0"})


def test_lists_drop_blanks() -> None:
    assert env_list("HOSTS", environ={"HOSTS": " a.org, ,b.org "}) == ["a.org", "b.org"]


def test_start_up_stops_on_a_bad_debug_value() -> None:
    result = run_manage("check", DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_secret_key_is_required_when_debug_is_off() -> None:
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="prod-like-" + "k3y" * 20,
        ALLOWED_HOSTS="assessment.example.org",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_selects_postgresql() -> None:
    import dj_database_url

    parsed = dj_database_url.parse("postgres://u:p@db.example.org:5432/na")
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["HOST"] == "db.example.org"
