"""Goals across units and follow-up in a real browser, with axe-core on every page visited: the
council member's way from the coverage matrix to a goal's follow-up history, and the leader's
follow-up that the director reads and marks as seen."""

import re

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_council_member_follows_a_white_spot_and_a_cell_to_a_goals_history(
    page: Page, demo: None
) -> None:
    log_in(page, "council")
    page.get_by_role("navigation", name="Hovedmenu").first.get_by_role("link", name="Mål").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Byrådets mål på tværs af enhederne")
    check_accessibility(page)

    # Filters to the committee; htmx replaces the matrix and the address remembers the filter.
    page.locator("#id_committee").select_option(label="Skole- og Uddannelsesudvalget")
    page.wait_for_url(re.compile(r"committee=skole-og-uddannelsesudvalget"))
    expect(page.locator(".coverage-matrix")).not_to_contain_text("Affaldscentret")
    check_accessibility(page)

    # Follows a white spot: the council goal that no unit of the committee carries.
    spots = page.get_by_role("region", name="Byrådsmål, som ingen eller få enheder bærer")
    spots.get_by_role("link", name="Strategi for digital dannelse i folkeskolen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Strategi for digital dannelse i folkeskolen"
    )
    expect(page.get_by_role("status")).to_contain_text("Hvid plet")
    check_accessibility(page)

    # Back in the matrix, follows a cell to the goals behind it.
    page.go_back()
    page.locator(".coverage-matrix td a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "mål, der understøtter byrådsmålet"
    )
    check_accessibility(page)

    # And on to a goal's follow-up history.
    page.get_by_role("link", name=re.compile("^Opfølgningshistorik for »")).first.click()
    expect(page.get_by_role("heading", name="Opfølgninger")).to_be_visible()
    expect(page.locator(".history-list .badge").first).to_be_visible()
    check_accessibility(page)

    # The unit's goals with each indicator over time as a chart and a table.
    page.get_by_role("link", name="Enhedens mål og indikatorer over tid").click()
    expect(page.locator("svg.indicator-chart").first).to_be_visible()
    check_accessibility(page)


def test_the_leader_submits_a_follow_up_and_the_director_marks_it_seen(
    browser: Browser, live_server, demo: None
) -> None:
    # A refused submission answers 400, which the browser logs as an error: that one is expected,
    # any other error fails the test.
    leader = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    problems: list[str] = []
    leader.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    leader.on("pageerror", lambda error: problems.append(str(error)))
    log_in(leader, "leader")
    leader.get_by_role("navigation", name="Hovedmenu").first.get_by_role(
        "link", name="Opfølgning"
    ).click()
    check_accessibility(leader)
    leader.get_by_role("link", name=re.compile("^Kladde")).click()
    check_accessibility(leader)

    # Submitting with a goal's assessment missing names the goal; nothing is submitted.
    leader.get_by_role("button", name="Indsend opfølgningen").click()
    expect(leader.get_by_role("alert")).to_contain_text("Opfølgningen er ikke indsendt")
    expect(leader.locator(".form-error-message").first).to_contain_text(
        "Skriv en vurdering af, hvordan det går med målet."
    )
    check_accessibility(leader)
    leader.get_by_label("Vurdering").first.fill("Overgangen er styrket med fælles overleveringer.")
    leader.get_by_role("button", name="Indsend opfølgningen").click()
    expect(leader.get_by_role("status").first).to_contain_text("Opfølgningen er indsendt.")
    check_accessibility(leader)
    report_url = leader.url

    director = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    log_in(director, "director")
    director.goto(report_url)
    director.get_by_label("Svar til lederen").fill("Tak for en grundig opfølgning.")
    director.get_by_role("button", name="Marker som set").click()
    expect(director.get_by_role("status").first).to_contain_text(
        "Opfølgningen er markeret som set."
    )
    expect(director.locator("main")).to_contain_text("Tak for en grundig opfølgning.")
    check_accessibility(director)
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_the_administrator_pushes_common_goals_and_meets_a_refused_file(
    browser: Browser, live_server, demo: None
) -> None:
    admin = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    problems: list[str] = []
    admin.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    log_in(admin, "admin")
    admin.goto("/aftaler/maal/faelles-maal/")
    check_accessibility(admin)
    admin.get_by_label("Område").select_option(label="Børn og Skole")
    admin.get_by_role("button", name="Tilføj de fælles mål til udkastene").click()
    expect(admin.get_by_role("status").first).to_contain_text("fælles mål er tilføjet udkastene")
    check_accessibility(admin)

    # The follow-up page of an agreement in force, and an upload that is not a workbook.
    admin.get_by_role("navigation", name="Hovedmenu").first.get_by_role(
        "link", name="Opfølgning"
    ).click()
    admin.locator("table").first.get_by_role("link").first.click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Opfølgning for")
    check_accessibility(admin)
    admin.go_back()
    admin.get_by_label("Excel-fil (.xlsx)").set_input_files(
        files=FilePayload(name="opfoelgning.csv", mimeType="text/csv", buffer=b"a;b")
    )
    admin.get_by_role("button", name="Indlæs filen").click()
    expect(admin.locator(".form-error-message")).to_contain_text(
        "Filen skal være en Excel-projektmappe (.xlsx)."
    )
    check_accessibility(admin)
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
