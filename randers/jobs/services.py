"""Creating, running and recovering jobs.

A Celery task for a job kind takes the job's id and calls `run_job(job_id, work)`: the job is
claimed (or skipped if it is gone or finished), `work(job)` does the work, reporting progress with
`report_progress`, and returns the result, which is stored with the job; an exception marks the job
failed with its message. Tasks are therefore safe to run twice.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from units.models import User

from .models import Job

logger = logging.getLogger(__name__)

# The Celery task that works on each kind of job, by name (so this module imports no app).
TASKS = {
    Job.Kind.AGREEMENT_PDF: "agreements.tasks.render_agreement_pdf",
    Job.Kind.AGREEMENT_BOOK: "agreements.tasks.render_agreement_book",
    Job.Kind.UNIT_IMPORT: "units.tasks.import_units",
}


def enqueue(job: Job) -> None:
    """Send the message for the job once the transaction that made it has committed."""
    task_name = TASKS[Job.Kind(job.kind)]
    job_id = job.pk
    transaction.on_commit(lambda: current_app.send_task(task_name, args=[job_id]))


@transaction.atomic
def create_job(
    kind: str, *, by: User | None, params: dict[str, Any] | None = None, total: int = 0
) -> Job:
    job = Job.objects.create(kind=kind, requested_by=by, params=params or {}, progress_total=total)
    enqueue(job)
    return job


def claim_job(job_id: int) -> Job | None:
    """Mark the job running for this attempt; None if it is gone or already finished."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
        return job


def report_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record progress (and that the worker is alive); readable at once by the job's page."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    job.heartbeat_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        heartbeat_at=job.heartbeat_at,
    )


def finish_job(job: Job, result: dict[str, Any]) -> None:
    job.status = Job.Status.DONE
    job.result = result
    job.error = ""
    job.finished_at = timezone.now()
    job.progress_done = job.progress_total
    job.save(update_fields=["status", "result", "error", "finished_at", "progress_done"])


def fail_job(job: Job, error: str) -> None:
    job.status = Job.Status.FAILED
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def run_job(job_id: int, work: Callable[[Job], dict[str, Any]]) -> Job | None:
    """Claim the job, do the work, store its result or its failure."""
    job = claim_job(job_id)
    if job is None:
        logger.info("job %s is gone or finished; nothing to do", job_id)
        return None
    try:
        result = work(job)
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        fail_job(job, f"{exc.__class__.__name__}: {exc}")
        return job
    finish_job(job, result)
    return job


@transaction.atomic
def retry_job(job: Job, *, by: User | None) -> Job:
    """Start a failed job again ("Prøv igen")."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        return job
    job.status = Job.Status.QUEUED
    job.error = ""
    job.finished_at = None
    job.progress_done = 0
    job.save(update_fields=["status", "error", "finished_at", "progress_done"])
    enqueue(job)
    return job


def requeue_lost_jobs(
    *, waiting_for: timedelta = timedelta(minutes=2), silent_for: timedelta = timedelta(minutes=5)
) -> list[int]:
    """Send again the messages of jobs nobody is working on: waiting longer than `waiting_for`
    (the message was lost) or running without a sign of life for `silent_for` (the worker died).
    Run periodically by Celery beat."""
    now = timezone.now()
    with transaction.atomic():
        lost = list(
            Job.objects.select_for_update(skip_locked=True).filter(
                Q(status=Job.Status.QUEUED, created_at__lt=now - waiting_for)
                & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - waiting_for))
                | Q(status=Job.Status.RUNNING, heartbeat_at__lt=now - silent_for)
            )
        )
        for job in lost:
            Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, heartbeat_at=now)
            enqueue(job)
    if lost:
        logger.warning("requeued lost jobs %s", [job.pk for job in lost])
    return [job.pk for job in lost]


def bump(job: Job) -> None:
    """Count one more unit of work done (for work done in parallel by several tasks)."""
    Job.objects.filter(pk=job.pk).update(
        progress_done=F("progress_done") + 1, heartbeat_at=timezone.now()
    )
