"""The goal hierarchy: the council's goals, the common goals of an area, and each agreement's goals.

A goal belongs to an agreement through a string foreign key (`agreements.Agreement`), so that this
app never imports `agreements`; whatever needs an agreement and its goals together lives there.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Deferrable
from django.utils.translation import gettext_lazy as _

from units.models import Area, Committee


class CouncilGoal(models.Model):
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
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("common goal")
        verbose_name_plural = _("common goals")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Goal(models.Model):
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


class Indicator(models.Model):
    """A measurable sign of a goal, with its baseline and target."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")
        KEEP = "keep", _("Keep at the target")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
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
