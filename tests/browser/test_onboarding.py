"""An administrator onboards a new day-care institution with a new leader; the leader sets a
password through the link in the e-mail, logs in and finds the unit's draft agreement. axe-core
checks every page of the flow."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "Børnehuset Troldehøjen, Gjerlev"
EMAIL = "jofr@randers.dk"
PASSWORD = "Troldehøjen-2027!"


def next_step(page: Page) -> None:
    page.get_by_role("button", name="Næste").click()


def test_admin_onboards_a_day_care_institution_whose_new_leader_finds_the_draft(
    browser: Browser, live_server, page: Page, demo: None, settings
) -> None:
    settings.SITE_URL = live_server.url  # the link in the e-mail points at this server
    admin = page
    log_in(admin, "admin")
    check_accessibility(admin)
    admin.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Administration"
    ).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Administration")
    check_accessibility(admin)
    admin.get_by_role("link", name="Opret et nyt arbejdssted").click()

    # Step 1: the unit (bad input in each step is tested in tests/randers/organisation).
    expect(admin.get_by_role("heading", level=1)).to_have_text("Enheden")
    check_accessibility(admin)
    admin.get_by_label("Navn", exact=True).fill(UNIT)
    admin.get_by_label("Type", exact=True).select_option(label="Dagtilbud")
    admin.get_by_label(re.compile("^Adresse")).fill("Troldehøjvej 3, 8983 Gjerlev J")
    admin.get_by_label(re.compile("^Lovgrundlag")).fill("Dagtilbudsloven")
    admin.get_by_label(re.compile("^Hovedopgave")).fill(
        "Leg, læring og trivsel for børn fra 0 til 6 år i Gjerlev."
    )
    admin.get_by_label("Har brugerbestyrelse").check()
    next_step(admin)

    # Step 2: area and committee.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Område og udvalg")
    check_accessibility(admin)
    admin.get_by_label("Område", exact=True).select_option(label="Børn og Skole")
    admin.get_by_label("Udvalg", exact=True).select_option(label="Børne- og Familieudvalget")
    next_step(admin)

    # Step 3: sites.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Arbejdssteder")
    check_accessibility(admin)
    first_site = admin.locator("fieldset.site-row").first
    first_site.get_by_label(re.compile("^Arbejdsstedets navn")).fill("Afdeling Enslev")
    first_site.get_by_label(re.compile("^Adresse")).fill("Enslevvej 10")
    first_site.get_by_label(re.compile("^Postnummer")).fill("8983")
    first_site.get_by_label(re.compile("^By")).fill("Gjerlev J")
    next_step(admin)

    # Step 4: a new leader.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Leder")
    check_accessibility(admin)
    admin.get_by_text("En ny person, der får en e-mail til at vælge adgangskode").click()
    expect(
        admin.get_by_label("En ny person, der får en e-mail til at vælge adgangskode")
    ).to_be_checked()
    admin.get_by_label(re.compile("^Den nye persons fornavn")).fill("Jonas")
    admin.get_by_label(re.compile("^Den nye persons efternavn")).fill("Friis")
    admin.get_by_label(re.compile("^Den nye persons arbejdsmail")).fill(EMAIL)
    admin.get_by_label(re.compile("^Den nye persons stillingsbetegnelse")).fill("Dagtilbudsleder")
    next_step(admin)

    # Step 5: start the agreement for the period in force (the default).
    expect(admin.get_by_role("heading", level=1)).to_have_text("Aftale")
    check_accessibility(admin)
    next_step(admin)

    # The review; nothing exists until it is confirmed.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Gennemse og opret")
    expect(admin.locator("main")).to_contain_text("Jonas Friis (jofr@randers.dk), en ny person")
    check_accessibility(admin)
    assert mail.outbox == []
    admin.get_by_role("button", name="Opret arbejdsstedet").click()

    # The summary: what was created and who may now do what.
    expect(admin.get_by_role("status").first).to_contain_text(f"{UNIT} er oprettet.")
    expect(admin.locator("main")).to_contain_text("Hvem må nu hvad")
    expect(admin.locator("main")).to_contain_text("Afdeling Enslev")
    expect(admin.locator("main")).to_contain_text("Hanne Vestergaard")
    check_accessibility(admin)

    # The new leader reads the e-mail and sets a password through the link.
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    link = re.search(r"(http://\S+/adgangskode/\S+/)", str(message.body))
    assert link, message.body
    leader = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    leader.goto(link.group(1))
    expect(leader.get_by_role("heading", level=1)).to_have_text("Vælg din adgangskode")
    check_accessibility(leader)
    leader.get_by_label("Ny adgangskode", exact=True).fill(PASSWORD)
    leader.get_by_label("Bekræftelse af ny adgangskode").fill(PASSWORD)
    leader.get_by_role("button", name="Vælg adgangskoden").click()
    expect(leader.get_by_role("status").first).to_contain_text("Din adgangskode er valgt.")
    check_accessibility(leader)

    # The link works once.
    leader.goto(link.group(1))
    expect(leader.get_by_role("alert")).to_contain_text("Linket virker ikke")
    check_accessibility(leader)

    # The leader logs in and finds the unit's draft agreement.
    log_in(leader, EMAIL, PASSWORD)
    expect(leader.locator("main")).to_contain_text(UNIT)
    check_accessibility(leader)
    leader.get_by_role("link", name=re.compile(r"^Aftale \d{4}$")).first.click()
    expect(leader.get_by_role("heading", level=1)).to_have_text(f"Rediger aftalen for {UNIT}")
    expect(leader.locator("#goals")).to_contain_text(
        "Flere børn trives i overgangen fra dagtilbud til skole"
    )
    check_accessibility(leader)
