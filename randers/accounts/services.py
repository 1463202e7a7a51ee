"""Writing login data: the log of logins, the login settings and authenticator devices."""

import hmac
import time

import pyotp
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import User

from .models import LoginEvent, LoginSettings, TOTPDevice

# The demo administrator's authenticator secret: public, printed by `make run`, and enrolled only
# by seed_demo (README, "Login and single sign-on").
DEMO_TOTP_SECRET = "AFTALESTYRINGDEMOADMINTOTPSECRET"  # noqa: S105


def record_login_event(
    request: HttpRequest | None,
    *,
    method: str,
    outcome: str,
    user: User | None = None,
    username: str = "",
    reason: str = "",
) -> LoginEvent:
    """One row in the log of logins, with the address and browser of the request."""
    ip_address = get_client_ip_address(request) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return LoginEvent.objects.create(
        user=user,
        username=(username or (user.get_username() if user else ""))[:254],
        method=method,
        outcome=outcome,
        reason=reason,
        ip_address=ip_address or None,
        user_agent=user_agent[:500],
    )


def set_local_login(enabled: bool, *, by: User) -> LoginSettings:
    """Switch login with username and password on or off for everyone but the administrators
    with a second factor. Off needs single sign-on, or nobody else could log in at all."""
    if not enabled and not settings.OIDC_ENABLED:
        raise ValidationError(
            _(
                "Login with username and password cannot be switched off while the "
                "municipality's login (single sign-on) is not configured."
            ),
            code="no_sso",
        )
    with transaction.atomic():
        row, _created = LoginSettings.objects.select_for_update().get_or_create(pk=1)
        row.local_login_enabled = enabled
        row.changed_at = timezone.now()
        row.changed_by = by
        row.full_clean()
        row.save()
    return row


# --- Authenticator codes (RFC 6238) --------------------------------------------------------------


def start_totp_enrolment(user: User) -> TOTPDevice:
    """A new secret for the person's authenticator app, unconfirmed until a code from it is
    entered. An unconfirmed secret already shown is kept (a reload shows the same QR code); a
    confirmed one is only replaced through `replace_totp_device`."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def new_totp_secret() -> str:
    """A fresh secret for a person who sets up a new authenticator app while logged in. The old
    app keeps working until a code from the new one is entered (`verify_totp(secret=...)`)."""
    return pyotp.random_base32()


def verify_totp(device: TOTPDevice, code: str, *, secret: str | None = None) -> bool:
    """Whether `code` is the device's current code (or the one before or after, for clocks that
    drift) and has not been used before. A right code is used up, and confirms the device.

    `secret` checks a new secret for the same person (re-enrolment) and stores it when right.
    """
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        totp = pyotp.TOTP(secret or locked.secret)
        now = totp.timecode(timezone.now())
        for step in (now - 1, now, now + 1):
            unused = (
                secret is not None or step > locked.last_used_step
            )  # a new secret: no code used
            if unused and hmac.compare_digest(totp.generate_otp(step), code):
                locked.last_used_step = step
                if secret or locked.confirmed_at is None:  # a new app, or the first code
                    locked.secret = secret or locked.secret
                    locked.confirmed_at = timezone.now()
                locked.save(update_fields=["last_used_step", "secret", "confirmed_at"])
                device.refresh_from_db()
                return True
    return False


def enrol_demo_totp(user: User) -> TOTPDevice:
    """The demo administrator's authenticator, with the public demo secret (demo data only)."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now(), "last_used_step": 0},
    )
    return device


def demo_totp_code() -> str:
    """The demo administrator's current code (what an authenticator app would show)."""
    return pyotp.TOTP(DEMO_TOTP_SECRET).at(time.time())
