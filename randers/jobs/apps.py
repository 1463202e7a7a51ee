from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background work: one row per job in PostgreSQL is the truth; Redis only carries messages."""

    name = "randers.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
