"""Settings for Aftalestyring, read from the environment.

One module for every environment: production, `make run` and the tests differ only in environment
values (and `tests/settings.py` for test-only overrides). Each value is read through a small typed
helper that raises ImproperlyConfigured at boot when a value cannot be understood. README.md lists
every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A string from NAME, or from the file named by NAME_FILE (for Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc}") from exc
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Django's DATABASES entry for a postgresql:// URL.

    A socket directory may be given as `?host=/path` (the embedded server of `make run`), other
    query parameters are libpq's. Unless the URL gives `options`, two planner settings are made
    for the app's short queries: JIT compilation off (it spent 50-100 ms compiling the plans of
    aggregates that run in 5-25 ms), and the planner's search for the best order of joins
    limited to four at a time (`join_collapse_limit`; an agreement with its unit, area, leader,
    committee, period and version took 3.4 ms to plan and 0.3 ms to run; now 0.8 ms to plan).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgresql:// URL, not {url!r}.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or parts.hostname or ""
    query.setdefault("options", "-c jit=off -c join_collapse_limit=4")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "aftalestyring",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": query,
    }


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
# Required to serve (randers/wsgi.py refuses to start without it), not to run commands that only
# read the code, such as `makemigrations --check`.
SECRET_KEY = env_str(
    "SECRET_KEY", "insecure-development-key-only-used-when-debug-is-on" if DEBUG else ""
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

MUNICIPALITY_NAME = env_str("MUNICIPALITY_NAME", "Randers Kommune")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "randers.apps.StaticFilesConfig",  # django.contrib.staticfiles, leaving out unused files
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "guardian",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "randers",
    "randers.jobs",
    "randers.notifications",
    "randers.audit",
    "randers.accounts",
    "units",
    "goals",
    "agreements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "randers.audit.context.audit_context",
    "randers.middleware.idle_timeout",
    "randers.middleware.limit_request_size",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "randers.urls"
FORM_RENDERER = "randers.forms.FormRenderer"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6.0 default, ahead of time
WSGI_APPLICATION = "randers.wsgi.application"

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
                "randers.context_processors.site",
                "randers.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/aftalestyring")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "randers.cache.RedisCache",  # one Redis client per server, not per call
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "aftalestyring",
    }
}

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / ".data")))
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# --- People and permissions -------------------------------------------------------------------

AUTH_USER_MODEL = "units.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# How long a link to set one's password works (it works once): new people get one by e-mail.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_HOURS", 72) * 3600
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Every login, failure and lockout is written to randers.accounts' LoginEvent table.
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors hold no object permissions
GUARDIAN_MONKEY_PATCH_USER = False

# django-axes: lock a username from one address after 5 failures, so that one person's typos
# cannot lock out everyone behind the same office address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "randers.views.locked_out"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)

# --- Single sign-on (OpenID Connect) ---------------------------------------------------------

# On when OIDC_CLIENT_ID is set. The provider's endpoints are read from its discovery document
# under OIDC_ISSUER (fetched at the first login, not at boot), or given one by one. People are
# matched by their work e-mail in the claim OIDC_EMAIL_CLAIM; nobody is created (README, "Login
# and single sign-on").
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_EMAIL_CLAIM = env_str("OIDC_EMAIL_CLAIM", "email")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # no self-registration: only people already in the app get in
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
if OIDC_ENABLED:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_ID is set: OIDC_CLIENT_SECRET is required too.")
    _endpoints = [
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    ]
    if not OIDC_ISSUER and not all(_endpoints):
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID is set: give OIDC_ISSUER, or all of OIDC_AUTHORIZATION_ENDPOINT, "
            "OIDC_TOKEN_ENDPOINT, OIDC_USERINFO_ENDPOINT and OIDC_JWKS_ENDPOINT."
        )
    AUTHENTICATION_BACKENDS.insert(1, "randers.accounts.oidc.OIDCBackend")

# --- Security ---------------------------------------------------------------------------------

HTTPS = env_bool("HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 30 * 60  # ends after 30 minutes idle
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from Redis, kept in both
# Each request restarts the 30 minutes, renewed at most once a minute (randers.middleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes inside the network speak plain HTTP
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The address people reach the app at, for links in e-mails sent without a request (background
# jobs). By default the first allowed host.
SITE_URL = (
    env_str("SITE_URL", "")
    or (f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "")
    or "http://127.0.0.1:8000"
).rstrip("/")

# Uploads: the imports accept spreadsheets of at most UPLOAD_MAX_BYTES (units: .xlsx or .csv;
# follow-up: .xlsx). A request body larger than REQUEST_MAX_BYTES (the file and its form) is
# refused with 413 before it is read; form fields are held in memory up to
# DATA_UPLOAD_MAX_MEMORY_SIZE, and a file of an allowed size stays in memory (no temporary file).
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 512 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# A strict Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Audit and access log --------------------------------------------------------------------

# Days the audit log and the access log are kept; the daily prune (beat, 03:15) deletes older
# records. At least six months: the database refuses to delete anything younger than 183 days.
AUDIT_MINIMUM_RETENTION_DAYS = 183
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)
if AUDIT_RETENTION_DAYS < AUDIT_MINIMUM_RETENTION_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {AUDIT_MINIMUM_RETENTION_DAYS} (six months), "
        f"not {AUDIT_RETENTION_DAYS}."
    )
# django-pghistory's context (randers/audit/context.py): the signed-in person is read only when
# a change is written.
PGHISTORY_JSON_ENCODER = "randers.audit.context.AuditJSONEncoder"

# --- Language and time ------------------------------------------------------------------------

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "randers" / "locale"]
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Background work --------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # job rows in PostgreSQL hold the results
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# At-least-once delivery: a message is acknowledged only when its task has finished, and given back
# when the worker dies; each worker takes one message at a time. Tasks are idempotent (the job row
# says whether the work is done) and the beat sweep below resends messages that were lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
# Longer than the longest task may run (CELERY_TASK_TIME_LIMIT), so that Redis never hands a
# message that is still being worked on to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
# The sweep: every JOBS_SWEEP_SECONDS, jobs waiting longer than JOBS_LOST_AFTER_SECONDS or running
# without a sign of life for JOBS_SILENT_AFTER_SECONDS get their message again; a job claimed
# JOBS_MAX_ATTEMPTS times without finishing is given up (failed, and can be tried again).
JOBS_SWEEP_SECONDS = env_int("JOBS_SWEEP_SECONDS", 60)
JOBS_LOST_AFTER_SECONDS = env_int("JOBS_LOST_AFTER_SECONDS", 120)
JOBS_SILENT_AFTER_SECONDS = env_int("JOBS_SILENT_AFTER_SECONDS", 300)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 5)
# Reminders: once a day at REMINDERS_HOUR (local time); REMINDERS_EVERY_SECONDS instead runs them
# at that interval (for drills and tests: a run sends nothing that was sent before).
REMINDERS_HOUR = env_int("REMINDERS_HOUR", 7)
REMINDERS_EVERY_SECONDS = env_int("REMINDERS_EVERY_SECONDS", 0)
if not 0 <= REMINDERS_HOUR <= 23:
    raise ImproperlyConfigured("REMINDERS_HOUR must be an hour of the day, 0 to 23.")
CELERY_BEAT_SCHEDULE = {
    "requeue-lost-jobs": {"task": "jobs.requeue_lost_jobs", "schedule": float(JOBS_SWEEP_SECONDS)},
    "send-reminders": {
        "task": "agreements.tasks.send_reminders",
        "schedule": float(REMINDERS_EVERY_SECONDS)
        if REMINDERS_EVERY_SECONDS
        else crontab(hour=REMINDERS_HOUR, minute=0),
    },
    "prune-audit": {"task": "audit.prune_audit", "schedule": crontab(hour=3, minute=15)},
}

# --- Mail -------------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # the file backend's folder
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aftalestyring@randers.dk")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
