from typing import Any

from django import template

from units.models import Unit

from .. import permissions
from ..models import Period

register = template.Library()


@register.inclusion_tag("agreements/unit_agreements.html", takes_context=True)
def unit_agreements(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The unit's agreements that the reader may open, newest period first, and the start link
    for the current period when the reader may start it (the reader's roles, the agreements, the
    current period)."""
    user = context["request"].user
    agreements = list(
        permissions.agreements_visible_to(user)
        .filter(unit=unit)
        .select_related("period")
        .order_by("-period__starts_on")
    )
    current = Period.objects.current()
    can_start = (
        current is not None
        and not unit.is_closed
        and all(a.period_id != current.pk for a in agreements)
        and permissions.can_start_agreement(user, unit.pk)  # such readers see all its agreements
    )
    return {"unit": unit, "agreements": agreements, "current": current, "can_start": can_start}
