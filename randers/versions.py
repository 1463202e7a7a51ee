"""Counts and rendered listings cached under the version of the data they are read from.

Some pages show counts over everything in a selection (the coverage of the council's goals, a
director's tasks): cheap to cache, costly to count at 5,000 units. The listings that are the same
for everyone with the same roles (the unit directory's results, the overview, the coverage
matrix, the public list of signed agreements, a person's responsibilities on the home page) are
cached as rendered HTML (`rendered`); what else a page reads once per version is cached with
`cached`, inside `pinned` where a request reads several. `data_version` is a number that
PostgreSQL triggers change in the same transaction as any change to what those counts and
listings read (goals/migrations/0003_data_version.py, 0004_data_version_names_and_slugs.py),
beside the database's epoch (agreements/migrations/0010_data_version_epoch.py). A value is cached
under the version read *before* it is computed, so it is never older than its key, and never
read after a change has committed.

The search page's hits are cached as rendered HTML in the same way under both that number and
`search_version`, which changes with every change to the search documents
(agreements/migrations/0006_search_version.py; `{% cache %}` in templates/agreements/search.html).
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

T = TypeVar("T")

# A cached count is dropped after this long at most; a change gives it a new key at once.
SECONDS = 24 * 60 * 60

# The version read once for a piece of work (`pinned`, `rendered`): what is cached inside it is
# cached under the same version, without reading it again.
_pinned: ContextVar[str | None] = ContextVar("pinned", default=None)


def data_version() -> str:
    """The data's version: its number, after this database's epoch (a number alone would be
    counted again by another database, or by this one restored from a backup)."""
    known = _pinned.get()
    if known is not None:
        return known
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch, number FROM data_version")
        epoch, number = cursor.fetchone()
    return f"{epoch}.{number}"


def search_version() -> tuple[str, int]:
    """The data version and the search documents' version, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT epoch, number, (SELECT number FROM search_version) FROM data_version"
        )
        epoch, number, search = cursor.fetchone()
    return f"{epoch}.{number}", int(search)


def renew_epoch() -> None:
    """Give this database a new epoch, so that nothing cached before is read again: after it has
    been restored from a backup, whose numbers it would count again."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE data_version SET epoch = gen_random_uuid()")


def cached(name: str, selection: object, count: Callable[[], T]) -> T:
    """`count()`, from the cache when it was counted at this version for this selection (one
    query then: the version). `selection` must name everything the count depends on besides the
    data: the period, the person, today's date, a queryset's SQL."""
    return _cached(data_version(), name, selection, count)


def cached_together(*entries: tuple[str, object, Callable[[], Any]]) -> list[Any]:
    """`cached` for several values, each a (name, selection, count), in one read of the cache:
    a page that shows several saves a round trip to Redis for each but the first."""
    version = data_version()
    keys = [_key(version, name, selection) for name, selection, _count in entries]
    found = cache.get_many(keys)
    counted = {
        key: count() for key, (_n, _s, count) in zip(keys, entries, strict=True) if key not in found
    }
    if counted:
        cache.set_many(counted, SECONDS)
    return [found[key] if key in found else counted[key] for key in keys]


def _key(version: str, name: str, selection: object) -> str:
    described = f"{version}|{selection!r}"
    return f"{name}:{hashlib.sha256(described.encode()).hexdigest()}"


def _cached(version: str, name: str, selection: object, count: Callable[[], T]) -> T:
    key = _key(version, name, selection)
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, SECONDS)
    return value


def rendered(
    name: str, selection: object, template_name: str, context: Callable[[], dict[str, object]]
) -> str:
    """The template (a page's partial) rendered with `context()`, once per version of the data,
    selection and language, and read from the cache until the data changes. It is rendered
    without the request, so it can show nothing of the person (no name, no CSRF token): what it
    shows must come from the watched columns or be named by `selection` (the person's roles, the
    query string, today's date)."""
    version = data_version()

    def render() -> str:
        with pinned(version):
            return render_to_string(template_name, context())

    return _cached(version, name, (selection, translation.get_language()), render)


@contextmanager
def pinned(version: str | None = None) -> Iterator[str]:
    """Read the version once (or take `version`) for the work inside: each value cached there is
    computed after the number was read, so it is never older than its key."""
    version = data_version() if version is None else version
    token = _pinned.set(version)
    try:
        yield version
    finally:
        _pinned.reset(token)
