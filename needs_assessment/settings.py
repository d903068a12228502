"""Settings for the needs-assessment platform: one module, driven by environment variables.

Every variable is documented in ``.env.example``. Defaults are safe for production: DEBUG is off,
cookies are secure and SECRET_KEY must be given. ``make run`` turns DEBUG on for local use.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from needs_assessment.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _development_secret_key() -> str:
    # A per-checkout key, generated once and never committed (.gitignore lists it), so local
    # sessions survive restarts without anyone sharing a key.
    key_file = BASE_DIR / ".local-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example); "
            "for local development set DEBUG=1 and a key is generated for you."
        )
    SECRET_KEY = _development_secret_key()

# Key of the audit trail's hash chain (surveys.audit_chain). Defaults to SECRET_KEY; set it to
# the old SECRET_KEY when rotating that one, or `manage.py verify_audit` reports every event.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL for links that leave the site (e-mails, stakeholder links). Unset: pages use the
# address the request came to, commands http://127.0.0.1:8000 (surveys/links.py).
SITE_URL = env_str("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "formtools",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "officialstats",
    "surveys",
    "background",
    "scoring",
    "planning",
    "reports",
    "exchange",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "needs_assessment.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in hygiene (surveys/signin.py): idle sessions end; two-factor verification is
    # asked of users who enrolled and enrolment of those whose role requires it.
    "django_otp.middleware.OTPMiddleware",
    "surveys.signin.IdleTimeoutMiddleware",
    "surveys.signin.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage answers 503 "try again in a moment" instead of 500.
    "surveys.outage.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "needs_assessment.urls"
WSGI_APPLICATION = "needs_assessment.wsgi.application"
ASGI_APPLICATION = "needs_assessment.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "surveys.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database server fails a request after this many seconds (a 503 page)
    # instead of holding a worker until gunicorn kills it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5, minimum=1
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several focal points save drafts at once; WAL and a busy timeout keep writers from
    # failing with "database is locked" on the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (OWASP's first choice for password storage); a PBKDF2 hash from before is
# checked with the hashers below and re-hashed with Argon2 at the user's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes, surveys/signin.py): failures are counted per account and per
# address (AXES_LOCKOUT_PARAMETERS; "username+ip_address" counts the pair instead), and past
# the limit sign-in is refused for the cool-off time. Unlock: manage.py axes_reset_username.
AUTHENTICATION_BACKENDS = [
    "surveys.signin.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item
    for item in env_list("AXES_LOCKOUT_PARAMETERS", "username,ip_address")
]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "surveys.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "surveys.signin.client_address"
# Successful sign-ins are not logged row by row (the audit trail and server logs have them);
# failures are, in the admin's "Access failures".
AXES_DISABLE_ACCESS_LOG = True
# The account and address of a failure are logged in clear (never the password): they are
# what an administrator needs to tell an attack from a forgotten password.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
# Right-to-left languages (Arabic) get dir="rtl" on <html> from Django's LANGUAGES_BIDI.
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Evidence files live outside any served directory and are streamed only by a view that
# checks the user may see the assessment.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(VAR_DIR / "evidence")))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 60, minimum=1) * 1024 * 1024
# Bounds checked before an import is parsed (exchange/limits.py): a small XLSX can
# unpack to hundreds of megabytes, a small file can declare millions of rows.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_MB", 100, minimum=1) * 1024 * 1024
IMPORT_MAX_UNPACKED_PART_BYTES = env_int("IMPORT_MAX_UNPACKED_PART_MB", 50, minimum=1) * 1024 * 1024
IMPORT_MAX_ARCHIVE_PARTS = env_int("IMPORT_MAX_ARCHIVE_PARTS", 200, minimum=10)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 500, minimum=1)
# Excel's own limit for one cell.
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767, minimum=1)
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_KB", 2048, minimum=1) * 1024
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 20, minimum=2)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "needs-assessment@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from this site,
# no inline script or style anywhere ('unsafe-inline' is never given; charts draw with SVG
# presentation attributes, the API docs load their start-up script from a URL). data: images
# are for Swagger UI's icons, which its stylesheet embeds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()",
)
# A page in the site's design and language that keeps what was typed in sight.
CSRF_FAILURE_VIEW = "needs_assessment.errors.csrf_failure"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
# A signed-in session without a request for this many minutes ends (surveys/signin.py).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
# Roles that must sign in with a second factor (TOTP); e.g. "administrator,reviewer".
# Superusers count as administrators. Empty: two-factor sign-in is optional for everybody.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES")
_ROLES = {"administrator", "reviewer", "planner", "focal_point", "stakeholder"}
if set(TWO_FACTOR_REQUIRED_ROLES) - _ROLES:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_REQUIRED_ROLES may list {', '.join(sorted(_ROLES))}; "
        f"got {', '.join(TWO_FACTOR_REQUIRED_ROLES)}"
    )
# The issuer shown in authenticator apps next to the account name.
OTP_TOTP_ISSUER = "Digital Capacity Needs Assessment"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 24, minimum=1) * 60 * 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Anonymous calls are counted per address: REMOTE_ADDR, or behind the TLS proxy the address
    # the proxy appended to X-Forwarded-For (never what the client wrote there itself).
    "NUM_PROXIES": 1 if SECURE_PROXY_SSL_HEADER else 0,
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ApiUserThrottle",
        "api.throttling.ApiAnonymousThrottle",
    ],
}
# API rate limits (api/throttling.py), "<number>/<second|minute|hour|day>".
API_THROTTLE_RATES = {
    "user": env_str("API_THROTTLE_USER", "120/minute"),
    "anonymous": env_str("API_THROTTLE_ANONYMOUS", "30/minute"),
    "uploads": env_str("API_THROTTLE_UPLOADS", "20/minute"),
}
# API tokens (surveys/models/tokens.py): the longest lifetime a user may choose.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Digital Capacity Needs Assessment API",
    "DESCRIPTION": "Frameworks, countries, assessments, answers, scores, gaps and priorities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation page are for signed-in users (issue 16).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the installed drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AnswerStatusEnum": "surveys.models.AnswerStatus",
        "FrameworkStatusEnum": "surveys.models.FrameworkStatus",
        "AssessmentStateEnum": "surveys.models.AssessmentState",
    },
}

# Background work (scoring, cohort runs, report batches, large imports): Django's Tasks API
# through the django-tasks backport, queued in the database itself (django-tasks-db), so a
# worker (`python manage.py run_worker`) needs nothing but the database. Tests run tasks at once
# with django_tasks.backends.immediate.ImmediateBackend.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A running job whose worker shows no sign of life for this long is handed to another worker.
TASKS_LEASE_SECONDS = env_int("TASKS_LEASE_SECONDS", 120, minimum=1)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5, minimum=1)
TASKS_RETRY_BASE_SECONDS = env_int("TASKS_RETRY_BASE_SECONDS", 10, minimum=0)
# A round's cohort run (ranks) starts this long after the last approval, so a burst of
# approvals gives one run.
COHORT_RUN_DELAY_SECONDS = env_int("COHORT_RUN_DELAY_SECONDS", 60, minimum=0)
COHORT_RUN_AFTER_APPROVAL = env_bool("COHORT_RUN_AFTER_APPROVAL", True)
# Files made by background jobs (report ZIPs), kept this many hours, then pruned.
RESULTS_ROOT = Path(env_str("RESULTS_ROOT", str(VAR_DIR / "results")))
REPORT_BATCH_KEEP_HOURS = env_int("REPORT_BATCH_KEEP_HOURS", 72, minimum=1)
# Processes a report batch renders on (0: one per CPU core of the worker's machine).
REPORT_BATCH_PROCESSES = env_int("REPORT_BATCH_PROCESSES", 0, minimum=0)
# Results computed once and kept (the planner's country plans, keyed by score run, catalogue
# and parameters, so a stale entry is never read). A folder on each machine by default; point
# CACHE_BACKEND/CACHE_LOCATION at a shared cache (Redis, memcached, the database) if you like.
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": env_str("CACHE_LOCATION", str(VAR_DIR / "cache")),
    },
    # API rate-limit counts (api/throttling.py): in each process's memory unless a
    # shared cache is named, so each gunicorn worker counts on its own (see .env.example).
    "throttle": {
        "BACKEND": env_str(
            "THROTTLE_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": env_str("THROTTLE_CACHE_LOCATION", "api-throttle"),
    },
}
PLAN_CACHE_SECONDS = env_int("PLAN_CACHE_SECONDS", 7 * 24 * 3600, minimum=1)

# Imports larger than this are read and applied by a worker instead of the request.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_KB", 1024, minimum=0) * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs failed sign-ins and lockouts as warnings; its routine INFO lines (one
    # per successful sign-in) would drown them.
    "loggers": {"axes": {"level": "WARNING"}},
}
