import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from units import services
from units.models import User


class Command(BaseCommand):
    help = "Create the first administrator (or make an existing person one); asks for a password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(
        self, *args: Any, username: str, email: str, first_name: str, last_name: str, **options: Any
    ) -> None:
        person, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email, "first_name": first_name, "last_name": last_name},
        )
        if created:
            password = getpass.getpass("Password: ")
            try:
                validate_password(password, person)
            except ValidationError as exc:
                person.delete()
                raise CommandError(" ".join(exc.messages)) from exc
            person.set_password(password)
            person.save(update_fields=["password"])
        services.make_administrator(person, by=None)
        self.stdout.write(f"{person.username} is an administrator.")
