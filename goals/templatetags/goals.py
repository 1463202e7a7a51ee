import functools
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from randers.links import link

from ..charts import number
from ..models import FollowUpStatus

register = template.Library()

# DKFDS badge per status: the colour only repeats the text, which is always shown.
_BADGE: dict[str, str] = {
    FollowUpStatus.MET: "badge-success",
    FollowUpStatus.IN_PROGRESS: "badge-info",
    FollowUpStatus.PARTLY_MET: "badge-warning",
    FollowUpStatus.DELAYED: "badge-warning",
    FollowUpStatus.NOT_MET: "badge-error",
}


@register.filter
def status_label(status: str | None) -> str:
    """The status's name (“Not reported” when there is none)."""
    if not status:
        return str(_("Not reported"))
    return str(FollowUpStatus(status).label)


@register.filter
def status_badge_class(status: str | None) -> str:
    return _BADGE.get(status or "", "")


@register.simple_tag
def status_badge(status: str | None, count: int | None = None) -> SafeString:
    """A goal's follow-up status as text in a badge; the colour only repeats the text. A tag, not
    an included template, because lists show one per row and an include costs ten times more."""
    label = status_label(status)
    if count:
        return format_html(
            '<span class="badge {}">{}: {}</span>', status_badge_class(status), label, count
        )
    return format_html('<span class="badge {}">{}</span>', status_badge_class(status), label)


@functools.lru_cache(maxsize=64)
def _cell_parts(language: str | None, statuses: tuple[str, ...]) -> tuple[SafeString, SafeString]:
    """The badges of a cell, and the text of an empty cell, in a language: the matrix shows the
    same few hundred times a page."""
    badges = format_html_join(" ", "{}", ((status_badge(status),) for status in statuses))
    empty = format_html(
        '<td><span aria-hidden="true">–</span><span class="sr-only">{}</span></td>',
        _("Not carried"),
    )
    return badges, empty


@register.simple_tag
def coverage_cells(unit: Any, cells: list[tuple[Any, Any]], period_slug: str) -> SafeString:
    """The cells of one unit's row in the coverage matrix: per council goal, how many of the
    unit's goals serve it and their statuses, leading to the goals behind the cell. A tag for the
    whole row, as the matrix has hundreds of cells a page."""
    language = get_language()
    parts = []
    for goal, cell in cells:
        if cell is None:
            parts.append(_cell_parts(language, ())[1])
            continue
        count = ngettext("%(counter)s goal", "%(counter)s goals", cell.goals) % {
            "counter": cell.goals
        }
        badges = _cell_parts(language, tuple(status for status, _n in cell.statuses))[0]
        parts.append(
            format_html(
                '<td><a href="{}?period={}">{}<span class="sr-only"> – {}, {}</span></a>'
                "<br>{}</td>",
                link("agreements:coverage-cell", slug=goal.slug, unit_slug=unit.slug),
                period_slug,
                count,
                unit.name,
                goal.title,
                badges,
            )
        )
    return SafeString("\n".join(parts))


@register.simple_tag
def lookup(mapping: dict[Any, Any], *key: Any) -> Any:
    """mapping[key], with a key of several parts given as (agreement id, point id)."""
    return mapping.get(key if len(key) > 1 else key[0])


@register.filter
def figure(value: Decimal | None) -> str:
    """A measured value as Danish readers write it, without trailing zeros (6,4; 5; 182.000)."""
    if value is None:
        return "–"
    return number(Decimal(value))
