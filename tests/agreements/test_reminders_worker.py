"""Celery beat's schedule, run by a real worker (tests/celery_worker.py), sends the day's
reminders: here every two seconds (REMINDERS_EVERY_SECONDS) instead of daily at REMINDERS_HOUR,
into a mail folder (Django's file backend) that the test reads. Runs after the first send nothing
new: each reminder went once."""

import email
import email.policy
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import formats, timezone

from agreements import services
from agreements.models import Period, TemplateSection
from randers.notifications.models import SentReminder
from tests.celery_worker import Worker, flush_broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def read_outbox(folder: Path) -> list[tuple[str, str]]:
    """(to, subject) of every e-mail the file backend wrote, sorted."""
    found = []
    for path in folder.glob("*.log"):
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                message = email.message_from_string(raw.strip(), policy=email.policy.default)
                found.append((str(message["To"]), " ".join(str(message["Subject"]).split())))
    return sorted(found)


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def worker(transactional_db: None, mail_folder: Path) -> Iterator[Worker]:
    flush_broker()
    worker = Worker(
        concurrency=1,
        env={
            "REMINDERS_EVERY_SECONDS": "2",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_folder),
            "SITE_URL": "http://testserver",
        },
    )
    yield worker
    worker.stop()
    flush_broker()


def test_beat_sends_the_days_reminders_once(organisation, cast, worker, mail_folder):
    today = timezone.localdate()
    period = Period.objects.create(
        name="Næste periode",
        slug="naeste-periode",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=395),
        draft_due=today - timedelta(days=10),
        submit_due=today + timedelta(days=7),
        dialogue_starts=today + timedelta(days=14),
        dialogue_ends=today + timedelta(days=21),
        signing_due=today + timedelta(days=25),
    )
    TemplateSection.objects.create(period=period, order=1, title="Indledning")
    for unit in (organisation.unit_a, organisation.unit_b):
        services.create_agreement(unit, period, by=None)

    worker.start()
    wait_until(
        lambda: SentReminder.objects.filter(emailed_at__isnull=False).count() == 2,
        timeout=60,
        what=worker.output(),
    )
    time.sleep(6)  # three more runs of the schedule, which find nothing new to send

    deadline = formats.date_format(today + timedelta(days=7))
    assert read_outbox(mail_folder) == [
        (
            "leader_a@randers.dk",
            f"Påmindelse: Skriv og indsend aftalen Næste periode for Tirsdalens Skole "
            f"(frist {deadline})",
        ),
        (
            "leader_b@randers.dk",
            f"Påmindelse: Skriv og indsend aftalen Næste periode for Havndal Skole "
            f"(frist {deadline})",
        ),
    ]
    assert SentReminder.objects.count() == 2
