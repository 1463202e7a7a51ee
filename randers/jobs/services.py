"""Creating, running and recovering jobs.

A Celery task for a job kind takes the job's id and calls `run_job(job_id, work)`: the job is
claimed (or skipped if it is gone or finished), `work(job)` does the work, reporting progress with
`report_progress`, and returns the result, which is stored with the job; an exception marks the job
failed with its message. Tasks are therefore safe to run twice.

Work that fans out into parallel parts returns None from `work` (the job stays running); each part
records itself with `complete_step`, which counts it once however often it runs, and the part that
completes the last step sends the final task, which finishes the job with `finish_job_once`.

Errors of the infrastructure (the database or the broker went away) are not the job's fault: they
are raised again so that the task's decorator retries with backoff, and the job stays running
until the retry, or the sweep, picks it up. A job is given up after `JOBS_MAX_ATTEMPTS` claims.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from units.models import User

from .models import Job, JobStep

logger = logging.getLogger(__name__)

# Failures of the infrastructure, not of the work: retried with backoff by the task decorators.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)

# The Celery task that works on each kind of job, by name (so this module imports no app).
TASKS = {
    Job.Kind.AGREEMENT_PDF: "agreements.tasks.render_agreement_pdf",
    Job.Kind.AGREEMENT_BOOK: "agreements.tasks.render_agreement_book",
    Job.Kind.UNIT_IMPORT: "units.tasks.import_units",
    Job.Kind.FOLLOW_UP_IMPORT: "agreements.tasks.import_follow_up",
    Job.Kind.PERIOD_OPENING: "agreements.tasks.open_period",
}


def enqueue(job: Job) -> None:
    """Send the message for the job once the transaction that made it has committed."""
    send_on_commit(TASKS[Job.Kind(job.kind)], job.pk)


def send_on_commit(task_name: str, *args: int) -> None:
    """Send a task message (ids only) once the current transaction has committed."""
    transaction.on_commit(lambda: current_app.send_task(task_name, args=list(args)))


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
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            fail_job(job, f"Gave up after {job.attempts} attempts.")
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


class JobRefused(Exception):
    """The work was refused for reasons the requester can act on (a file's errors); the message,
    one reason per line, is shown on the job's page as it is."""


def run_job(job_id: int, work: Callable[[Job], dict[str, Any] | None]) -> Job | None:
    """Claim the job, do the work, store its result or its failure. Work that returns None has
    sent parts that finish the job later."""
    job = claim_job(job_id)
    if job is None:
        logger.info("job %s is gone or finished; nothing to do", job_id)
        return None
    try:
        result = work(job)
    except TRANSIENT_ERRORS:
        raise
    except JobRefused as refused:
        fail_job(job, str(refused))
        return job
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        fail_job(job, f"{exc.__class__.__name__}: {exc}")
        return job
    if result is not None:
        finish_job(job, result)
    return job


def complete_step(job: Job, key: str) -> tuple[int, int]:
    """Record one part of the job as done (once, however often it runs) and return (done, total).

    The job row is locked meanwhile, so of two parts finishing together the second sees the
    first: exactly one of them sees the last step done."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        JobStep.objects.get_or_create(job=locked, key=key)
        done = JobStep.objects.filter(job=locked).count()
        Job.objects.filter(pk=job.pk).update(
            progress_done=min(done, locked.progress_total) if locked.progress_total else done,
            heartbeat_at=timezone.now(),
        )
        return done, locked.progress_total


def completed_steps(job: Job) -> set[str]:
    return set(JobStep.objects.filter(job=job).values_list("key", flat=True))


def finish_job_once(job_id: int, work: Callable[[Job], dict[str, Any]]) -> Job | None:
    """Do the job's last step and finish it, holding the job's row lock throughout, so that when
    the final message arrives twice the second waits and then finds the job done."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        try:
            with transaction.atomic():
                result = work(job)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            logger.exception("job %s failed", job_id)
            fail_job(job, f"{exc.__class__.__name__}: {exc}")
            return job
        finish_job(job, result)
        return job


def mark_seen(job: Job) -> None:
    """The requester has seen the finished job; it leaves their list of notices."""
    if job.is_finished and job.seen_at is None:
        job.seen_at = timezone.now()
        Job.objects.filter(pk=job.pk).update(seen_at=job.seen_at)


@transaction.atomic
def retry_job(job: Job, *, by: User | None) -> Job:
    """Start a failed job again ("Prøv igen")."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        return job
    job.status = Job.Status.QUEUED
    job.error = ""
    job.finished_at = None
    job.seen_at = None
    job.attempts = 0
    job.save(update_fields=["status", "error", "finished_at", "seen_at", "attempts"])
    enqueue(job)
    return job


def requeue_lost_jobs(
    *, waiting_for: timedelta | None = None, silent_for: timedelta | None = None
) -> list[int]:
    """Send again the messages of jobs nobody is working on: waiting longer than `waiting_for`
    (the message was lost) or running without a sign of life for `silent_for` (the worker died).
    Run periodically by Celery beat (settings JOBS_LOST_AFTER_SECONDS, JOBS_SILENT_AFTER_SECONDS
    and JOBS_SWEEP_SECONDS)."""
    waiting_for = waiting_for or timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    silent_for = silent_for or timedelta(seconds=settings.JOBS_SILENT_AFTER_SECONDS)
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
