"""Changes to the organisation; each role change updates the object permissions at once."""

from django.db import transaction
from django.utils.text import slugify

from . import permissions
from .models import Area, Committee, CommitteeMembership, Council, CouncilMembership, Unit, User

_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def unit_slug(name: str) -> str:
    """The unit's address in URLs: `Ålum Skole` becomes `aalum-skole`."""
    return slugify(name.translate(_DANISH_LETTERS))[:200]


@transaction.atomic
def assign_leader(unit: Unit, *, leader: User | None, by: User | None) -> Unit:
    """Make `leader` the unit's leader; the previous leader loses the unit's permissions at once."""
    previous = unit.leader
    if previous is not None and previous != leader:
        permissions.revoke_leadership(previous, unit)
    unit.leader = leader
    unit.full_clean()
    unit.save(update_fields=["leader"])
    if leader is not None:
        permissions.grant_leadership(leader, unit)
    return unit


@transaction.atomic
def assign_director(area: Area, *, director: User | None, by: User | None) -> Area:
    previous = area.director
    if previous is not None and previous != director:
        permissions.revoke_directorship(previous, area)
    area.director = director
    area.full_clean()
    area.save(update_fields=["director"])
    if director is not None:
        permissions.grant_directorship(director, area)
    return area


@transaction.atomic
def add_committee_member(
    committee: Committee, *, person: User, role: str, by: User | None
) -> CommitteeMembership:
    """Seat `person` on the committee (or change their role there)."""
    membership, _created = CommitteeMembership.objects.update_or_create(
        committee=committee, person=person, defaults={"role": role}
    )
    permissions.grant_committee_seat(
        person, committee, chair=role == CommitteeMembership.Role.CHAIR
    )
    return membership


@transaction.atomic
def remove_committee_member(committee: Committee, *, person: User, by: User | None) -> None:
    CommitteeMembership.objects.filter(committee=committee, person=person).delete()
    permissions.revoke_committee_seat(person, committee)


@transaction.atomic
def add_council_member(council: Council, *, person: User, by: User | None) -> CouncilMembership:
    membership, _created = CouncilMembership.objects.get_or_create(council=council, person=person)
    permissions.grant_council_seat(person, council)
    return membership


@transaction.atomic
def remove_council_member(council: Council, *, person: User, by: User | None) -> None:
    CouncilMembership.objects.filter(council=council, person=person).delete()
    permissions.revoke_council_seat(person, council)


@transaction.atomic
def make_administrator(person: User, *, by: User | None) -> User:
    """Administrators manage everything and may use the Django admin."""
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    permissions.grant_administration(person)
    return person


@transaction.atomic
def remove_administrator(person: User, *, by: User | None) -> User:
    person.is_staff = False
    person.save(update_fields=["is_staff"])
    permissions.revoke_administration(person)
    return person
