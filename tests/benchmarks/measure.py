"""Measure the main pages on one freshly seeded municipality; prints one JSON object.

Run by `tests.benchmarks.run` in a process of its own per size, with DATABASE_URL pointing at a
scratch database that this script fills with `seed_demo --units N`, and the production settings
(tests/benchmarks/settings.py: no DEBUG, no test-only middleware).

Each page is timed in-process with Django's test client (server time: middleware, views, queries,
templates; no network), alternating with its floor: the same base template for the same person,
with a table of as many bytes of HTML as the page, from rows already in memory. The figure is the
ratio of the two medians. Pages read what they can from the cache (`randers.versions`), so
each is also timed after a change: the median of readings each after every version number has
moved on, as any write moves it (`after_change_ms`).
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tests.benchmarks.pages import ACCESS_LOG_INSERT, page_urls  # noqa: E402
from units.models import User  # noqa: E402


def _get(client: Client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response.content


class Floor:
    """The floor for one client: how many table rows make as many bytes as a page."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.empty = len(_get(client, "/_bench/floor/?rows=0")[1])
        self.per_row = (len(_get(client, "/_bench/floor/?rows=500")[1]) - self.empty) / 500

    def url_for(self, page_bytes: int) -> tuple[str, int]:
        rows = max(0, round((page_bytes - self.empty) / self.per_row))
        return f"/_bench/floor/?rows={rows}", rows


BIG_TABLE_ROWS = 10_000


def sequential_scans(sqls: list[str]) -> list[str]:
    """The tables of more than BIG_TABLE_ROWS rows that the plans of these SELECTs read in full
    (EXPLAIN, not ANALYZE: the planner's choice on this data). A sequential scan of a small table
    is the planner's right choice; of a big one, it usually means a missing index."""
    with connection.cursor() as cursor:
        scans = set()
        for sql in sqls:
            if not sql.lstrip().upper().startswith(("SELECT", "(SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plans = [cursor.fetchone()[0][0]["Plan"]]
            while plans:
                plan = plans.pop()
                plans.extend(plan.get("Plans", []))
                if plan["Node Type"] == "Seq Scan":
                    cursor.execute(
                        "SELECT reltuples FROM pg_class WHERE relname = %s", [plan["Relation Name"]]
                    )
                    if cursor.fetchone()[0] > BIG_TABLE_ROWS:
                        scans.add(plan["Relation Name"])
    return sorted(scans)


def moved_on() -> None:
    """What any write does to what the pages cache (`randers.versions`): every version number
    moves on, so the next reading of each page computes again what it caches under them (what is
    cached by its content's SHA-256 stays: that content has not changed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE data_version SET number = nextval('data_version_seq');"
            "UPDATE search_version SET number = nextval('data_version_seq');"
            "UPDATE agreement_content_version SET number = nextval('data_version_seq')"
        )


def measure(repeat: int) -> list[dict[str, object]]:
    results = []
    clients: dict[str | None, tuple[Client, Floor]] = {}
    for page, username, url, main in page_urls():
        if username not in clients:
            client = Client()
            if username is not None:
                client.force_login(User.objects.get(username=username))
            clients[username] = (client, Floor(client))
        client, floor = clients[username]
        _elapsed, content = _get(client, url)  # warm-up: templates, connections, caches
        floor_url, floor_rows = floor.url_for(len(content))
        _get(client, floor_url)
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        sqls = [query["sql"] for query in queries.captured_queries]  # before the next request
        access_log = sum(ACCESS_LOG_INSERT in sql for sql in sqls)
        scans = sequential_scans(sqls)
        timings, floor_timings = [], []
        for _ in range(repeat):
            timings.append(_get(client, url)[0])
            floor_timings.append(_get(client, floor_url)[0])
        median, floor_median = statistics.median(timings), statistics.median(floor_timings)
        after_change = []
        for _ in range(max(3, repeat // 2)):
            moved_on()
            after_change.append(_get(client, url)[0])
        results.append(
            {
                "page": page,
                "main": main,
                "url": url,
                "queries": len(sqls) - access_log,
                "access_log_inserts": access_log,
                "kilobytes": round(len(content) / 1000, 1),
                "median_ms": round(median, 2),
                "floor_rows": floor_rows,
                "floor_ms": round(floor_median, 2),
                "ratio": round(median / floor_median, 2),
                "after_change_ms": round(statistics.median(after_change), 2),
                "sequential_scans": scans,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("seed_demo", units=args.units, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seed_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics the planner would have after autovacuum
    print(
        json.dumps(
            {
                "units": args.units,
                "seed_seconds": round(seed_seconds, 1),
                "pages": measure(args.repeat),
            }
        )
    )


if __name__ == "__main__":
    main()
