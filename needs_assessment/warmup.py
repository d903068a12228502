"""Load at start-up what the first request of every gunicorn worker would otherwise load.

Django imports the URLconf (and with it every view, numpy, scipy, reportlab and DRF), reads
the translation catalogues and compiles templates lazily, on the first request that needs
them: 3 to 6 seconds for the first visitor of each fresh worker. ``make serve`` runs gunicorn
with ``--preload``, so :mod:`needs_assessment.wsgi` calls :func:`warm_up` once in the master
process and every worker, including each one restarted later, is forked with all of it in
memory (shared copy-on-write). Without ``--preload`` each worker runs it while booting, before
it accepts connections, which still spares the first request.

Nothing here may open a database connection: a connection made in the master would be
inherited by every forked worker and its socket shared between them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation

__all__ = ["warm_up"]


def _template_names() -> list[str]:
    """Every template of the project and of its own apps, by the name views use.

    Third-party apps' templates are left to load on demand: some ship templates for optional
    libraries that are not installed (crispy-forms), which only compile where they are used.
    """
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [
        Path(folder)
        for folder in get_app_template_dirs("templates")
        if Path(folder).resolve().is_relative_to(base) and ".venv" not in Path(folder).parts
    ]
    names: set[str] = set()
    for folder in folders:
        names.update(
            path.relative_to(folder).as_posix() for path in folder.rglob("*.html") if path.is_file()
        )
    return sorted(names)


def warm_up() -> None:
    """Import every view, read every catalogue and compile every template; no database."""
    # Importing the URLconf imports every view module and what they import.
    get_resolver().url_patterns  # noqa: B018
    for code, _name in settings.LANGUAGES:
        # Activating a language reads its catalogues, which Django then keeps per process.
        translation.activate(code)
    translation.deactivate()
    engine = engines["django"]
    for name in _template_names():
        # The cached loader keeps the compiled template for the workers forked afterwards.
        engine.get_template(name)
    # Reportlab's fonts, read from disk on the first chart or PDF otherwise.
    from charts.fonts import register_fonts

    register_fonts()
    if any(connection.connection is not None for connection in connections.all()):
        raise RuntimeError("Warming up opened a database connection; it must not.")
