from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Logging in: the login page, single sign-on (OpenID Connect), administrators' second factor
    (TOTP), the switch for local accounts and the log of every login."""

    name = "randers.accounts"
    label = "accounts"
    verbose_name = _("Login")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the login signals
