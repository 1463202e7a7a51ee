"""Measure the main pages on one freshly seeded municipality; prints one JSON object.

Run by `tests.benchmarks.run` in a process of its own per size, with DATABASE_URL pointing at a
scratch database that this script fills with `seed_demo --units N`.
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agreements.models import Agreement, Period  # noqa: E402
from units.models import User  # noqa: E402

# (page, demo account, URL)
PAGES = [
    ("home (leader)", "leader", "/"),
    ("home (director)", "director", "/"),
    ("home (council)", "council", "/"),
    ("home (admin)", "admin", "/"),
    ("unit directory", "council", "/enheder/"),
    ("unit directory, filtered", "council", "/enheder/?area=boern-og-skole&kind=daycare"),
    ("unit directory, search", "council", "/enheder/?q=skole"),
    ("coverage matrix", "council", "/aftaler/maal/"),
    (
        "coverage matrix, committee",
        "council",
        "/aftaler/maal/?committee=skole-og-uddannelsesudvalget",
    ),
    ("council goal", "council", "/aftaler/maal/en-baeredygtig-fremtid/"),
    ("unit goals and indicators", "council", "/aftaler/enhed/tirsdalens-skole/maal/"),
    ("follow-up (leader)", "leader", "/aftaler/opfoelgning/"),
    ("follow-up (director)", "director", "/aftaler/opfoelgning/"),
    ("follow-up (admin)", "admin", "/aftaler/opfoelgning/"),
    ("unit page", "council", "/enheder/tirsdalens-skole/"),
    ("overview (director)", "director", "/aftaler/?omraade=boern-og-skole"),
    ("overview (admin)", "admin", "/aftaler/?periode={period}"),
    ("agreement page", "leader", "{agreement}"),
    ("editor", "leader", "{agreement}rediger/"),
    ("review view", "director", "{agreement}gennemgang/?omraade=boern-og-skole"),
    ("search (council)", "council", "/aftaler/soeg/?q=skoler"),
    ("search (public)", None, "/aftaler/soeg/?q=trivsel"),
    ("public list", None, "/aftaler/offentlige/"),
    ("administration", "admin", "/organisation/"),
    ("people", "admin", "/organisation/personer/"),
    ("people, search", "admin", "/organisation/personer/?q=hansen"),
    ("person (leader)", "admin", "/organisation/personer/{leader}/"),
    ("what a person may do (council)", "admin", "/organisation/personer/{council}/adgang/"),
    ("unit page (admin)", "admin", "/enheder/tirsdalens-skole/"),
    ("who may do what in a unit", "admin", "/organisation/enheder/tirsdalens-skole/"),
    ("area (admin)", "admin", "/organisation/omraader/boern-og-skole/"),
    ("committee (admin)", "admin", "/organisation/udvalg/skole-og-uddannelsesudvalget/"),
    ("onboarding, first step", "admin", "/organisation/ny-enhed/enheden/"),
]


def measure(repeat: int) -> list[dict[str, object]]:
    results = []
    clients: dict[str | None, Client] = {None: Client()}
    agreement = Agreement.objects.select_related("period").get(
        unit__name="Tirsdalens Skole", period=Period.objects.relevant()[0]
    )
    people = {name: User.objects.get(username=name).uuid for name in ("leader", "council")}
    for page, username, template in PAGES:
        url = template.format(
            agreement=agreement.get_absolute_url(), period=agreement.period.slug, **people
        )
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(url)  # warm-up: templates, connections
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results.append(
            {
                "page": page,
                "url": url,
                "queries": len(queries.captured_queries),
                "median_ms": round(statistics.median(timings), 2),
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
