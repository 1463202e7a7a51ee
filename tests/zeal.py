"""django-zeal in the tests: any N+1 query pattern in a request of our own pages raises.

The Django admin, Django's logout and the password link (Django's PasswordResetConfirmView, which
looks up the link's person beside the signed-in one) are left out: their repeated lookups are
Django's own code.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from zeal import zeal_context

SKIPPED = ("/admin/", "/logout/", "/adgangskode/")


def zeal_outside_admin(get_response: Callable[[HttpRequest], HttpResponse]):  # type: ignore[no-untyped-def]
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SKIPPED):
            return get_response(request)
        with zeal_context():
            return get_response(request)

    return middleware
