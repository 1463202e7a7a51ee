from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from randers.audit import services


class Command(BaseCommand):
    help = (
        "Delete audit, access and login log records older than AUDIT_RETENTION_DAYS (or --days); "
        "never anything younger than six months. Celery beat runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="keep this many days instead")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        try:
            pruned = services.prune_logs(days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Deleted {pruned.audit_events} audit, {pruned.access_events} access and "
            f"{pruned.login_events} login records "
            f"from before {pruned.before:%Y-%m-%d %H:%M}."
        )
