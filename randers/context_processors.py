from typing import Any

from django.conf import settings
from django.http import HttpRequest

from units.permissions import roles_of


def site(request: HttpRequest) -> dict[str, Any]:
    """The municipality's name for the header and footer, and which menu items the person gets
    (their roles are read once per request and cached)."""
    roles = roles_of(request.user)
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "nav": {
            "meetings": roles.administrator
            or roles.council_member
            or bool(roles.committees or roles.directed_areas),
            "administrator": roles.administrator,
        },
    }
