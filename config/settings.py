"""Pagar's one settings module. Every deploy-specific value comes from the environment.

Zero-setup default: SQLite in var/ and a Celery broker on its own SQLite file (no server needed).
Production: DATABASE_URL=postgres://..., CELERY_BROKER_URL=redis://..., DEBUG off, SECRET_KEY set.
"""

from pathlib import Path

import datetime as dt

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PAGAR_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # built-in form templates for FORM_RENDERER = TemplatesSetting
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "experiments",
    "approvals",
    "cadence",
    "cadence.ideas",
    "cadence.standards",
    "cadence.reviews",
    "cadence.calendars",
    "cadence.duties",
    "mailing",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (the language cookie), before CommonMiddleware (as Django asks): anonymous
    # visitors get the cookie's language, else the browser's (Accept-Language).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Bodies size-checked and every input held to one rule before any view or the CSRF check reads it.
    "experiments.inputs.middleware.InputCleaningMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Once the person is known: their saved language wins over the browser's, and their time zone.
    "accounts.middleware.PersonPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The site's 404 and 500 pages with DEBUG on, when PRODUCTION_ERROR_PAGES says so (the demo).
    "config.error_pages.ProductionErrorPagesMiddleware",
    # The one page handler for refusals (experiments.errors.DomainError).
    "experiments.middleware.RefusalMiddleware",
    # Last, as django-axes asks: turns a lock-out noticed during the login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE and LANGUAGES for <html lang> and the language switch.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cadence.context_processors.scheduler",
                "approvals.context_processors.approvals_counts",
            ],
            # {% translate %} in every template without a {% load i18n %} each.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: one URL. SQLite gets WAL and IMMEDIATE transactions so web, worker and beat can share it.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pagar.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Pagar understands: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME", "") or None}
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks the lock-out first, then Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Each language's name in itself, so a person finds theirs whatever language the page is in.
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date, one date-and-time and one short date format per language (config/formats/<lang>/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")  # how times are shown; the database always stores UTC
USE_I18N = True
USE_TZ = True
# The currency costs are kept in (ISO 4217 code), shown by the `money` filter in the reader's locale.
CURRENCY = env_str("CURRENCY", "EUR").upper()

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: console by default; SMTP as soon as EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pagar <pagar@localhost>")
# Where people reach the site: every link in an email or notification is absolute on it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security: strict unless DEBUG is on; each can be relaxed explicitly (e.g. behind a TLS proxy).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Log-in lock-out (django-axes): after AXES_FAILURE_LIMIT failed log-ins for one account, or from
# one address (counted apart), the login page and POST /api/token/ refuse for LOGIN_COOLOFF_MINUTES,
# started again by every try meanwhile. Admins unlock early in the admin (Access attempts: delete).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
# The address is the socket's unless a TLS proxy in front sets X-Forwarded-For (else it is forgeable).
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env_bool("BEHIND_TLS_PROXY", False) else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None

# API tokens (accounts.tokens) expire after this many days, and when their owner's password changes.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)

# Content-Security-Policy (django-csp): this server's own scripts, styles and fonts only; no inline
# script or style, so an injected <script> or onclick= does not run. Pico's CSS draws its icons as
# data: SVGs. The API docs pages set their own, wider policy (experiments.api.views.docs says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

REST_FRAMEWORK = {
    # Token first: its "WWW-Authenticate: Token" makes a missing, expired or revoked token a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["experiments.api.filtering.ApiFilterBackend"],
    # POST /api/token/ per address (accounts.api.views.LoginRateThrottle); lock-outs are django-axes'.
    "DEFAULT_THROTTLE_RATES": {"login": env_str("LOGIN_RATE", "30/min")},
    # The API takes JSON (the token exchange also takes a form: accounts.api.views.TokenView).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "experiments.api.pagination.CappedPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "STRICT_JSON": True,  # reject NaN and Infinity literals in request bodies
    "COERCE_DECIMAL_TO_STRING": False,
    # The one API handler for refusals (experiments.errors.DomainError).
    "EXCEPTION_HANDLER": "experiments.api.exceptions.handler",
    # OPTIONS on an action that reads its body itself (no serializer_class) describes it instead of failing.
    "DEFAULT_METADATA_CLASS": "experiments.api.metadata.ActionMetadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pagar API",
    "DESCRIPTION": "Guardrailed experiments: registry, catalogues and lifecycle transitions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error responses (all of them a Refusal), derived in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "experiments.api.schema_hooks.error_responses",
        "experiments.api.schema_hooks.ingestion_bodies_required",
    ],
}

# Celery: the broker is a URL too. The default needs no server: kombu's SQL transport on its own
# SQLite file (its filesystem transport can hand a worker a half-written message file).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A killed worker's task goes back on the queue (acks late, rejected on worker lost). The hard
# limit bounds the longest task; Redis and SQS hand an unacknowledged task to another worker only
# after the visibility timeout, so it is kept above that limit (not the SQL transport's option).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
if CELERY_BROKER_URL.split(":", 1)[0] in {"redis", "rediss", "sqs"}:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own console handler (DEBUG only) is dropped: its records reach the root's console,
    # so each error (a 403's traceback, a crash) is written once, not twice.
    "loggers": {"django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True}},
}
# With DEBUG on, show the site's 404 and 500 pages instead of Django's technical ones (the demo).
PRODUCTION_ERROR_PAGES = env_bool("PRODUCTION_ERROR_PAGES", False)

VAR_DIR.mkdir(parents=True, exist_ok=True)

# Approvals: reminders and escalation after this many business days; optional signed webhook.
APPROVAL_REMINDER_BUSINESS_DAYS = env_int("APPROVAL_REMINDER_BUSINESS_DAYS", 2, minimum=1)
APPROVAL_ESCALATION_BUSINESS_DAYS = env_int("APPROVAL_ESCALATION_BUSINESS_DAYS", 5, minimum=1)
# Response items (cadence.duties): due this many business days after a signal fires; escalated to the
# touchpoint owner this many business days after they fall due.
RESPONSE_DUE_BUSINESS_DAYS = env_int("RESPONSE_DUE_BUSINESS_DAYS", 1, minimum=1)
RESPONSE_ESCALATION_BUSINESS_DAYS = env_int("RESPONSE_ESCALATION_BUSINESS_DAYS", 1, minimum=1)
WEBHOOK_URL = env_str("WEBHOOK_URL")
WEBHOOK_SECRET = env_str("WEBHOOK_SECRET")

# Assignment API: enrolled units are buffered per process and written in bulk, never per call.
# A flush when the buffer holds this many units, or when the last one is this many seconds old;
# a background thread does it (off: the call that finds a flush due makes it, as in tests).
ASSIGNMENT_FLUSH_SIZE = env_int("ASSIGNMENT_FLUSH_SIZE", 500, minimum=1)
ASSIGNMENT_FLUSH_SECONDS = env_int("ASSIGNMENT_FLUSH_SECONDS", 2, minimum=1)
ASSIGNMENT_FLUSH_THREAD = env_bool("ASSIGNMENT_FLUSH_THREAD", True)
ASSIGNMENT_BATCH_MAX = env_int("ASSIGNMENT_BATCH_MAX", 1000, minimum=1)  # units per POST /api/assignments/
# Data may claim at most this many percent more units per arm than Pagar assigned (up to each
# day); beyond it the check records a data error naming both counts (experiments.live.count_agreement).
DATA_UNITS_TOLERANCE_PERCENT = env_int("DATA_UNITS_TOLERANCE_PERCENT", 5, minimum=0)

# Service keys (experiments.service_keys): machines assign and send data with one. How long a new
# key lives unless its maker says otherwise, and how many calls one key may make (DRF rate syntax).
SERVICE_KEY_DAYS = env_int("SERVICE_KEY_DAYS", 365, minimum=1)
SERVICE_KEY_RATE = env_str("SERVICE_KEY_RATE", "6000/min")


# Daily monitoring slot, local time of day (TIME_ZONE): checks running experiments, then the
# digest to signal owners. Used when the periodic tasks are first created; the admin edits them.
def _time_of_day(name: str, default: str) -> str:
    raw = env_str(name, default).strip()
    try:
        hour, minute = (int(part) for part in raw.split(":"))
        valid = 0 <= hour < 24 and 0 <= minute < 60
    except ValueError:
        valid = False
    if not valid:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time of day; use HH:MM, e.g. 06:00.")
    return f"{hour:02d}:{minute:02d}"


MONITORING_TIME = _time_of_day("MONITORING_TIME", "06:00")
# A look taken more than this many minutes after its slot is recorded as late (with the reason).
MONITORING_GRACE_MINUTES = env_int("MONITORING_GRACE_MINUTES", 15, minimum=0)
# The monitoring sweep's period: a look missed at the slot (broker down, a killed worker) is taken
# at most this long after it could be. Five minutes keeps a killed worker's looks within minutes,
# well inside the Redis visibility timeout above, for one cheap query per sweep.
MONITORING_SWEEP_SECONDS = env_int("MONITORING_SWEEP_SECONDS", 300, minimum=10)
DIGEST_TIME = _time_of_day("DIGEST_TIME", "06:30")

# Data in (experiments.live.ingestion): rows per batch, and the largest body the API reads.
INGEST_MAX_ROWS = env_int("INGEST_MAX_ROWS", 50_000, minimum=1)
INGEST_MAX_BODY_BYTES = env_int("INGEST_MAX_BODY_BYTES", 32 * 1024 * 1024, minimum=1024)

# Calendars (cadence.calendars): who contributes meetings to the feeds and reminders (dotted
# paths to calendar_events(user, since, until); one not importable yet is skipped with a warning),
# and how far ahead of a meeting its reminder goes out.
CALENDAR_PROVIDERS = env_list(
    "CALENDAR_PROVIDERS",
    ["cadence.ideas.calendar.calendar_events", "cadence.reviews.calendar.calendar_events"],
)
MEETING_REMINDER_HOURS = env_int("MEETING_REMINDER_HOURS", 24, minimum=1)
