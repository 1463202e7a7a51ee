"""The benchmark harness behind `make bench`: each size in a fresh database, one table, one JSON.

    python -m tests.benchmarks.run [--units 220 5000] [--repeat 20]

Query counts are exact; timings are medians of server time in the Django test client on a shared
machine, so compare runs side by side rather than against fixed limits.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, nargs="+", default=[220, 5000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/aftalestyring")
    runs = []
    for units in args.units:
        env = {**os.environ, "DATABASE_URL": scratch_database_url(base_url, f"bench_{units}")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.measure",
                "--units",
                str(units),
                "--repeat",
                str(args.repeat),
            ],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))

    sizes = [run["units"] for run in runs]
    header = f"{'page':<32}" + "".join(f"{f'{n} units':>22}" for n in sizes)
    print(header)
    print(f"{'':<32}" + "".join(f"{'queries   median ms':>22}" for _ in sizes))
    for index, page in enumerate(runs[0]["pages"]):
        row = f"{page['page']:<32}"
        for run in runs:
            measured = run["pages"][index]
            row += f"{measured['queries']:>12}{measured['median_ms']:>10.1f}"
        print(row)
    print(
        "seed seconds: " + ", ".join(f"{run['units']} units {run['seed_seconds']}" for run in runs)
    )

    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"runs": runs}, indent=2))
    print(f"written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
