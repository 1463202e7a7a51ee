from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from agreements.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Make and send today's reminders (what Celery beat runs daily at REMINDERS_HOUR). "
        "A second run sends nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=date.fromisoformat, default=None, help="as if today were YYYY-MM-DD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_reminders(today=options["date"])
        self.stdout.write(
            f"{run.day}: {run.reminders} new reminders, {run.emails} e-mails, "
            f"{run.notifications} notifications in digests, {run.seconds:.1f} s"
        )
