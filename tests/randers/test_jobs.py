from datetime import timedelta

import pytest
from django.utils import timezone

from randers.jobs import services
from randers.jobs.models import Job

pytestmark = pytest.mark.django_db


def make_job(by=None, **fields) -> Job:  # type: ignore[no-untyped-def]
    return Job.objects.create(kind=Job.Kind.AGREEMENT_PDF, requested_by=by, **fields)


def test_creating_a_job_sends_its_message_only_after_commit(
    django_capture_on_commit_callbacks, cast
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.create_job(Job.Kind.UNIT_IMPORT, by=cast.administrator, total=200)
    assert (job.status, job.progress_total, job.requested_by) == (
        Job.Status.QUEUED,
        200,
        cast.administrator,
    )
    assert len(callbacks) == 1


def test_running_a_job_stores_its_result():
    job = make_job(progress_total=3)

    def work(running: Job) -> dict:
        for done in range(1, 4):
            services.report_progress(running, done)
        return {"message": "Færdig."}

    services.run_job(job.pk, work)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.result, job.attempts) == (
        Job.Status.DONE,
        3,
        {"message": "Færdig."},
        1,
    )
    assert job.finished_at is not None


def test_a_failing_job_is_marked_failed_with_the_error():
    job = make_job()

    def work(running: Job) -> dict:
        raise ValueError("række 3 mangler et navn")

    services.run_job(job.pk, work)
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "ValueError: række 3 mangler et navn")


def test_a_message_delivered_twice_does_the_work_once():
    job = make_job()
    calls: list[int] = []

    def work(running: Job) -> dict:
        calls.append(running.pk)
        return {}

    services.run_job(job.pk, work)
    services.run_job(job.pk, work)
    assert calls == [job.pk]


def test_a_message_for_a_vanished_job_does_nothing():
    assert services.run_job(987654, lambda running: {}) is None


def test_lost_jobs_are_requeued_and_fresh_ones_left_alone(django_capture_on_commit_callbacks):
    now = timezone.now()
    lost_message = make_job(created_at=now - timedelta(minutes=10))
    dead_worker = make_job(status=Job.Status.RUNNING, heartbeat_at=now - timedelta(minutes=30))
    fresh = make_job()
    busy = make_job(status=Job.Status.RUNNING, heartbeat_at=now)
    done = make_job(status=Job.Status.DONE, created_at=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        requeued = services.requeue_lost_jobs()
    assert sorted(requeued) == sorted([lost_message.pk, dead_worker.pk])
    assert len(callbacks) == 2
    for job in (fresh, busy, done):
        assert job.pk not in requeued
    dead_worker.refresh_from_db()
    assert dead_worker.status == Job.Status.QUEUED


def test_a_failed_job_can_be_tried_again(django_capture_on_commit_callbacks):
    job = make_job(status=Job.Status.FAILED, error="Fejl")
    with django_capture_on_commit_callbacks() as callbacks:
        services.retry_job(job, by=None)
    job.refresh_from_db()
    assert (job.status, job.error, len(callbacks)) == (Job.Status.QUEUED, "", 1)


def test_the_job_page_shows_progress_to_the_requester(client_for, cast):
    job = make_job(
        by=cast.director, status=Job.Status.RUNNING, progress_total=220, progress_done=87
    )
    response = client_for(cast.director).get(job.get_absolute_url())
    assert response.status_code == 200
    assert "87 af 220" in response.content.decode()


def test_the_job_page_polls_with_a_fragment(client_for, cast):
    job = make_job(by=cast.director)
    body = client_for(cast.director).get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    html = body.content.decode()
    assert html.lstrip().startswith('<div id="job-status"')
    assert 'hx-trigger="every 2s"' in html


def test_a_finished_job_shows_its_result_and_stops_polling(client_for, cast):
    job = make_job(
        by=cast.director,
        status=Job.Status.DONE,
        result={"message": "Aftalebogen er klar.", "url": "/x.pdf"},
    )
    html = client_for(cast.director).get(job.get_absolute_url()).content.decode()
    assert "Aftalebogen er klar." in html
    assert "every 2s" not in html


@pytest.mark.parametrize("person", ["leader_a", "other_director", "council_member"])
def test_other_peoples_jobs_are_not_found(client_for, cast, person):
    job = make_job(by=cast.director)
    assert client_for(cast.all()[person]).get(job.get_absolute_url()).status_code == 404


def test_administrators_see_every_job(client_for, cast):
    job = make_job(by=cast.director)
    assert client_for(cast.administrator).get(job.get_absolute_url()).status_code == 200


def test_job_page_query_count(client_for, cast, django_assert_num_queries):
    job = make_job(by=cast.director)
    client = client_for(cast.director)
    # 1 session, 2 user, 3 job, 4 the reader's roles, 5-7 session save
    with django_assert_num_queries(7):
        client.get(job.get_absolute_url())
