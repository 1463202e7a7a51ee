"""Logging in: the login page, the administrators' second step, single sign-on, and the
administrators' pages for the login settings and the log of logins.

Administrators who log in with a password are not logged in yet: the password starts a pending
login in the session (for five minutes), which the code from their authenticator app completes;
one who has no authenticator app yet sets one up first, on the same step.
"""

import base64
import logging
import time
from typing import Any

import pyotp
import requests
import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from randers.views import locked_out
from units import permissions as unit_permissions
from units.models import User

from . import forms, selectors, services
from .models import LoginEvent
from .oidc import oidc_setting

log = logging.getLogger(__name__)

PENDING = "_pending_login"  # session key: a password accepted, the second factor still due
PENDING_SECONDS = 5 * 60
EVENTS_PER_PAGE = 50


def _set_language_cookie(response: HttpResponseBase, user: User) -> None:
    """Afterwards the interface speaks the person's chosen language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login form; administrators go on to the code from their authenticator app."""

    form_class = forms.LocalLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_enabled": settings.OIDC_ENABLED}

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if selectors.needs_second_factor(user):
            self.request.session.cycle_key()
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "since": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("accounts:totp")
        self.request.login_method = LoginEvent.Method.LOCAL  # type: ignore[attr-defined]
        response = super().form_valid(form)
        _set_language_cookie(response, user)
        return response


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user", 0)), is_active=True).first()
    return (user, pending) if user else None


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.get_username()}  # django-axes' AXES_USERNAME_FORM_FIELD


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def totp(request: HttpRequest) -> HttpResponseBase:
    """The second step for administrators: the code from the authenticator app (set up here the
    first time, with a QR code and the secret as text)."""
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Log in with your username and password first."))
        return redirect("login")
    user, pending = found
    request.login_method = LoginEvent.Method.TOTP  # type: ignore[attr-defined]
    if not AxesProxyHandler.is_allowed(request, _credentials(user)):
        request.session.pop(PENDING, None)
        return locked_out(request)
    device = services.start_totp_enrolment(user)
    form = forms.TOTPCodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            response = redirect(pending["next"])
            _set_language_cookie(response, user)
            return response
        user_login_failed.send(
            sender=__name__, credentials=_credentials(user), request=request
        )  # counted by django-axes like a wrong password, and logged
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return locked_out(request)
    enrolling = not device.confirmed
    return render(
        request,
        "accounts/totp.html",
        {
            "form": form,
            "enrolling": enrolling,
            "secret": device.secret if enrolling else "",
            "qr_code": _qr_code(user, device.secret) if enrolling else "",
        },
    )


def _qr_code(user: User, secret: str) -> str:
    """The otpauth:// link as a QR code: an SVG as a data: URL, made here (no outside service)."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.get_username(), issuer_name=f"Aftalestyring {settings.MUNICIPALITY_NAME}"
    )
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


NEW_APP = "_new_authenticator"  # session key: the secret of an app being set up while logged in


@require_http_methods(["GET", "POST"])
def authenticator(request: HttpRequest) -> HttpResponseBase:
    """A logged-in administrator sets up a new authenticator app (a new phone): the old one works
    until a code from the new one is entered."""
    assert isinstance(request.user, User)
    user = request.user
    if not selectors.needs_second_factor(user):
        raise PermissionDenied
    secret = request.session.get(NEW_APP)
    if request.method == "GET" or not isinstance(secret, str):
        secret = services.new_totp_secret()
        request.session[NEW_APP] = secret
    device = services.start_totp_enrolment(user)
    form = forms.TOTPCodeForm(
        request.POST if request.method == "POST" else None, device=device, secret=secret
    )
    if request.method == "POST" and form.is_valid():
        del request.session[NEW_APP]
        messages.success(request, _("Your new authenticator app is set up."))
        return redirect("accounts:settings" if unit_permissions.is_administrator(user) else "home")
    return render(
        request,
        "accounts/authenticator.html",
        {
            "form": form,
            "secret": secret,
            "qr_code": _qr_code(user, secret),
            "has_device": device.confirmed,
        },
    )


# --- Single sign-on ------------------------------------------------------------------------------


def _refuse(request: HttpRequest, reason: str, *, email: str = "") -> HttpResponse:
    """The clear answer to a single sign-on that did not log anyone in, logged once."""
    if getattr(request, "axes_locked_out", False):
        return locked_out(request)
    if not getattr(request, "login_event_recorded", False):
        services.record_login_event(
            request,
            method=LoginEvent.Method.OIDC,
            outcome=LoginEvent.Outcome.FAILURE,
            username=email or getattr(request, "login_attempted_as", ""),
            reason=reason,
        )
    status = {"unknown": 403, "no_email": 403, "provider": 503}.get(reason, 400)
    return render(
        request,
        "accounts/sso_refused.html",
        {"reason": reason, "email": email or getattr(request, "login_attempted_as", "")},
        status=status,
    )


def _require_sso() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


@method_decorator([login_not_required, never_cache], name="dispatch")
class SSOStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the municipality's identity provider (state, nonce and PKCE)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are read per request (discovery)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _require_sso()
        request.login_method = LoginEvent.Method.OIDC  # type: ignore[attr-defined]
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured):
            log.exception("The identity provider's discovery document could not be read")
            return _refuse(request, "provider")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator([login_not_required, never_cache], name="dispatch")
class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The identity provider's answer: the person is logged in, or told clearly why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _require_sso()
        request.login_method = LoginEvent.Method.OIDC  # type: ignore[attr-defined]
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            log.warning("Single sign-on refused: %s", exc)
            return _refuse(request, "invalid")
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured):
            log.exception("Single sign-on failed talking to the identity provider")
            return _refuse(request, "provider")

    def login_failure(self) -> HttpResponse:
        request = self.request
        if request.GET.get("error"):
            return _refuse(request, "cancelled")
        reason = getattr(request, "login_refusal", "") or (
            "invalid" if "code" in request.GET else "cancelled"
        )
        return _refuse(request, reason)

    def login_success(self) -> HttpResponseBase:
        response = super().login_success()
        _set_language_cookie(response, self.user)
        return response


# --- Administrators' pages -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_settings(request: HttpRequest) -> HttpResponseBase:
    """Switch login with username and password on or off."""
    unit_permissions.require_administrator(request.user)
    assert isinstance(request.user, User)
    current = selectors.login_settings()
    form = forms.LoginSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"local_login_enabled": current.local_login_enabled},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_local_login(form.cleaned_data["local_login_enabled"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The login settings are saved."))
            return redirect("accounts:settings")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "current": current,
            "sso_enabled": settings.OIDC_ENABLED,
            "has_totp": selectors.confirmed_totp_device(request.user) is not None,
        },
    )


@require_GET
def login_events(request: HttpRequest) -> HttpResponse:
    """The log of logins, filterable, newest first."""
    unit_permissions.require_administrator(request.user)
    form = forms.LoginEventFilterForm(request.GET or None)
    page = Paginator(selectors.login_events(form.filters()), EVENTS_PER_PAGE).get_page(
        request.GET.get("side")
    )
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "accounts/events.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
