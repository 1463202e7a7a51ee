"""How long the bulk import of units takes: checking the file, and importing it in a worker.

    DATABASE_URL=... REDIS_URL=... python -m tests.benchmarks.import_speed [--rows 200 1000]
        [--database bench_import]

Builds a scratch database (`bench_import`) with the demo municipality (220 units), writes an Excel
file of N new units per size, and measures (1) reading and checking it, as the upload page does
before anything is imported, and (2) importing it through a real Celery worker, from the job's
creation to its end, as the administrator waits on the job's page; (3) importing the same file
again, which creates nothing. Prints one line per size; times are wall-clock on a shared machine.
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def excel(rows: int) -> bytes:
    from openpyxl import Workbook

    from units.imports import template_header
    from units.models import Area, Committee

    areas = list(Area.objects.order_by("name").values_list("name", flat=True))
    committees = list(Committee.objects.order_by("name").values_list("name", flat=True))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(template_header())
    for n in range(rows):
        sheet.append(
            [
                f"Importeret Børnehus {rows}-{n:04d}",
                "Dagtilbud",
                areas[n % len(areas)],
                committees[n % len(committees)],
                f"Engvej {n}, 8900 Randers C",
                f"Afdeling Nord {n}, Nordvej {n}, 8900 Randers C; Afdeling Syd {n}",
                f"Leder Nummer{n:04d}",
                f"import{rows}-{n:04d}@randers.dk",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(rows: list, by) -> tuple[float, dict]:  # type: ignore[no-untyped-def,type-arg]
    from randers.jobs.models import Job
    from randers.jobs.services import create_job

    start = time.perf_counter()
    job = create_job(
        Job.Kind.UNIT_IMPORT,
        by=by,
        params={"rows": [row.as_json() for row in rows]},
        total=len(rows),
    )
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)
    assert job.status == Job.Status.DONE, job.error
    return time.perf_counter() - start, job.result


def measure(sizes: list[int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from units import imports
    from units.models import User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", units=220, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    admin = User.objects.get(username="admin")

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "randers",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    try:
        for rows in sizes:
            data = excel(rows)
            start = time.perf_counter()
            validation = imports.validate_table(
                imports.read_table(SimpleUploadedFile(f"enheder-{rows}.xlsx", data))
            )
            checked = time.perf_counter() - start
            assert validation.is_valid, validation.errors[:3]
            imported, result = run_import(validation.rows, admin)
            again, repeated = run_import(validation.rows, admin)
            assert len(result["created_units"]) == rows
            assert repeated["created_units"] == []
            print(
                f"{rows:>5} rows ({len(data) // 1024} KB): checked in {checked:.2f} s, "
                f"imported by the worker in {imported:.2f} s "
                f"({1000 * imported / rows:.1f} ms per unit), "
                f"imported again (nothing created) in {again:.2f} s"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--database", default="bench_import", help="name of the scratch database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        measure(args.rows)
        return
    from tests.benchmarks.run import scratch_database_url

    base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/aftalestyring")
    env = {**os.environ, "DATABASE_URL": scratch_database_url(base_url, args.database)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.import_speed",
            "--inner",
            "--rows",
            *map(str, args.rows),
        ],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


if __name__ == "__main__":
    main()
