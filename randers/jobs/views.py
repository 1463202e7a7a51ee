from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from randers.http import HtmxHttpRequest
from units.models import User

from . import services
from .models import Job
from .permissions import can_list_jobs, can_retry_job, can_view_job


def _visible_job(request: HtmxHttpRequest, uuid: str) -> Job:
    job = Job.objects.filter(uuid=uuid).first()
    if job is None or not can_view_job(
        request.user, job, session_jobs=request.session.get("jobs", [])
    ):
        raise Http404
    return job


@login_not_required
@require_GET
def detail(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """A job's progress, which the page polls while it runs, and its result when done. The person
    may leave and come back: the state is in the database."""
    job = _visible_job(request, uuid)
    if job.is_finished and job.requested_by_id == request.user.pk:
        services.mark_seen(job)
    template = "jobs/detail.html#status" if request.htmx else "jobs/detail.html"
    return render(
        request,
        template,
        {"job": job, "can_retry": can_retry_job(request.user, job), "polled": request.htmx},
    )


@require_GET
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every job, newest first, with its status, duration and error; failed ones can be tried
    again. For administrators."""
    if not can_list_jobs(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    jobs = Job.objects.select_related("requested_by").order_by("-created_at", "-pk")
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Job.Status.choices,
            "query": urlencode({"status": status}) if status else "",
        },
    )


@require_POST
def retry(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """The button "Prøv igen": a failed job starts again from where it failed."""
    job = _visible_job(request, uuid)
    if not can_retry_job(request.user, job):
        raise PermissionDenied
    assert isinstance(request.user, User)
    services.retry_job(job, by=request.user)
    messages.success(request, _("The job is started again."))
    if request.POST.get("next") == "list":
        return redirect("jobs:list")
    return redirect(job)
