"""Load: simulated people on loopback against gunicorn with 5 workers, as in production.

    python -m tests.benchmarks.load [--users 10 50] [--requests 2000]

Needs DATABASE_URL of a seeded demo municipality (`seed_demo`), REDIS_URL, and STATIC_ROOT with
the collected static files; `tests.benchmarks.run` provides them. Each simulated person follows
one of three journeys, in turn, over and over, without pauses:

- a council member reviewing: home, the committee's overview, agreements in the review view,
  the coverage matrix, a search;
- a unit leader drafting: home, the agreement, the editor, the follow-up page, the unit;
- an administrator onboarding: the organisation page, the first onboarding step, people, a
  person, a unit's roles.

Every response must be 200 with a page; anything else (or a failed connection) is an error.
Prints one JSON object per number of users, the last line all of them as a list.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from agreements import permissions  # noqa: E402
from agreements.models import Agreement, Period  # noqa: E402
from units.models import Unit, User  # noqa: E402

WORKERS = 5


@dataclass
class Journey:
    name: str
    username: str
    pages: list[list[str]] = field(default_factory=list)  # per step, the URLs to choose from


def journeys() -> list[Journey]:
    period = Period.objects.relevant()[0]
    council = User.objects.get(username="council")
    leader = User.objects.get(username="leader")
    visible = list(
        permissions.agreements_visible_to(council)
        .filter(period=period)
        .select_related("unit__committee")
        .order_by("?")[:40]
    )
    committee = visible[0].unit.committee.slug
    reviews = [
        f"{a.get_absolute_url()}gennemgang/?udvalg={a.unit.committee.slug}&periode={period.slug}"
        for a in visible
    ]
    own = list(Agreement.objects.filter(unit__leader=leader, state="draft"))
    units = [unit.slug for unit in Unit.objects.order_by("?")[:40]]
    people = [str(person.uuid) for person in User.objects.order_by("?")[:40]]
    return [
        Journey(
            "council member reviewing",
            "council",
            [
                ["/"],
                [f"/aftaler/?udvalg={committee}&periode={period.slug}"],
                reviews,
                reviews,
                ["/aftaler/maal/"],
                ["/aftaler/soeg/?q=skoler", "/aftaler/soeg/?q=trivsel", "/aftaler/soeg/?q=læsning"],
            ],
        ),
        Journey(
            "unit leader drafting",
            "leader",
            [
                ["/"],
                [a.get_absolute_url() for a in own],
                [f"{a.get_absolute_url()}rediger/" for a in own],
                ["/aftaler/opfoelgning/"],
                [f"/enheder/{leader.led_units.first().slug}/"],  # type: ignore[union-attr]
            ],
        ),
        Journey(
            "administrator onboarding",
            "admin",
            [
                ["/organisation/"],
                ["/organisation/ny-enhed/enheden/"],
                ["/organisation/personer/?q=hansen", "/organisation/personer/?q=jensen"],
                [f"/organisation/personer/{person}/" for person in people],
                [f"/organisation/enheder/{slug}/" for slug in units],
            ],
        ),
    ]


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def fetch(port: int, path: str, cookie: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {quote(path, safe='/?=&')} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "Accept-Language: da\r\nConnection: close\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1])
    if status == 200 and b"</html>" not in data:
        return 0  # a truncated page
    return status


@dataclass
class Tally:
    remaining: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def person(
    port: int, journey: Journey, cookie: str, tally: Tally, rng: random.Random
) -> None:
    while True:
        for choices in journey.pages:
            if tally.remaining <= 0:
                return
            tally.remaining -= 1
            path = rng.choice(choices)
            start = time.perf_counter()
            try:
                status = await fetch(port, path, cookie)
            except OSError as error:
                tally.errors.append(f"{path}: {error}")
                continue
            tally.latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                tally.errors.append(f"{path}: {status}")


async def run_load(
    port: int, plan: list[Journey], users: int, requests: int, cookies: dict[str, str]
) -> dict[str, object]:
    tally = Tally(remaining=requests)
    rng = random.Random(users)  # noqa: S311 (a repeatable mix, not a secret)
    start = time.perf_counter()
    await asyncio.gather(
        *(
            person(
                port,
                plan[n % len(plan)],
                f"{settings.SESSION_COOKIE_NAME}={cookies[f'{n}']}",
                tally,
                random.Random(rng.random()),  # noqa: S311
            )
            for n in range(users)
        )
    )
    seconds = time.perf_counter() - start
    cuts = statistics.quantiles(tally.latencies, n=100)
    return {
        "users": users,
        "requests": requests,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "seconds": round(seconds, 1),
        "requests_per_second": round(requests / seconds, 1),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "randers.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    port = free_port()
    server = start_gunicorn(port)
    try:
        plan = journeys()
        cookies = {
            f"{n}": session_cookie(plan[n % len(plan)].username) for n in range(max(args.users))
        }
        # Warm every worker up (imports, templates, connections) before measuring.
        asyncio.run(run_load(port, plan, WORKERS * 2, WORKERS * 20, cookies))
        results = []
        for users in args.users:
            result = asyncio.run(run_load(port, plan, users, args.requests, cookies))
            print(json.dumps(result), file=sys.stderr, flush=True)
            results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
