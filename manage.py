#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks.

Works as written in any new shell after ``make run``: it re-runs itself with the project's
virtual environment (``.venv``) when started by another Python, and reads the development
settings ``make run`` wrote to ``.env`` (``DEBUG=1``; variables already set in the environment
win). ``ENV_FILE`` names another file; ``ENV_FILE=`` (empty) reads none.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
VENV = BASE_DIR / ".venv"


def use_project_venv() -> None:
    """Re-execute with ``.venv/bin/python`` unless already running inside it."""
    python = VENV / "bin" / "python"
    if not python.exists() or os.environ.get("NEEDS_ASSESSMENT_REEXEC"):
        return
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    os.environ["NEEDS_ASSESSMENT_REEXEC"] = "1"  # never loop, whatever sys.prefix says
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])  # noqa: S606 # nosec B606 - our own interpreter, fixed arguments


def main() -> None:
    use_project_venv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")
    from needs_assessment.env import env_file_read

    env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
    if env_file:
        env_file_read(env_file)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
