import pytest
from django.core import mail
from django.urls import reverse

from agreements.models import Agreement
from randers.organisation.views import SESSION_KEY
from tests.agreements.conftest import make_period
from tests.factories import AreaFactory, CommitteeFactory, SiteFactory, UnitFactory, UserFactory
from units import services as unit_services
from units.models import OrganisationChange, Site, Unit, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

NOT_ADMINISTRATORS = [
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
]


def step(name: str) -> str:
    return reverse("organisation:onboard-step", args=[name])


FACTS = {
    "name": "Børnehuset Solsikken",
    "kind": "daycare",
    "email": "solsikken@randers.dk",
    "phone": "89 15 10 10",
    "address": "Solsikkevej 4, 8900 Randers C",
    "website": "",
    "legal_basis": "Dagtilbudsloven",
    "main_task": "Leg, læring og trivsel for børn fra 0 til 6 år.",
    "target_group": "Børn fra 0 til 6 år og deres forældre.",
    "has_user_board": "on",
    "active_from": "2026-08-01",
}
PLACEMENT = {"area": "boern-og-skole", "committee": "skole-og-uddannelsesudvalget"}
SITES = {
    "sites-TOTAL_FORMS": "3",
    "sites-INITIAL_FORMS": "0",
    "sites-MIN_NUM_FORMS": "0",
    "sites-MAX_NUM_FORMS": "30",
    "sites-0-name": "Afdeling Vorup",
    "sites-0-address": "Vorupvej 12",
    "sites-0-postal_code": "8940",
    "sites-0-city": "Randers SV",
}
NEW_LEADER = {
    "choice": "new",
    "first_name": "Camilla",
    "last_name": "Nørgaard",
    "email": "cano@randers.dk",
    "job_title": "Dagtilbudsleder",
    "language": "da",
}


def pages(cast, organisation) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "index": reverse("organisation:index"),
        "onboarding": step("enheden"),
        "review": reverse("organisation:onboard-review"),
        "unit": reverse("organisation:unit", args=["tirsdalens-skole"]),
        "merge": reverse("organisation:merge", args=["havndal-skole"]),
        "access": reverse("organisation:access", args=[cast.leader_a.uuid]),
    }


@pytest.mark.parametrize("name", NOT_ADMINISTRATORS)
def test_the_pages_refuse_everyone_but_administrators(client_for, cast, organisation, name):
    client = client_for(cast.all()[name])
    for page, url in pages(cast, organisation).items():
        assert client.get(url).status_code == (404 if page == "access" else 403), page
    assert client.post(reverse("organisation:onboard-create")).status_code == 403
    assert (
        client.post(
            reverse("organisation:merge", args=["havndal-skole"]), {"survivor": "Tirsdalens Skole"}
        ).status_code
        == 403
    )
    assert not Unit.objects.filter(closed_at__isnull=False).exists()


def test_the_pages_send_anonymous_visitors_to_login(client, cast, organisation):
    for page, url in pages(cast, organisation).items():
        response = client.get(url)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


def test_the_pages_open_for_administrators(client_for, cast, organisation):
    client = client_for(cast.administrator)
    assert client.get(reverse("organisation:index")).status_code == 200
    assert client.get(reverse("organisation:onboard")).status_code == 302
    for page in ("onboarding", "unit", "merge", "access"):
        assert client.get(pages(cast, organisation)[page]).status_code == 200, page


def test_the_navigation_shows_administration_to_administrators_only(client_for, cast):
    link = f'href="{reverse("organisation:index")}"'
    assert link in client_for(cast.administrator).get("/").content.decode()
    for name in NOT_ADMINISTRATORS:
        assert link not in client_for(cast.all()[name]).get("/").content.decode(), name


# --- Onboarding ----------------------------------------------------------------------------------


def test_onboarding_a_workplace_step_by_step(
    client_for, cast, organisation, period, django_capture_on_commit_callbacks
):
    client = client_for(cast.administrator)
    assert client.get(reverse("organisation:onboard"))["Location"] == step("enheden")
    first = client.get(step("enheden")).content.decode()
    assert 'class="step-indicator"' in first
    assert 'aria-current="step"' in first

    assert client.post(step("enheden"), FACTS)["Location"] == step("organisering")
    assert client.post(step("organisering"), PLACEMENT)["Location"] == step("arbejdssteder")
    assert client.post(step("arbejdssteder"), SITES)["Location"] == step("leder")
    assert client.post(step("leder"), NEW_LEADER)["Location"] == step("aftale")
    review_url = reverse("organisation:onboard-review")
    assert client.post(step("aftale"), {"period": period.slug})["Location"] == review_url
    assert not Unit.objects.filter(name="Børnehuset Solsikken").exists()

    review = client.get(review_url).content.decode()
    for text in (
        "Børnehuset Solsikken",
        "Dagtilbud",
        "Afdeling Vorup, Vorupvej 12, 8940 Randers SV",
        "Camilla Nørgaard (cano@randers.dk), en ny person",
        "Et udkast til aftale for 2027 startes",
        "1. august 2026",
    ):
        assert text in review, text

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(reverse("organisation:onboard-create"))
    unit = Unit.objects.get(name="Børnehuset Solsikken")
    assert created["Location"] == reverse("organisation:unit", args=[unit.slug])
    assert SESSION_KEY not in client.session
    assert (unit.area, unit.committee, unit.has_user_board, unit.legal_basis) == (
        organisation.area_a,
        organisation.school_committee,
        True,
        "Dagtilbudsloven",
    )
    assert unit.leader is not None
    assert unit.leader.email == "cano@randers.dk"
    assert list(Site.objects.filter(unit=unit).values_list("postal_code", flat=True)) == ["8940"]
    agreement = Agreement.objects.get(unit=unit)
    assert agreement.period == period
    assert [m.to for m in mail.outbox] == [["cano@randers.dk"]]

    summary = client.get(created["Location"]).content.decode()
    for text in (
        "Børnehuset Solsikken er oprettet.",
        "En e-mail med et link til at vælge adgangskode blev sendt til cano@randers.dk",
        "Hvem må nu hvad",
        "Camilla Nørgaard",
        "Hanne Vestergaard",
        "Karen Lund",
        reverse("agreements:edit", args=[agreement.uuid]),
    ):
        assert text in summary, text


def test_bad_input_in_a_step_is_explained_in_danish_and_nothing_is_kept(
    client_for, cast, organisation
):
    client = client_for(cast.administrator)
    response = client.post(step("enheden"), {**FACTS, "name": "", "email": "ikke en mail"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv enhedens navn." in body
    assert "Skriv en gyldig e-mailadresse, fx navn@randers.dk." in body
    assert SESSION_KEY not in client.session
    assert client.get(step("organisering"))["Location"] == step("enheden")


def test_a_unit_name_in_use_is_refused_in_the_first_step(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        step("enheden"), {**FACTS, "name": "tirsdalens skole"}
    )
    assert "Der findes allerede en enhed med dette navn." in response.content.decode()


def start(client, until: str) -> None:  # type: ignore[no-untyped-def]
    for name, data in (
        ("enheden", FACTS),
        ("organisering", PLACEMENT),
        ("arbejdssteder", SITES),
        ("leder", NEW_LEADER),
    ):
        if name == until:
            return
        assert client.post(step(name), data).status_code == 302, name


def test_a_site_with_a_wrong_postal_code_is_explained(client_for, cast, organisation):
    client = client_for(cast.administrator)
    start(client, "arbejdssteder")
    response = client.post(step("arbejdssteder"), {**SITES, "sites-0-postal_code": "894"})
    assert response.status_code == 400
    assert "Et postnummer er fire cifre." in response.content.decode()


def test_a_new_leader_with_an_email_in_use_is_explained(client_for, cast, organisation):
    client = client_for(cast.administrator)
    start(client, "leder")
    response = client.post(step("leder"), {**NEW_LEADER, "email": "leader_b@randers.dk"})
    assert response.status_code == 400
    assert "Der findes allerede en person med denne e-mail; vælg »En person, der allerede" in (
        response.content.decode()
    )
    response = client.post(step("leder"), {"choice": "existing", "existing": "leader_b"})
    assert response.status_code == 302


def test_the_review_sends_back_to_a_step_that_is_no_longer_valid(
    client_for, cast, organisation, period
):
    client = client_for(cast.administrator)
    start(client, "aftale")
    client.post(step("aftale"), {"period": "ingen"})
    unit_services.create_unit(
        unit_services.UnitData(
            name="Børnehuset Solsikken",
            kind="daycare",
            area=organisation.area_a,
            committee=organisation.school_committee,
        ),
        by=None,
    )
    response = client.post(reverse("organisation:onboard-create"))
    assert response["Location"] == step("enheden")
    assert Unit.objects.filter(name="Børnehuset Solsikken").count() == 1
    assert not User.objects.filter(email="cano@randers.dk").exists()


def test_coming_back_to_the_sites_gives_three_more_rows(client_for, cast, organisation):
    client = client_for(cast.administrator)
    start(client, "leder")
    body = client.get(step("arbejdssteder")).content.decode()
    assert 'name="sites-TOTAL_FORMS" value="6"' in body
    assert 'value="Afdeling Vorup"' in body
    assert (
        client.post(step("arbejdssteder"), {**SITES, "sites-TOTAL_FORMS": "6"}).status_code == 302
    )


def test_changing_a_step_from_the_review_goes_back_to_the_review(client_for, cast, organisation):
    client = client_for(cast.administrator)
    start(client, "aftale")
    client.post(step("aftale"), {"period": "ingen"})
    response = client.post(
        step("organisering") + "?gennemse=1",
        {"area": "miljoe-og-teknik", "committee": "miljoe-og-teknikudvalget"},
    )
    assert response["Location"] == reverse("organisation:onboard-review")
    assert "Miljø og Teknik" in client.get(response["Location"]).content.decode()


def test_cancelling_forgets_everything(client_for, cast, organisation):
    client = client_for(cast.administrator)
    start(client, "leder")
    response = client.post(reverse("organisation:onboard-cancel"), follow=True)
    assert "Oprettelsen er afbrudt; der blev ikke oprettet noget." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not Unit.objects.filter(name="Børnehuset Solsikken").exists()


# --- Merging -------------------------------------------------------------------------------------


def test_merging_from_the_units_page(client_for, cast, organisation, period):
    SiteFactory.create(unit=organisation.unit_b, name="Afdeling Havndal")
    client = client_for(cast.administrator)
    response = client.post(
        reverse("organisation:merge", args=["havndal-skole"]),
        {"survivor": "Tirsdalens Skole", "period": period.slug},
        follow=True,
    )
    body = response.content.decode()
    assert "Havndal Skole er lagt sammen med Tirsdalens Skole." in body
    assert "Der er startet et udkast til aftale for den." in body
    assert "Afdeling Havndal" in body
    old = client_for(cast.leader_b).get(organisation.unit_b.get_absolute_url()).content.decode()
    assert "Enheden lukkede den" in old
    assert 'Den fortsætter som <a href="/enheder/tirsdalens-skole/">' in old


def test_a_merge_into_an_unknown_or_the_same_unit_is_explained(client_for, cast, organisation):
    client = client_for(cast.administrator)
    url = reverse("organisation:merge", args=["havndal-skole"])
    response = client.post(url, {"survivor": "Havndal Skolen", "period": "ingen"})
    assert "Ingen åben enhed hedder »Havndal Skolen«." in response.content.decode()
    response = client.post(url, {"survivor": "havndal skole", "period": "ingen"})
    assert "Vælg en anden enhed end den, der lukker." in response.content.decode()
    assert response.status_code == 400
    organisation.unit_b.refresh_from_db()
    assert organisation.unit_b.closed_at is None
    assert not OrganisationChange.objects.filter(action="unit_merged").exists()


def test_a_closed_unit_cannot_be_merged_again(client_for, cast, organisation):
    unit_services.close_unit(organisation.unit_b, by=None)
    url = reverse("organisation:merge", args=["havndal-skole"])
    assert client_for(cast.administrator).get(url).status_code == 403


# --- What a person may see and do ----------------------------------------------------------------


def test_the_access_page_explains_each_role(client_for, cast, organisation, period):
    body = (
        client_for(cast.administrator)
        .get(reverse("organisation:access", args=[cast.committee_chair.uuid]))
        .content.decode()
    )
    for text in (
        "Hvad Karen Lund må se og gøre, og hvorfor",
        "Formand for Skole- og Uddannelsesudvalget",
        "Medlem af byrådet",
        "Registrere udvalgets godkendelse",
        "Ja:</span> I dialog med udvalget",
    ):
        assert text in body, text


# --- Query budgets -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_index_query_count_does_not_grow(
    client_for, cast, organisation, django_assert_num_queries, count
):
    for n in range(count):
        AreaFactory.create()
        CommitteeFactory.create(council=organisation.council)
        unit_services.move_unit(
            organisation.unit_c,
            area=organisation.area_a if n % 2 else organisation.other_area,
            committee=organisation.school_committee,
            by=cast.administrator,
        )
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 areas with directors and unit counts,
    # 4 committees with unit counts, 5 the latest changes, 6-8 session renewal
    with django_assert_num_queries(8):
        assert client.get(reverse("organisation:index")).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_onboarding_pages_query_count_does_not_grow(
    client_for, cast, organisation, period, django_assert_num_queries, count
):
    AreaFactory.create_batch(count)
    CommitteeFactory.create_batch(count, council=organisation.council)
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3-5 session renewal
    with django_assert_num_queries(5):
        assert client.get(step("enheden")).status_code == 200
    start(client, "aftale")
    # The first request renewed the session; the ones below come within the minute and do not.
    # 1 user, 2 the reader's roles, 3-4 the areas and committees to choose from (the area and
    # committee entered before are found among them)
    with django_assert_num_queries(4):
        assert client.get(step("organisering")).status_code == 200
    # 1 user, 2 the reader's roles, 3 the relevant periods
    with django_assert_num_queries(3):
        assert client.get(step("aftale")).status_code == 200
    client.post(step("aftale"), {"period": period.slug})
    # 1 user, 2 the reader's roles, 3 the relevant periods, 4 the unit name in use?, 5-6 the
    # areas and committees (the chosen area and committee are found among them), 7 the new
    # leader's e-mail in use?, 8 the area's director
    with django_assert_num_queries(8):
        assert client.get(reverse("organisation:onboard-review")).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_unit_summary_query_count_does_not_grow(
    client_for, cast, organisation, django_assert_num_queries, count
):
    SiteFactory.create_batch(count, unit=organisation.unit_a)
    for n in range(count):
        Agreement.objects.create(
            unit=organisation.unit_a, period=make_period(f"{2030 + n}", 2030 + n)
        )
    for person in UserFactory.create_batch(count):
        unit_services.add_committee_member(
            organisation.school_committee, person=person, role="member", by=None
        )
    client = client_for(cast.administrator)
    # 1 user, 2 the unit with area, director, committee, leader and successor, 3 its
    # sites, 4 the reader's roles, 5 the people who lead it, 6 direct its area, 7 sit on its
    # committee, 8 count of council members, 9 count of administrators, 10 the relevant
    # periods, 11 the unit's agreements, 12-14 session renewal (no link to show: the leader has
    # a password)
    with django_assert_num_queries(14):
        assert (
            client.get(reverse("organisation:unit", args=["tirsdalens-skole"])).status_code == 200
        )


@pytest.mark.parametrize("count", [1, 12])
def test_access_page_query_count_does_not_grow_with_roles(
    client_for, cast, organisation, django_assert_num_queries, count
):
    for unit in UnitFactory.create_batch(count, area=organisation.area_a):
        unit_services.assign_leader(unit, leader=cast.committee_chair, by=None)
    for area in AreaFactory.create_batch(count):
        unit_services.assign_director(area, director=cast.committee_chair, by=None)
    client = client_for(cast.administrator)
    url = reverse("organisation:access", args=[cast.committee_chair.uuid])
    # 1 user, 2 the reader's roles, 3 the person, 4 the person's roles, 5 the
    # relevant periods, 6 the units they lead, 7 the areas they direct, 8 their committees,
    # 9 the open units counted per area and committee, 10 the agreements open to them,
    # 11-13 session renewal
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_merge_page_query_count_does_not_grow(
    client_for, cast, organisation, period, django_assert_num_queries, count
):
    SiteFactory.create_batch(count, unit=organisation.unit_b)
    client = client_for(cast.administrator)
    # 1 user, 2 the unit, 3 its sites, 4 the reader's roles, 5 the relevant periods,
    # 6-8 session renewal
    with django_assert_num_queries(8):
        assert client.get(reverse("organisation:merge", args=["havndal-skole"])).status_code == 200
