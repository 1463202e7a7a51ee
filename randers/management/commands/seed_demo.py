from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from agreements.demo import build_agreements
from randers.accounts.services import DEMO_TOTP_SECRET, enrol_demo_totp
from units.demo import build_organisation
from units.models import Council, User


class Command(BaseCommand):
    help = (
        "Build the demo municipality after Randers (areas, committees, units, fictional people, "
        "council goals, common goals, an indicator library, agreements of last period and this one "
        "in every state, follow-ups and measurements, and the demo "
        "accounts admin, council, director and leader with the password 'demo'). "
        "Idempotent: running it again creates only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=220, help="number of units (1-5000)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the database has a council"
        )

    def handle(self, *args: Any, units: int, if_empty: bool, **options: Any) -> None:
        if not 1 <= units <= 5000:
            raise CommandError("--units must be between 1 and 5000.")
        if if_empty and Council.objects.exists():
            self.stdout.write("The database already holds a municipality; nothing seeded.")
            return
        created = build_organisation(units)
        created |= build_agreements()
        admin = User.objects.get(username="admin")
        enrol_demo_totp(admin)  # administrators need a second factor; the demo's is public
        with connection.cursor() as cursor:  # fresh planner statistics after the bulk inserts
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Demo municipality with {units} units: created {created['units']} units, "
            f"{created['sites']} sites, {created['people']} people, "
            f"{created['agreements']} agreements, {created['follow_ups']} follow-ups and "
            f"{created['measurements']} measurements. The demo admin's authenticator secret is "
            f"{DEMO_TOTP_SECRET} (current code: manage.py demo_totp)."
        )
