"""Every login, failed login and lockout goes into the log of logins (LoginEvent).

The views say how a person logs in by setting `request.login_method` (the single sign-on backend
does the same); without it a login is a local one.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from units.models import User

from . import services
from .models import LoginEvent


def _method(request: HttpRequest | None, default: str = LoginEvent.Method.LOCAL) -> str:
    return getattr(request, "login_method", default)


@receiver(user_logged_in, dispatch_uid="accounts.log_login")
def log_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    services.record_login_event(
        request, method=_method(request), outcome=LoginEvent.Outcome.SUCCESS, user=user
    )


@receiver(user_login_failed, dispatch_uid="accounts.log_login_failure")
def log_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username") or getattr(request, "login_attempted_as", "")
    refusal = getattr(request, "login_refusal", "")
    services.record_login_event(
        request,
        method=_method(request),
        outcome=LoginEvent.Outcome.FAILURE,
        username=str(username or ""),
        reason=refusal,
    )
    if request is not None:
        request.login_event_recorded = True  # type: ignore[attr-defined]


@receiver(user_locked_out, dispatch_uid="accounts.log_lockout")
def log_lockout(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    services.record_login_event(
        request,
        method=_method(request),
        outcome=LoginEvent.Outcome.LOCKED_OUT,
        username=username or "",
        reason=LoginEvent.Reason.TOO_MANY_ATTEMPTS,
    )
