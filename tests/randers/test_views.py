import json
from datetime import date, datetime, timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from agreements import services
from tests.agreements.conftest import make_period
from tests.factories import UserFactory
from units.models import User

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def main_of(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


LOGIN = reverse("login")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "down": [],
        "database": "ok",
        "broker": "ok",
    }


def test_healthz_answers_503_naming_the_broker_when_redis_is_down(client):
    # A real connection attempt to a port where nothing listens.
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["down"] == ["broker"]
    assert body["database"] == "ok"
    assert body["broker"].startswith("down:")


# --- Login, logout, home ---------------------------------------------------------------------


def test_login_page_has_the_standard_fields(client):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in body
    assert 'name="password"' in body


def test_login_with_username_and_password_leads_home(client):
    UserFactory.create(username="anne", password="correct-horse-42")
    response = client.post(LOGIN, {"username": "anne", "password": "correct-horse-42"})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_wrong_password_is_refused_in_danish(client):
    UserFactory.create(username="anne", password="correct-horse-42")
    response = client.post(LOGIN, {"username": "anne", "password": "wrong"})
    assert response.status_code == 200
    assert "Indtast venligst korrekt brugernavn og adgangskode" in response.content.decode()


def test_an_overlong_username_is_refused_like_a_wrong_password_and_not_recorded(client):
    from axes.models import AccessAttempt

    response = client.post(LOGIN, {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Indtast venligst korrekt brugernavn og adgangskode" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_logout_is_a_post_and_ends_the_session(client_for, cast):
    client = client_for(cast.leader_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(HOME).status_code == 302


def test_home_requires_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_home_greets_the_leader_with_the_unit(client_for, cast):
    body = client_for(cast.leader_a).get(HOME).content.decode()
    assert "Velkommen, Lars" in body
    assert "Tirsdalens Skole" in body
    assert "Havndal Skole" not in body


def test_home_greets_the_director_with_the_area(client_for, cast):
    body = client_for(cast.director).get(HOME).content.decode()
    assert "Dit område: Børn og Skole" in body
    assert "Som direktør har du ansvaret for 2 enheder." in body


def test_home_greets_the_council_member_with_the_committee(client_for, cast):
    body = client_for(cast.council_member).get(HOME).content.decode()
    assert "Skole- og Uddannelsesudvalget" in body
    assert "Du er medlem af udvalget." in body
    assert "Miljø- og Teknikudvalget" not in body


def test_home_tells_the_chair_of_the_chair(client_for, cast):
    body = client_for(cast.committee_chair).get(HOME).content.decode()
    assert "Du er formand for udvalget." in body


def test_home_greets_the_administrator_with_all_units(client_for, cast):
    body = client_for(cast.administrator).get(HOME).content.decode()
    assert "Du administrerer kommunens 3 aktive enheder." in body


def test_home_tells_a_person_without_roles_whom_to_ask(client_for, organisation):
    body = client_for(UserFactory.create()).get(HOME).content.decode()
    assert "Du har endnu ikke noget ansvar i aftalerne." in body


@pytest.mark.parametrize("person", ["leader_a", "director", "council_member", "administrator"])
def test_home_query_count_is_fixed_per_role(
    client_for, cast, django_assert_max_num_queries, person
):
    client = client_for(cast.all()[person])
    # user, led units, directed areas (+ their units), committees (+ their units), the reader's
    # roles, chaired committees (a council member) or the unit count (an administrator), the
    # relevant periods, the person's job notices, session renewal (savepoint, update, release)
    with django_assert_max_num_queries(11):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("person", ["leader_a", "director", "council_member", "administrator"])
def test_home_reads_what_a_person_is_responsible_for_from_the_cache(
    client_for, cast, django_assert_num_queries, person
):
    client = client_for(cast.all()[person])
    first = main_of(client.get(HOME))
    # 1 user, 2 the reader's roles, 3 the data's version, 4 the person's job notices
    with django_assert_num_queries(4):
        assert main_of(client.get(HOME)) == first


def test_home_shows_a_leader_a_new_comment_to_answer_at_once(client_for, cast, organisation):
    period = make_period("2027", 2027)
    draft = services.create_agreement(organisation.unit_a, period, by=None)
    client = client_for(cast.leader_a)
    with time_machine.travel(date(2026, 10, 20)):
        assert "åben kommentar" not in main_of(client.get(HOME))
        services.add_comment(draft, body="Hvad med svømmehallen?", by=cast.director)
        assert "Besvar 1 åben kommentar til aftalen 2027 for Tirsdalens Skole" in main_of(
            client.get(HOME)
        )
        # another leader's home is cached apart and has no such task
        assert "åben kommentar" not in main_of(client_for(cast.leader_b).get(HOME))


def test_home_shows_the_day_it_is_read(client_for, cast, organisation):
    make_period("2027", 2027)  # drafts due 1 Oct 2026
    client = client_for(cast.leader_a)
    with time_machine.travel(date(2026, 9, 20)):
        assert "Overskredet" not in main_of(client.get(HOME))
    with time_machine.travel(date(2026, 10, 2)):
        assert "Overskredet" in main_of(client.get(HOME))


# --- Language --------------------------------------------------------------------------------


def test_pages_are_danish_by_default(client):
    body = client.get(LOGIN).content.decode()
    assert '<html lang="da">' in body
    assert "Log ind" in body


def test_english_can_be_chosen_and_is_remembered_on_the_person(client_for, cast):
    client = client_for(cast.leader_a)
    response = client.post(reverse("set-language"), {"language": "en", "next": HOME})
    assert response.status_code == 302
    body = client.get(HOME).content.decode()
    assert '<html lang="en">' in body
    assert "Welcome, Lars" in body
    cast.leader_a.refresh_from_db()
    assert cast.leader_a.language == User.Language.ENGLISH


def test_login_restores_the_persons_language(organisation):
    UserFactory.create(username="emma", password="correct-horse-42", language="en")
    client = Client()
    client.post(LOGIN, {"username": "emma", "password": "correct-horse-42"})
    assert '<html lang="en">' in client.get(HOME).content.decode()


# --- Accessibility statement ---------------------------------------------------------------


def test_accessibility_statement_is_public_and_linked_from_every_page(client):
    url = reverse("accessibility-statement")
    response = client.get(url)
    assert response.status_code == 200
    assert "WCAG 2.1" in response.content.decode()
    assert f'href="{url}">Tilgængelighedserklæring</a>' in client.get(LOGIN).content.decode()


# --- Security baseline -----------------------------------------------------------------------


def test_responses_carry_a_strict_content_security_policy(client):
    policy = client.get(LOGIN)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def _session_expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_session_ends_after_thirty_minutes_idle():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
    client = Client()
    client.force_login(UserFactory.create())
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start = timezone.now()
        client.get("/")
        assert _session_expiry(client) == start + timedelta(minutes=30)
        clock.shift(timedelta(seconds=30))
        client.get("/")  # within the minute: no write, the expiry stays
        assert _session_expiry(client) == start + timedelta(minutes=30)
        clock.shift(timedelta(seconds=31))
        client.get("/")  # over a minute since the renewal: the 30 minutes start again
        assert _session_expiry(client) == start + timedelta(minutes=30, seconds=61)

        # Sessions are read from Redis first; its copy expires by itself after the 30 minutes.
        store = SessionStore(session_key=client.session.session_key)
        key = cache.make_key(store.cache_key)
        assert 29 * 60 < redis.Redis.from_url(settings.REDIS_URL).ttl(key) <= 30 * 60
        clock.shift(timedelta(minutes=31))
        cache.delete(store.cache_key)  # what Redis does by itself after 30 minutes
        response = client.get("/aftaler/")  # idle too long: logged out
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def _fail_login(username: str, ip: str, times: int) -> None:
    client = Client(REMOTE_ADDR=ip)
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def _login(username: str, ip: str) -> int:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        LOGIN, {"username": username, "password": "correct-horse-42"}, REMOTE_ADDR=ip
    )
    return response.status_code


def test_five_failures_lock_the_username_from_that_address(organisation):
    UserFactory.create(username="anne", password="correct-horse-42")
    _fail_login("anne", "10.0.0.1", 5)
    client = Client(REMOTE_ADDR="10.0.0.1")
    response = client.post(
        LOGIN, {"username": "anne", "password": "correct-horse-42"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert "For mange mislykkede forsøg" in response.content.decode()


def test_a_locked_username_does_not_lock_out_colleagues_behind_the_same_address(organisation):
    UserFactory.create(username="anne", password="correct-horse-42")
    UserFactory.create(username="bent", password="correct-horse-42")
    _fail_login("anne", "10.0.0.1", 5)
    assert _login("bent", "10.0.0.1") == 302


def test_a_locked_username_can_still_log_in_from_another_address(organisation):
    UserFactory.create(username="anne", password="correct-horse-42")
    _fail_login("anne", "10.0.0.1", 5)
    assert _login("anne", "10.0.0.2") == 302


def test_four_failures_do_not_lock(organisation):
    UserFactory.create(username="anne", password="correct-horse-42")
    _fail_login("anne", "10.0.0.1", 4)
    assert _login("anne", "10.0.0.1") == 302


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
