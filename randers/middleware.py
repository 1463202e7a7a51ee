"""Project middleware."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

RENEWED = "_renewed"  # session key: when the session's idle timeout was last renewed (epoch s)
RENEW_AFTER = 60  # seconds


def idle_timeout(get_response: Callable[[HttpRequest], HttpResponse]):  # type: ignore[no-untyped-def]
    """Sessions end after SESSION_COOKIE_AGE without a request.

    Saving the session on every request would cost a database write per page; instead the
    session is marked changed (and so saved with a fresh expiry) when its last renewal is more
    than a minute old, so the idle timeout holds to within a minute.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = request.session
        if session.session_key is None:  # no session to keep alive
            return response
        renewed = session.get(RENEWED, 0)  # loading forgets the key of an expired session
        now = int(time.time())
        if session.session_key is not None and now - renewed >= RENEW_AFTER:
            session[RENEWED] = now
        return response

    return middleware
