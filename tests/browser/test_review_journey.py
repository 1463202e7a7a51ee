"""Review in a real browser: the director works through the area's submitted agreements, the
council member reads and comments in dialogue and opens the meeting pack, and an anonymous visitor
finds a signed agreement through search; axe-core on every page."""

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser: Browser, live_server) -> Page:  # type: ignore[no-untyped-def]
    return browser.new_context(base_url=live_server.url, locale="da-DK").new_page()


def test_director_council_and_public_review(
    browser: Browser, live_server, page: Page, demo: None
) -> None:
    director = page
    log_in(director, "director")
    director.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Aftaler").click()
    expect(director).to_have_url(f"{live_server.url}/aftaler/?omraade=boern-og-skole")
    director.get_by_role("combobox", name="Status").select_option(label="Indsendt")
    director.get_by_role("button", name="Filtrér").click()
    check_accessibility(director)
    rows = director.locator("table tbody tr th a")
    expect(rows).to_have_count(2)

    # The first submitted agreement: a comment on a goal.
    rows.first.click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Havndal Skole")
    check_accessibility(director)
    goal = (
        director.locator(".review-place")
        .filter(has=director.get_by_role("heading", name="Mål 1:"))
        .first
    )
    goal.locator("summary").filter(has_text="Kommentér målet").click()
    goal.get_by_label("Din kommentar").fill("Kan succeskriteriet gøres målbart?")
    goal.get_by_role("button", name="Tilføj kommentaren").click()
    expect(director.get_by_role("status").first).to_contain_text("Din kommentar er tilføjet.")
    expect(director.locator("main")).to_contain_text("Kan succeskriteriet gøres målbart?")

    # The next one goes to the committee.
    director.get_by_role("link", name="Næste aftale").click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Randers Ungdomsskole")
    director.get_by_role("button", name="Send til udvalget").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("I dialog med udvalget")

    # Back in the list, only the first is still submitted; it is returned with a reason.
    director.goto("/aftaler/?omraade=boern-og-skole&status=submitted")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Havndal Skole")
    director.get_by_role("link", name="Send tilbage til lederen").click()
    director.get_by_label("Begrundelse").fill("Gør succeskriterierne målbare, og send igen.")
    director.get_by_role("button", name="Send tilbage med denne begrundelse").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("Kladde")

    # The council member reads the agreement in dialogue, comments and opens the meeting pack.
    council = new_page(browser, live_server)
    log_in(council, "council")
    council.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Aftaler").click()
    expect(council).to_have_url(f"{live_server.url}/aftaler/?udvalg=skole-og-uddannelsesudvalget")
    check_accessibility(council)
    council.get_by_role("link", name="Randers Ungdomsskole").click()
    expect(council.locator("main")).not_to_contain_text("Kan succeskriteriet gøres målbart?")
    check_accessibility(council)
    general = council.locator(".review-place").first
    general.locator("summary").filter(has_text="Kommentér hele aftalen").click()
    general.get_by_label("Din kommentar").fill("Hvordan inddrages eleverne i målene?")
    general.get_by_role("button", name="Tilføj kommentaren").click()
    expect(council.locator("main")).to_contain_text("Hvordan inddrages eleverne i målene?")

    council.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Dialogmøder"
    ).click()
    check_accessibility(council)
    council.get_by_role("link", name="Dialogmøde, Skole- og Uddannelsesudvalget").click()
    check_accessibility(council)
    council.get_by_role("link", name="Åbn mødemappen").click()
    expect(council.get_by_role("heading", level=1)).to_contain_text("Mødemappe")
    check_accessibility(council)

    # An anonymous visitor finds a signed agreement through search.
    visitor = new_page(browser, live_server)
    visitor.goto("/aftaler/offentlige/")
    check_accessibility(visitor)
    visitor.get_by_role("link", name="Søg i aftalernes tekst").click()
    visitor.get_by_label("Søg").fill("skoler")
    visitor.get_by_role("button", name="Søg").click()
    expect(visitor.locator(".search-hits li").first).to_be_visible()
    expect(visitor.locator(".search-hits mark").first).to_be_visible()
    check_accessibility(visitor)
    visitor.locator(".search-hits h3 a").first.click()
    expect(visitor.locator(".agreement-kicker")).to_contain_text("Underskrevet")
    check_accessibility(visitor)
