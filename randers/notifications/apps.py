from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What happened to one's own work (in the app and by e-mail), reminders of what is due, and
    each person's choice of how often to be told."""

    name = "randers.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import services

        def count_unread(sender: object, user: object, **kwargs: object) -> None:
            # Read at login, so that the pages that follow find the header's count in the cache.
            services.unread_count(user.pk)  # type: ignore[attr-defined]

        user_logged_in.connect(count_unread, weak=False, dispatch_uid="notifications-count-unread")
