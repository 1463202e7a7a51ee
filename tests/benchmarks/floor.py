"""The floor a page is measured against: the same base template, middleware and signed-in
person, with a table of a given size from rows already in memory. What a page costs above its
floor is what its own queries and logic cost."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template import engines

TEMPLATE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block title %}Floor{% endblock %}
{% block content %}
<h1>Floor</h1>
<table class="table table--compact">
  <thead><tr><th scope="col">Name</th><th scope="col">Area</th><th scope="col">Committee</th>
  <th scope="col">State</th><th scope="col">Changed</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><th scope="row"><a href="/enheder/{{ row.slug }}/">{{ row.name }}</a></th>
    <td>{{ row.area }}</td><td>{{ row.committee }}</td><td>{{ row.state }}</td>
    <td>{{ row.changed }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}"""
)


def rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "slug": f"enhed-{n}",
            "name": f"Enhed nummer {n}",
            "area": "Børn og Skole",
            "committee": "Skole- og Uddannelsesudvalget",
            "state": "Indsendt",
            "changed": "27. november 2026",
        }
        for n in range(count)
    ]


ROWS = rows(20_000)  # in memory before any request


@login_not_required
def floor(request: HttpRequest) -> HttpResponse:
    """`?rows=N`: the base template with a table of N rows."""
    count = int(request.GET.get("rows", "0"))
    return HttpResponse(TEMPLATE.render({"rows": ROWS[:count]}, request))
