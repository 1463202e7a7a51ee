import pyotp
import pytest
from playwright.sync_api import Page, expect

from randers.accounts.models import TOTPDevice

from .conftest import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_sets_up_an_authenticator_app_and_reads_the_log_of_logins(
    page: Page, demo: None
) -> None:
    TOTPDevice.objects.filter(user__username="admin").delete()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("admin")
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opsæt din godkendelsesapp")
    expect(page.get_by_role("img", name="QR-kode til godkendelsesappen")).to_be_visible()
    check_accessibility(page)
    secret = page.locator(".totp-secret").inner_text()
    page.get_by_label("Kode fra din godkendelsesapp").fill("000000")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_text("Koden er ikke rigtig")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Kode fra din godkendelsesapp").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")

    page.goto("/organisation/")
    page.get_by_role("link", name="Log over log-ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log over log-ind")
    expect(page.locator("#results tbody tr").first).to_contain_text("Logget ind")
    check_accessibility(page)

    page.goto("/organisation/")
    page.get_by_role("link", name="Indstillinger for log-ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indstillinger for log-ind")
    check_accessibility(page)


def test_demo_administrator_logs_in_with_the_demo_code(page: Page, demo: None) -> None:
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("admin")
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode fra din godkendelsesapp")
    check_accessibility(page)
    page.goto("/login/")
    log_in(page, "admin")
    expect(page.locator("main")).to_contain_text("Du administrerer kommunens")


def test_login_page_with_single_sign_on_is_accessible(page: Page, demo: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OIDC_ENABLED = True
    page.goto("/login/?next=/aftaler/")
    link = page.get_by_role("link", name="Log ind med kommunens login")
    expect(link).to_have_attribute("href", "/login/sso/?next=/aftaler/")
    expect(page.get_by_label("Brugernavn")).to_be_visible()
    check_accessibility(page)
