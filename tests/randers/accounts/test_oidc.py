"""Single sign-on against a real OpenID Connect provider (oidc-provider), over HTTP, through the
whole authorization-code flow with PKCE."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.urls import reverse

from randers.accounts.models import LoginEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_person_with_a_known_work_email_is_logged_in(oidc_provider):
    person = UserFactory.create(username="anne", email="Anne.Holm@randers.dk", first_name="Anne")

    response = oidc_provider.sign_in("anne.holm@randers.dk")

    assert response.status_code == 200
    assert response.url == oidc_provider.app_url + "/"
    assert "Velkommen, Anne" in response.text
    event = LoginEvent.objects.get()
    assert (event.user, event.username, event.method, event.outcome) == (
        person,
        "anne",
        LoginEvent.Method.OIDC,
        LoginEvent.Outcome.SUCCESS,
    )
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent.startswith("python-requests/")


def test_unknown_work_email_is_refused_clearly_and_logged(oidc_provider):
    UserFactory.create(username="anne", email="anne.holm@randers.dk")

    response = oidc_provider.sign_in("stranger@randers.dk")

    assert response.status_code == 403
    assert "Du kunne ikke logges ind" in response.text
    assert "stranger@randers.dk" in response.text
    assert "ingen med den arbejdsmail har adgang til Aftalestyring" in response.text
    assert (
        oidc_provider.browser.get(oidc_provider.app_url + "/", allow_redirects=False).status_code
        == 302
    )
    event = LoginEvent.objects.get()
    assert (event.user, event.username, event.method, event.outcome, event.reason) == (
        None,
        "stranger@randers.dk",
        LoginEvent.Method.OIDC,
        LoginEvent.Outcome.FAILURE,
        "unknown",
    )


def test_deactivated_person_is_refused(oidc_provider):
    UserFactory.create(username="anne", email="anne.holm@randers.dk", is_active=False)

    response = oidc_provider.sign_in("anne.holm@randers.dk")

    assert response.status_code == 403
    assert LoginEvent.objects.get().outcome == LoginEvent.Outcome.FAILURE


def test_answer_with_a_state_the_session_did_not_start_is_refused(oidc_provider):
    UserFactory.create(username="anne", email="anne.holm@randers.dk")
    redirect = oidc_provider.sign_in("anne.holm@randers.dk", stop_at_callback=True)
    callback = urlsplit(redirect.headers["Location"])
    query = dict(parse_qsl(callback.query))
    assert set(query) >= {"code", "state"}
    query["state"] = "not-the-state-this-session-started"

    response = oidc_provider.browser.get(urlunsplit(callback._replace(query=urlencode(query))))

    assert response.status_code == 400
    assert "Log-ind kunne ikke gennemføres" in response.text
    assert (
        oidc_provider.browser.get(oidc_provider.app_url + "/", allow_redirects=False).status_code
        == 302
    )
    event = LoginEvent.objects.get()
    assert (event.username, event.method, event.outcome, event.reason) == (
        "",
        LoginEvent.Method.OIDC,
        LoginEvent.Outcome.FAILURE,
        "invalid",
    )


def test_login_page_offers_the_municipalitys_login(oidc_provider):
    page = requests.get(oidc_provider.app_url + reverse("login"), timeout=10).text

    assert "Log ind med kommunens login" in page
    assert 'name="username"' in page
    assert 'name="password"' in page
