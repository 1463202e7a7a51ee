from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The municipality's name for the header, footer and page titles."""
    return {"municipality_name": settings.MUNICIPALITY_NAME}
