from collections.abc import Iterator

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_numbers(page: Page) -> Iterator[int | str]:
    """Page numbers around the current one, with an ellipsis for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
