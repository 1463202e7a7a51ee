from units.models import User
from units.permissions import AnyUser, is_administrator

from .models import Job


def can_view_job(user: AnyUser, job: Job) -> bool:
    """A job's page is for the person who asked for it, and for administrators."""
    if not user.is_authenticated:
        return False
    return is_administrator(user) or (isinstance(user, User) and job.requested_by_id == user.pk)
