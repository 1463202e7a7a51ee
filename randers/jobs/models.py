"""A job: one piece of background work, its progress and its result.

The row is the truth about the job. Celery messages only say "work on job N"; a message that is
lost (Redis restarted, worker killed) is replaced by the sweep in `services.requeue_lost_jobs`, and
a message that arrives twice finds the job finished and does nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randers.choices import ChoiceLabels


class JobQuerySet(models.QuerySet["Job"]):
    def notices_for(self, user_id: int) -> "JobQuerySet":
        """The person's jobs to mention on the front page: those still at work, and finished ones
        whose page they have not opened since (one query)."""
        return (
            self.filter(requested_by_id=user_id)
            .filter(models.Q(status__in=["queued", "running"]) | models.Q(seen_at__isnull=True))
            .order_by("-created_at", "-pk")
        )


class Job(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        AGREEMENT_PDF = "agreement_pdf", _("Agreement as PDF")
        AGREEMENT_BOOK = "agreement_book", _("Agreement book")
        UNIT_IMPORT = "unit_import", _("Import of units")
        FOLLOW_UP_IMPORT = "follow_up_import", _("Import of follow-up")
        PERIOD_OPENING = "period_opening", _("Opening of a new period")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.QUEUED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("requested by"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seen_at = models.DateTimeField(_("result seen by the requester"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"uuid": self.uuid})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def finishing(self) -> bool:
        """Every part is done and the last step (e.g. putting a book together) is under way."""
        return (
            self.status == self.Status.RUNNING
            and self.progress_total > 0
            and self.progress_done >= self.progress_total
        )

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish (or to now while running)."""
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()


class JobStep(models.Model):
    """One finished part of a job whose parts run in parallel (one agreement of a book).

    Recording a step twice changes nothing, so a part that runs again after a lost message or a
    killed worker is not counted twice; the job's progress is the number of its steps.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=100)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("job step")
        verbose_name_plural = _("job steps")
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="job_step_once")]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.key}"
