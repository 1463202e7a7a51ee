"""Celery tasks of agreements: they take ids, call one service, and are safe to run twice.

Delivery is at least once (randers/settings.py): a message may arrive again after a worker died or
the sweep resent it. Each task finds its work done and does nothing, or does only what is missing.
Failures of the database or the broker are retried with exponential backoff; anything else marks
the job failed with its message, for the administrators' job list and its "Prøv igen".
"""

from celery import shared_task

from randers.jobs import services as jobs

from . import reminders, services

RETRY = {
    "autoretry_for": jobs.TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(
    name="agreements.tasks.render_agreement_pdf", soft_time_limit=120, time_limit=150, **RETRY
)
def render_agreement_pdf(job_id: int) -> None:
    """One agreement's PDF, stored by its content hash (never rendered twice)."""
    jobs.run_job(job_id, services.render_pdf_for_job)


@shared_task(
    name="agreements.tasks.render_agreement_book", soft_time_limit=60, time_limit=90, **RETRY
)
def render_agreement_book(job_id: int) -> None:
    """Start (or, when resent, continue) an agreement book: one part per agreement not done yet."""
    jobs.run_job(job_id, services.start_book)


@shared_task(name="agreements.tasks.render_book_part", soft_time_limit=120, time_limit=150, **RETRY)
def render_book_part(job_id: int, agreement_id: int) -> None:
    """One agreement of a book; the last part sends the assembly."""
    services.render_book_part(job_id, agreement_id)


@shared_task(
    name="agreements.tasks.assemble_agreement_book", soft_time_limit=540, time_limit=600, **RETRY
)
def assemble_agreement_book(job_id: int) -> None:
    """Cover, contents and bookmarks around the stored PDFs; finishes the job once."""
    jobs.finish_job_once(job_id, services.assemble_book_for_job)


@shared_task(name="agreements.tasks.import_follow_up", soft_time_limit=540, time_limit=600, **RETRY)
def import_follow_up(job_id: int) -> None:
    """A filled-in follow-up workbook: every row checked, then all saved, or nothing."""
    jobs.run_job(job_id, services.import_follow_up_for_job)


@shared_task(name="agreements.tasks.send_reminders", soft_time_limit=540, time_limit=600, **RETRY)
def send_reminders() -> dict[str, int]:
    """Celery beat runs this daily at REMINDERS_HOUR; a second run sends nothing new."""
    run = reminders.send_reminders()
    return {"reminders": run.reminders, "emails": run.emails}


@shared_task(name="agreements.tasks.open_period", soft_time_limit=540, time_limit=600, **RETRY)
def open_period(job_id: int) -> None:
    """Give every active unit its draft for a new period, in parts; safe to run again."""
    jobs.run_job(job_id, services.start_period_drafts)


@shared_task(name="agreements.tasks.open_period_part", soft_time_limit=540, time_limit=600, **RETRY)
def open_period_part(job_id: int, part: int) -> None:
    """One part (PERIOD_PART_SIZE units) of a new period's drafts; the last one finishes."""
    services.open_period_part(job_id, part)
