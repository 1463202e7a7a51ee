from typing import Any

from django import template

from units.models import Unit

from .. import permissions
from ..models import Period

register = template.Library()


@register.inclusion_tag("agreements/unit_agreements.html", takes_context=True)
def unit_agreements(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The unit's agreements that the reader may open, newest period first, and start links for
    the relevant periods it has none for, when the reader may start them (the reader's roles, the
    agreements, the relevant periods)."""
    user = context["request"].user
    agreements = list(
        permissions.agreements_visible_to(user)
        .filter(unit=unit)
        .select_related("period")
        .order_by("-period__starts_on")
    )
    startable: list[Period] = []
    if not unit.is_closed and permissions.can_start_agreement(user, unit.pk):
        # Such readers see all the unit's agreements, so the missing ones are the ones not listed.
        started = {agreement.period_id for agreement in agreements}
        startable = [p for p in Period.objects.relevant() if p.pk not in started]
    return {"unit": unit, "agreements": agreements, "startable": startable}
