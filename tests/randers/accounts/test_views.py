"""The login page, the administrators' second step, the switch for local accounts, the log of
logins and the administrators' pages (single sign-on itself: test_oidc.py)."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from randers.accounts import services
from randers.accounts.models import LoginEvent, LoginSettings, TOTPDevice
from randers.accounts.oidc import forget_discovery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
TOTP = reverse("accounts:totp")
HOME = reverse("home")
SETTINGS = reverse("accounts:settings")
EVENTS = reverse("accounts:events")
PASSWORD = "secret-password-42"  # the factory's


def _password(client: Client, username: str, password: str = PASSWORD, **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return client.get(HOME).status_code == 200


def _enrolled(user, secret: str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") -> pyotp.TOTP:  # type: ignore[no-untyped-def]
    TOTPDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())
    return pyotp.TOTP(secret)


def _events() -> list[tuple[str, str, str]]:
    return list(LoginEvent.objects.order_by("pk").values_list("username", "method", "outcome"))


# --- Local login and the log ---------------------------------------------------------------------


def test_login_page_keeps_the_standard_form_and_offers_no_sso_when_not_configured(client):
    body = client.get(LOGIN).content.decode()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert "Log ind med kommunens login" not in body


def test_sso_pages_are_not_found_when_sso_is_not_configured(client):
    assert client.get(reverse("accounts:oidc-start")).status_code == 404
    assert client.get(reverse("accounts:oidc-callback")).status_code == 404


def test_local_login_of_a_non_administrator_is_logged(cast, client):
    response = _password(client, "leader_a", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == HOME
    event = LoginEvent.objects.get()
    assert (event.user, event.username, event.method, event.outcome) == (
        cast.leader_a,
        "leader_a",
        "local",
        "success",
    )
    assert (event.ip_address, event.user_agent) == ("10.1.2.3", "Firefox/140")


def test_failed_logins_and_the_lockout_are_logged(cast):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        assert _password(client, "leader_a", "wrong").status_code in {200, 429}
    assert _password(client, "nobody-here", "wrong").status_code == 200
    # django-axes reports the lockout while it handles the fifth failure, so it comes first
    assert _events() == [
        *[("leader_a", "local", "failure")] * 4,
        ("leader_a", "local", "locked_out"),
        ("leader_a", "local", "failure"),
        ("nobody-here", "local", "failure"),
    ]
    assert all(e.ip_address == "10.0.0.9" for e in LoginEvent.objects.all())


# --- Administrators' second factor ---------------------------------------------------------------


def test_administrator_password_alone_does_not_log_in(cast, client):
    _enrolled(cast.administrator)
    response = _password(client, "administrator")
    assert response.status_code == 302
    assert response["Location"] == TOTP
    assert not _logged_in(client)
    assert client.get(reverse("organisation:index")).status_code == 302
    assert _events() == []


def test_administrator_with_the_right_code_is_logged_in(cast, client):
    totp = _enrolled(cast.administrator)
    _password(client, "administrator")
    page = client.get(TOTP).content.decode()
    assert "Kode fra din godkendelsesapp" in page
    assert "data:image/svg+xml" not in page  # no QR code once the app is set up

    response = client.post(TOTP, {"code": totp.now()})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert _logged_in(client)
    assert _events() == [("administrator", "totp", "success")]


def test_administrator_keeps_the_page_asked_for(cast, client):
    totp = _enrolled(cast.administrator)
    client.post(LOGIN, {"username": "administrator", "password": PASSWORD, "next": "/jobs/"})
    assert client.post(TOTP, {"code": totp.now()})["Location"] == "/jobs/"


def test_wrong_code_is_refused_and_logged(cast, client):
    totp = _enrolled(cast.administrator)
    _password(client, "administrator")
    wrong = f"{(int(totp.now()) + 1) % 1000000:06d}"

    response = client.post(TOTP, {"code": wrong})

    assert response.status_code == 200
    assert "Koden er ikke rigtig" in response.content.decode()
    assert not _logged_in(client)
    assert _events() == [("administrator", "totp", "failure")]


def test_a_code_cannot_be_used_twice(cast, client):
    totp = _enrolled(cast.administrator)
    code = totp.now()
    _password(client, "administrator")
    client.post(TOTP, {"code": code})
    other = Client()
    _password(other, "administrator")
    response = other.post(TOTP, {"code": code})
    assert response.status_code == 200
    assert not _logged_in(other)


def test_five_wrong_codes_lock_the_administrator_out(cast):
    totp = _enrolled(cast.administrator)
    client = Client(REMOTE_ADDR="10.0.0.7")
    _password(client, "administrator", REMOTE_ADDR="10.0.0.7")
    wrong = f"{(int(totp.now()) + 1) % 1000000:06d}"
    for _ in range(4):
        assert client.post(TOTP, {"code": wrong}, REMOTE_ADDR="10.0.0.7").status_code == 200
    assert client.post(TOTP, {"code": wrong}, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert client.get(TOTP)["Location"] == LOGIN  # the pending login is gone
    assert _events()[-2:] == [
        ("administrator", "totp", "locked_out"),
        ("administrator", "totp", "failure"),
    ]
    assert _password(client, "administrator", REMOTE_ADDR="10.0.0.7").status_code == 429


def test_code_step_without_a_password_leads_back_to_the_login_page(client):
    response = client.get(TOTP)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.post(TOTP, {"code": "123456"})["Location"] == LOGIN


def test_pending_login_expires_after_five_minutes(cast, client):
    totp = _enrolled(cast.administrator)
    _password(client, "administrator")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post(TOTP, {"code": totp.now()})
    assert response["Location"] == LOGIN
    assert not _logged_in(client)


def test_administrator_without_an_app_sets_one_up_with_a_qr_code(cast, client):
    _password(client, "administrator")

    page = client.get(TOTP).content.decode()

    device = TOTPDevice.objects.get(user=cast.administrator)
    assert device.confirmed_at is None
    assert "Opsæt din godkendelsesapp" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert device.secret in page
    assert device.secret in client.get(TOTP).content.decode()  # a reload shows the same secret

    response = client.post(TOTP, {"code": pyotp.TOTP(device.secret).now()})

    assert response["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert _logged_in(client)


def test_demo_secret_gives_the_demo_code(cast):
    services.enrol_demo_totp(cast.administrator)
    assert services.demo_totp_code() == pyotp.TOTP(services.DEMO_TOTP_SECRET).now()


def test_admin_site_has_no_password_only_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/"


# --- Switching local login off -------------------------------------------------------------------


@pytest.fixture
def local_login_off(cast, settings):  # type: ignore[no-untyped-def]
    settings.OIDC_ENABLED = True
    services.set_local_login(False, by=cast.administrator)


def test_with_local_login_off_a_person_is_refused_and_told_why(cast, client, local_login_off):
    response = _password(client, "leader_a")
    assert response.status_code == 200
    assert (
        "Log-ind med brugernavn og adgangskode er slået fra. Brug kommunens login."
        in response.content.decode()
    )
    assert not _logged_in(client)
    assert _events() == [("leader_a", "local", "refused")]


def test_with_local_login_off_an_administrator_with_an_app_keeps_a_local_login(
    cast, client, local_login_off
):
    totp = _enrolled(cast.administrator)
    assert _password(client, "administrator")["Location"] == TOTP
    assert client.post(TOTP, {"code": totp.now()})["Location"] == HOME


def test_with_local_login_off_an_administrator_without_an_app_is_refused(
    cast, client, local_login_off
):
    assert _password(client, "administrator").status_code == 200
    assert client.get(TOTP)["Location"] == LOGIN


def test_local_login_cannot_be_switched_off_without_sso(cast, client_for):
    client = client_for(cast.administrator)
    response = client.post(SETTINGS, {})
    assert response.status_code == 200
    assert "kan ikke slås fra, så længe kommunens login" in response.content.decode()
    assert not LoginSettings.objects.exists()


def test_administrator_switches_local_login_off_and_on(cast, client_for, settings):
    settings.OIDC_ENABLED = True
    client = client_for(cast.administrator)

    assert client.post(SETTINGS, {})["Location"] == SETTINGS
    row = LoginSettings.objects.get()
    assert (row.local_login_enabled, row.changed_by) == (False, cast.administrator)

    assert client.post(SETTINGS, {"local_login_enabled": "on"})["Location"] == SETTINGS
    assert LoginSettings.objects.get().local_login_enabled is True


# --- Who may see the administrators' pages -------------------------------------------------------


@pytest.mark.parametrize("url", [SETTINGS, EVENTS])
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("url", [SETTINGS, EVENTS])
@pytest.mark.parametrize(
    "person",
    ["leader_a", "leader_b", "director", "other_director", "council_member", "committee_chair"],
)
def test_only_administrators_see_the_login_pages(cast, client_for, url, person):
    client = client_for(getattr(cast, person))
    assert client.get(url).status_code == 403
    assert client.post(SETTINGS, {}).status_code == 403
    assert not LoginSettings.objects.exists()


def test_administrator_sees_the_login_settings(cast, client_for):
    page = client_for(cast.administrator).get(SETTINGS).content.decode()
    assert "Indstillinger for log-ind" in page
    assert "Single sign-on er ikke sat op" in page
    assert "Nu: slået til for alle." in page


def test_log_of_logins_filters(cast, client_for):
    services.record_login_event(None, method="local", outcome="failure", username="mallory")
    services.record_login_event(None, method="oidc", outcome="success", user=cast.leader_a)
    client = client_for(cast.administrator)

    everything = client.get(EVENTS).content.decode()
    failures = client.get(EVENTS, {"outcome": "failure"}).content.decode()
    by_name = client.get(EVENTS, {"q": "leader_a", "method": "oidc"}).content.decode()
    bad_date = client.get(EVENTS, {"since": "not a date"})

    assert "3 hændelser" in everything  # and the administrator's own login
    assert "1 hændelse" in failures
    assert "mallory" in failures
    assert "mallory" not in by_name
    assert "Lars Bach" in by_name
    assert bad_date.status_code == 200


@pytest.mark.parametrize("count", [5, 60])
def test_log_of_logins_query_count_does_not_grow(
    cast, client_for, django_assert_num_queries, count
):
    for number in range(count):
        services.record_login_event(
            None, method="local", outcome="success", user=cast.leader_a, username=f"p{number}"
        )
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 count of events, 4 the page of events with their people,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(EVENTS, {"outcome": "success"}).status_code == 200


def test_login_settings_query_count(cast, client_for, django_assert_num_queries):
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 the settings row, 4 the reader's authenticator app,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(SETTINGS).status_code == 200


# --- Who needs the second factor -----------------------------------------------------------------


@pytest.mark.parametrize("flag", ["is_superuser", "is_staff"])
def test_anyone_who_may_use_the_django_admin_needs_the_code(organisation, client, flag):
    UserFactory.create(username="ops", **{flag: True})
    assert _password(client, "ops")["Location"] == TOTP
    assert not _logged_in(client)


# --- Single sign-on failing before the provider answers -----------------------------------------


@pytest.fixture
def sso_on(settings):  # type: ignore[no-untyped-def]
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "aftalestyring"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "randers.accounts.oidc.OIDCBackend",
    ]
    forget_discovery()
    yield
    forget_discovery()


def test_unreachable_provider_is_explained_not_a_500(client, sso_on):
    response = client.get(reverse("accounts:oidc-start"))
    assert response.status_code == 503
    assert "Kommunens login kunne ikke nås" in response.content.decode()
    assert _events() == [("", "oidc", "failure")]
    assert LoginEvent.objects.get().reason == "provider"


def test_login_cancelled_at_the_provider_is_explained_and_logged(client, sso_on):
    response = client.get(
        reverse("accounts:oidc-callback"), {"error": "access_denied", "state": "x"}
    )
    assert response.status_code == 400
    assert "annulleret eller afvist" in response.content.decode()
    assert LoginEvent.objects.get().reason == "cancelled"


def test_callback_without_a_started_login_is_refused(client, sso_on):
    response = client.get(reverse("accounts:oidc-callback"), {"code": "c", "state": "s"})
    assert response.status_code == 400
    assert "Log-ind kunne ikke gennemføres" in response.content.decode()


def test_login_page_offers_sso_with_the_page_asked_for(client, sso_on):
    body = client.get(LOGIN, {"next": "/aftaler/"}).content.decode()
    assert f'href="{reverse("accounts:oidc-start")}?next=/aftaler/"' in body


# --- Demo data -----------------------------------------------------------------------------------


def test_demo_admin_logs_in_with_demo_password_and_the_demo_code(db, client):
    output = StringIO()
    call_command("seed_demo", units=3, stdout=output)
    assert services.DEMO_TOTP_SECRET in output.getvalue()
    assert _password(client, "admin", "demo")["Location"] == TOTP
    code = StringIO()
    call_command("demo_totp", stdout=code)
    assert client.post(TOTP, {"code": code.getvalue().strip()})["Location"] == HOME
    assert _password(Client(), "leader", "demo")["Location"] == HOME  # no code for the others


# --- A new authenticator app while logged in -----------------------------------------------------

AUTHENTICATOR = reverse("accounts:authenticator")


def test_administrator_replaces_the_authenticator_app(cast, client_for):
    old = _enrolled(cast.administrator)
    client = client_for(cast.administrator)
    page = client.get(AUTHENTICATOR).content.decode()
    new_secret = client.session["_new_authenticator"]
    assert new_secret in page
    assert 'src="data:image/svg+xml;base64,' in page

    wrong = client.post(AUTHENTICATOR, {"code": old.now()})  # the old app's code is not enough
    assert "Koden er ikke rigtig" in wrong.content.decode()
    assert TOTPDevice.objects.get().secret == old.secret

    response = client.post(AUTHENTICATOR, {"code": pyotp.TOTP(new_secret).now()})

    assert response["Location"] == SETTINGS
    assert TOTPDevice.objects.get().secret == new_secret


@pytest.mark.parametrize("person", ["leader_a", "director", "council_member"])
def test_only_people_who_need_a_second_factor_set_up_an_app(cast, client_for, person):
    client = client_for(getattr(cast, person))
    assert client.get(AUTHENTICATOR).status_code == 403
    assert client.post(AUTHENTICATOR, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_anonymous_visitor_cannot_set_up_an_app(client):
    assert client.get(AUTHENTICATOR)["Location"] == f"{LOGIN}?next={AUTHENTICATOR}"


def test_authenticator_page_query_count(cast, client_for, django_assert_num_queries):
    _enrolled(cast.administrator)
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 the authenticator app,
    # 4-6 saving the session (the new secret; the renewal rides along)
    with django_assert_num_queries(6):
        assert client.get(AUTHENTICATOR).status_code == 200


def test_code_step_query_count(cast, client, django_assert_num_queries):
    _enrolled(cast.administrator)
    _password(client, "administrator")
    client.get(TOTP)
    # 1 the person logging in, 2 django-axes' failures for the username and address,
    # 3 the authenticator app
    with django_assert_num_queries(3):
        assert client.get(TOTP).status_code == 200
