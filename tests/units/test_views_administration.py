"""The administrators' pages of units: people, roles, changes to units, the import."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import services as agreement_services
from agreements.models import Agreement, Signature
from randers.jobs.models import Job
from tests.agreements.conftest import make_period
from tests.factories import SiteFactory, UnitFactory, UserFactory
from units import imports, permissions, services, tasks
from units.models import CommitteeMembership, OrganisationChange, Unit, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
NOT_ADMINISTRATORS = [
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
]


def pages(cast, organisation) -> dict[str, str]:  # type: ignore[no-untyped-def]
    unit, person = organisation.unit_a, cast.leader_a
    return {
        "people": reverse("units:people"),
        "new person": reverse("units:person-new"),
        "area": reverse("units:area", args=[organisation.area_a.slug]),
        "committee": reverse("units:committee", args=[organisation.school_committee.slug]),
        "council": reverse("units:council"),
        "import": reverse("units:import"),
        "import template": reverse("units:import-template", args=["xlsx"]),
        "change leader": reverse("units:leader", args=[unit.slug]),
        "move": reverse("units:move", args=[unit.slug]),
        "close": reverse("units:close", args=[unit.slug]),
        "person": reverse("units:person", args=[person.uuid]),
    }


PERSON_PAGES = {"person"}


@pytest.mark.parametrize("name", NOT_ADMINISTRATORS)
def test_administration_pages_refuse_everyone_but_administrators(
    client_for, cast, organisation, name
):
    client = client_for(cast.all()[name])
    for page, url in pages(cast, organisation).items():
        expected = 404 if page in PERSON_PAGES else 403
        assert client.get(url).status_code == expected, page


def test_administration_pages_open_for_administrators(client_for, cast, organisation):
    client = client_for(cast.administrator)
    for page, url in pages(cast, organisation).items():
        assert client.get(url).status_code == 200, page


def test_administration_pages_send_anonymous_visitors_to_login(client, cast, organisation):
    for page, url in pages(cast, organisation).items():
        response = client.get(url)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


@pytest.mark.parametrize("name", NOT_ADMINISTRATORS)
def test_role_actions_are_refused_to_everyone_but_administrators(
    client_for, cast, organisation, name
):
    client = client_for(cast.all()[name])
    person = cast.leader_b
    posts = {
        reverse("units:add-role", args=[person.uuid]): (
            {"role": "leader", "unit": "Tirsdalens Skole"},
            404,
        ),
        reverse("units:remove-role", args=[person.uuid]): (
            {"role": "leader", "target": "havndal-skole"},
            404,
        ),
        reverse("units:invite", args=[person.uuid]): ({}, 404),
        reverse("units:remove-director", args=["boern-og-skole"]): ({}, 403),
        reverse(
            "units:remove-committee-member",
            args=[organisation.school_committee.slug, cast.committee_chair.uuid],
        ): ({}, 403),
        reverse("units:remove-council-member", args=[cast.council_member.uuid]): ({}, 403),
        reverse("units:leader", args=["tirsdalens-skole"]): (
            {"choice": "existing", "existing": "leader_b"},
            403,
        ),
        reverse("units:close", args=["tirsdalens-skole"]): ({"confirm": "on"}, 403),
    }
    changes = OrganisationChange.objects.count()
    for url, (data, expected) in posts.items():
        assert client.post(url, data).status_code == expected, url
    assert OrganisationChange.objects.count() == changes
    assert len(mail.outbox) == 0
    organisation.unit_a.refresh_from_db()
    assert (organisation.unit_a.leader, organisation.unit_a.closed_at) == (cast.leader_a, None)


# --- People --------------------------------------------------------------------------------------


def test_people_are_listed_and_searched(client_for, cast):
    client = client_for(cast.administrator)
    response = client.get(reverse("units:people"), {"q": "holm"})
    assert [str(p) for p in response.context["page"].object_list] == ["Berit Holm", "Mette Holm"]
    fragment = client.get(reverse("units:people"), {"q": "berit"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="results">')


def test_an_administrator_creates_a_person_who_gets_the_email(
    client_for, cast, django_capture_on_commit_callbacks
):
    client = client_for(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("units:person-new"),
            {
                "first_name": "Camilla",
                "last_name": "Nørgaard",
                "email": "cano@randers.dk",
                "job_title": "Dagtilbudsleder",
                "language": "da",
            },
        )
    person = User.objects.get(email="cano@randers.dk")
    assert response.status_code == 302
    assert response["Location"] == reverse("units:person", args=[person.uuid])
    assert [message.to for message in mail.outbox] == [["cano@randers.dk"]]
    page = client.get(response["Location"]).content.decode()
    assert "Camilla Nørgaard er oprettet og får en e-mail" in page
    assert "Har endnu ikke valgt adgangskode" in page
    assert "Senest sendt den" in page


def test_a_person_with_an_email_in_use_is_not_created(client_for, cast):
    response = client_for(cast.administrator).post(
        reverse("units:person-new"),
        {
            "first_name": "Lars",
            "last_name": "Bach",
            "email": "LEADER_A@randers.dk",
            "language": "da",
        },
    )
    assert response.status_code == 400
    assert "Der findes allerede en person med denne e-mail." in response.content.decode()
    assert User.objects.filter(email__iexact="leader_a@randers.dk").count() == 1


def test_the_persons_page_shows_roles_and_their_history(client_for, cast, organisation):
    services.assign_leader(organisation.unit_b, leader=cast.leader_a, by=cast.administrator)
    body = (
        client_for(cast.administrator)
        .get(reverse("units:person", args=[cast.leader_a.uuid]))
        .content.decode()
    )
    assert 'Leder af <a href="/enheder/havndal-skole/">Havndal Skole</a>' in body
    assert 'Leder af <a href="/enheder/tirsdalens-skole/">Tirsdalens Skole</a>' in body
    assert "Rolle ændret: leder af enheden" in body
    assert "Berit Holm" in body  # the leader before
    assert reverse("organisation:access", args=[cast.leader_a.uuid]) in body


def test_a_role_is_given_from_the_persons_page_and_the_one_before_loses_it(
    client_for, cast, organisation, period
):
    draft = agreement_services.create_agreement(organisation.unit_a, period, by=cast.leader_a)
    admin = client_for(cast.administrator)
    response = admin.post(
        reverse("units:add-role", args=[cast.leader_b.uuid]),
        {"role": "leader", "unit": "tirsdalens skole"},
    )
    assert response.status_code == 302
    assert list(permissions.units_led_by(cast.leader_b).order_by("name")) == [
        organisation.unit_b,
        organisation.unit_a,
    ]
    assert client_for(cast.leader_a).get(draft.get_absolute_url()).status_code == 404
    assert client_for(cast.leader_b).get(draft.get_absolute_url()).status_code == 200


def test_a_role_without_its_object_is_explained_and_nothing_changes(client_for, cast):
    changes = OrganisationChange.objects.count()
    response = client_for(cast.administrator).post(
        reverse("units:add-role", args=[cast.leader_b.uuid]), {"role": "director"}
    )
    assert response.status_code == 400
    assert "Vælg det område, personen skal være direktør for." in response.content.decode()
    response = client_for(cast.administrator).post(
        reverse("units:add-role", args=[cast.leader_b.uuid]),
        {"role": "leader", "unit": "Findes Ikke Skole"},
    )
    assert "Ingen åben enhed hedder »Findes Ikke Skole«." in response.content.decode()
    assert OrganisationChange.objects.count() == changes


def test_a_role_is_removed_from_the_persons_page(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        reverse("units:remove-role", args=[cast.committee_chair.uuid]),
        {"role": "committee_member", "target": "skole-og-uddannelsesudvalget"},
    )
    assert response.status_code == 302
    assert list(permissions.committees_of(cast.committee_chair)) == []
    assert not CommitteeMembership.objects.filter(person=cast.committee_chair).exists()


def test_the_link_is_sent_again_and_the_first_stops_working(
    client_for, cast, django_capture_on_commit_callbacks
):
    person = services.create_person(
        services.NewPerson("Camilla", "Nørgaard", "cano@randers.dk"), by=cast.administrator
    )
    first = services.set_password_path(User.objects.get(pk=person.pk))
    client = client_for(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("units:invite", args=[person.uuid]), follow=True)
    assert "Et nyt link til at vælge adgangskode er sendt til cano@randers.dk." in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1
    client.logout()
    assert "Linket virker ikke" in client.get(first, follow=True).content.decode()
    second = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body))
    assert second
    assert "new_password1" in client.get(second.group(1), follow=True).content.decode()


# --- Areas, committees, council ------------------------------------------------------------------


def test_the_area_gets_another_director_from_its_page(client_for, cast, organisation):
    client = client_for(cast.administrator)
    url = reverse("units:area", args=["boern-og-skole"])
    response = client.post(url, {"person": "OTHER_DIRECTOR"})
    assert response.status_code == 302
    organisation.area_a.refresh_from_db()
    assert organisation.area_a.director == cast.other_director
    assert list(permissions.areas_directed_by(cast.director)) == []
    body = client.get(url).content.decode()
    assert "Ole Dam er nu direktør for Børn og Skole." in body
    assert "Hanne Vestergaard" in body  # in the history


def test_an_unknown_person_is_explained_on_the_area_page(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        reverse("units:area", args=["boern-og-skole"]), {"person": "nobody@randers.dk"}
    )
    assert response.status_code == 400
    assert "Ingen har e-mailen eller brugernavnet »nobody@randers.dk«." in (
        response.content.decode()
    )
    organisation.area_a.refresh_from_db()
    assert organisation.area_a.director == cast.director


def test_the_area_director_is_removed(client_for, cast, organisation):
    client_for(cast.administrator).post(reverse("units:remove-director", args=["boern-og-skole"]))
    assert list(permissions.areas_directed_by(cast.director)) == []


def test_a_committee_gets_a_new_chair_and_loses_a_member(client_for, cast, organisation):
    client = client_for(cast.administrator)
    url = reverse("units:committee", args=[organisation.school_committee.slug])
    client.post(url, {"person": "council_member", "role": "chair"})
    assert list(permissions.committees_chaired_by(cast.council_member)) == [
        organisation.school_committee
    ]
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == []
    client.post(
        reverse(
            "units:remove-committee-member",
            args=[organisation.school_committee.slug, cast.committee_chair.uuid],
        )
    )
    assert list(permissions.committees_of(cast.committee_chair)) == []
    body = client.get(url).content.decode()
    assert "Karen Lund" in body  # in the history only
    assert "Rolle fjernet" in body


def test_the_council_gets_and_loses_a_member(client_for, cast, organisation):
    client = client_for(cast.administrator)
    client.post(reverse("units:council"), {"person": "leader_a"})
    assert permissions.is_council_member(User.objects.get(username="leader_a"))
    client.post(reverse("units:remove-council-member", args=[cast.leader_a.uuid]))
    assert not permissions.is_council_member(User.objects.get(username="leader_a"))


# --- Changing a unit -----------------------------------------------------------------------------


def test_a_new_leader_takes_over_the_draft_and_the_old_one_loses_it_at_once(
    client_for, cast, organisation, period
):
    draft = agreement_services.create_agreement(organisation.unit_a, period, by=cast.leader_a)
    edit = reverse("agreements:edit", args=[draft.uuid])
    assert client_for(cast.leader_a).get(edit).status_code == 200
    assert client_for(cast.leader_b).get(draft.get_absolute_url()).status_code == 404

    response = client_for(cast.administrator).post(
        reverse("units:leader", args=["tirsdalens-skole"]),
        {"choice": "existing", "existing": "leader_b@randers.dk"},
    )
    assert response.status_code == 302

    assert client_for(cast.leader_a).get(draft.get_absolute_url()).status_code == 404
    assert client_for(cast.leader_a).get(edit).status_code == 404
    assert client_for(cast.leader_b).get(edit).status_code == 200
    organisation.unit_a.refresh_from_db()
    assert organisation.unit_a.leader == cast.leader_b


def test_a_signed_agreement_keeps_the_old_leaders_signature(client_for, cast, in_state):
    agreement = in_state(State.SIGNED)
    client_for(cast.administrator).post(
        reverse("units:leader", args=["tirsdalens-skole"]),
        {"choice": "existing", "existing": "leader_b"},
    )
    signature = Signature.objects.get(role="unit_leader")
    assert (signature.signer, signature.signer_name) == (cast.leader_a, "Lars Bach")
    body = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert "Lars Bach" in body
    assert "Berit Holm" not in body


def test_a_new_person_can_be_made_leader_and_gets_the_email(
    client_for, cast, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.administrator).post(
            reverse("units:leader", args=["tirsdalens-skole"]),
            {
                "choice": "new",
                "first_name": "Jonas",
                "last_name": "Friis",
                "email": "jofr@randers.dk",
                "language": "en",
            },
        )
    assert response.status_code == 302
    leader = User.objects.get(email="jofr@randers.dk")
    assert list(permissions.units_led_by(leader)) == [organisation.unit_a]
    assert mail.outbox[0].subject == "Your access to Aftalestyring, Randers Kommune"


def test_a_new_leader_without_a_name_is_explained_and_nothing_changes(
    client_for, cast, organisation
):
    response = client_for(cast.administrator).post(
        reverse("units:leader", args=["tirsdalens-skole"]),
        {"choice": "new", "email": "jofr@randers.dk", "language": "da"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv den nye persons fornavn." in body
    assert "Skriv den nye persons efternavn." in body
    assert not User.objects.filter(email="jofr@randers.dk").exists()
    organisation.unit_a.refresh_from_db()
    assert organisation.unit_a.leader == cast.leader_a


def test_moving_a_unit_moves_access_to_the_new_area_and_committee(
    client_for, cast, organisation, in_state
):
    agreement = in_state(State.IN_DIALOGUE)
    approve = reverse("agreements:approve", args=[agreement.uuid])
    assert client_for(cast.committee_chair).get(approve).status_code == 200
    assert client_for(cast.director).get(approve).status_code == 200
    assert client_for(cast.other_director).get(agreement.get_absolute_url()).status_code == 404

    response = client_for(cast.administrator).post(
        reverse("units:move", args=["tirsdalens-skole"]),
        {"area": "miljoe-og-teknik", "committee": "miljoe-og-teknikudvalget"},
    )
    assert response.status_code == 302

    # The school committee's chair still reads it (a council member) but no longer approves it.
    assert client_for(cast.committee_chair).get(approve).status_code == 403
    assert client_for(cast.director).get(agreement.get_absolute_url()).status_code == 404
    assert client_for(cast.other_director).get(approve).status_code == 200
    assert client_for(cast.leader_a).get(agreement.get_absolute_url()).status_code == 200


def test_moving_to_the_same_place_is_explained(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        reverse("units:move", args=["tirsdalens-skole"]),
        {"area": "boern-og-skole", "committee": "skole-og-uddannelsesudvalget"},
    )
    assert response.status_code == 400
    assert "Enheden hører allerede under dette område og udvalg" in response.content.decode()


def test_closing_needs_a_confirmation_and_then_makes_the_unit_read_only(
    client_for, cast, organisation, period
):
    draft = agreement_services.create_agreement(organisation.unit_a, period, by=cast.leader_a)
    client = client_for(cast.administrator)
    url = reverse("units:close", args=["tirsdalens-skole"])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Sæt flueben for at bekræfte, at enheden skal lukke." in response.content.decode()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    organisation.unit_a.refresh_from_db()
    assert organisation.unit_a.is_closed
    assert client_for(cast.leader_a).get(draft.get_absolute_url()).status_code == 200
    assert (
        client_for(cast.leader_a).get(reverse("agreements:edit", args=[draft.uuid])).status_code
        == 403
    )
    for change in ("units:leader", "units:move", "units:close"):
        assert client.get(reverse(change, args=["tirsdalens-skole"])).status_code == 403
    start = reverse("agreements:start", args=["tirsdalens-skole", period.slug])
    assert client_for(cast.leader_a).get(start).status_code == 403
    page = client.get(organisation.unit_a.get_absolute_url()).content.decode()
    assert "Dens aftaler kan stadig læses, men ikke længere ændres." in page
    assert reverse("units:leader", args=["tirsdalens-skole"]) not in page


def test_the_unit_page_shows_administrators_the_changes_and_the_actions(
    client_for, cast, organisation
):
    services.move_unit(
        organisation.unit_a,
        area=organisation.other_area,
        committee=organisation.school_committee,
        by=cast.administrator,
    )
    admin_page = client_for(cast.administrator).get(organisation.unit_a.get_absolute_url())
    body = admin_page.content.decode()
    assert "Enhed flyttet" in body
    assert reverse("organisation:merge", args=["tirsdalens-skole"]) in body
    leader_page = client_for(cast.leader_a).get(organisation.unit_a.get_absolute_url())
    assert "Enhed flyttet" not in leader_page.content.decode()
    assert reverse("units:leader", args=["tirsdalens-skole"]) not in leader_page.content.decode()


# --- Import --------------------------------------------------------------------------------------

HEADER = "Enhed;Type;Område;Udvalg;Arbejdssteder;Leders navn;Leders e-mail"


def upload(*lines: str, name: str = "enheder.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join([HEADER, *lines]).encode("utf-8-sig"))


GOOD = (
    "Børnehuset Solsikken;Dagtilbud;Børn og Skole;Skole- og Uddannelsesudvalget;;Anne Hansen;"
    "anne@randers.dk"
)
BAD = (
    "Vuggestuen Spiren;Dagtilbud;Børn og Skolen;Skole- og Uddannelsesudvalget;;Bo Dam;bo@randers.dk"
)


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        reverse("units:import"), {"file": upload(GOOD, BAD)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Filen har 1 fejl, som er vist nedenfor efter række og kolonne." in body
    assert "Der blev ikke importeret noget" in body
    assert '<th scope="row">3</th><td>Område</td><td>»Børn og Skolen« er ikke et område.' in body
    assert Job.objects.count() == 0
    assert not Unit.objects.filter(name="Børnehuset Solsikken").exists()


def test_a_file_of_the_wrong_kind_is_refused_with_the_limits(client_for, cast, organisation):
    response = client_for(cast.administrator).post(
        reverse("units:import"), {"file": SimpleUploadedFile("enheder.docx", b"PK")}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Upload en Excel-projektmappe (.xlsx) eller en CSV-fil (.csv), ikke .docx." in body
    assert "højst 2 MB og 1000 enheder" in body
    assert 'accept=".xlsx,.csv"' in body


def test_a_valid_file_is_imported_in_the_background_and_the_result_listed(
    client_for, cast, organisation, django_capture_on_commit_callbacks
):
    client = client_for(cast.administrator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("units:import"), {"file": upload(GOOD)})
    job = Job.objects.get()
    assert len(callbacks) == 1  # the message to the worker leaves after commit
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.progress_total, job.params["file_name"]) == (
        Job.Kind.UNIT_IMPORT,
        1,
        "enheder.csv",
    )
    tasks.import_units(job.pk)
    body = client.get(job.get_absolute_url()).content.decode()
    assert "1 enhed oprettet" in body
    assert '<a href="/enheder/boernehuset-solsikken/">Børnehuset Solsikken</a>' in body
    assert "Anne Hansen (anne@randers.dk)" in body


def test_the_templates_download_as_excel_and_csv(client_for, cast, organisation):
    client = client_for(cast.administrator)
    xlsx = client.get(reverse("units:import-template", args=["xlsx"]))
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx["Content-Disposition"] == 'attachment; filename="enheder-skabelon.xlsx"'
    assert xlsx.content == imports.template_xlsx() or xlsx.content[:2] == b"PK"
    csv = client.get(reverse("units:import-template", args=["csv"]))
    assert csv.content.decode("utf-8-sig").startswith("Enhed;Type;Område;Udvalg;Adresse")
    assert client.get(reverse("units:import-template", args=["pdf"])).status_code == 404


# --- Query budgets -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 60])
def test_people_list_query_count_does_not_grow(client_for, cast, django_assert_num_queries, count):
    UserFactory.create_batch(count)
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 count of people, 4 the page of people,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(reverse("units:people")).status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_person_page_query_count_does_not_grow_with_roles_or_changes(
    client_for, cast, organisation, django_assert_num_queries, count
):
    for unit in UnitFactory.create_batch(
        count, area=organisation.area_a, committee=organisation.school_committee
    ):
        services.assign_leader(unit, leader=cast.leader_b, by=cast.administrator)
    client = client_for(cast.administrator)
    url = reverse("units:person", args=[cast.leader_b.uuid])
    # 1 user, 2 the reader's roles, 3 the person, 4 the person's roles, 5 the units
    # they lead, 6 the last link sent, 7 the changes with their people and objects, 8-9 the
    # areas and committees of the role form, 10 the access log's row, 11-13 session renewal
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_committee_page_query_count_does_not_grow_with_members(
    client_for, cast, organisation, django_assert_num_queries, count
):
    for person in UserFactory.create_batch(count):
        services.add_committee_member(
            organisation.school_committee, person=person, role="member", by=cast.administrator
        )
    client = client_for(cast.administrator)
    url = reverse("units:committee", args=[organisation.school_committee.slug])
    # 1 user, 2 the reader's roles, 3 the committee with its unit count,
    # 4 the changes, 5 the members, 6-8 session renewal
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_area_and_council_pages_query_count_does_not_grow(
    client_for, cast, organisation, django_assert_num_queries, count
):
    UnitFactory.create_batch(count, area=organisation.area_a)
    for person in UserFactory.create_batch(count):
        services.add_council_member(organisation.council, person=person, by=cast.administrator)
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3 the area with its director and unit count,
    # 4 the changes, 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(reverse("units:area", args=["boern-og-skole"])).status_code == 200
    # 1 user, 2 the reader's roles, 3 the council, 4 the changes, 5 its members (no session
    # renewal: the request before renewed it)
    with django_assert_num_queries(5):
        assert client.get(reverse("units:council")).status_code == 200


@pytest.mark.parametrize("site_count", [1, 30])
def test_unit_change_pages_query_count_does_not_grow_with_sites(
    client_for, cast, organisation, django_assert_num_queries, site_count
):
    SiteFactory.create_batch(site_count, unit=organisation.unit_a)
    client = client_for(cast.administrator)
    # 1 user, 2 the unit with area, director, committee, leader and successor,
    # 3 its sites, 4 the reader's roles, 5-7 session renewal
    with django_assert_num_queries(7):
        assert client.get(reverse("units:leader", args=["tirsdalens-skole"])).status_code == 200
    # the same 1-4, and no session renewal: the request before renewed it
    with django_assert_num_queries(4):
        assert client.get(reverse("units:close", args=["tirsdalens-skole"])).status_code == 200
    # ... and 5-6 the areas and committees to choose from
    with django_assert_num_queries(6):
        assert client.get(reverse("units:move", args=["tirsdalens-skole"])).status_code == 200


@pytest.mark.parametrize("site_count", [1, 30])
def test_unit_page_for_administrators_query_count_does_not_grow(
    client_for, cast, organisation, django_assert_num_queries, site_count
):
    SiteFactory.create_batch(site_count, unit=organisation.unit_a)
    make_period("2026", 2026)
    client = client_for(cast.administrator)
    # 1 user, 2 unit with area, director, committee, leader and successor, 3 its sites,
    # 4 the reader's roles, 5 the unit's changes, 6 its agreements, 7 the current period,
    # 8-10 session renewal
    with django_assert_num_queries(10):
        assert client.get(organisation.unit_a.get_absolute_url()).status_code == 200


def test_import_page_query_count(client_for, cast, organisation, django_assert_num_queries):
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3-5 session renewal
    with django_assert_num_queries(5):
        assert client.get(reverse("units:import")).status_code == 200


def test_new_person_and_import_template_query_counts(
    client_for, cast, organisation, django_assert_num_queries
):
    client = client_for(cast.administrator)
    # 1 user, 2 the reader's roles, 3-5 session renewal
    with django_assert_num_queries(5):
        assert client.get(reverse("units:person-new")).status_code == 200
    # 1 user, 2 the reader's roles, 3 the first area and 4 committee for the examples,
    # 5-6 all areas and committees for the guidance sheet (no session renewal: the request
    # before renewed it)
    with django_assert_num_queries(6):
        assert client.get(reverse("units:import-template", args=["xlsx"])).status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_import_result_page_query_count_does_not_grow_with_units(
    client_for, cast, django_assert_num_queries, count
):
    job = Job.objects.create(
        kind=Job.Kind.UNIT_IMPORT,
        requested_by=cast.administrator,
        status=Job.Status.DONE,
        result={
            "created_units": [
                {"name": f"Enhed {n}", "url": f"/enheder/enhed-{n}/", "leader": f"Leder {n}"}
                for n in range(count)
            ],
            "invited": [{"name": f"Leder {n}", "email": f"l{n}@randers.dk"} for n in range(count)],
            "existing_leaders": [],
            "skipped": [{"row": n + 2, "name": f"Gammel {n}"} for n in range(count)],
        },
    )
    client = client_for(cast.administrator)
    # 1 user, 2 the job, 3 the reader's roles, 4 the job marked as seen,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        body = client.get(job.get_absolute_url()).content.decode()
    assert f"Enhed {count - 1}" in body


def test_set_password_page_query_count(client, cast, django_assert_num_queries):
    person = services.create_person(
        services.NewPerson("Camilla", "Nørgaard", "cano@randers.dk"), by=cast.administrator
    )
    url = client.get(services.set_password_path(person))["Location"]
    # 1 the person of the link, 2-4 session renewal (the first for the session the link started)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
