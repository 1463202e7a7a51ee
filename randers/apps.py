from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RandersConfig(AppConfig):
    """The project itself: cross-app pages (home, health) and the demo data command."""

    name = "randers"
    verbose_name = _("Aftalestyring")
