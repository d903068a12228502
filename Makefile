# Two commands for a new user: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEFAULT_FRAMEWORK := frameworks/dcna-2026.yaml
DEFAULT_CATALOGUE := frameworks/dcna-2026-interventions.yaml
DEFAULT_STATISTICS := data/itu-idi-2024/idi2024.statistics.csv
# Invented providers and offers for the demo (labelled as such in the file and on every page).
SAMPLE_OFFERS := frameworks/sample-offers.yaml
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The demo's e-mails (invitations, notifications) are written to files in var/mail/.
DEMO_MAIL := EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

.PHONY: run test setup serve worker lint format check bench messages translations clean

$(VENV)/bin/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# The project catalogue (locale/) and any app catalogue (<app>/locale/), compiled with babel so
# a machine without GNU gettext can run the platform.
translations: $(VENV)/.runtime
	@for catalogue in locale */locale; do \
	  if [ -d $$catalogue ]; then $(VENV)/bin/pybabel compile -d $$catalogue -D django --statistics || exit 1; fi; \
	done

# Development settings for manage.py in any new shell (git-ignored; written once, never
# overwritten, so local edits stay). The environment wins over it; production sets variables in
# its process manager and never needs this file.
.env:
	@printf '# Development settings written by make run; manage.py reads them (the environment wins).\n# Not for production: see .env.example.\nDEBUG=1\n' > $@
	@echo "Wrote .env (DEBUG=1) for development."

setup: $(VENV)/.runtime translations .env
	DEBUG=1 $(PY) manage.py migrate --noinput
	@if [ -f $(DEFAULT_FRAMEWORK) ]; then DEBUG=1 $(PY) manage.py load_framework $(DEFAULT_FRAMEWORK) --publish; fi
	@if [ -f $(DEFAULT_CATALOGUE) ]; then DEBUG=1 $(PY) manage.py load_catalogue $(DEFAULT_CATALOGUE); fi
	@if [ -f $(SAMPLE_OFFERS) ]; then DEBUG=1 $(PY) manage.py load_offers $(SAMPLE_OFFERS); fi
	@# Official statistics (ITU IDI 2024, with attribution); loading again changes nothing.
	@if [ -f $(DEFAULT_STATISTICS) ]; then DEBUG=1 $(PY) manage.py load_statistics $(DEFAULT_STATISTICS); fi
	@# The demo's notification e-mails go to files, not over the logins printed below.
	DEBUG=1 $(DEMO_MAIL) $(PY) manage.py seed_demo
	@# The demo's workflow queued its scoring: run it now, so the demo has scores without a worker.
	DEBUG=1 $(DEMO_MAIL) $(PY) manage.py run_worker --batch --verbosity 0
	@echo "Demo e-mails (notifications) were written to var/mail/."

# The web server and a background worker (scoring, cohort runs, report batches, large imports) together; Ctrl-C
# stops both, and the worker is stopped too if the web server exits on its own.
run: setup
	@DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(DEMO_MAIL) $(PY) manage.py demo_stakeholder_link
	@echo "Serving on http://$(HOST):$(PORT)/ with a background worker  (Ctrl-C stops both); e-mails are written to var/mail/"
	@DEBUG=1 $(DEMO_MAIL) $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=1 $(DEMO_MAIL) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev translations
	$(VENV)/bin/pytest -p no:cacheprovider -n 2 $(PYTEST_ARGS)

# Production reads the environment only (as gunicorn does), never the development .env.
# Production web servers. Background work needs at least one worker as well, on this machine or
# any other sharing the database: `$(PY) manage.py run_worker` (one per core to spare; run it
# under systemd or a process supervisor, like gunicorn), or `make worker`.
serve: $(VENV)/.runtime translations
	ENV_FILE= $(PY) manage.py check --deploy --fail-level WARNING
	ENV_FILE= $(PY) manage.py collectstatic --noinput
	ENV_FILE= $(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn needs_assessment.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

worker: $(VENV)/.runtime
	$(PY) manage.py run_worker

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -c pyproject.toml -r .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.dev
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.dev
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Maintainers: refresh locale/*/django.po after changing strings (needs GNU gettext).
messages: $(VENV)/.dev
	DEBUG=1 $(PY) manage.py makemessages -l fr -l es -l ar --ignore=.venv --no-obsolete

clean:
	rm -rf $(VENV) var staticfiles
