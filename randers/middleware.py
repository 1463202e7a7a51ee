"""Project middleware."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def limit_request_size(get_response: Callable[[HttpRequest], HttpResponse]):  # type: ignore[no-untyped-def]
    """Refuse a request body larger than REQUEST_MAX_BYTES before anything reads it, with a page
    that says so (413). Django limits the form fields it keeps in memory
    (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams files of any size to disk; the imports accept files
    of at most 2 MB, so nothing larger need be read at all."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return render(
                request,
                "randers/too_large.html",
                {"max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
                status=413,
            )
        return get_response(request)

    return middleware
