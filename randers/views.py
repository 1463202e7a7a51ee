"""Pages that belong to no single app: home, health, accessibility statement, language, lockout."""

from datetime import date
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from agreements import inbox
from agreements import permissions as agreement_permissions
from agreements import selectors as agreement_selectors
from agreements.models import Period
from randers import versions
from randers.jobs.models import Job
from units.models import User
from units.permissions import roles_of
from units.selectors import responsibilities_of


def home(request: HttpRequest) -> HttpResponse:
    """Greets each person with what they are responsible for, and the state of this period's
    agreements in their part of the municipality.

    What the person is responsible for (tasks, units, areas, committees) follows from the roles
    and the data alone: it is rendered once per version of the data, person, day (deadlines,
    periods) and language, and read from the cache until any of them changes (`randers.versions`).
    The notices of the person's background jobs are read on every visit."""
    user = request.user
    assert isinstance(user, User)
    duties = versions.rendered(
        "home",
        (user.pk, roles_of(user).described(), date.today()),
        "randers/home.html#duties",
        lambda: _duties(user),
    )
    return render(
        request,
        "randers/home.html",
        {"duties": duties, "job_notices": list(Job.objects.notices_for(user.pk)[:5])},
    )


def _duties(user: User) -> dict[str, Any]:
    responsibilities = responsibilities_of(user)
    periods = Period.objects.relevant()
    period = periods[0] if periods else None  # the one being prepared, or else the one in force
    visible = agreement_permissions.agreements_visible_to(user)
    tasks = inbox.inbox_for(user, periods, led_units=responsibilities.led_units)
    led = {(a.unit_id, a.period_id): a for a in tasks.agreements}
    return {
        "r": responsibilities,
        "period": period,
        "periods": periods,
        "inbox": tasks,
        "led_units": [
            (unit, [(p, led.get((unit.pk, p.pk))) for p in periods])
            for unit in responsibilities.led_units
        ],
        "area_counts": [
            (
                area,
                agreement_selectors.state_counts(visible.filter(period=period, unit__area=area))
                if period
                else None,
            )
            for area in responsibilities.directed_areas
        ],
    }


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when PostgreSQL and the Redis broker answer, else 503 naming what is down."""
    status: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except DatabaseError as exc:
        status["database"] = f"down: {exc.__class__.__name__}"
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
        status["broker"] = "ok"
    except redis.RedisError as exc:
        status["broker"] = f"down: {exc.__class__.__name__}"
    down = [name for name, value in status.items() if value != "ok"]
    return JsonResponse(
        {"status": "down" if down else "ok", "down": down, **status}, status=503 if down else 200
    )


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponseBase:
    """Browsers ask for /favicon.ico whatever the page links (after a history push, for one)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@login_not_required
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "randers/accessibility_statement.html")


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's language switch, also remembered on the person (for e-mails and next login)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        assert isinstance(request.user, User)
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer after too many failed logins for one username from one address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
