from celery import shared_task

from . import services


@shared_task(name="audit.prune_audit")
def prune_audit() -> int:
    """Daily (beat): delete audit and access records older than AUDIT_RETENTION_DAYS."""
    pruned = services.prune_logs()
    return pruned.audit_events + pruned.access_events + pruned.login_events
