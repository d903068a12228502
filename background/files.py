"""Files produced by background jobs (report ZIPs), kept outside any served directory.

A job's result names its file relative to ``RESULTS_ROOT``; only a view that checks who may
download it streams the file, and ``prune_jobs`` deletes it once it expires.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def result_path(name: str) -> Path:
    """The absolute path of result file ``name``; refuses names that leave ``RESULTS_ROOT``."""
    root = Path(settings.RESULTS_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError(f"result file {name!r} lies outside RESULTS_ROOT")
    return path


def result_file_delete(name: str) -> None:
    result_path(name).unlink(missing_ok=True)
