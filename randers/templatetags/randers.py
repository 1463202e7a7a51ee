import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import nh3
from django import template
from django.core.paginator import Page
from django.templatetags.static import static
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from randers import links

register = template.Library()


@register.simple_tag
def icon(name: str) -> SafeString:
    """An icon from the DKFDS sprite, hidden from screen readers. A tag, as lists and breadcrumbs
    show several (an included template costs about ten times as much)."""
    return format_html(
        '<svg class="icon-svg" focusable="false" aria-hidden="true"><use href="{}#{}"></use></svg>',
        _sprite(),
        name,
    )


@functools.cache
def _sprite() -> str:
    return static("dkfds/img/all-svg-icons.svg")


# Markdown as written by unit leaders: no raw HTML; headings start at level 3, below the page's
# section headings; what comes out is sanitised once more with nh3.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "hr",
}


def _shift_heading(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    return self.renderToken(tokens, idx, options, env)


_markdown.add_render_rule("heading_open", _shift_heading)
_markdown.add_render_rule("heading_close", _shift_heading)


@register.filter
def markdown(text: str) -> SafeString:
    """Render a leader's Markdown as safe HTML."""
    return mark_safe(_render(text or ""))  # noqa: S308 - sanitised by nh3 in _render


# The same texts are rendered again and again (every reader of an agreement, every section of a
# meeting pack); rendering is a pure function of the text, so the HTML of the most recent texts
# is kept in each process.
@functools.lru_cache(maxsize=4096)
def _render(text: str) -> str:
    return nh3.clean(
        _markdown.render(text),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}, "td": set()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.simple_tag
def link(viewname: str, **kwargs: object) -> str:
    """`{% url %}` for a route whose arguments are uuids or slugs, by name, for lists of many
    rows (`randers.links`)."""
    return links.link(viewname, **kwargs)


@register.simple_tag
def page_numbers(page: Page) -> Iterator[int | str]:
    """Page numbers around the current one, with an ellipsis for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)


@register.filter
def amount(value: str | int | None) -> str:
    """A whole amount of kroner with the language's thousands separator: 12.500.000."""
    if value in (None, ""):
        return ""
    return number_format(Decimal(str(value)), decimal_pos=0, force_grouping=True)
