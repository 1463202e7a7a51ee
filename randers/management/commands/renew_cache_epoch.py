from typing import Any

from django.core.management.base import BaseCommand

from randers import versions
from randers.notifications.services import forget_unread_counts


class Command(BaseCommand):
    help = (
        "Give the database a new cache epoch and forget the cached unread counts, so that no "
        "page reads what was cached before: run it after restoring the database from a backup "
        "(sessions and queued jobs are kept)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        versions.renew_epoch()
        forget_unread_counts()
        self.stdout.write("The cache epoch is renewed: pages compute again what they cache.")
