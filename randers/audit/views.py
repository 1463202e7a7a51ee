"""The administrators' pages of the audit log and the access log."""

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from units.models import User
from units.permissions import require_administrator

from . import selectors
from .forms import AccessFilterForm, AuditFilterForm, model_name

PER_PAGE = 50
CSV_LIMIT = 100_000


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("side", None)
    return query.urlencode()


def _filters(form: AuditFilterForm | AccessFilterForm) -> dict[str, Any]:
    """The valid filters; an invalid form shows its errors and filters by nothing wrong."""
    if form.is_bound:
        form.is_valid()
        return {key: value for key, value in form.cleaned_data.items() if key not in form.errors}
    return {}


def _object_name(key: str) -> str:
    label, _colon, pk = key.partition(":")
    return f"{model_name(label)} {pk}"


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every change, newest first, filtered by person, object type, object, request, date and
    action; an object's page links here with the object chosen."""
    require_administrator(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = _filters(form)
    page = Paginator(selectors.audit_events(filters), PER_PAGE).get_page(request.GET.get("side"))
    for event in page:
        event.model_name = model_name(event.model)  # type: ignore[attr-defined]
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "object_name": _object_name(filters["object"]) if filters.get("object") else "",
            "request_id": filters.get("request"),
        },
        status=400 if form.errors else 200,
    )


def _access_context(request: HttpRequest) -> tuple[AccessFilterForm, dict[str, Any]]:
    require_administrator(request.user)
    form = AccessFilterForm(request.GET or None)
    return form, _filters(form)


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who read what: an object's readers (from the object's page), a person's request for the
    lookups of their own data (from the person's page), or everything, newest first."""
    form, filters = _access_context(request)
    subject = (
        User.objects.filter(uuid=filters["subject"]).first() if filters.get("subject") else None
    )
    page = Paginator(selectors.access_events(filters), PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/access_log.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "object_name": _object_name(filters["object"]) if filters.get("object") else "",
            "subject": subject,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def access_log_csv(request: HttpRequest) -> HttpResponse:
    """The same list as CSV (semicolon-separated, UTF-8 with BOM for Excel), for answering a
    request for one's own data."""
    _form, filters = _access_context(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="adgangslog-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Time"),
            _("Read by"),
            _("E-mail"),
            _("What was read"),
            _("What"),
            _("About"),
            _("IP address"),
        ]
    )
    for event in selectors.access_events(filters)[:CSV_LIMIT].iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                str(event.reader) if event.reader else "",
                event.reader.email if event.reader else "",
                event.get_kind_display(),
                event.label,
                str(event.subject) if event.subject else "",
                event.ip or "",
            ]
        )
    return response
