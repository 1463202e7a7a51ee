"""`randers.links.link` gives exactly what `reverse` gives, for every kind of argument it takes."""

import uuid

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from randers.links import link

ROUTES = [
    ("agreements:detail", {"uuid": uuid.uuid4()}),
    ("agreements:review", {"uuid": str(uuid.uuid4())}),
    ("units:detail", {"slug": "tirsdalens-skole"}),
    ("agreements:coverage-cell", {"slug": "en-baeredygtig-fremtid", "unit_slug": "aarhusvej_3"}),
]


@pytest.mark.parametrize(("viewname", "kwargs"), ROUTES)
@pytest.mark.parametrize("prefix", ["/", "/aftalestyring/"])
def test_a_link_is_the_reversed_url(viewname, kwargs, prefix):  # type: ignore[no-untyped-def]
    set_script_prefix(prefix)
    try:
        assert link(viewname, **kwargs) == reverse(viewname, kwargs=kwargs)
        assert link(viewname, **kwargs).startswith(prefix)
    finally:
        clear_script_prefix()
