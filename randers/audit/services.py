"""Writing the access log, and pruning both logs. The audit log is written by the database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from randers.accounts.models import LoginEvent

from .context import PATH_LENGTH, client_ip
from .models import AccessEvent, AuditEvent


def record_access(
    request: HttpRequest,
    *,
    kind: AccessEvent.Kind,
    obj: models.Model,
    label: str,
    subject_id: int | None,
) -> None:
    """Record that the signed-in person read `obj` (one INSERT). Anonymous readings of public
    content are not recorded: the kinds logged here are never shown to anonymous visitors."""
    user = request.user
    if not user.is_authenticated:
        return
    AccessEvent.objects.create(
        reader_id=user.pk,
        kind=kind,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        label=label[:300],
        subject_id=subject_id,
        ip=client_ip(request),
        path=request.get_full_path()[:PATH_LENGTH],
    )


@dataclass(frozen=True)
class Pruned:
    audit_events: int
    access_events: int
    login_events: int
    before: datetime


def prune_logs(*, days: int | None = None) -> Pruned:
    """Delete audit, access and login records older than `days` (AUDIT_RETENTION_DAYS). The database
    guard lets this transaction delete (it sets `audit.prune`), and only rows older than six
    months."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if days < settings.AUDIT_MINIMUM_RETENTION_DAYS:
        raise ValueError(
            f"The logs are kept at least {settings.AUDIT_MINIMUM_RETENTION_DAYS} days."
        )
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.prune', 'on', true)")
        audit, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        access, _ = AccessEvent.objects.filter(at__lt=cutoff).delete()
        logins, _ = LoginEvent.objects.filter(at__lt=cutoff).delete()
    return Pruned(audit_events=audit, access_events=access, login_events=logins, before=cutoff)
