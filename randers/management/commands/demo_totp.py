from typing import Any

from django.core.management.base import BaseCommand

from randers.accounts.services import demo_totp_code


class Command(BaseCommand):
    help = (
        "Print the demo administrator's current authenticator code (from the public demo secret "
        "that seed_demo enrols; it opens nothing else)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_totp_code())
