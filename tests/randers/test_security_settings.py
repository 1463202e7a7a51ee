"""Secure cookies and the header check itself (the headers of every route are checked by the
permission matrix, tests/randers/test_permission_matrix.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.http import HttpResponse

from tests.randers.test_permission_matrix import header_problems

BASE_DIR = Path(__file__).resolve().parents[2]

COOKIE_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
]


def production_settings(**extra: str) -> dict[str, object]:
    """The cookie settings as production would read them from its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "HTTPS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="randers.settings",
        SECRET_KEY="a-production-like-secret-key-with-enough-length-and-variety-1234567890!",
        ALLOWED_HOSTS="aftaler.randers.dk",
        **extra,
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {COOKIE_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_production_cookies_are_secure_http_only_and_same_site():
    assert production_settings() == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_cookies_are_plain_only_when_https_is_switched_off():
    found = production_settings(HTTPS="false")
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["CSRF_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0


def test_header_check_names_what_a_bare_response_lacks():
    assert header_problems(HttpResponse("x")) == [
        "X-Frame-Options: None, not 'DENY'",
        "X-Content-Type-Options: None, not 'nosniff'",
        "Referrer-Policy: None, not 'same-origin'",
        "Cross-Origin-Opener-Policy: None, not 'same-origin'",
        "Content-Security-Policy default-src: None, not \"'self'\"",
        "Content-Security-Policy script-src: None, not \"'self'\"",
        "Content-Security-Policy style-src: None, not \"'self'\"",
        "Content-Security-Policy object-src: None, not \"'none'\"",
        "Content-Security-Policy base-uri: None, not \"'none'\"",
        "Content-Security-Policy form-action: None, not \"'self'\"",
        "Content-Security-Policy frame-ancestors: None, not \"'none'\"",
    ]


def test_header_check_refuses_unsafe_inline():
    response = HttpResponse("x")
    response["Content-Security-Policy"] = "script-src 'self' 'unsafe-inline'"
    assert "Content-Security-Policy allows unsafe sources: script-src 'self' 'unsafe-inline'" in (
        header_problems(response)
    )
