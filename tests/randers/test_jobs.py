from datetime import timedelta

import pytest
from django.db import OperationalError
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
    # 1 user, 2 job, 3 the reader's roles, 4-6 session renewal
    with django_assert_num_queries(6):
        client.get(job.get_absolute_url())


# --- Parts, attempts and infrastructure failures ----------------------------------------------


def test_a_job_claimed_too_often_is_given_up(settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    job = make_job(status=Job.Status.RUNNING, attempts=3)
    assert services.run_job(job.pk, lambda running: {}) is None
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "Gave up after 3 attempts.")


def test_a_database_failure_is_raised_for_the_retry_and_the_job_stays_running():
    job = make_job()

    def work(running: Job) -> dict:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        services.run_job(job.pk, work)
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.RUNNING, "")


def test_work_that_sent_its_parts_leaves_the_job_running():
    job = make_job(progress_total=2)
    services.run_job(job.pk, lambda running: None)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_each_step_counts_once_and_the_last_one_knows_it():
    job = make_job(progress_total=2)
    assert services.complete_step(job, "a") == (1, 2)
    assert services.complete_step(job, "a") == (1, 2)
    assert services.complete_step(job, "b") == (2, 2)
    job.refresh_from_db()
    assert job.progress_done == 2
    assert services.completed_steps(job) == {"a", "b"}


def test_the_final_step_finishes_the_job_once():
    job = make_job(status=Job.Status.RUNNING)
    calls: list[int] = []

    def work(running: Job) -> dict:
        calls.append(running.pk)
        return {"message": "Klar."}

    services.finish_job_once(job.pk, work)
    services.finish_job_once(job.pk, work)
    job.refresh_from_db()
    assert (job.status, job.result, calls) == (Job.Status.DONE, {"message": "Klar."}, [job.pk])


def test_the_sweep_reads_its_thresholds_from_the_settings(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_LOST_AFTER_SECONDS = 10
    job = make_job(created_at=timezone.now() - timedelta(seconds=30))
    with django_capture_on_commit_callbacks():
        assert services.requeue_lost_jobs() == [job.pk]


# --- The administrators' list and "Prøv igen" --------------------------------------------------

LIST = "/jobs/"


def test_administrators_list_jobs_with_status_duration_and_error(client_for, cast):
    started = timezone.now() - timedelta(seconds=42)
    make_job(
        by=cast.director,
        status=Job.Status.FAILED,
        error="RuntimeError: skrifttypen mangler",
        started_at=started,
        finished_at=started + timedelta(seconds=12.5),
        attempts=2,
    )
    html = client_for(cast.administrator).get(LIST).content.decode()
    assert '<span class="badge job-status job-status--failed">Fejlet</span>' in html
    assert "RuntimeError: skrifttypen mangler" in html
    assert "12,5 s" in html
    assert "Hanne Vestergaard" in html
    assert "Prøv igen" in html


@pytest.mark.parametrize("person", ["leader_a", "director", "council_member", "committee_chair"])
def test_others_may_not_list_jobs(client_for, cast, person):
    assert client_for(cast.all()[person]).get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_job_list(client_for):
    assert client_for(None).get(LIST).status_code == 302


def test_the_job_list_filters_by_status(client_for, cast):
    make_job(status=Job.Status.FAILED, error="Første fejl")
    make_job(status=Job.Status.DONE)
    response = client_for(cast.administrator).get(LIST, {"status": "done"})
    assert "Første fejl" not in response.content.decode()
    assert len(response.context["page"].object_list) == 1


@pytest.mark.parametrize("count", [1, 30])
def test_job_list_query_count_is_constant(client_for, cast, django_assert_num_queries, count):
    for _ in range(count):
        make_job(by=cast.director, status=Job.Status.FAILED, error="Fejl")
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 count, 4 jobs with their requesters,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_an_administrator_tries_a_failed_job_again(
    client_for, cast, django_capture_on_commit_callbacks
):
    job = make_job(by=cast.director, status=Job.Status.FAILED, error="Fejl", attempts=5)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(cast.administrator).post(
            f"/jobs/{job.uuid}/proev-igen/", {"next": "list"}
        )
    assert (response.status_code, response["Location"]) == (302, LIST)
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts, len(callbacks)) == (Job.Status.QUEUED, "", 0, 1)


def test_the_requester_tries_their_failed_job_again_from_its_page(client_for, cast):
    job = make_job(by=cast.director, status=Job.Status.FAILED, error="Fejl")
    client = client_for(cast.director)
    assert "Prøv igen" in client.get(job.get_absolute_url()).content.decode()
    response = client.post(f"/jobs/{job.uuid}/proev-igen/")
    assert (response.status_code, response["Location"]) == (302, job.get_absolute_url())


def test_only_failed_jobs_can_be_tried_again(client_for, cast):
    job = make_job(by=cast.director, status=Job.Status.DONE)
    assert client_for(cast.administrator).post(f"/jobs/{job.uuid}/proev-igen/").status_code == 403


def test_others_cannot_try_someones_job_again(client_for, cast):
    job = make_job(by=cast.director, status=Job.Status.FAILED, error="Fejl")
    assert client_for(cast.leader_a).post(f"/jobs/{job.uuid}/proev-igen/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


# --- The notice when it is ready ---------------------------------------------------------------


def test_the_front_page_tells_the_requester_when_the_book_is_ready(client_for, cast):
    job = Job.objects.create(
        kind=Job.Kind.AGREEMENT_BOOK,
        requested_by=cast.director,
        status=Job.Status.DONE,
        result={"message": "Aftalebogen er klar: 12 aftaler, 80 sider."},
    )
    client = client_for(cast.director)
    assert "Aftalebogen er klar: 12 aftaler, 80 sider." in client.get("/").content.decode()
    client.get(job.get_absolute_url())  # seen
    assert "Aftalebogen er klar" not in client.get("/").content.decode()


def test_a_finished_job_without_a_message_is_named_by_its_kind(client_for, cast):
    Job.objects.create(
        kind=Job.Kind.AGREEMENT_PDF, requested_by=cast.director, status=Job.Status.DONE
    )
    assert "Aftale som PDF er klar." in client_for(cast.director).get("/").content.decode()


def test_the_front_page_shows_work_in_progress_until_it_is_done(client_for, cast):
    Job.objects.create(
        kind=Job.Kind.AGREEMENT_BOOK,
        requested_by=cast.director,
        status=Job.Status.RUNNING,
        progress_total=220,
        progress_done=87,
    )
    html = client_for(cast.director).get("/").content.decode()
    assert "Aftalebog bliver lavet (87 af 220)." in html
    assert "Aftalebog" not in client_for(cast.leader_a).get("/").content.decode().split("<main")[1]


def test_a_finishing_job_says_it_is_putting_it_together(client_for, cast):
    job = make_job(by=cast.director, status=Job.Status.RUNNING, progress_total=3, progress_done=3)
    assert (
        "Samler det hele" in client_for(cast.director).get(job.get_absolute_url()).content.decode()
    )
