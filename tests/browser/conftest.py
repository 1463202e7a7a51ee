"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Every page visited is checked with axe-core (from npm) against the WCAG 2.1 A and AA rules, and any
script error or Content-Security-Policy violation in the browser fails the test.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from randers.accounts.services import demo_totp_code

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the fixtures are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE = (BASE_DIR / "node_modules" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"errors in the browser: {problems}"


@pytest.fixture
def demo(transactional_db: None) -> None:
    """A small demo municipality with the demo accounts (password 'demo')."""
    call_command("seed_demo", units=40)


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page; fail with a readable list of WCAG 2.1 A/AA violations."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == [], f"axe found violations on {page.url}:\n" + "\n".join(violations)


def log_in(page: Page, username: str, password: str = "demo") -> None:
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    if username == "admin":  # administrators also give the code of their authenticator app
        page.wait_for_url("**/login/kode/")
        page.get_by_label("Kode fra din godkendelsesapp").fill(demo_totp_code())
        page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")
