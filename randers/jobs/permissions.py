from units.models import User
from units.permissions import AnyUser, is_administrator

from .models import Job


def can_view_job(user: AnyUser, job: Job, *, session_jobs: list[str] | None = None) -> bool:
    """A job's page is for the person who asked for it, and for administrators; an anonymous
    reader who asked for a public PDF may follow that job in the same session."""
    if not user.is_authenticated:
        return job.requested_by_id is None and str(job.uuid) in (session_jobs or [])
    return is_administrator(user) or (isinstance(user, User) and job.requested_by_id == user.pk)


def can_list_jobs(user: AnyUser) -> bool:
    """The list of every job, with errors and "Prøv igen", is for administrators."""
    return is_administrator(user)


def can_retry_job(user: AnyUser, job: Job) -> bool:
    return job.status == Job.Status.FAILED and (
        is_administrator(user) or (isinstance(user, User) and job.requested_by_id == user.pk)
    )
