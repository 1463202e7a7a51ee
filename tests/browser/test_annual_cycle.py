"""The annual cycle in a real browser: the leader finds the due draft first on the home page and
follows it to the editor; the director sees the area's overdue units on the home page and in the
annual cycle; notifications and the e-mail choice. axe-core on every page."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_follows_the_due_draft_to_the_editor(page: Page, demo: None) -> None:
    log_in(page, "leader")
    tasks = page.get_by_role("region", name="Mine opgaver")
    expect(tasks).to_be_visible()
    check_accessibility(page)
    task = tasks.get_by_role("link", name="Skriv og indsend aftalen 2027 for Tirsdalens Skole")
    expect(task).to_be_visible()
    task.click()
    expect(page).to_have_url(re.compile(r"/aftaler/[0-9a-f-]+/rediger/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tirsdalens Skole")

    page.get_by_role("link", name=re.compile(r"^Varsler")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Varsler")
    check_accessibility(page)
    page.get_by_role("link", name="Vælg, hvor ofte du får e-mail").click()
    check_accessibility(page)
    page.get_by_label("Én e-mail om ugen (mandag)").check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status").first).to_contain_text("Dit valg er gemt.")


def test_director_sees_the_overdue_units(page: Page, demo: None) -> None:
    log_in(page, "director")
    tasks = page.get_by_role("region", name="Mine opgaver")
    expect(tasks).to_contain_text(re.compile(r"\d+ er forsinkede?\."))
    overdue = tasks.locator(".inbox-task--overdue")
    expect(overdue.first).to_contain_text("Overskredet")
    expect(overdue.first).to_contain_text("Gennemgå aftalen 2027 for")
    check_accessibility(page)

    tasks.get_by_role("link", name="Årshjulet for 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Årshjulet for 2027")
    steps = page.locator(".cycle-step")
    expect(steps.first).to_contain_text("Frist for udkast")
    expect(page.locator(".cycle-list")).to_contain_text("Overskredet:")
    check_accessibility(page)
