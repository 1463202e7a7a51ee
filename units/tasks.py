"""Background work of the organisation: the bulk import of units."""

from typing import Any

from celery import shared_task

from randers.jobs.models import Job
from randers.jobs.services import report_progress, run_job

from . import services
from .imports import ImportRow


@shared_task(name="units.tasks.import_units")
def import_units(job_id: int) -> None:
    """Import the validated rows stored with the job. Safe to run twice: a finished job is not
    run again, and rows whose unit exists already are skipped."""

    def work(job: Job) -> dict[str, Any]:
        rows = [ImportRow.from_json(row) for row in job.params.get("rows", [])]
        report_progress(job, 0, len(rows))
        result = services.import_units(
            rows,
            by=job.requested_by,
            on_progress=lambda done: report_progress(job, done),
        )
        return result.as_json()

    run_job(job_id, work)
