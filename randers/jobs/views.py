from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from randers.http import HtmxHttpRequest

from .models import Job
from .permissions import can_view_job


@require_GET
def detail(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """A job's progress, which the page polls while it runs, and its result when done. The person
    may leave and come back: the state is in the database."""
    job = Job.objects.filter(uuid=uuid).first()
    if job is None or not can_view_job(request.user, job):
        raise Http404
    template = "jobs/detail.html#status" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})
