"""Storing PDFs by content, the PDF queued at signing, and the agreement book's steps, run inline
(the real worker runs them in tests/agreements/test_worker.py)."""

import hashlib
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from pypdf import PdfReader

from agreements import selectors, services
from agreements.models import Agreement, AgreementBook, AgreementPdf
from randers.jobs import services as jobs
from randers.jobs.models import Job

from .conftest import complete

State = Agreement.State


def run_book_inline(job: Job) -> Job:
    """What the workers do with a book's messages, one after the other."""
    jobs.run_job(job.pk, services.start_book)
    for agreement_id in job.params["agreements"]:
        services.render_book_part(job.pk, agreement_id)
    jobs.finish_job_once(job.pk, services.assemble_book_for_job)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_content_is_rendered_once_and_then_reused(in_state):
    agreement = in_state(State.SIGNED)
    source = selectors.pdf_source_for_version(agreement.signed_version)
    stored, rendered = services.store_pdf(source)
    again, rendered_again = services.store_pdf(source)
    assert (rendered, rendered_again, again.pk) == (True, False, stored.pk)
    data = bytes(AgreementPdf.objects.get(pk=stored.pk).data)
    assert stored.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.content_hash, stored.state) == (
        len(data),
        agreement.signed_version.content_hash,
        State.SIGNED,
    )
    assert stored.version == agreement.signed_version
    assert stored.pages == len(PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_editing_a_draft_makes_a_new_content_and_an_unchanged_draft_keeps_its_pdf(draft, cast):
    first = selectors.pdf_source_for_reader(draft, cast.leader_a)
    assert selectors.pdf_source_for_reader(draft, cast.leader_a).content_hash == first.content_hash
    services.store_pdf(first)
    section = draft.sections.first()
    services.update_section(section, body="Ny tekst.", expected_revision=1, by=cast.leader_a)
    second = selectors.pdf_source_for_reader(draft, cast.leader_a)
    assert second.content_hash != first.content_hash
    assert selectors.stored_pdf(second) is None
    assert (second.state, second.version) == (State.DRAFT, None)


@pytest.mark.django_db
def test_the_submitted_version_is_printed_with_the_agreements_state_without_signatures(
    in_state, cast
):
    agreement = in_state(State.APPROVED)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    source = selectors.pdf_source_for_reader(agreement, cast.director)
    version = selectors.latest_version(agreement)
    assert version is not None
    assert (source.state, source.version, source.signatures) == (State.APPROVED, version, [])
    assert source.content_hash == version.content_hash


@pytest.mark.django_db
def test_the_public_get_the_signed_version_in_force_during_an_amendment(in_state, cast):
    agreement = in_state(State.SIGNED)
    services.amend_agreement(agreement, by=cast.leader_a)
    agreement.refresh_from_db()
    public = selectors.pdf_source_for_reader(agreement, AnonymousUser())
    leader = selectors.pdf_source_for_reader(agreement, cast.leader_a)
    assert (public.state, public.version) == (State.SIGNED, agreement.signed_version)
    assert (leader.state, leader.version) == (State.DRAFT, None)


@pytest.mark.django_db
def test_the_last_signature_queues_the_signed_versions_pdf_after_commit(
    in_state, cast, django_capture_on_commit_callbacks
):
    agreement = in_state(State.APPROVED)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        services.sign_agreement(agreement, role="director", by=cast.director)
    agreement.refresh_from_db()
    job = Job.objects.get()
    assert (job.kind, job.requested_by, len(callbacks)) == (Job.Kind.AGREEMENT_PDF, None, 1)
    assert job.params == {
        "agreement": agreement.pk,
        "version": agreement.signed_version.pk,
        "content_hash": agreement.signed_version.content_hash,
        "state": "signed",
    }
    jobs.run_job(job.pk, services.render_pdf_for_job)
    job.refresh_from_db()
    stored = AgreementPdf.objects.get(version=agreement.signed_version)
    assert (job.status, job.result["pdf"], stored.state) == (
        Job.Status.DONE,
        str(stored.uuid),
        State.SIGNED,
    )
    assert job.result["message"] == "PDF’en er klar."


@pytest.mark.django_db
def test_asking_for_a_stored_pdf_gives_it_and_asking_twice_gives_the_same_job(draft, cast):
    source = selectors.pdf_source_for_reader(draft, cast.leader_a)
    job = services.request_agreement_pdf(source, by=cast.leader_a)
    assert isinstance(job, Job)
    assert services.request_agreement_pdf(source, by=cast.leader_a) == job
    other = services.request_agreement_pdf(source, by=cast.director)
    assert isinstance(other, Job)
    assert other != job
    jobs.run_job(job.pk, services.render_pdf_for_job)
    jobs.run_job(other.pk, services.render_pdf_for_job)
    other.refresh_from_db()
    assert other.result["rendered"] is False  # the director's job found the leader's PDF
    assert isinstance(services.request_agreement_pdf(source, by=cast.leader_a), AgreementPdf)


@pytest.mark.django_db(transaction=True)
def test_two_renderers_racing_for_the_same_content_render_it_once(in_state):
    agreement = in_state(State.SIGNED)
    source = selectors.pdf_source_for_version(agreement.signed_version)
    results: list[bool] = []
    start = threading.Barrier(2)

    def render() -> None:
        start.wait()
        try:
            results.append(services.store_pdf(source)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert AgreementPdf.objects.count() == 1


@pytest.mark.django_db
def test_a_book_has_a_cover_contents_bookmarks_and_every_agreement(
    in_state, organisation, cast, period
):
    signed = in_state(State.SIGNED)
    other = complete(services.create_agreement(organisation.unit_b, period, by=None))
    services.update_budget(
        other, amount=Decimal(12_500_000), note="", expected_revision=other.revision, by=None
    )
    job = services.request_agreement_book(
        period, scope=AgreementBook.Scope.AREA, scope_id=organisation.area_a.pk, by=cast.director
    )
    assert (job.progress_total, job.params["scope_name"]) == (2, "Børn og Skole")
    job = run_book_inline(job)
    assert (job.status, job.error, job.progress_done) == (Job.Status.DONE, "", 2)
    book = AgreementBook.objects.get(job=job)
    reader = PdfReader(io.BytesIO(bytes(book.data)))
    assert (book.agreement_count, book.pages) == (2, len(reader.pages))
    cover = reader.pages[0].extract_text() + reader.pages[1].extract_text()
    assert "Aftalebog 2027" in cover
    assert "Havndal Skole" in cover
    assert "Tirsdalens Skole" in cover
    assert "Underskrevet" in cover
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == ["Indhold", "Havndal Skole", "Tirsdalens Skole"]
    sections = [item.title for item in reader.outline[2] if not isinstance(item, list)]
    assert sections[:3] == ["Indhold", "Parterne", "Indledning"]
    body = "".join(page.extract_text() for page in reader.pages)
    assert signed.signed_version.content_hash in body.replace("\n", "")
    assert "12.500.000 kr." in body
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert job.result["message"] == f"Aftalebogen er klar: 2 aftaler, {book.pages} sider."


@pytest.mark.django_db
def test_a_part_that_runs_twice_is_counted_once(draft, cast, period):
    job = services.request_agreement_book(
        period, scope=AgreementBook.Scope.MUNICIPALITY, scope_id=None, by=cast.leader_a
    )
    services.render_book_part(job.pk, draft.pk)
    services.render_book_part(job.pk, draft.pk)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, AgreementPdf.objects.count()) == (1, 1, 1)


@pytest.mark.django_db
def test_a_book_holds_only_what_its_requester_may_read(in_state, organisation, cast, period):
    in_state(State.SIGNED)
    services.create_agreement(organisation.unit_b, period, by=None)  # unit B's draft
    job = services.request_agreement_book(
        period, scope=AgreementBook.Scope.MUNICIPALITY, scope_id=None, by=cast.council_member
    )
    assert job.progress_total == 1


@pytest.mark.django_db
def test_a_book_with_nothing_to_read_is_refused_in_danish(organisation, cast, period):
    with pytest.raises(services.AgreementError) as refused:
        services.request_agreement_book(
            period,
            scope=AgreementBook.Scope.COMMITTEE,
            scope_id=organisation.technical_committee.pk,
            by=cast.leader_a,
        )
    assert str(refused.value) == "Der er ingen aftaler, du kan læse, for dette valg."
    assert not Job.objects.exists()
