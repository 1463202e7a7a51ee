from typing import Any

from django.http import HttpRequest

from . import services


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header, lazily and from the cache: no query on a warm cache."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: services.unread_count(user.pk)}
