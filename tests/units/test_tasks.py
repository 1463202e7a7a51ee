"""The import task: in-process, and 200 units through a real Celery worker."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from randers.celery import app as celery_app
from randers.jobs.models import Job
from randers.jobs.services import create_job
from units import imports, permissions, tasks
from units.models import Unit, UnitUserObjectPermission, User

BASE_DIR = Path(__file__).resolve().parents[2]


def rows(organisation, count: int) -> list[imports.ImportRow]:  # type: ignore[no-untyped-def]
    """`count` valid rows, through the same validation as an uploaded file."""
    table = [["Enhed", "Type", "Område", "Udvalg", "Arbejdssteder", "Leders navn", "Leders e-mail"]]
    for n in range(count):
        # every tenth unit is led by the leader of another one
        leader = n - 9 if n % 10 == 9 else n
        table.append(
            [
                f"Børnehuset Nr. {n:03d}",
                "Dagtilbud",
                organisation.area_a.name,
                organisation.school_committee.name,
                f"Afdeling Øst {n}, Østervej {n}, 8900 Randers C",
                f"Leder Nummer{leader:03d}",
                f"leder{leader:03d}@randers.dk",
            ]
        )
    validation = imports.validate_table(table)
    assert validation.errors == []
    return validation.rows


def start_import(rows: list[imports.ImportRow], by: User) -> Job:
    return create_job(
        Job.Kind.UNIT_IMPORT,
        by=by,
        params={"file_name": "enheder.xlsx", "rows": [row.as_json() for row in rows]},
        total=len(rows),
    )


@pytest.mark.django_db
def test_the_task_imports_the_rows_and_a_second_run_does_nothing(cast, organisation):
    job = Job.objects.create(
        kind=Job.Kind.UNIT_IMPORT,
        requested_by=cast.administrator,
        params={"rows": [row.as_json() for row in rows(organisation, 12)]},
        progress_total=12,
    )
    tasks.import_units(job.pk)
    tasks.import_units(job.pk)  # the message delivered twice
    job.refresh_from_db()
    assert (job.status, job.progress_done, len(job.result["created_units"])) == (
        Job.Status.DONE,
        12,
        12,
    )
    assert Unit.objects.filter(name__startswith="Børnehuset Nr.").count() == 12


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgresql://{user}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker against the test database and this run's Redis database."""
    celery_app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
    }
    process = subprocess.Popen(
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
            "-n",
            f"import-test-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(job: Job, process: subprocess.Popen[bytes], timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the worker stopped:\n{output}")
        time.sleep(0.2)
    pytest.fail(f"the import did not finish in {timeout} s: {job.status} {job.progress_done}")


@pytest.mark.django_db(transaction=True)
def test_200_units_are_imported_by_a_real_worker_and_a_second_import_creates_nothing(
    worker, cast, organisation
):
    data = rows(organisation, 200)
    units_before, people_before = Unit.objects.count(), User.objects.count()

    job = wait_for(start_import(data, cast.administrator), worker)

    assert job.status == Job.Status.DONE, job.error
    assert (job.progress_done, job.progress_total, job.attempts) == (200, 200, 1)
    assert len(job.result["created_units"]) == 200
    assert len(job.result["invited"]) == 180  # the rest lead a unit already
    assert job.result["skipped"] == []
    assert Unit.objects.count() == units_before + 200
    assert User.objects.count() == people_before + 180
    imported = Unit.objects.filter(name__startswith="Børnehuset Nr.")
    assert imported.filter(leader__isnull=False, sites__isnull=False).distinct().count() == 200
    # The object permissions came with the roles: each leader leads their units.
    grants = UnitUserObjectPermission.objects.filter(
        content_object__in=imported, permission__codename=permissions.LEAD_UNIT
    )
    assert grants.count() == 200
    shared = User.objects.get(email="leder000@randers.dk")
    assert sorted(permissions.units_led_by(shared).values_list("name", flat=True)) == [
        "Børnehuset Nr. 000",
        "Børnehuset Nr. 009",
    ]

    again = wait_for(start_import(data, cast.administrator), worker)
    assert again.status == Job.Status.DONE, again.error
    assert again.result["created_units"] == []
    assert len(again.result["skipped"]) == 200
    assert Unit.objects.count() == units_before + 200
    assert User.objects.count() == people_before + 180
    assert not imported.annotate(site_count=Count("sites")).filter(site_count__gt=1).exists()
