"""Counts (and the public list) cached under the version of the data they are read from.

Some pages show counts over everything in a selection (the coverage of the council's goals, a
director's tasks): cheap to cache, costly to count at 5,000 units. The public list of signed
agreements is the same for every visitor and is cached as rendered HTML under the same number
(`{% cache %}` in templates/agreements/public_list.html). `data_version` is a number
that PostgreSQL triggers change in the same transaction as any change to what those counts read
(goals/migrations/0003_data_version.py). A count is cached under the number read *before*
counting, so it is never older than its key, and never read after a change has committed.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

T = TypeVar("T")

# A cached count is dropped after this long at most; a change gives it a new key at once.
SECONDS = 24 * 60 * 60


def data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM data_version")
        row = cursor.fetchone()
    return int(row[0])


def cached(name: str, selection: object, count: Callable[[], T]) -> T:
    """`count()`, from the cache when it was counted at this version for this selection (one
    query then: the version). `selection` must name everything the count depends on besides the
    data: the period, the person, today's date, a queryset's SQL."""
    described = f"{data_version()}|{selection!r}"
    key = f"{name}:{hashlib.sha256(described.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, SECONDS)
    return value
