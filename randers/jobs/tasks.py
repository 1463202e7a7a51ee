from celery import shared_task

from . import services


@shared_task(name="jobs.requeue_lost_jobs")
def requeue_lost_jobs() -> list[int]:
    """Celery beat runs this every minute, so that no job is ever lost."""
    return services.requeue_lost_jobs()
