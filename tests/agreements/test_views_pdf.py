"""'Hent som PDF', the stored PDFs' downloads and the agreement book's page, by the shared cast."""

import pytest
from django.urls import reverse

from agreements import selectors, services
from agreements.models import Agreement, AgreementBook, AgreementPdf
from randers.jobs import services as jobs
from randers.jobs.models import Job
from tests.factories import AreaFactory, CommitteeFactory

from .test_views import PEOPLE, READERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
BOOK = reverse("agreements:book")


def pdf_url(agreement: Agreement) -> str:
    return reverse("agreements:pdf", args=[agreement.uuid])


def file_url(stored: AgreementPdf) -> str:
    return reverse("agreements:pdf-file", args=[stored.agreement.uuid, stored.uuid])


def person(cast, name):  # type: ignore[no-untyped-def]
    return None if name == "anonymous" else cast.all()[name]


def test_the_agreement_page_offers_the_pdf(client_for, cast, in_state):
    agreement = in_state(State.SIGNED)
    html = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert f'href="{pdf_url(agreement)}"' in html
    assert "Hent som PDF" in html


@pytest.mark.parametrize("name", PEOPLE)
def test_a_stored_signed_pdf_is_served_at_once_to_everyone(client_for, cast, in_state, name):
    agreement = in_state(State.SIGNED)
    stored, _rendered = services.store_pdf(
        selectors.pdf_source_for_version(agreement.signed_version)
    )
    response = client_for(person(cast, name)).get(pdf_url(agreement))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="aftale-tirsdalens-skole-aftaler-2027.pdf"'
    )
    assert response.content == bytes(AgreementPdf.objects.get(pk=stored.pk).data)
    assert Job.objects.count() == 1  # only the one queued at signing


@pytest.mark.parametrize("name", PEOPLE)
def test_a_draft_pdf_is_only_for_its_readers(client_for, cast, draft, name):
    response = client_for(person(cast, name)).get(pdf_url(draft))
    if name in READERS[State.DRAFT]:
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == job.get_absolute_url()
        assert (job.requested_by, job.params["state"]) == (cast.all()[name], State.DRAFT)
    else:
        assert response.status_code == 404
        assert not Job.objects.exists()


def test_asking_again_while_it_renders_follows_the_same_job(client_for, cast, draft):
    client = client_for(cast.leader_a)
    first = client.get(pdf_url(draft))
    second = client.get(pdf_url(draft))
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1


def test_the_job_page_offers_the_pdf_when_it_is_rendered(client_for, cast, draft):
    client = client_for(cast.leader_a)
    client.get(pdf_url(draft))
    job = Job.objects.get()
    jobs.run_job(job.pk, services.render_pdf_for_job)
    job.refresh_from_db()
    html = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert f'<a href="{job.result["url"]}" download data-auto-download>Hent PDF’en</a>' in html
    assert client.get(job.result["url"]).status_code == 200
    assert client.get(pdf_url(draft))["Content-Type"] == "application/pdf"  # now at once


def test_an_anonymous_reader_follows_the_job_of_a_public_pdf_in_the_session(client_for, in_state):
    agreement = in_state(State.SIGNED)
    job = Job.objects.get()  # the PDF queued at signing, not run yet
    client = client_for(None)
    response = client.get(pdf_url(agreement))
    assert Job.objects.get() == job
    assert response["Location"] == job.get_absolute_url()
    assert client.get(job.get_absolute_url()).status_code == 200
    client.cookies.clear()
    assert client.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", PEOPLE)
def test_an_earlier_drafts_pdf_is_for_those_who_read_the_working_record(
    client_for, cast, in_state, name
):
    agreement = in_state(State.SIGNED)
    version = agreement.signed_version
    source = selectors.pdf_source_for_version(version)
    source.state, source.signatures = State.APPROVED, []
    unsigned, _rendered = services.store_pdf(source)
    signed, _rendered = services.store_pdf(selectors.pdf_source_for_version(version))
    client = client_for(person(cast, name))
    assert client.get(file_url(signed)).status_code == 200
    readers = {"leader_a", "director", "administrator", "council_member", "committee_chair"}
    assert client.get(file_url(unsigned)).status_code == (200 if name in readers else 404)


def test_a_pdf_of_another_agreement_is_not_found_under_this_one(
    client_for, cast, in_state, organisation, period
):
    agreement = in_state(State.SIGNED)
    stored, _rendered = services.store_pdf(
        selectors.pdf_source_for_version(agreement.signed_version)
    )
    other = services.create_agreement(organisation.unit_b, period, by=None)
    wrong = reverse("agreements:pdf-file", args=[other.uuid, stored.uuid])
    assert client_for(cast.administrator).get(wrong).status_code == 404


@pytest.mark.parametrize("pdfs", [1, 6])
def test_serving_a_stored_pdf_query_count_is_constant(
    client_for, cast, in_state, django_assert_num_queries, pdfs
):
    agreement = in_state(State.SIGNED)
    for number in range(1, pdfs):  # other stored PDFs of the same agreement
        source = selectors.pdf_source_for_version(agreement.signed_version)
        source.content_hash = f"{number:064x}"
        services.store_pdf(source)
    services.store_pdf(selectors.pdf_source_for_version(agreement.signed_version))
    client = client_for(None)
    # 1 agreement with unit, area, director, committee, leader, period, signed version,
    # 2 the version's signatures, 3 the stored PDF with its agreement's unit and period (for the
    # file name), 4 its bytes (an anonymous reader has no roles and no session to save)
    with django_assert_num_queries(4):
        assert client.get(pdf_url(agreement)).status_code == 200


# --- The agreement book ------------------------------------------------------------------------


def test_the_book_page_is_for_everyone_signed_in(client_for, cast):
    assert client_for(None).get(BOOK).status_code == 302
    html = client_for(cast.council_member).get(BOOK).content.decode()
    assert "Lav aftalebogen" in html
    assert "Hele kommunen" in html


@pytest.mark.parametrize("extra", [0, 8])
def test_book_page_query_count_is_constant(client_for, cast, django_assert_num_queries, extra):
    for number in range(extra):
        AreaFactory.create(name=f"Område {number}", slug=f"omraade-{number}")
        CommitteeFactory.create(name=f"Udvalg {number}", slug=f"udvalg-{number}")
    client = client_for(cast.director)
    # 1 user, 2-4 the form's periods, areas and committees, 5 the reader's roles (for the menu),
    # 6-8 session renewal
    with django_assert_num_queries(8):
        assert client.get(BOOK).status_code == 200


def test_ordering_a_book_starts_its_job(client_for, cast, in_state, period, organisation):
    in_state(State.SIGNED)
    response = client_for(cast.council_member).post(
        BOOK, {"period": period.pk, "scope": f"committee:{organisation.school_committee.pk}"}
    )
    job = Job.objects.get(kind=Job.Kind.AGREEMENT_BOOK)
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.requested_by, job.progress_total) == (
        Job.Kind.AGREEMENT_BOOK,
        cast.council_member,
        1,
    )
    assert job.params["scope_name"] == "Skole- og Uddannelsesudvalget"


def test_a_book_with_nothing_to_read_is_refused_with_a_danish_message(
    client_for, cast, period, draft
):
    response = client_for(cast.council_member).post(
        BOOK, {"period": period.pk, "scope": "municipality"}
    )
    assert response.status_code == 400
    assert "Der er ingen aftaler, du kan læse, for dette valg." in response.content.decode()
    assert not Job.objects.exists()


def test_a_book_for_an_unknown_scope_is_refused(client_for, cast, period):
    response = client_for(cast.director).post(BOOK, {"period": period.pk, "scope": "area:999"})
    assert response.status_code == 400
    assert "Marker en gyldig valgmulighed." in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", PEOPLE)
def test_a_book_is_downloaded_by_its_requester_and_administrators(
    client_for, cast, in_state, period, name
):
    in_state(State.SIGNED)
    job = services.request_agreement_book(
        period, scope=AgreementBook.Scope.MUNICIPALITY, scope_id=None, by=cast.director
    )
    jobs.run_job(job.pk, services.start_book)
    for agreement_id in job.params["agreements"]:
        services.render_book_part(job.pk, agreement_id)
    jobs.finish_job_once(job.pk, services.assemble_book_for_job)
    book = AgreementBook.objects.get()
    response = client_for(person(cast, name)).get(book.get_absolute_url())
    if name in {"director", "administrator"}:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    elif name == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
