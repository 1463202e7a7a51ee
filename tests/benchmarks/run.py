"""The benchmark harness behind `make bench`: one table, one JSON file, runs side by side.

    python -m tests.benchmarks.run [--units 220 5000] [--repeat 20] [--requests 2000]
                                   [--users 10 50] [--no-load] [--no-pdf]

For each size, in a fresh database of its own seeded with `seed_demo --units N`:
- every main page's server time against its floor (tests/benchmarks/floor.py), and its query
  count (tests/benchmarks/measure.py);
- load: simulated people on loopback against gunicorn with 5 workers (tests/benchmarks/load.py).
Then, once, the PDF figures (tests/benchmarks/pdf.py: one agreement against WeasyPrint alone, the
book of all agreements with two workers, cold and warm).

Query counts are exact; timings are medians on a shared machine, so compare runs side by side
rather than against fixed limits. The goals: a ratio page/floor of at most 2 at 220 units and 3
at 5,000; the same query count at both sizes, at most 12; no errors under load.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]
GOAL_RATIO = {220: 2.0, 5000: 3.0}
GOAL_QUERIES = 12


def scratch_database_url(base_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `base_url`; return its URL."""
    parts = urlsplit(base_url)
    query = dict(item.split("=", 1) for item in parts.query.split("&") if item)
    conninfo = psycopg.conninfo.make_conninfo(
        "",
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or "",
        host=query.get("host") or parts.hostname or "",
        port=str(parts.port or 5432),
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def _run(module: str, args: list[str], env: dict[str, str]) -> Any:
    """Run `python -m module args` and return the JSON of its last line of output."""
    print(f"… {module} {' '.join(args)}", file=sys.stderr, flush=True)
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_pages(runs: list[dict[str, Any]]) -> None:
    sizes = [run["units"] for run in runs]
    width = 34
    print(f"{'page':<{width}}" + "".join(f"{f'{n} units':>41}" for n in sizes))
    print(
        f"{'':<{width}}"
        + "".join(
            f"{'queries':>9}{'ms':>8}{'floor ms':>9}{'ratio':>7}{'changed':>8}" for _ in sizes
        )
    )
    for index, page in enumerate(runs[0]["pages"]):
        name = page["page"] + (" *" if page["main"] else "")
        row = f"{name:<{width}}"
        for run in runs:
            measured = run["pages"][index]
            row += (
                f"{measured['queries']:>7}{'+1' if measured.get('access_log_inserts') else '':<2}"
                f"{measured['median_ms']:>8.1f}"
                f"{measured['floor_ms']:>9.1f}{measured['ratio']:>7.2f}"
                f"{measured['after_change_ms']:>8.1f}"
            )
        print(row)
    print("* a main page of the performance goals; +1 the access log's insert of a reading (GDPR)")
    print("changed: ms of a reading after any write (every cached version moved on)")
    for run in runs:
        main = [page for page in run["pages"] if page["main"]]
        worst = max(main, key=lambda page: page["ratio"])
        goal = GOAL_RATIO.get(run["units"])
        print(
            f"{run['units']} units: seeded in {run['seed_seconds']} s; main pages' ratio at most "
            f"{worst['ratio']} ({worst['page']})"
            + (f", goal {goal}" if goal else "")
            + f"; most queries {max(page['queries'] for page in run['pages'])}"
            f" (goal {GOAL_QUERIES})"
        )
    counts = [[page["queries"] for page in run["pages"]] for run in runs]
    differing = [
        runs[0]["pages"][i]["page"]
        for i in range(len(counts[0]))
        if len({c[i] for c in counts}) > 1
    ]
    print("query counts the same at every size" if not differing else f"differ: {differing}")
    for run in runs:
        scanned = {
            page["page"]: page["sequential_scans"]
            for page in run["pages"]
            if page.get("sequential_scans")
        }
        print(
            f"{run['units']} units: sequential scans of tables over 10,000 rows: "
            + (
                "; ".join(f"{page}: {', '.join(tables)}" for page, tables in scanned.items())
                or "none"
            )
        )


def print_load(runs: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'load (gunicorn, 5 workers)':<30}{'users':>6}{'requests':>9}{'errors':>7}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for run in runs:
        label = f"{run['units']} units"
        for load in run.get("load", []):
            print(
                f"{label:<30}{load['users']:>6}{load['requests']:>9}"
                f"{load['errors']:>7}{load['requests_per_second']:>8}{load['p50_ms']:>8}"
                f"{load['p95_ms']:>8}{load['p99_ms']:>8}"
            )


def print_pdf(pdf: dict[str, Any]) -> None:
    print()
    print(
        f"PDF: one {pdf['agreement_pages']}-page agreement through the whole pipeline "
        f"{pdf['pipeline_seconds']} s, WeasyPrint alone {pdf['weasyprint_seconds']} s, "
        f"ratio {pdf['ratio']}"
    )
    for book in pdf["book"]:
        print(
            f"PDF: the book of all {book['agreements']} agreements ({book['pages']} pages, "
            f"{book['megabytes']} MB), two workers, {book['run']}: {book['seconds']} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, nargs="+", default=[220, 5000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pdf-units", type=int, default=220)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/aftalestyring")
    static_root = tempfile.mkdtemp(prefix="aftalestyring-bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "STATIC_ROOT": static_root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    runs = []
    for units in args.units:
        sized = {**env, "DATABASE_URL": scratch_database_url(base_url, f"bench_{units}")}
        run = _run(
            "tests.benchmarks.measure",
            ["--units", str(units), "--repeat", str(args.repeat)],
            sized,
        )
        if not args.no_load:
            run["load"] = _run(
                "tests.benchmarks.load",
                ["--requests", str(args.requests), "--users", *map(str, args.users)],
                sized,
            )
        runs.append(run)
    pdf = None
    if not args.no_pdf:
        pdf = _run("tests.benchmarks.pdf", ["--units", str(args.pdf_units)], env)

    print_pages(runs)
    if not args.no_load:
        print_load(runs)
    if pdf is not None:
        print_pdf(pdf)
    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"started": started, "runs": runs, "pdf": pdf}, indent=2))
    print(f"written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
