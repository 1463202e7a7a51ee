"""Who, from where and in which request: the context the audit trigger records with each change.

django-pghistory's `pghistory.context` prefixes every writing SQL statement of the block with
`SELECT set_config('pghistory.context_metadata', <json>, true)`, in the same round trip, so that
the trigger function `audit_record()` can read it: no extra query per request or per write.
Reading requests, which write nothing, cost nothing.

The person is looked up when the first statement is written, not when the request starts
(`LazyActor`), so a request that writes nothing never loads the user, and a login records the
person who has just logged in.
"""

import uuid
from collections.abc import Callable
from typing import Any

import pghistory
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from pghistory import runtime

PATH_LENGTH = 500


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT proxies in front the address the
    outermost of them saw (the PROXY_COUNT-th entry from the right of X-Forwarded-For)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class LazyActor:
    """The signed-in person's id, read when the context is written into a statement."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def resolve(self) -> int | None:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return int(user.pk)


class AuditJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, LazyActor):
            return o.resolve()
        return super().default(o)


def current_request_id() -> uuid.UUID | None:
    """The id of the request (or task) whose changes are being recorded, if any."""
    value = getattr(runtime._tracker, "value", None)
    return value.id if value is not None else None


def audit_context(get_response: Callable[[HttpRequest], HttpResponse]):  # type: ignore[no-untyped-def]
    """Attach the person, address, method, path and a request id to every change in the request,
    and answer with the request id in `X-Request-ID` (to find the request in the log)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        with pghistory.context(
            user=LazyActor(request),
            ip=client_ip(request),
            method=request.method,
            url=request.get_full_path()[:PATH_LENGTH],
        ) as context:
            response = get_response(request)
        response["X-Request-ID"] = str(context.id)
        return response

    return middleware


_TASK_CONTEXTS: dict[str, pghistory.context] = {}


@task_prerun.connect
def _enter_task_context(task_id: str, task: Any, args: Any = None, **kwargs: Any) -> None:
    """Changes made by a background task are recorded with the task and its job (the job row
    says who asked for it)."""
    job_id = args[0] if args and isinstance(args[0], int) else None
    context = pghistory.context(task=task.name, job=job_id)
    context.__enter__()
    _TASK_CONTEXTS[task_id] = context


@task_postrun.connect
def _exit_task_context(task_id: str, **kwargs: Any) -> None:
    context = _TASK_CONTEXTS.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
