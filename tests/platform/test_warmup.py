"""gunicorn's master (``--preload``) loads the application before forking, with no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import needs_assessment.wsgi
from django.db import connections
from django.template import engines
from django.utils.translation import trans_real

loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "modules": [name for name in ("reports.views", "planning.services", "api.views")
                if name in sys.modules],
    "templates": sorted(str(key) for key in loader.get_template_cache),
    "languages": sorted(trans_real._translations),
    "connections": [c.alias for c in connections.all() if c.connection is not None],
}))
"""


def test_the_wsgi_application_loads_views_and_templates_and_opens_no_connection(
    tmp_path: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "needs_assessment.settings",
        "ENV_FILE": "",
        "SECRET_KEY": "s" * 50,
        # A database in a folder that does not exist: a query at start-up would fail loudly.
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["modules"] == ["reports.views", "planning.services", "api.views"]
    assert "reports/country_dashboard.html" in state["templates"]
    assert "base.html" in state["templates"]
    assert state["languages"] == ["ar", "en", "es", "fr"]
    assert state["connections"] == []


def test_make_serve_preloads_the_application() -> None:
    serve = (ROOT / "Makefile").read_text().split("\nserve:")[1].split("\n\n")[0]
    assert "gunicorn needs_assessment.wsgi --preload" in serve
