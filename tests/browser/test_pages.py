import pytest
from playwright.sync_api import Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREETINGS = {
    "admin": "Du administrerer kommunens",
    "council": "Skole- og Uddannelsesudvalget",
    "director": "Dit område: Børn og Skole",
    "leader": "Tirsdalens Skole",
}


@pytest.mark.parametrize("username", ["admin", "council", "director", "leader"])
def test_demo_account_sees_home_and_unit_directory_without_accessibility_violations(
    page: Page, demo: None, username: str
) -> None:
    log_in(page, username)
    expect(page.locator("main")).to_contain_text(GREETINGS[username])
    check_accessibility(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Enheder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheder")
    expect(page.locator("#results tbody tr")).to_have_count(40)
    check_accessibility(page)

    page.get_by_role("link", name="Tirsdalens Skole").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tirsdalens Skole")
    check_accessibility(page)


def test_anonymous_visitor_is_asked_to_log_in_and_can_read_the_accessibility_statement(
    page: Page, demo: None
) -> None:
    page.goto("/")
    assert page.url.endswith("/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    check_accessibility(page)

    page.get_by_role("link", name="Tilgængelighedserklæring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgængelighedserklæring")
    check_accessibility(page)


def test_directory_filters_as_you_choose_without_reloading(page: Page, demo: None) -> None:
    log_in(page, "council")
    page.goto("/enheder/")
    page.get_by_label("Område").select_option(label="Miljø og Teknik")
    expect(page.locator("#results .results-count")).not_to_contain_text("40 enheder")
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()
    assert "area=miljoe-og-teknik" in page.url
    for area in page.locator("#results tbody tr td:nth-child(3)").all_inner_texts():
        assert area == "Miljø og Teknik"
    check_accessibility(page)


def test_wrong_password_is_explained_accessibly(page: Page, demo: None) -> None:
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("leader")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_contain_text("korrekt brugernavn og adgangskode")
    check_accessibility(page)


def test_english_can_be_chosen(page: Page, demo: None) -> None:
    log_in(page, "leader")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lars")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page)


def test_phone_sized_screen_opens_the_menu(browser, live_server, demo: None) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="da-DK"
    )
    page = context.new_page()
    log_in(page, "director")
    page.get_by_role("button", name="Menu").click()
    drawer = page.locator(".mobile-drawer")
    expect(drawer).to_be_visible()
    drawer.get_by_role("link", name="Enheder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enheder")
    check_accessibility(page)
    context.close()
