import pytest
from playwright.sync_api import Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_browses_the_audit_and_access_logs(page: Page, demo: None) -> None:
    log_in(page, "admin")
    page.goto("/organisation/")
    page.get_by_role("link", name="Revisionsspor: alle ændringer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisionsspor")
    expect(page.locator(".audit-table tbody tr").first).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Objekttype").select_option(label="Aftale")
    page.get_by_label("Handling").select_option(label="Ændret")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator(".results-count")).to_contain_text("ændring")
    check_accessibility(page)

    page.goto("/organisation/personer/?q=Lars+Bach")
    page.get_by_role("link", name="Lars Bach", exact=True).click()
    page.get_by_role("link", name="Opslag i data om personen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adgangslog")
    expect(page.locator("tbody tr").first).to_contain_text("Person")
    check_accessibility(page)
