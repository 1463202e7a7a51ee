"""The leader's journey from draft to signed, public agreement, in a real browser, with axe-core
on every page of it."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser: Browser, live_server) -> Page:  # type: ignore[no-untyped-def]
    return browser.new_context(base_url=live_server.url, locale="da-DK").new_page()


def test_draft_to_signed_public_agreement(
    browser: Browser, live_server, page: Page, demo: None
) -> None:
    leader = page
    log_in(leader, "leader")

    # The leader opens the draft from the home page.
    leader.get_by_role("link", name=re.compile(r"^Aftale \d{4}$")).first.click()
    expect(leader.get_by_role("heading", level=1)).to_have_text(
        "Rediger aftalen for Tirsdalens Skole"
    )
    check_accessibility(leader)

    # Edits a section: it saves itself as she writes.
    text = leader.get_by_label("Tekst til »Indledning«")
    text.fill("Aftalen er indgået mellem Tirsdalens Skole og Randers Byråd. Ny indledning.")
    expect(leader.locator("[id$='-status']").first).to_contain_text("Gemt")

    # Edits a goal.
    leader.locator("#goals .goal-card").last.get_by_role("link", name="Rediger").click()
    check_accessibility(leader)
    leader.get_by_label("Succeskriterium").fill("Elevfraværet er under 4,5 %.")
    leader.get_by_role("button", name="Gem målet").click()
    expect(leader.get_by_role("status").first).to_contain_text("Målet er gemt.")

    # Submits.
    leader.get_by_role("button", name="Send til direktøren").click()
    expect(leader.locator(".agreement-kicker")).to_contain_text("Indsendt")
    check_accessibility(leader)
    agreement_url = leader.url

    # The director returns it with a reason.
    director = new_page(browser, live_server)
    log_in(director, "director")
    director.goto(agreement_url)
    director.get_by_role("link", name="Send tilbage til lederen").click()
    check_accessibility(director)
    director.get_by_role("button", name="Send tilbage med denne begrundelse").click()
    expect(director.locator(".form-error-message")).to_contain_text("Skriv begrundelsen")
    director.get_by_label("Begrundelse").fill("Uddyb venligst indledningen med skolens profil.")
    director.get_by_role("button", name="Send tilbage med denne begrundelse").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("Kladde")

    # The leader sees why, fixes the text and submits again.
    leader.goto(agreement_url)
    expect(leader.get_by_role("alert")).to_contain_text("Uddyb venligst indledningen")
    leader.get_by_role("link", name="Rediger udkastet").click()
    check_accessibility(leader)
    text = leader.get_by_label("Tekst til »Indledning«")
    text.fill("Tirsdalens Skole er en skole for hele Kristrup med fokus på læsning og trivsel.")
    leader.get_by_role("button", name="Gem afsnittet").first.click()
    expect(leader.locator("[id$='-status']").first).to_contain_text("Gemt")
    leader.get_by_role("button", name="Send til direktøren").click()
    expect(leader.locator(".agreement-kicker")).to_contain_text("Indsendt")

    # The director sends it to the committee and records the committee's approval.
    director.goto(agreement_url)
    director.get_by_role("button", name="Send til udvalget").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("I dialog med udvalget")
    director.get_by_role("link", name="Registrér udvalgets godkendelse").click()
    check_accessibility(director)
    director.get_by_role("button", name="Registrér godkendelsen").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("Godkendt af udvalget")

    # Leader and director sign, each re-entering the password.
    for signer in (leader, director):
        signer.goto(agreement_url)
        signer.get_by_role("link", name="Underskriv", exact=True).click()
        expect(signer.locator("code.hash").first).to_be_visible()
        check_accessibility(signer)
        signer.get_by_label("Din adgangskode").fill("demo")
        signer.get_by_role("button", name="Underskriv aftalen").click()
    expect(director.locator(".agreement-kicker")).to_contain_text("Underskrevet")
    check_accessibility(director)

    # An anonymous visitor reads the signed agreement and verifies it.
    visitor = new_page(browser, live_server)
    visitor.goto(agreement_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tirsdalens Skole")
    expect(visitor.locator("main")).to_contain_text(
        "Tirsdalens Skole er en skole for hele Kristrup"
    )
    expect(visitor.locator("main")).to_contain_text("Underskrevet af Lars Bach")
    check_accessibility(visitor)
    visitor.get_by_role("link", name="Verificér det underskrevne indhold").click()
    expect(visitor.get_by_role("status")).to_contain_text(
        "Indholdet svarer til det, der blev underskrevet"
    )
    check_accessibility(visitor)
