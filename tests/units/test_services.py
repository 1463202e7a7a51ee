import re
from datetime import date

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import SiteFactory, UserFactory
from units import permissions, services
from units.imports import ImportRow, SiteData
from units.models import CommitteeMembership, OrganisationChange, Site, Unit, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

Action = OrganisationChange.Action
Role = OrganisationChange.Role


def last_change() -> OrganisationChange:
    return OrganisationChange.objects.order_by("-pk")[0]


# --- Roles: permissions follow at once, and every change is recorded ----------------------------


def test_assigning_a_leader_grants_the_unit_and_the_old_leader_loses_it(cast, organisation):
    unit = organisation.unit_a
    successor = UserFactory.create()
    assert list(permissions.units_led_by(cast.leader_a)) == [unit]

    services.assign_leader(unit, leader=successor, by=cast.administrator)

    assert list(permissions.units_led_by(cast.leader_a)) == []
    assert list(permissions.units_led_by(successor)) == [unit]
    unit.refresh_from_db()
    assert unit.leader == successor


def test_a_change_of_leader_is_recorded_with_both_people(cast, organisation):
    successor = UserFactory.create(first_name="Berit", last_name="Dahl")
    services.assign_leader(organisation.unit_a, leader=successor, by=cast.administrator)
    change = last_change()
    assert (
        change.action,
        change.role,
        change.unit,
        change.person,
        change.previous_person,
        change.actor,
        change.before,
        change.after,
    ) == (
        Action.ROLE_CHANGED,
        Role.LEADER,
        organisation.unit_a,
        successor,
        cast.leader_a,
        cast.administrator,
        "Lars Bach",
        "Berit Dahl",
    )


def test_assigning_the_same_leader_again_records_nothing(cast, organisation):
    before = OrganisationChange.objects.count()
    services.assign_leader(organisation.unit_a, leader=cast.leader_a, by=cast.administrator)
    assert OrganisationChange.objects.count() == before


def test_removing_the_leader_leaves_nobody_with_the_unit(cast, organisation):
    services.assign_leader(organisation.unit_a, leader=None, by=cast.administrator)
    assert list(permissions.units_led_by(cast.leader_a)) == []
    change = last_change()
    assert (change.action, change.previous_person, change.person) == (
        Action.ROLE_REMOVED,
        cast.leader_a,
        None,
    )


def test_assigning_a_director_moves_the_area(cast, organisation):
    services.assign_director(organisation.area_a, director=cast.other_director, by=None)
    assert list(permissions.areas_directed_by(cast.director)) == []
    assert set(permissions.areas_directed_by(cast.other_director)) == {
        organisation.area_a,
        organisation.other_area,
    }
    change = last_change()
    assert (change.role, change.area, change.before, change.after, change.actor) == (
        Role.DIRECTOR,
        organisation.area_a,
        "Hanne Vestergaard",
        "Ole Dam",
        None,
    )


def test_a_chair_who_becomes_member_is_no_longer_chair(cast, organisation):
    committee = organisation.school_committee
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == [committee]
    services.add_committee_member(
        committee, person=cast.committee_chair, role=CommitteeMembership.Role.MEMBER, by=None
    )
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == []
    assert list(permissions.committees_of(cast.committee_chair)) == [committee]
    change = last_change()
    assert (change.action, change.role, change.before_shown, change.after_shown) == (
        Action.ROLE_CHANGED,
        Role.COMMITTEE_MEMBER,
        "Formand",
        "Medlem",
    )


def test_a_new_chair_makes_the_chair_before_an_ordinary_member(cast, organisation):
    committee = organisation.school_committee
    services.add_committee_member(
        committee,
        person=cast.council_member,
        role=CommitteeMembership.Role.CHAIR,
        by=cast.administrator,
    )
    assert list(permissions.committees_chaired_by(cast.council_member)) == [committee]
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == []
    assert list(permissions.committees_of(cast.committee_chair)) == [committee]
    roles = dict(committee.memberships.values_list("person__username", "role"))
    assert roles == {"council_member": "chair", "committee_chair": "member"}
    recorded = list(
        OrganisationChange.objects.filter(actor=cast.administrator)
        .order_by("pk")
        .values_list("person__username", "before", "after")
    )
    assert recorded == [
        ("committee_chair", "chair", "member"),
        ("council_member", "member", "chair"),
    ]


def test_removing_a_committee_member_revokes_the_seat(cast, organisation):
    committee = organisation.school_committee
    services.remove_committee_member(committee, person=cast.council_member, by=None)
    assert list(permissions.committees_of(cast.council_member)) == []
    assert not CommitteeMembership.objects.filter(person=cast.council_member).exists()
    assert (last_change().action, last_change().before) == (Action.ROLE_REMOVED, "member")


def test_council_seat_is_granted_and_revoked(cast, organisation):
    assert permissions.is_council_member(cast.council_member)
    services.remove_council_member(organisation.council, person=cast.council_member, by=None)
    assert not permissions.is_council_member(cast.council_member)
    assert (last_change().action, last_change().role) == (Action.ROLE_REMOVED, Role.COUNCIL_MEMBER)


def test_administrator_role_grants_administration_but_no_roles(cast, organisation):
    admin = cast.administrator
    assert permissions.is_administrator(admin)
    assert admin.is_staff
    # An administrator leads, directs and chairs nothing; signing stays with the roles.
    assert list(permissions.units_led_by(admin)) == []
    assert not admin.has_perm("units.lead_unit", organisation.unit_a)
    services.remove_administrator(admin, by=None)
    admin = type(admin).objects.get(pk=admin.pk)
    assert not permissions.is_administrator(admin)
    assert not admin.is_staff
    assert (last_change().action, last_change().person) == (Action.ROLE_REMOVED, admin)


def test_an_administrator_cannot_remove_their_own_role(cast):
    with pytest.raises(services.OrganisationError):
        services.remove_administrator(cast.administrator, by=cast.administrator)
    assert permissions.is_administrator(
        type(cast.administrator).objects.get(username="administrator")
    )


def test_other_roles_are_not_administrators(cast):
    for name, person in cast.all().items():
        if name != "administrator":
            assert not permissions.is_administrator(person), name


@pytest.mark.parametrize(
    ("role", "target", "check", "action"),
    [
        (
            Role.LEADER,
            "unit_b",
            lambda p, org: list(permissions.units_led_by(p)) == [org.unit_b],
            Action.ROLE_CHANGED,  # leader_b is replaced
        ),
        (
            Role.DIRECTOR,
            "other_area",
            lambda p, org: list(permissions.areas_directed_by(p)) == [org.other_area],
            Action.ROLE_CHANGED,  # other_director is replaced
        ),
        (
            Role.COMMITTEE_MEMBER,
            "technical_committee",
            lambda p, org: list(permissions.committees_of(p)) == [org.technical_committee],
            Action.ROLE_GRANTED,
        ),
        (
            Role.COMMITTEE_CHAIR,
            "technical_committee",
            lambda p, org: list(permissions.committees_chaired_by(p)) == [org.technical_committee],
            Action.ROLE_GRANTED,
        ),
        (
            Role.COUNCIL_MEMBER,
            None,
            lambda p, org: permissions.is_council_member(p),
            Action.ROLE_GRANTED,
        ),
        (
            Role.ADMINISTRATOR,
            None,
            lambda p, org: permissions.is_administrator(p),
            Action.ROLE_GRANTED,
        ),
    ],
)
def test_every_role_is_granted_and_revoked_from_the_persons_page(
    cast, organisation, role, target, check, action
):
    person = UserFactory.create()
    obj = getattr(organisation, target) if target else None
    services.grant_role(person, role=role, target=obj, by=cast.administrator)
    person = User.objects.get(pk=person.pk)
    assert check(person, organisation)
    assert (last_change().action, last_change().role, last_change().person) == (
        action,
        role,
        person,
    )

    if obj is not None:
        obj.refresh_from_db()
    services.revoke_role(person, role=role, target=obj, by=cast.administrator)
    person = User.objects.get(pk=person.pk)
    assert not check(person, organisation)


def test_taking_the_chair_leaves_an_ordinary_member(cast, organisation):
    committee = organisation.school_committee
    services.revoke_role(
        cast.committee_chair, role=Role.COMMITTEE_CHAIR, target=committee, by=cast.administrator
    )
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == []
    assert list(permissions.committees_of(cast.committee_chair)) == [committee]


def test_a_closed_unit_gets_no_new_leader(cast, organisation):
    services.close_unit(organisation.unit_b, by=cast.administrator)
    with pytest.raises(services.OrganisationError):
        services.grant_role(
            cast.leader_a, role=Role.LEADER, target=organisation.unit_b, by=cast.administrator
        )


# --- People and the link to set the password ---------------------------------------------------


def new_person(**fields: str) -> services.NewPerson:
    data = {"first_name": "Camilla", "last_name": "Nørgaard", "email": "CANO@randers.dk"}
    data.update(fields)
    return services.NewPerson(**data)  # type: ignore[arg-type]


def link_path(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/adgangskode/[^\s]+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_a_new_person_has_the_email_as_username_and_no_password(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.create_person(
            new_person(job_title="Dagtilbudsleder"), by=cast.administrator
        )
    assert (person.username, person.email, person.job_title) == (
        "cano@randers.dk",
        "cano@randers.dk",
        "Dagtilbudsleder",
    )
    assert not person.has_usable_password()
    recorded = list(
        OrganisationChange.objects.filter(person=person)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert recorded == [
        (Action.PERSON_CREATED, cast.administrator.pk),
        (Action.INVITATION_SENT, cast.administrator.pk),
    ]


def test_the_invitation_leaves_only_after_commit_in_danish_as_text_and_html(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.create_person(new_person(), by=cast.administrator)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cano@randers.dk"]
    assert message.subject == "Din adgang til Aftalestyring, Randers Kommune"
    assert "Kære Camilla" in message.body
    assert "Mette Holm har givet dig adgang til Aftalestyring" in message.body
    assert "Dit brugernavn er: cano@randers.dk" in message.body
    assert "Linket virker én gang" in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert f'href="http://testserver{link_path(message)}"' in html
    assert '<html lang="da">' in html


def test_the_invitation_is_in_english_for_a_person_who_reads_english(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_person(new_person(language="en"), by=cast.administrator)
    message = mail.outbox[0]
    assert message.subject == "Your access to Aftalestyring, Randers Kommune"
    assert "Dear Camilla" in message.body
    assert "The link works once" in message.body


def test_a_second_person_with_the_same_email_is_refused(cast):
    services.create_person(new_person(), by=cast.administrator)
    with pytest.raises(
        services.OrganisationError,
        match=r"Der findes allerede en person med e-mailen cano@randers\.dk\.",
    ):
        services.create_person(new_person(email="Cano@Randers.dk"), by=cast.administrator)
    assert User.objects.filter(email__iexact="cano@randers.dk").count() == 1


def test_the_database_refuses_two_people_with_one_email(cast):
    UserFactory.create(username="a", email="same@randers.dk")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory.create(username="b", email="SAME@randers.dk")


def test_the_link_sets_the_password_once(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.create_person(new_person(), by=cast.administrator)
    path = link_path(mail.outbox[0])
    form_page = client.get(path, follow=True)
    assert "Vælg en adgangskode" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Solsikke-2027!", "new_password2": "Solsikke-2027!"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Solsikke-2027!")

    # The same link again, from another browser: it has been used.
    client.logout()
    client.cookies.clear()
    again = client.get(path, follow=True)
    assert "Linket virker ikke" in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_the_link_expires(client, cast, django_capture_on_commit_callbacks, settings):
    with time_machine.travel(date(2027, 3, 1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.create_person(new_person(), by=cast.administrator)
        path = link_path(mail.outbox[0])
        assert "4. marts 2027" in mail.outbox[0].body  # 72 hours later
    with time_machine.travel(date(2027, 3, 3), tick=False):
        assert "new_password1" in client.get(path, follow=True).content.decode()
    client.cookies.clear()
    with time_machine.travel(date(2027, 3, 5), tick=False):
        response = client.get(path, follow=True)
    assert "Linket virker ikke" in response.content.decode()


def test_the_link_cannot_be_guessed_or_made_for_someone_else(client, cast):
    person = services.create_person(new_person(), by=cast.administrator)
    token = services.set_password_tokens.make_token(person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    other_uid = urlsafe_base64_encode(force_bytes(cast.leader_a.pk))
    # An HMAC with the secret key: changing one character, using it for someone else, or using
    # Django's password-reset tokens (another salt) does not work.
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    reset_token = default_token_generator.make_token(person)
    assert len(token.split("-")[1]) >= 20
    for candidate_uid, candidate in [
        (uid, tampered),
        (other_uid, token),
        (uid, reset_token),
        (uid, "abc-0123456789abcdef0123"),
    ]:
        client.cookies.clear()
        response = client.get(f"/adgangskode/{candidate_uid}/{candidate}/", follow=True)
        assert "Linket virker ikke" in response.content.decode(), candidate
    assert services.set_password_tokens.check_token(person, token)


def test_sending_again_makes_the_earlier_links_stop_working(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.create_person(new_person(), by=cast.administrator)
    first = services.set_password_tokens.make_token(User.objects.get(pk=person.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(person, by=cast.administrator)
    person = User.objects.get(pk=person.pk)
    assert not services.set_password_tokens.check_token(person, first)
    assert len(mail.outbox) == 2
    assert link_path(mail.outbox[0]) != link_path(mail.outbox[1])


def test_a_person_whose_access_is_closed_gets_no_link(cast):
    person = UserFactory.create(is_active=False)
    with pytest.raises(services.OrganisationError):
        services.send_invitation(person, by=cast.administrator)


# --- Units --------------------------------------------------------------------------------------


def unit_data(organisation, **fields) -> services.UnitData:  # type: ignore[no-untyped-def]
    data = {
        "name": "Børnehuset Solsikken",
        "kind": Unit.Kind.DAYCARE,
        "area": organisation.area_a,
        "committee": organisation.school_committee,
        "sites": [SiteData("Afdeling Vorup", "Vorupvej 12", "8940", "Randers SV")],
    }
    data.update(fields)
    return services.UnitData(**data)


def test_a_new_unit_gets_its_slug_and_sites_and_is_recorded(cast, organisation):
    unit = services.create_unit(unit_data(organisation), by=cast.administrator)
    assert unit.slug == "boernehuset-solsikken"
    assert list(unit.sites.values_list("name", "postal_code")) == [("Afdeling Vorup", "8940")]
    assert (last_change().action, last_change().unit, last_change().after) == (
        Action.UNIT_CREATED,
        unit,
        "Børnehuset Solsikken",
    )


def test_a_unit_with_the_same_name_is_refused(cast, organisation):
    with pytest.raises(services.OrganisationError, match="findes allerede"):
        services.create_unit(unit_data(organisation, name="Tirsdalens  Skole"), by=None)


def test_a_new_leader_is_created_invited_and_given_the_unit(cast, organisation):
    unit = services.create_unit(unit_data(organisation), by=cast.administrator)
    leader = services.appoint_leader(
        unit, choice=services.LeaderChoice(new=new_person()), by=cast.administrator
    )
    assert leader is not None
    assert list(permissions.units_led_by(leader)) == [unit]
    assert unit.leader == leader


def test_moving_a_unit_is_recorded_with_where_it_was_and_where_it_went(cast, organisation):
    unit = organisation.unit_a
    org = organisation
    services.move_unit(
        unit, area=org.other_area, committee=org.technical_committee, by=cast.administrator
    )
    unit.refresh_from_db()
    assert (unit.area, unit.committee) == (org.other_area, org.technical_committee)
    change = last_change()
    assert (change.action, change.before, change.after) == (
        Action.UNIT_MOVED,
        "Børn og Skole · Skole- og Uddannelsesudvalget",
        "Miljø og Teknik · Miljø- og Teknikudvalget",
    )


def test_moving_to_where_the_unit_is_already_is_refused(cast, organisation):
    with pytest.raises(services.OrganisationError):
        services.move_unit(
            organisation.unit_a,
            area=organisation.area_a,
            committee=organisation.school_committee,
            by=None,
        )


def test_closing_a_unit_closes_it_today_once(cast, organisation):
    unit = services.close_unit(organisation.unit_b, by=cast.administrator)
    assert unit.closed_at == date.today()
    assert unit.is_closed
    assert last_change().action == Action.UNIT_CLOSED
    with pytest.raises(services.OrganisationError, match="er lukket"):
        services.close_unit(unit, by=cast.administrator)


def test_merging_moves_the_sites_and_closes_the_merged_unit_with_its_successor(cast, organisation):
    survivor, merged = organisation.unit_a, organisation.unit_b
    SiteFactory.create(unit=merged, name="Afdeling Havndal")
    SiteFactory.create(unit=survivor, name="Afdeling Tirsdal")
    services.merge_units(survivor, merged=[merged], by=cast.administrator)
    merged.refresh_from_db()
    assert (merged.closed_at, merged.successor) == (date.today(), survivor)
    assert sorted(survivor.sites.values_list("name", flat=True)) == [
        "Afdeling Havndal",
        "Afdeling Tirsdal",
    ]
    change = last_change()
    assert (change.action, change.unit, change.other_unit) == (
        Action.UNIT_MERGED,
        merged,
        survivor,
    )


def test_a_merged_unit_without_sites_becomes_a_site_of_the_survivor(cast, organisation):
    merged = organisation.unit_b
    merged.address = "Havndalvej 1, 8970 Havndal"
    merged.save()
    services.merge_units(organisation.unit_a, merged=[merged], by=cast.administrator)
    assert list(Site.objects.filter(unit=organisation.unit_a).values_list("name", "address")) == [
        ("Havndal Skole", "Havndalvej 1, 8970 Havndal")
    ]


def test_a_unit_is_not_merged_into_itself_nor_into_a_closed_one(cast, organisation):
    with pytest.raises(services.OrganisationError):
        services.merge_units(organisation.unit_a, merged=[organisation.unit_a], by=None)
    services.close_unit(organisation.unit_c, by=None)
    with pytest.raises(services.OrganisationError):
        services.merge_units(organisation.unit_c, merged=[organisation.unit_b], by=None)
    organisation.unit_b.refresh_from_db()
    assert organisation.unit_b.closed_at is None


# --- Import ------------------------------------------------------------------------------------


def import_row(organisation, number: int, **fields) -> ImportRow:  # type: ignore[no-untyped-def]
    data = {
        "number": number,
        "name": f"Børnehuset nr. {number}",
        "kind": Unit.Kind.DAYCARE,
        "area_id": organisation.area_a.pk,
        "committee_id": organisation.school_committee.pk,
        "leader_name": f"Leder Nummer{number}",
        "leader_email": f"leder{number}@randers.dk",
        "sites": (SiteData("Afdeling Øst", "Østervej 1", "8900", "Randers C"),),
    }
    data.update(fields)
    return ImportRow(**data)  # type: ignore[arg-type]


def test_importing_creates_units_leaders_and_invitations(
    cast, organisation, django_capture_on_commit_callbacks
):
    rows = [import_row(organisation, n) for n in (2, 3)]
    rows.append(import_row(organisation, 4, leader_email="LEADER_A@randers.dk", leader_name="X"))
    progress: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_units(rows, by=cast.administrator, on_progress=progress.append)
    assert progress == [1, 2, 3]
    assert [u["name"] for u in result.created_units] == [
        "Børnehuset nr. 2",
        "Børnehuset nr. 3",
        "Børnehuset nr. 4",
    ]
    assert result.invited == [
        {"name": "Leder Nummer2", "email": "leder2@randers.dk"},
        {"name": "Leder Nummer3", "email": "leder3@randers.dk"},
    ]
    assert result.existing_leaders == [{"name": "Lars Bach", "email": "leader_a@randers.dk"}]
    assert len(mail.outbox) == 2
    unit = Unit.objects.get(name="Børnehuset nr. 4")
    assert list(permissions.units_led_by(cast.leader_a).order_by("name")) == [
        unit,
        organisation.unit_a,
    ]
    assert Site.objects.filter(unit__name__startswith="Børnehuset").count() == 3


def test_importing_the_same_rows_twice_creates_nothing_twice(cast, organisation):
    rows = [import_row(organisation, n) for n in range(2, 7)]
    services.import_units(rows, by=cast.administrator)
    counts = (Unit.objects.count(), User.objects.count(), Site.objects.count())
    again = services.import_units(rows, by=cast.administrator)
    assert (Unit.objects.count(), User.objects.count(), Site.objects.count()) == counts
    assert again.created_units == []
    assert [row["row"] for row in again.skipped] == [2, 3, 4, 5, 6]


def test_an_existing_unit_in_the_import_is_left_as_it_is(cast, organisation):
    row = import_row(organisation, 2, name="Tirsdalens Skole", leader_email="ny@randers.dk")
    result = services.import_units([row], by=cast.administrator)
    organisation.unit_a.refresh_from_db()
    assert organisation.unit_a.leader == cast.leader_a
    assert result.skipped == [{"row": 2, "name": "Tirsdalens Skole"}]
    assert not User.objects.filter(email="ny@randers.dk").exists()


def test_a_leader_whose_username_is_the_email_is_found_and_reused(cast, organisation):
    person = UserFactory.create(username="jofr@randers.dk", email="")
    row = import_row(organisation, 2, leader_email="JOFR@randers.dk")
    result = services.import_units([row], by=cast.administrator)
    assert result.existing_leaders == [{"name": str(person), "email": ""}]
    assert list(permissions.units_led_by(person)) == [Unit.objects.get(name="Børnehuset nr. 2")]


def test_unit_slug_spells_out_danish_letters():
    assert services.unit_slug("Ålum Skole") == "aalum-skole"
    assert services.unit_slug("Børnehuset Mælkebøtten, Øster Tørslev") == (
        "boernehuset-maelkeboetten-oester-toerslev"
    )
