"""Every administration page, as the demo administrator, without accessibility violations."""

import pytest
from playwright.sync_api import Page, expect

from units.models import User

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administration_pages_have_no_accessibility_violations(page: Page, demo: None) -> None:
    leader = User.objects.get(username="leader")
    pages = {
        "/organisation/": "Administration",
        "/organisation/personer/": "Personer",
        "/organisation/personer/ny/": "Opret en person",
        f"/organisation/personer/{leader.uuid}/": "Lars Bach",
        f"/organisation/personer/{leader.uuid}/adgang/": "Hvad Lars Bach må se og gøre, og hvorfor",
        "/organisation/omraader/boern-og-skole/": "Børn og Skole",
        "/organisation/udvalg/skole-og-uddannelsesudvalget/": "Skole- og Uddannelsesudvalget",
        "/organisation/byraadet/": "Randers Byråd",
        "/organisation/import/": "Importér enheder fra et regneark",
        "/organisation/enheder/tirsdalens-skole/": "Tirsdalens Skole",
        "/enheder/tirsdalens-skole/": "Tirsdalens Skole",
        "/enheder/tirsdalens-skole/leder/": "Skift leder for Tirsdalens Skole",
        "/enheder/tirsdalens-skole/flyt/": "Flyt Tirsdalens Skole",
        "/enheder/tirsdalens-skole/luk/": "Luk Tirsdalens Skole",
        "/enheder/havndal-skole/sammenlaeg/": "Læg Havndal Skole sammen med en anden enhed",
    }
    log_in(page, "admin")
    for url, heading in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_accessibility(page)


def test_people_are_found_as_you_type(page: Page, demo: None) -> None:
    log_in(page, "admin")
    page.goto("/organisation/personer/")
    page.get_by_label("Søg på navn eller e-mail").press_sequentially("Lars Bach", delay=20)
    expect(page.locator("#results .results-count")).to_have_text("1 person")
    check_accessibility(page)
    page.get_by_role("link", name="Lars Bach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lars Bach")
    expect(page.locator("main")).to_contain_text("Leder af Tirsdalens Skole")
