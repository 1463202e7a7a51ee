"""Reminders on a frozen clock: which go out on which day, none twice, digests grouped, each
person's choice respected.

The period of the tests (tests/agreements/conftest.py) has drafts due 1 October 2026 (a Thursday)
and submission due 1 November 2026 (a Sunday). Unit A has a draft; unit B has no agreement yet.
"""

from datetime import date

import pytest
import time_machine
from django.core import mail

from agreements import reminders, services
from randers.notifications.models import Frequency, Preference, SentReminder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]


@pytest.fixture
def drafting(organisation, cast, period):  # type: ignore[no-untyped-def]
    with time_machine.travel(date(2026, 9, 1), tick=False):
        return services.create_agreement(organisation.unit_a, period, by=None)


def run_on(day: date) -> reminders.ReminderRun:
    mail.outbox.clear()
    with time_machine.travel(day, tick=False):
        return reminders.send_reminders()


def sent() -> list[tuple[str, str]]:
    """(recipient, subject) of each e-mail of the run, sorted."""
    return sorted((m.to[0].split("@")[0], str(m.subject)) for m in mail.outbox)


def test_a_week_before_the_deadline_the_leader_is_reminded(drafting, cast):
    run = run_on(date(2026, 10, 25))
    assert sent() == [
        (
            "leader_a",
            "Påmindelse: Skriv og indsend aftalen 2027 for Tirsdalens Skole (frist 1. november "
            "2026)",
        )
    ]
    assert (run.reminders, run.emails) == (1, 1)


def test_on_the_day_of_the_deadline_the_leader_is_reminded(drafting, cast):
    run_on(date(2026, 10, 25))
    run_on(date(2026, 11, 1))
    assert sent() == [
        (
            "leader_a",
            "Frist i dag: Skriv og indsend aftalen 2027 for Tirsdalens Skole (frist i dag)",
        )
    ]


def test_a_day_without_a_deadline_sends_nothing(drafting, cast):
    assert run_on(date(2026, 10, 27)).emails == 0
    assert mail.outbox == []


def test_a_second_run_on_the_same_day_sends_nothing_new(drafting, cast):
    assert run_on(date(2026, 10, 25)).emails == 1
    run = run_on(date(2026, 10, 25))
    assert (run.reminders, run.emails) == (0, 0)
    assert SentReminder.objects.count() == 1


def test_overdue_tasks_come_in_a_weekly_digest_on_mondays_and_the_director_gets_the_units(
    drafting, cast
):
    assert run_on(date(2026, 11, 3)).emails == 0  # a Tuesday: overdue, but not digest day
    run_on(date(2026, 11, 2))  # Monday
    assert sent() == [
        ("director", "Aftalestyring: 2 ting til dig"),
        ("leader_a", "Aftalestyring: 1 ting til dig"),
        ("leader_b", "Aftalestyring: 1 ting til dig"),
    ]
    digest = {m.to[0].split("@")[0]: m for m in mail.outbox}
    director = digest["director"].body
    assert "Forsinkede enheder i dit område:" in director
    assert "Havndal Skole: Start aftalen 2027 for Havndal Skole (frist 1. oktober 2026)" in director
    assert (
        "Tirsdalens Skole: Skriv og indsend aftalen 2027 for Tirsdalens Skole "
        "(frist 1. november 2026)" in director
    )
    html = digest["director"].alternatives[0]  # type: ignore[attr-defined]
    assert html[1] == "text/html"
    assert '<li><a href="http://testserver/aftaler/' in html[0]
    # The same Monday again: nothing; the next Monday: the digest again, while still overdue.
    assert run_on(date(2026, 11, 2)).emails == 0
    assert run_on(date(2026, 11, 9)).emails == 3


def test_a_weekly_digest_holds_the_weeks_reminders_until_monday(drafting, cast):
    Preference.objects.create(person=cast.leader_a, frequency=Frequency.WEEKLY)
    assert run_on(date(2026, 10, 25)).emails == 0  # Sunday: recorded, not sent
    assert SentReminder.objects.get().emailed_at is None
    run_on(date(2026, 10, 26))  # Monday (unit B's overdue start goes to its leader and director)
    assert sent() == [
        ("director", "Aftalestyring: 1 ting til dig"),
        ("leader_a", "Aftalestyring: 1 ting til dig"),
        ("leader_b", "Aftalestyring: 1 ting til dig"),
    ]
    to_leader_a = next(m for m in mail.outbox if m.to == [cast.leader_a.email])
    assert "Skriv og indsend aftalen 2027 for Tirsdalens Skole (frist 1. november 2026)" in (
        to_leader_a.body
    )


def test_a_daily_digest_puts_the_days_reminders_in_one_email(organisation, cast, period):
    with time_machine.travel(date(2026, 9, 1), tick=False):
        services.create_agreement(organisation.unit_a, period, by=None)
        services.create_agreement(organisation.unit_b, period, by=None)
    from units import services as unit_services

    unit_services.assign_leader(organisation.unit_b, leader=cast.leader_a, by=None)
    Preference.objects.create(person=cast.leader_a, frequency=Frequency.DAILY)
    run_on(date(2026, 10, 25))
    assert sent() == [("leader_a", "Aftalestyring: 2 ting til dig")]


def test_a_person_who_turned_reminders_off_gets_no_email(drafting, cast):
    Preference.objects.create(person=cast.leader_a, frequency=Frequency.OFF)
    assert run_on(date(2026, 10, 25)).emails == 0
    assert SentReminder.objects.filter(recipient=cast.leader_a).count() == 1
    run_on(date(2026, 11, 2))  # Monday: overdue
    assert [m.to for m in mail.outbox if m.to == [cast.leader_a.email]] == []
    reminder = SentReminder.objects.filter(recipient=cast.leader_a).first()
    assert reminder is not None
    assert (reminder.email_skipped, reminder.emailed_at) == (True, None)


def test_reminders_are_written_in_the_persons_language(drafting, cast):
    cast.leader_a.language = "en"
    cast.leader_a.save(update_fields=["language"])
    run_on(date(2026, 10, 25))
    assert sent() == [
        (
            "leader_a",
            "Reminder: Write and submit the agreement 2027 for Tirsdalens Skole (deadline Nov. "
            "1, 2026)",
        )
    ]
    assert "Dear Lars" in mail.outbox[0].body


def test_a_run_costs_the_same_number_of_queries_for_more_units(
    drafting, cast, django_assert_max_num_queries
):
    # periods, follow-up points, agreements, units, chairs, recipients, their choices, what
    # was sent, insert, pending reminders (savepoint/lock), pending notifications, choices,
    # the two updates, and the transaction's savepoints
    with (
        time_machine.travel(date(2026, 10, 26), tick=False),
        django_assert_max_num_queries(20),
    ):
        reminders.send_reminders()


def test_reminders_waiting_for_a_digest_are_not_sent_once_turned_off(drafting, cast):
    Preference.objects.create(person=cast.leader_a, frequency=Frequency.WEEKLY)
    run_on(date(2026, 10, 25))  # Sunday: the reminder waits for Monday's digest
    Preference.objects.filter(person=cast.leader_a).update(frequency=Frequency.OFF)
    run_on(date(2026, 10, 26))
    assert [m for m in mail.outbox if m.to == [cast.leader_a.email]] == []
    reminder = SentReminder.objects.get(recipient=cast.leader_a)
    assert (reminder.email_skipped, reminder.emailed_at) == (True, None)
