"""What is cached under the data's version (`randers.versions`) and the cache it is kept in
(`randers.cache`)."""

import pytest
from django.core.cache import cache
from django.db import connection

from randers import versions

pytestmark = pytest.mark.django_db


def moved_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE data_version SET number = nextval('data_version_seq')")


def counter(values: list[str]):  # type: ignore[no-untyped-def]
    def count(value: str):  # type: ignore[no-untyped-def]
        def counted() -> str:
            values.append(value)
            return value

        return counted

    return count


def test_values_cached_together_are_counted_once_a_version(django_assert_num_queries):
    counted: list[str] = []
    count = counter(counted)
    entries = (("a", 1, count("one")), ("b", 2, count("two")))
    assert versions.cached_together(*entries) == ["one", "two"]
    with django_assert_num_queries(1):  # the version; both values from one read of the cache
        assert versions.cached_together(*entries) == ["one", "two"]
    assert counted == ["one", "two"]
    # one seen before, one not: only the new one is counted
    assert versions.cached_together(("a", 1, count("again")), ("c", 3, count("three"))) == [
        "one",
        "three",
    ]
    assert counted == ["one", "two", "three"]
    moved_on()
    assert versions.cached_together(*entries) == ["one", "two"]
    assert counted == ["one", "two", "three", "one", "two"]


def test_a_pinned_version_is_read_once_and_keys_what_is_cached_inside(django_assert_num_queries):
    counted: list[str] = []
    count = counter(counted)
    with versions.pinned() as version:
        with django_assert_num_queries(0):  # the version was read on entering
            assert versions.cached("a", 1, count("one")) == "one"
        moved_on()  # after the version was read: still cached under the older one
        assert versions.data_version() == version
        assert versions.cached("a", 1, count("one")) == "one"
    # the new version does not find it
    assert versions.cached("a", 1, count("one")) == "one"
    assert counted == ["one", "one"]


def test_the_cache_keeps_one_redis_client_per_server():
    client = cache._cache  # type: ignore[attr-defined]
    assert client.get_client() is client.get_client(write=True)
    cache.set("versions-test", [1, 2], 10)
    assert cache.get("versions-test") == [1, 2]
    assert cache.get_many(["versions-test", "versions-none"]) == {"versions-test": [1, 2]}
