"""PDFs and the agreement book in a real browser, with a real Celery worker doing the work: the
leader downloads her draft as PDF; the administrator orders a book, watches its progress, gets the
download and the notice, and sees the job in the job list. axe-core checks every page."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.celery_worker import Worker, flush_broker

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(demo: None) -> Iterator[Worker]:
    flush_broker()
    worker = Worker(concurrency=2)
    worker.start()
    yield worker
    worker.stop()
    flush_broker()


def test_the_leader_downloads_her_draft_as_pdf(page: Page, worker: Worker) -> None:
    log_in(page, "leader")
    page.get_by_role("link", name=re.compile(r"^Aftale \d{4}$")).first.click()
    page.goto(page.url.replace("rediger/", ""))  # from the editor to the agreement's page
    check_accessibility(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Hent som PDF").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Aftale som PDF")
        check_accessibility(page)
    assert re.fullmatch(
        r"aftale-tirsdalens-skole-aftaler-\d{4}\.pdf", download.value.suggested_filename
    )
    expect(page.get_by_role("link", name="Hent PDF’en")).to_be_visible()
    check_accessibility(page)


def test_the_administrator_orders_an_agreement_book(page: Page, worker: Worker) -> None:
    log_in(page, "admin")
    page.get_by_role("link", name="Aftalebog").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aftalebog")
    check_accessibility(page)
    page.get_by_label("For").select_option(label="Børn og Skole")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Lav aftalebogen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Aftalebog")
        check_accessibility(page)
        expect(page.get_by_role("status")).to_contain_text(
            re.compile(r"Aftalebogen er klar: \d+ aftaler, \d+ sider\."), timeout=120_000
        )
    assert download.value.suggested_filename.startswith("aftalebog-")
    check_accessibility(page)

    page.goto("/")
    expect(page.locator(".job-notices")).to_have_count(0)  # seen on the job's page
    page.goto("/jobs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Baggrundsjob")
    expect(page.locator("tbody tr").first).to_contain_text("Færdig")
    check_accessibility(page)
