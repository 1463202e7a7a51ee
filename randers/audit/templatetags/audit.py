from typing import Any

from django import template
from django.db import models

from units.permissions import is_administrator

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_logs(context: dict[str, Any]) -> bool:
    """Whether the person may open the audit and access logs (administrators; their roles are
    read once per request already)."""
    request = context.get("request")
    return request is not None and is_administrator(request.user)


@register.filter
def log_key(obj: models.Model) -> str:
    """An object's key in the logs: "app.model:pk"."""
    return f"{obj._meta.label_lower}:{obj.pk}"
