from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_administrators(**kwargs: Any) -> None:
    from .permissions import sync_administrators_group

    sync_administrators_group()


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # After the last app has migrated, so that every app's permissions exist.
        post_migrate.connect(_sync_administrators, dispatch_uid="units.sync_administrators")
