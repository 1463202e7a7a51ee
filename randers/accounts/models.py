"""Login settings, administrators' authenticator devices and the log of logins."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randers.choices import ChoiceLabels


class LoginSettings(models.Model):
    """The one row of login settings that administrators change in the app (not the environment,
    so that switching local accounts off needs no deployment)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    local_login_enabled = models.BooleanField(
        _("login with username and password"),
        default=True,
        help_text=_(
            "When off, only administrators with a second factor can log in with a username "
            "and password; everyone else uses the municipality's login."
        ),
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("login settings")
        verbose_name_plural = _("login settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_login_settings_row")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class TOTPDevice(models.Model):
    """A person's authenticator app: the shared secret of RFC 6238 time-based codes.

    Unconfirmed until the person has entered one code from it; the last time step used is kept so
    that a code cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="totp_device",
        verbose_name=_("person"),
    )
    secret = models.CharField(_("secret"), max_length=64)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last time step used"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'not confirmed'})"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class LoginEventQuerySet(models.QuerySet["LoginEvent"]):
    def for_log(self) -> "LoginEventQuerySet":
        """Newest first, with the person in the same query."""
        return self.select_related("user").order_by("-at", "-pk")


class LoginEvent(ChoiceLabels, models.Model):
    """One login attempt and how it ended: written for every success, failure, refusal and
    lockout, whatever the method."""

    class Method(models.TextChoices):
        LOCAL = "local", _("Username and password")
        TOTP = "totp", _("Password and authenticator code")
        OIDC = "oidc", _("Municipality's login (single sign-on)")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Logged in")
        FAILURE = "failure", _("Failed")
        REFUSED = "refused", _("Refused")
        LOCKED_OUT = "locked_out", _("Locked out")

    class Reason(models.TextChoices):
        UNKNOWN = "unknown", _("no active person with this e-mail")
        NO_EMAIL = "no_email", _("the identity provider sent no e-mail")
        INVALID = "invalid", _("expired, tampered with or not verifiable")
        CANCELLED = "cancelled", _("cancelled or refused at the identity provider")
        PROVIDER = "provider", _("the identity provider could not be reached")
        LOCAL_LOGIN_OFF = "local_off", _("login with username and password is switched off")
        TOO_MANY_ATTEMPTS = "attempts", _("too many failed attempts")

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,  # the log keeps the id of a deleted person
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    username = models.CharField(_("username or e-mail tried"), max_length=254, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)

    objects = LoginEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="login_event_newest"),
            models.Index(fields=["outcome", "-at"], name="login_event_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.method} {self.outcome}"
