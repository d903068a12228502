"""Pytest plugin, loaded with -p before Django starts: the test-run environment.

Production-like settings (DEBUG off) with a throwaway key.

Values already in the environment win, so CI can point DATABASE_URL at PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tasks run at once in tests; tests of the queue itself start real workers.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# A round's cohort run after each approval would add a Monte Carlo run to every test that
# approves; the tests of that feature turn it on.
os.environ.setdefault("COHORT_RUN_AFTER_APPROVAL", "0")
# Likewise the page warm-up after every score run (its own tests turn it on).
os.environ.setdefault("PAGE_WARMUP_AFTER_SCORING", "0")
# Nothing kept between tests (primary keys repeat after rollbacks); the cache's own tests
# switch a local-memory cache on.
os.environ.setdefault("CACHE_BACKEND", "django.core.cache.backends.dummy.DummyCache")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault(
    "VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)
# The API's rate limits count in a process-wide cache that outlives each test's transaction;
# the suite's many calls as the same user ids would trip them. Throttling tests set their own.
for scope in ("USER", "ANONYMOUS", "UPLOADS"):
    os.environ.setdefault(f"API_THROTTLE_{scope}", "1000000/minute")
# Each test process counts in its own memory, never in a folder another run could share.
os.environ.setdefault("THROTTLE_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache")
os.environ.setdefault("THROTTLE_CACHE_LOCATION", "api-throttle")

# whitenoise serves STATIC_ROOT and warns when it does not exist yet (collectstatic makes it).
os.makedirs(os.path.join(os.path.dirname(os.path.dirname(__file__)), "staticfiles"), exist_ok=True)


def pytest_configure(config: object) -> None:
    """Fast password hashing for tests only (Django's testing docs recommend it): every test
    user is created and logged in with a password, and PBKDF2 would dominate the run time."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
