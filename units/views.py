from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from randers.http import HtmxHttpRequest

from . import selectors
from .forms import DirectoryFilterForm
from .models import Unit

UNITS_PER_PAGE = 50


@require_GET
def directory(request: HtmxHttpRequest) -> HttpResponse:
    """All units, filtered by area, committee, kind and name; every signed-in person may read it."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.directory_units(
        area=filters.get("area"),
        committee=filters.get("committee"),
        kind=filters.get("kind", ""),
        text=filters.get("q", ""),
    )
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    template = "units/directory.html#results" if request.htmx else "units/directory.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        unit = selectors.unit_detail(slug)
    except Unit.DoesNotExist:
        raise Http404 from None
    return render(request, "units/detail.html", {"unit": unit})
