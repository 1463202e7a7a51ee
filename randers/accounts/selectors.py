"""Reading login data."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from units import permissions as unit_permissions
from units.models import User

from .models import LoginEvent, LoginEventQuerySet, LoginSettings, TOTPDevice


def login_settings() -> LoginSettings:
    """The login settings row (the defaults when no administrator has changed them)."""
    return LoginSettings.objects.filter(pk=1).first() or LoginSettings()


def local_login_enabled() -> bool:
    return login_settings().local_login_enabled


def needs_second_factor(user: User) -> bool:
    """Administrators, and anyone who may use the Django admin, log in locally only with the code
    of an authenticator app."""
    return user.is_superuser or user.is_staff or unit_permissions.is_administrator(user)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


@dataclass(frozen=True)
class LoginEventFilter:
    text: str = ""
    outcome: str = ""
    method: str = ""
    since: date | None = None
    until: date | None = None


def login_events(filters: LoginEventFilter) -> LoginEventQuerySet:
    """The log of logins, newest first, narrowed by the administrator's filters."""
    events = LoginEvent.objects.for_log()
    if filters.text:
        events = events.filter(
            Q(username__icontains=filters.text)
            | Q(user__email__icontains=filters.text)
            | Q(ip_address__startswith=filters.text)
        )
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.method:
        events = events.filter(method=filters.method)
    zone = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until:
        events = events.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=zone))
    return events
