from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log (every change, written by PostgreSQL triggers) and the access log (who read
    a draft, a follow-up or a person's page)."""

    name = "randers.audit"
    label = "audit"
    verbose_name = _("Audit and access log")

    def ready(self) -> None:
        from . import context  # noqa: F401  (connects the Celery signals)
