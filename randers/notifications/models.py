"""Notifications, reminders and each person's choice of how often e-mail comes.

A Notification tells one person that something happened to their own work (an agreement returned,
a comment, a signature needed, a follow-up seen); it is shown in the app and e-mailed. A
SentReminder records that one reminder (one due item at one stage: a week before, on the day,
overdue in a given week) was made for one person; its unique key makes a re-run send nothing new.
The texts are written in the recipient's language when the row is made.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randers.choices import ChoiceLabels


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail each")
    DAILY = "daily", _("One e-mail a day")
    WEEKLY = "weekly", _("One e-mail a week (Mondays)")
    OFF = "off", _("No e-mails")


class Preference(ChoiceLabels, models.Model):
    """How often a person wants e-mail about reminders and notifications."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    frequency = models.CharField(
        _("e-mail"), max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_frequency_display()}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def not_emailed(self) -> "NotificationQuerySet":
        return self.filter(emailed_at__isnull=True, email_skipped=False)


class Notification(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        RETURNED = "returned", _("Agreement returned")
        COMMENT = "comment", _("New comment")
        SIGNATURE_NEEDED = "signature_needed", _("Signature needed")
        FOLLOW_UP_SEEN = "follow_up_seen", _("Follow-up seen")
        DRAFT_READY = "draft_ready", _("New draft ready")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_skipped = models.BooleanField(_("not e-mailed (by the person's choice)"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", kwargs={"uuid": self.uuid})


class SentReminder(ChoiceLabels, models.Model):
    """One reminder for one person: made once, e-mailed at once, in a digest, or not at all."""

    class Stage(models.TextChoices):
        WEEK_BEFORE = "week_before", _("A week before")
        DUE_TODAY = "due_today", _("On the day")
        OVERDUE = "overdue", _("Overdue")
        AREA_OVERDUE = "area_overdue", _("Overdue in the area")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    key = models.CharField(_("key"), max_length=200)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    due_on = models.DateField(_("due"), null=True, blank=True)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500)
    made_on = models.DateField(_("made"))
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_skipped = models.BooleanField(_("not e-mailed (by the person's choice)"), default=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["made_on", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="reminder_once_per_person")
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(emailed_at__isnull=True, email_skipped=False),
                name="reminder_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.key}"
