import pytest

from tests.factories import UserFactory
from units import permissions, services
from units.models import CommitteeMembership

pytestmark = pytest.mark.django_db


def test_assigning_a_leader_grants_the_unit_and_the_old_leader_loses_it(cast, organisation):
    unit = organisation.unit_a
    successor = UserFactory.create()
    assert list(permissions.units_led_by(cast.leader_a)) == [unit]

    services.assign_leader(unit, leader=successor, by=cast.administrator)

    assert list(permissions.units_led_by(cast.leader_a)) == []
    assert list(permissions.units_led_by(successor)) == [unit]
    unit.refresh_from_db()
    assert unit.leader == successor


def test_removing_the_leader_leaves_nobody_with_the_unit(cast, organisation):
    services.assign_leader(organisation.unit_a, leader=None, by=cast.administrator)
    assert list(permissions.units_led_by(cast.leader_a)) == []


def test_assigning_a_director_moves_the_area(cast, organisation):
    services.assign_director(organisation.area_a, director=cast.other_director, by=None)
    assert list(permissions.areas_directed_by(cast.director)) == []
    assert set(permissions.areas_directed_by(cast.other_director)) == {
        organisation.area_a,
        organisation.other_area,
    }


def test_a_chair_who_becomes_member_is_no_longer_chair(cast, organisation):
    committee = organisation.school_committee
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == [committee]
    services.add_committee_member(
        committee, person=cast.committee_chair, role=CommitteeMembership.Role.MEMBER, by=None
    )
    assert list(permissions.committees_chaired_by(cast.committee_chair)) == []
    assert list(permissions.committees_of(cast.committee_chair)) == [committee]


def test_removing_a_committee_member_revokes_the_seat(cast, organisation):
    committee = organisation.school_committee
    services.remove_committee_member(committee, person=cast.council_member, by=None)
    assert list(permissions.committees_of(cast.council_member)) == []
    assert not CommitteeMembership.objects.filter(person=cast.council_member).exists()


def test_council_seat_is_granted_and_revoked(cast, organisation):
    assert permissions.is_council_member(cast.council_member)
    services.remove_council_member(organisation.council, person=cast.council_member, by=None)
    assert not permissions.is_council_member(cast.council_member)


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


def test_other_roles_are_not_administrators(cast):
    for name, person in cast.all().items():
        if name != "administrator":
            assert not permissions.is_administrator(person), name


def test_unit_slug_spells_out_danish_letters():
    assert services.unit_slug("Ålum Skole") == "aalum-skole"
    assert services.unit_slug("Børnehuset Mælkebøtten, Øster Tørslev") == (
        "boernehuset-maelkeboetten-oester-toerslev"
    )
