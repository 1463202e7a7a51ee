"""Reading the logs: filtered lists, newest first, in one query a page (plus the count)."""

from datetime import datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .models import AccessEvent, AuditEvent

# What belongs to an object without naming it in a column of its own row: an agreement's history
# includes its versions' signatures, its goals' indicators and its follow-up reports' per-goal
# statuses, through these children (model label, foreign-key field to the parent).
CHILDREN: dict[str, list[tuple[str, str]]] = {
    "agreements.agreement": [
        ("agreements.agreementversion", "agreement"),
        ("goals.goal", "agreement"),
        ("goals.followupreport", "agreement"),
    ],
    "goals.goal": [("goals.indicator", "goal")],
}


def object_keys(key: str) -> list[str]:
    """The key of an object and the keys of its children (one query when it has children)."""
    label, _colon, pk = key.partition(":")
    children = CHILDREN.get(label)
    if not children:
        return [key]
    parts = [
        apps.get_model(child)
        .objects.filter(**{field: pk})
        .annotate(key=Concat(Value(f"{child}:"), Cast("pk", CharField())))
        .values_list("key", flat=True)
        for child, field in children
    ]
    union = parts[0].union(*parts[1:], all=True)
    return [key, *union]


def _day_range(start: Any, end: Any) -> Q:
    condition = Q()
    zone = timezone.get_current_timezone()
    if start:
        condition &= Q(at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end:
        condition &= Q(at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))
    return condition


def _person(prefix: str, text: str) -> Q:
    return (
        Q(**{f"{prefix}__username__icontains": text})
        | Q(**{f"{prefix}__email__icontains": text})
        | Q(**{f"{prefix}__first_name__icontains": text})
        | Q(**{f"{prefix}__last_name__icontains": text})
    )


def audit_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_list().filter(
        _day_range(filters.get("start"), filters.get("end"))
    )
    if filters.get("person"):
        events = events.filter(_person("actor", filters["person"]))
    if filters.get("model"):
        events = events.filter(model=filters["model"])
    if filters.get("request"):
        events = events.filter(request_id=filters["request"])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("object"):
        events = events.about(object_keys(filters["object"]))
    return events


def access_events(filters: dict[str, Any]) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.for_list().filter(
        _day_range(filters.get("start"), filters.get("end"))
    )
    if filters.get("person"):
        events = events.filter(_person("reader", filters["person"]))
    if filters.get("subject"):
        events = events.filter(subject__uuid=filters["subject"])
    if filters.get("kind"):
        events = events.filter(kind=filters["kind"])
    if filters.get("object"):
        label, _colon, pk = filters["object"].partition(":")
        events = events.filter(model=label, object_id=pk)
    return events
