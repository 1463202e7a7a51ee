"""A real Celery worker on the real Redis, and the fault drills: the worker killed in the middle of
a render and restarted; Redis flushed with jobs in flight. In every case every job finishes, each
agreement version has exactly one stored PDF, and nothing is rendered twice for the same content.
"""

from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection

from agreements import selectors, services
from agreements.models import Agreement, AgreementBook, AgreementPdf, AgreementVersion, Period
from randers.jobs.models import Job
from tests.celery_worker import Worker, flush_broker, wait_until
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def municipality(transactional_db: None) -> tuple[User, Period]:
    """The demo municipality with 13 units: the period being prepared has a dozen agreements in
    every state (drafts, submitted, in dialogue, approved, signed)."""
    call_command("seed_demo", units=13)
    period = max(Period.objects.all(), key=lambda p: p.agreements.count())
    return User.objects.get(username="admin"), period


@pytest.fixture
def worker(transactional_db: None) -> Iterator[Worker]:
    flush_broker()
    worker = Worker(concurrency=2)
    yield worker
    worker.stop()
    flush_broker()


def order_book(admin: User, period: Period) -> Job:
    return services.request_agreement_book(
        period, scope=AgreementBook.Scope.MUNICIPALITY, scope_id=None, by=admin
    )


def expected_keys(admin: User, period: Period) -> set[tuple[str, str]]:
    return {
        (source.content_hash, source.state)
        for source in (
            selectors.pdf_source_for_reader(agreement, admin)
            for agreement in Agreement.objects.for_page().filter(period=period)
        )
    }


def assert_one_pdf_each_rendered_once(worker: Worker, keys: set[tuple[str, str]]) -> None:
    stored = set(AgreementPdf.objects.values_list("content_hash", "state"))
    assert stored == keys
    assert AgreementPdf.objects.count() == len(keys)
    renders = Counter(worker.rendered())
    assert set(renders) == keys
    assert max(renders.values()) == 1, renders.most_common(3)


def finished(job: Job, timeout: float = 120) -> Job:
    wait_until(
        lambda: Job.objects.get(pk=job.pk).is_finished, timeout=timeout, what=f"job {job.pk}"
    )
    job.refresh_from_db()
    return job


def test_a_real_worker_renders_a_book_of_a_dozen_agreements(municipality, worker):
    admin, period = municipality
    count = period.agreements.count()
    assert count >= 12
    worker.start()
    job = finished(order_book(admin, period))
    assert (job.status, job.error) == (Job.Status.DONE, "")
    assert (job.progress_done, job.progress_total) == (count, count)
    book = AgreementBook.objects.get(job=job)
    assert book.agreement_count == count
    assert job.result["message"] == (f"Aftalebogen er klar: {count} aftaler, {book.pages} sider.")
    assert_one_pdf_each_rendered_once(worker, expected_keys(admin, period))

    again = finished(order_book(admin, period))  # nothing changed: every PDF is reused
    assert AgreementBook.objects.get(job=again).agreement_count == count
    assert_one_pdf_each_rendered_once(worker, expected_keys(admin, period))


def advisory_locks_held() -> int:
    """Renders in progress: each holds an advisory lock on its content while it renders."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return int(cursor.fetchone()[0])


def test_drill_the_worker_killed_mid_render_and_restarted(municipality, worker):
    admin, period = municipality
    worker.start()
    single = services.request_agreement_pdf(
        selectors.pdf_source_for_reader(
            Agreement.objects.for_page().filter(period=period, state="draft")[0], admin
        ),
        by=admin,
    )
    book = order_book(admin, period)
    wait_until(
        lambda: Job.objects.get(pk=book.pk).progress_done >= 3 and advisory_locks_held() > 0,
        timeout=60,
        what="a render in progress",
    )
    worker.kill()
    book.refresh_from_db()
    assert book.status != Job.Status.DONE
    worker.start()  # the restarted worker, with beat's sweep resending what was lost
    assert finished(book, timeout=180).status == Job.Status.DONE
    assert isinstance(single, Job)
    assert finished(single).status == Job.Status.DONE
    assert AgreementBook.objects.get(job=book).agreement_count == period.agreements.count()
    assert f"requeued lost jobs [{book.pk}" in worker.output()  # by the sweep
    assert_one_pdf_each_rendered_once(worker, expected_keys(admin, period))


def test_drill_redis_flushed_with_jobs_in_flight(municipality, worker):
    admin, period = municipality
    other = Period.objects.exclude(pk=period.pk).get()
    worker.start()
    book = order_book(admin, period)
    wait_until(
        lambda: Job.objects.get(pk=book.pk).progress_done >= 2, timeout=60, what="the book begun"
    )
    singles = [  # queued behind the book's remaining parts
        services.request_agreement_pdf(selectors.pdf_source_for_version(version), by=admin)
        for version in AgreementVersion.objects.filter(
            agreement__period=other, signatures__isnull=False
        ).distinct()[:4]
    ]
    flush_broker()  # every queued and unacknowledged message is lost
    assert Job.objects.filter(pk__in=[j.pk for j in singles], status=Job.Status.QUEUED).exists()
    jobs = [book, *singles]
    for job in jobs:
        assert isinstance(job, Job)
        assert finished(job, timeout=180).status == Job.Status.DONE
    keys = expected_keys(admin, period) | {
        (job.params["content_hash"], job.params["state"]) for job in singles if isinstance(job, Job)
    }
    assert "requeued lost jobs" in worker.output()
    assert_one_pdf_each_rendered_once(worker, keys)
