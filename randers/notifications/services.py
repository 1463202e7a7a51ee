"""Notifying people and e-mailing them, in their own language, as often as they chose.

`notify` records a notification for one person and, for those who want e-mail at once, sends it
after the transaction commits. Those who chose a daily or weekly e-mail get it in their digest
(`agreements.reminders`), together with their reminders; those who chose none get no e-mail.
The unread count in the header is kept in the cache, so that pages cost no query for it.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from units.models import User

from .models import Frequency, Notification, Preference

UNREAD_KEY = "notifications:unread:{}"
UNREAD_SECONDS = 3600


def frequency_of(person: User) -> str:
    """The person's choice (one query unless `notification_preference` was selected)."""
    try:
        return person.notification_preference.frequency  # type: ignore[attr-defined,no-any-return]
    except Preference.DoesNotExist:
        return Frequency.IMMEDIATE


def frequencies(person_ids: list[int]) -> dict[int, str]:
    """Each person's choice, immediate unless they chose otherwise (one query)."""
    chosen = dict(
        Preference.objects.filter(person_id__in=person_ids).values_list("person_id", "frequency")
    )
    return {pk: chosen.get(pk, Frequency.IMMEDIATE) for pk in person_ids}


@transaction.atomic
def set_frequency(person: User, *, frequency: str, by: User) -> Preference:
    preference, _created = Preference.objects.get_or_create(person=person)
    preference.frequency = frequency
    preference.full_clean()
    preference.save(update_fields=["frequency"])
    return preference


def absolute(url: str) -> str:
    return url if url.startswith("http") else settings.SITE_URL + url


def email_message(
    person: User, *, subject: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """An e-mail to the person from `template`.txt and `template`.html, in their language. The
    subject is written by the caller inside the same language."""
    context = {
        "person": person,
        "municipality_name": settings.MUNICIPALITY_NAME,
        "settings_link": absolute(reverse("notifications:preferences")),
        **context,
    }
    with translation.override(person.language):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message


def send_messages(messages: list[EmailMultiAlternatives]) -> int:
    """Send the e-mails over one connection; returns how many went."""
    if not messages:
        return 0
    with get_connection() as connection:
        return int(connection.send_messages(messages) or 0)


def _forget_unread(person_id: int) -> None:
    cache.delete(UNREAD_KEY.format(person_id))


def forget_unread_counts() -> None:
    """Drop everyone's cached unread count (after the database is restored from a backup)."""
    cache.delete_many([UNREAD_KEY.format(pk) for pk in User.objects.values_list("pk", flat=True)])


def unread_count(person_id: int) -> int:
    """The person's unread notifications, from the cache (a query only when it is cold)."""
    key = UNREAD_KEY.format(person_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=person_id).unread().count()
        cache.set(key, count, UNREAD_SECONDS)
    return int(count)


def notify(
    recipients: Iterable[User | None],
    *,
    kind: str,
    url: str,
    message: Callable[[], tuple[str, str]],
    exclude: User | None = None,
) -> list[Notification]:
    """Tell each recipient (once, not `exclude`, the person who acted) that something happened.
    `message()` returns (title, text) and is called in each recipient's language."""
    people: dict[int, User] = {}
    for person in recipients:
        if person is not None and (exclude is None or person.pk != exclude.pk):
            people.setdefault(person.pk, person)
    return notify_each([(person, url, message) for person in people.values()], kind=kind)


def notify_each(
    deliveries: list[tuple[User, str, Callable[[], tuple[str, str]]]], *, kind: str
) -> list[Notification]:
    """Many notifications of one kind at once, each (recipient, url, message), in a constant
    number of queries: the recipients' choices, one insert. E-mail at once after commit."""
    if not deliveries:
        return []
    chosen = frequencies(list({person.pk for person, _url, _message in deliveries}))
    made = []
    for person, url, message in deliveries:
        with translation.override(person.language):
            title, body = message()
        made.append(
            Notification(
                recipient=person,
                kind=kind,
                title=str(title)[:300],
                body=str(body),
                url=url,
                email_skipped=not person.email or chosen[person.pk] == Frequency.OFF,
            )
        )
    Notification.objects.bulk_create(made)
    for person_id in {n.recipient_id for n in made}:
        transaction.on_commit(lambda person_id=person_id: _forget_unread(person_id))  # type: ignore[misc]
    immediate = [
        n.pk for n in made if not n.email_skipped and chosen[n.recipient_id] == Frequency.IMMEDIATE
    ]
    if immediate:
        transaction.on_commit(lambda: email_notifications(immediate))
    return made


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    person = notification.recipient
    with translation.override(person.language):
        subject = notification.title
    return email_message(
        person,
        subject=subject,
        template="email/notification",
        context={"notification": notification, "link": absolute(notification.url)},
    )


def email_notifications(ids: list[int]) -> int:
    """E-mail these notifications one by one (those not e-mailed yet); returns how many went."""
    notifications = list(
        Notification.objects.filter(pk__in=ids).not_emailed().select_related("recipient")
    )
    sent = send_messages([notification_email(n) for n in notifications])
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        emailed_at=timezone.now()
    )
    return sent


def mark_read(notification: Notification, *, by: User) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_unread(notification.recipient_id)
    return notification


def mark_all_read(person: User, *, by: User) -> int:
    count = Notification.objects.filter(recipient=person).unread().update(read_at=timezone.now())
    _forget_unread(person.pk)
    return count
