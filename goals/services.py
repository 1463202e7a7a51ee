"""Writes that concern goals alone. The follow-up's own services, which need the agreement and
its permissions, live in `agreements.services` and call these."""

from typing import Any

from django.db.models import QuerySet, Subquery

from .models import GoalFollowUp


def refresh_latest_status(goals: QuerySet[Any] | list[int]) -> int:
    """Mark, for each of the goals, the follow-up row that holds its status in force: of its
    current (submitted, not superseded) reports, the one at the latest point, the latest
    submitted first. Two set-based updates, whatever the number of goals; returns the rows
    marked."""
    GoalFollowUp.objects.filter(goal__in=goals, is_latest=True).update(is_latest=False)
    latest = (
        GoalFollowUp.objects.filter(goal__in=goals, report__is_current=True)
        .order_by("goal_id", "-report__point__due_on", "-report__submitted_at", "-pk")
        .distinct("goal_id")
        .values("pk")
    )
    return GoalFollowUp.objects.filter(pk__in=Subquery(latest)).update(is_latest=True)
