"""Single sign-on with OpenID Connect (mozilla-django-oidc), fitted to the municipality.

- The provider's endpoints come from the settings or, when only OIDC_ISSUER is given, from its
  discovery document, fetched at the first single sign-on (so the app boots without the provider,
  and a password login never waits for it).
- People are found by the work e-mail in the claim OIDC_EMAIL_CLAIM (from the ID token or the
  userinfo answer); nobody is created. The ID token's issuer and audience are checked.
"""

import threading
import time
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from units.models import User

# Settings that may come from the discovery document, and the document's name for each.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_TTL = 3600  # seconds; providers rotate endpoints rarely, keys are read per login

_discovery_lock = threading.Lock()
_discovery: dict[str, tuple[float, dict[str, Any]]] = {}


def discovery_document(issuer: str) -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, kept for an hour per process."""
    with _discovery_lock:
        cached = _discovery.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_TTL:
            return cached[1]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ImproperlyConfigured(
            f"The discovery document of {issuer} names another issuer: {document.get('issuer')}"
        )
    with _discovery_lock:
        _discovery[issuer] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery.clear()


def oidc_setting(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's settings lookup, with endpoints filled in from discovery."""
    if attr in DISCOVERED and not getattr(settings, attr, "") and settings.OIDC_ISSUER:
        return discovery_document(settings.OIDC_ISSUER)[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def email_claim(claims: dict[str, Any]) -> str:
    value = claims.get(settings.OIDC_EMAIL_CLAIM)
    return value.strip() if isinstance(value, str) else ""


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the answer of the provider on the callback URL, and nothing else."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for every authenticate() and every session's user lookup; the
        # provider's settings are read only when a single sign-on actually arrives.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        if request is None or "username" in kwargs or "password" in kwargs:
            return None
        if request.path != reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL):
            return None
        request.login_method = "oidc"  # type: ignore[attr-defined]
        super().__init__()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        if "nonce" not in kwargs:  # a userinfo answer as a JWT, not the ID token
            return payload
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is meant for another client.")
        if settings.OIDC_ISSUER and str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims, completed by the userinfo endpoint (Entra ID puts the work
        e-mail in the ID token's preferred_username or email; its userinfo says less)."""
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        email = email_claim(claims)
        self.request.login_attempted_as = email or str(claims.get("sub", ""))  # type: ignore[attr-defined]
        if not email:
            self.request.login_refusal = "no_email"  # type: ignore[attr-defined]
        return bool(email)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        users = self.UserModel.objects.filter(email__iexact=email_claim(claims), is_active=True)
        if not users:
            self.request.login_refusal = "unknown"  # type: ignore[attr-defined]
        return users

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"e-mail {email_claim(claims)}"
