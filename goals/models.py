"""The goal hierarchy: the council's goals, the common goals of an area, and each agreement's goals.

A goal belongs to an agreement through a string foreign key (`agreements.Agreement`), so that this
app never imports `agreements`; whatever needs an agreement and its goals together lives there.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Deferrable
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randers.choices import ChoiceLabels
from units.models import Area, Committee, Unit


class CouncilGoal(ChoiceLabels, models.Model):
    """A goal of the council's vision (byrådsmål) or of a committee's policy."""

    class Kind(models.TextChoices):
        VISION = "vision", _("Vision goal")
        POLICY = "policy", _("Policy goal")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.VISION)
    description = models.TextField(_("description"), blank=True)
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_goals",
        verbose_name=_("committee"),
        help_text=_("The committee whose policy the goal belongs to; empty for vision goals."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("council goal")
        verbose_name_plural = _("council goals")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class CommonGoal(models.Model):
    """A goal for all units of an area (fælles mål), a starting point each unit makes its own."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="common_goals", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    success_criterion = models.TextField(_("success criterion"), blank=True)
    council_goals = models.ManyToManyField(
        CouncilGoal, blank=True, related_name="common_goals", verbose_name=_("council goals")
    )
    indicators: "models.ManyToManyField[IndicatorDefinition, Any]" = models.ManyToManyField(
        "IndicatorDefinition",
        blank=True,
        related_name="common_goals",
        verbose_name=_("library indicators"),
        help_text=_("Indicators from the library that every unit following the goal reports."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("common goal")
        verbose_name_plural = _("common goals")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Goal(ChoiceLabels, models.Model):
    """A goal inside one agreement: what the unit will achieve and how success is recognised."""

    class Kind(models.TextChoices):
        COMMON = "common", _("Common goal")
        LOCAL = "local", _("Local development goal")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("agreement"),
    )
    order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.LOCAL)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    success_criterion = models.TextField(_("success criterion"), blank=True)
    council_goals = models.ManyToManyField(
        CouncilGoal, blank=True, related_name="goals", verbose_name=_("council goals")
    )
    common_goal = models.ForeignKey(
        CommonGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("common goal"),
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "order"],
                name="goal_order_unique_in_agreement",
                deferrable=Deferrable.DEFERRED,
            )
        ]

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")
    KEEP = "keep", _("Keep at the target")


class IndicatorDefinition(ChoiceLabels, models.Model):
    """A shared indicator of the library, reused by the goals of many units and comparable
    between units of the same kind (peer median and range)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.INCREASE
    )
    data_source = models.CharField(
        _("data source"),
        max_length=300,
        blank=True,
        help_text=_("Where the figures come from, for example Elevtrivselsmålingen."),
    )
    definition = models.TextField(_("definition"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("library indicator")
        verbose_name_plural = _("indicator library")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Indicator(ChoiceLabels, models.Model):
    """A measurable sign of a goal, with its baseline and target; from the library, or the
    unit's own when `definition` is empty."""

    Direction = Direction

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
    )
    definition = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("library indicator"),
        help_text=_("Empty for an indicator of the unit's own."),
    )
    name = models.CharField(_("name"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.INCREASE
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def published(self) -> "MeasurementQuerySet":
        """Measurements entered directly or reported in a submitted follow-up (not in a draft)."""
        return self.filter(
            models.Q(report__isnull=True) | ~models.Q(report__state=FollowUpReport.State.DRAFT)
        )


class Measurement(models.Model):
    """A dated value of an indicator of a unit. The series of a unit's indicator runs across
    periods: by library indicator, or by name for the unit's own indicators."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("unit")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    definition = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("library indicator"),
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50, blank=True)
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    report = models.ForeignKey(
        "FollowUpReport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("reported in"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["measured_on", "pk"]
        indexes = [
            models.Index(fields=["definition", "measured_on"], name="measurement_definition_idx"),
            models.Index(fields=["unit", "measured_on"], name="measurement_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.measured_on}: {self.value}"


class FollowUpStatus(models.TextChoices):
    """The one scale of a goal's status at a follow-up; always shown as text, colour repeats it."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class FollowUpReport(ChoiceLabels, models.Model):
    """A unit's report on the goals of its signed agreement at one follow-up point.

    Draft → submitted → seen (by the director, with an optional reply). A submitted report is
    never edited: a later report on the same point supersedes it, and both stay readable.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SEEN = "seen", _("Seen by the director")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        related_name="follow_up_reports",
        verbose_name=_("agreement"),
    )
    point = models.ForeignKey(
        "agreements.FollowUpPoint",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("follow-up point"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.DRAFT, db_index=True
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    is_current = models.BooleanField(
        _("current"),
        default=False,
        help_text=_("The submitted report of its point that no later report has superseded."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seen by"),
    )
    reply = models.TextField(_("the director's reply"), blank=True)

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "point"],
                condition=models.Q(state="draft"),
                name="one_draft_report_per_point",
            ),
            models.UniqueConstraint(
                fields=["agreement", "point"],
                condition=models.Q(is_current=True),
                name="one_current_report_per_point",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft", is_current=False, submitted_at__isnull=True)
                | models.Q(state__in=["submitted", "seen"], submitted_at__isnull=False),
                name="report_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} / {self.point_id} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("agreements:follow-up", kwargs={"uuid": self.uuid})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


class GoalFollowUp(ChoiceLabels, models.Model):
    """One goal's status and written assessment in a report."""

    Status = FollowUpStatus

    report = models.ForeignKey(
        FollowUpReport, on_delete=models.CASCADE, related_name="goals", verbose_name=_("report")
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        related_name="follow_ups",
        verbose_name=_("goal"),
    )
    goal_title = models.CharField(_("goal"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    is_latest = models.BooleanField(
        _("latest"),
        default=False,
        editable=False,
        help_text=_(
            "The goal's status in force: of its current reports, the one at the latest point."
        ),
    )

    class Meta:
        verbose_name = _("goal follow-up")
        verbose_name_plural = _("goal follow-ups")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "goal"], name="one_follow_up_per_goal"),
            models.UniqueConstraint(
                fields=["goal"], condition=models.Q(is_latest=True), name="one_latest_per_goal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal_title}: {self.status}"
