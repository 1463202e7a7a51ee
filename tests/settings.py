"""Test-only overrides of randers.settings. The tests talk to real PostgreSQL and Redis servers."""

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-of-a-reasonable-length-0123456789")

# Under pytest-xdist each test process gets a Redis database of its own (the next ones after
# REDIS_URL's), so that one process's Celery worker and broker flushes never meet another's.
# The environment is changed, not only the settings: the Celery workers the tests start inherit it.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
# The Celery workers also read this module: the marker keeps them from moving once more.
if (
    _xdist_worker.startswith("gw")
    and "REDIS_URL" in os.environ
    and "TESTS_RUN_REDIS_URL" not in os.environ
):
    os.environ["TESTS_RUN_REDIS_URL"] = os.environ["REDIS_URL"]
    _redis = urlsplit(os.environ["REDIS_URL"])
    _database = int(_redis.path.strip("/") or 0) + 1 + int(_xdist_worker[2:])
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_database}"))

from randers.settings import *  # noqa: E402, F403

# Plain HTTP in the test client and the live server of the browser tests.
HTTPS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {
        **CACHES["default"],  # noqa: F405
        # Of this run alone: what is cached under a data version must never meet an entry of an
        # earlier run whose database reached the same version number.
        "KEY_PREFIX": f"aftalestyring-test-{os.getpid()}-{uuid.uuid4().hex[:8]}",
    }
}

# Static files straight from the finders (no collectstatic in tests).
STATIC_ROOT = Path(tempfile.gettempdir()) / "aftalestyring-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AXES_VERBOSE = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405

# django-zeal raises on any N+1 query pattern in a request during the tests (tests/zeal.py).
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE, "tests.zeal.zeal_outside_admin"]  # noqa: F405
ZEAL_RAISE = True
