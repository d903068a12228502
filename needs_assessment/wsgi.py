"""WSGI entry point, used by gunicorn (``make serve``, with ``--preload``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")
application = get_wsgi_application()

# Imports, catalogues and templates loaded before the first request (once in gunicorn's master
# with --preload, then shared by every worker it forks); see needs_assessment/warmup.py.
from needs_assessment.warmup import warm_up  # noqa: E402

warm_up()
