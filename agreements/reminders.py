"""Reminders by e-mail, sent once a day by Celery beat (`agreements.tasks.send_reminders`).

Each task of the inbox (`agreements.inbox`) with a deadline is reminded a week before and on the
day; while it is overdue, it goes into a weekly digest on Mondays, and the area's director gets
the area's overdue units (the leaders' tasks) in the same digest. Each reminder is recorded in
`SentReminder` with a key unique per person, so a second run on the same day (or a resent
message) makes and sends nothing new.

How the e-mail goes depends on the person's choice (`notifications.Preference`): at once (each
reminder its own e-mail, the overdue ones together), one e-mail a day, one a week (Mondays) or
none. The daily and weekly e-mails also carry the notifications not yet e-mailed.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from randers.notifications import services as notifications
from randers.notifications.models import Frequency, Notification, SentReminder
from units.models import User

from . import inbox

logger = logging.getLogger(__name__)

Stage = SentReminder.Stage
SINGLE_STAGES = {Stage.WEEK_BEFORE, Stage.DUE_TODAY}


@dataclass
class ReminderRun:
    day: date
    reminders: int = 0  # new reminders recorded
    emails: int = 0  # e-mails sent
    notifications: int = 0  # notifications e-mailed in digests
    seconds: float = 0.0


@dataclass
class _Due:
    person_id: int
    key: str
    stage: str
    task: inbox.Task
    area_overdue: bool = False


def _due_today(tasks: list[inbox.Task], today: date) -> list[_Due]:
    """The reminders the tasks give today (before looking at what was sent already)."""
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    monday = today.weekday() == 0
    due: list[_Due] = []
    for task in tasks:
        if task.due is None:
            continue
        if task.due == today + timedelta(days=7):
            due.append(_Due(task.person_id, f"{task.key}:week", Stage.WEEK_BEFORE, task))
        elif task.due == today:
            due.append(_Due(task.person_id, f"{task.key}:day", Stage.DUE_TODAY, task))
        elif task.due < today and monday:
            due.append(_Due(task.person_id, f"{task.key}:overdue:{week}", Stage.OVERDUE, task))
            director = task.unit.area.director_id
            if task.kind in inbox.LEADER_KINDS and director and director != task.person_id:
                key = f"area:{task.key}:{week}"
                due.append(_Due(director, key, Stage.AREA_OVERDUE, task, area_overdue=True))
    return due


def _text(item: _Due) -> str:
    task = item.task
    deadline = formats.date_format(task.due) if task.due else ""
    if item.area_overdue:
        return _("%(unit)s: %(task)s (deadline %(date)s)") % {
            "unit": task.unit.name,
            "task": task.text,
            "date": deadline,
        }
    if item.stage == Stage.DUE_TODAY:
        return _("%(task)s (deadline today)") % {"task": task.text}
    return _("%(task)s (deadline %(date)s)") % {"task": task.text, "date": deadline}


def _record(items: list[_Due], today: date) -> list[SentReminder]:
    """Record the reminders not made before (in each person's language); returns the new ones."""
    if not items:
        return []
    people = {u.pk: u for u in User.objects.filter(pk__in={i.person_id for i in items})}
    chosen = notifications.frequencies(list(people))
    done = set(
        SentReminder.objects.filter(
            recipient_id__in=list(people), key__in={i.key for i in items}
        ).values_list("recipient_id", "key")
    )
    new = []
    for item in items:
        person = people.get(item.person_id)
        if person is None or (item.person_id, item.key) in done:
            continue
        done.add((item.person_id, item.key))
        with translation.override(person.language):
            text = _text(item)
        new.append(
            SentReminder(
                recipient=person,
                key=item.key,
                stage=item.stage,
                due_on=item.task.due,
                text=text[:500],
                url=item.task.url,
                made_on=today,
                email_skipped=not person.email or chosen[person.pk] == Frequency.OFF,
            )
        )
    SentReminder.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _link(row: SentReminder | Notification) -> dict[str, str]:
    text = row.text if isinstance(row, SentReminder) else row.title
    url = row.url if isinstance(row, SentReminder) else row.get_absolute_url()
    return {"text": text, "title": text, "link": notifications.absolute(url)}


def _single(person: User, row: SentReminder) -> EmailMultiAlternatives:
    with translation.override(person.language):
        if row.stage == Stage.DUE_TODAY:
            subject = _("Due today: %(task)s") % {"task": row.text}
        else:
            subject = _("Reminder: %(task)s") % {"task": row.text}
    return _digest(person, [row], [], subject=subject[:200])


def _digest(
    person: User,
    rows: list[SentReminder],
    pending: list[Notification],
    *,
    subject: str = "",
) -> EmailMultiAlternatives:
    with translation.override(person.language):
        if not subject:
            count = len(rows) + len(pending)
            subject = ngettext(
                "Aftalestyring: %(count)d thing for you",
                "Aftalestyring: %(count)d things for you",
                count,
            ) % {"count": count}
    context: dict[str, Any] = {
        "subject": subject,
        "reminders": [_link(r) for r in rows if r.stage != Stage.AREA_OVERDUE],
        "area_overdue": [_link(r) for r in rows if r.stage == Stage.AREA_OVERDUE],
        "notifications": [_link(n) for n in pending],
        "inbox_link": notifications.absolute(reverse("home")),
    }
    return notifications.email_message(
        person, subject=subject, template="email/reminders", context=context
    )


def send_reminders(*, today: date | None = None) -> ReminderRun:
    """Make today's reminders and send the e-mails that are due today. Safe to run again."""
    started = time.monotonic()
    today = today or timezone.localdate()
    run = ReminderRun(day=today)
    monday = today.weekday() == 0
    _periods, tasks = inbox.all_tasks(today=today)
    with transaction.atomic():
        run.reminders = len(_record(_due_today(tasks, today), today))
        # Everything not e-mailed yet, of everyone (rows stay pending for weekly digests).
        rows = list(
            SentReminder.objects.select_for_update(skip_locked=True)
            .filter(emailed_at__isnull=True, email_skipped=False)
            .select_related("recipient")
            .order_by("recipient_id", "due_on", "pk")
        )
        digest_frequencies = [Frequency.DAILY, *([Frequency.WEEKLY] if monday else [])]
        pending = list(
            Notification.objects.not_emailed()
            .filter(recipient__notification_preference__frequency__in=digest_frequencies)
            .select_related("recipient")
            .order_by("recipient_id", "created_at", "pk")
        )
        by_person: dict[int, tuple[User, list[SentReminder], list[Notification]]] = {}
        for row in rows:
            by_person.setdefault(row.recipient_id, (row.recipient, [], []))[1].append(row)
        for notification in pending:
            entry = by_person.setdefault(
                notification.recipient_id, (notification.recipient, [], [])
            )
            entry[2].append(notification)
        chosen = notifications.frequencies(list(by_person))
        messages: list[EmailMultiAlternatives] = []
        sent_rows: list[int] = []
        sent_notifications: list[int] = []
        skipped: list[int] = []
        for person_id, (person, person_rows, person_pending) in by_person.items():
            frequency = chosen[person_id]
            if frequency == Frequency.WEEKLY and not monday:
                continue
            if frequency == Frequency.OFF or not person.email:  # turned off since they were made
                skipped += [row.pk for row in person_rows]
                continue
            if frequency == Frequency.IMMEDIATE:
                together = []
                for row in person_rows:
                    if row.stage in SINGLE_STAGES:
                        messages.append(_single(person, row))
                    else:
                        together.append(row)
                if together:
                    messages.append(_digest(person, together, []))
            elif person_rows or person_pending:
                messages.append(_digest(person, person_rows, person_pending))
            sent_rows += [row.pk for row in person_rows]
            sent_notifications += [n.pk for n in person_pending]
        now = timezone.now()
        SentReminder.objects.filter(pk__in=sent_rows).update(emailed_at=now)
        SentReminder.objects.filter(pk__in=skipped).update(email_skipped=True)
        Notification.objects.filter(pk__in=sent_notifications).update(emailed_at=now)
        # Sent inside the transaction: should sending fail, nothing is marked as sent.
        run.emails = notifications.send_messages(messages)
        run.notifications = len(sent_notifications)
    run.seconds = time.monotonic() - started
    logger.info(
        "reminders for %s: %d new, %d e-mails, %.1f s",
        today,
        run.reminders,
        run.emails,
        run.seconds,
    )
    return run


def pending_by_person() -> dict[int, int]:
    """How many reminders wait for each person's digest (for the administrators' figures)."""
    counts: dict[int, int] = defaultdict(int)
    for person_id in SentReminder.objects.filter(
        emailed_at__isnull=True, email_skipped=False
    ).values_list("recipient_id", flat=True):
        counts[person_id] += 1
    return dict(counts)
