"""Reading the organisation: the unit directory and each person's responsibilities."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Case, Count, Q, QuerySet, When

from . import permissions
from .models import (
    Area,
    Committee,
    CommitteeMembership,
    Council,
    OrganisationChange,
    Unit,
    User,
    active_units_q,
)


def directory_units(
    *,
    area: Area | None = None,
    committee: Committee | None = None,
    kind: str = "",
    text: str = "",
    include_closed: bool = False,
) -> QuerySet[Unit]:
    """The unit directory, filtered; one query per page whatever the number of units."""
    units = Unit.objects.for_directory().search(text)
    if not include_closed:
        units = units.active()
    if area is not None:
        units = units.filter(area=area)
    if committee is not None:
        units = units.filter(committee=committee)
    if kind:
        units = units.filter(kind=kind)
    return units


def unit_detail(slug: str) -> Unit:
    """A unit with everything its page shows; raises Unit.DoesNotExist."""
    return (
        Unit.objects.select_related("area__director", "committee", "leader", "successor")
        .prefetch_related("sites")
        .get(slug=slug)
    )


def committee_memberships(committee: Committee) -> QuerySet[CommitteeMembership]:
    return committee.memberships.select_related("person").order_by("role", "person__first_name")


@dataclass
class Responsibilities:
    """What a person is responsible for, for the home page greeting."""

    led_units: Sequence[Unit] = field(default_factory=list)
    directed_areas: Sequence[Area] = field(default_factory=list)
    committees: Sequence[Committee] = field(default_factory=list)
    chaired: set[int] = field(default_factory=set)
    council_member: bool = False
    administrator: bool = False
    unit_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.led_units
            or self.directed_areas
            or self.committees
            or self.council_member
            or self.administrator
        )


def responsibilities_of(user: User) -> Responsibilities:
    """The roles of a person and the units each role makes them responsible for."""
    active_count = Count("units", filter=active_units_q("units__"))
    roles = permissions.roles_of(user)  # read once a request: no query for a role not held
    led_units = (
        list(
            Unit.objects.filter(pk__in=roles.led_units)
            .active()
            .select_related("area", "committee")
            .order_by("name")
        )
        if roles.led_units
        else []
    )
    directed_areas = (
        list(
            Area.objects.filter(pk__in=roles.directed_areas).annotate(
                active_unit_count=active_count
            )
        )
        if roles.directed_areas
        else []
    )
    committees = (
        list(
            Committee.objects.filter(pk__in=roles.committees)
            .annotate(active_unit_count=active_count)
            .order_by("name")
        )
        if roles.committees
        else []
    )
    return Responsibilities(
        led_units=led_units,
        directed_areas=directed_areas,
        committees=committees,
        chaired=set(roles.chaired_committees),
        council_member=roles.council_member,
        administrator=roles.administrator,
        unit_count=Unit.objects.active().count() if roles.administrator else 0,
    )


# --- Administration --------------------------------------------------------------------------

CHANGES_SHOWN = 100


def person_with_email(email: str) -> User | None:
    """The person with this work e-mail, or else with it as username (case does not matter)."""
    email = email.strip()
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by(Case(When(email__iexact=email, then=0), default=1), "pk")
        .first()
    )


def people(text: str = "") -> QuerySet[User]:
    """Everyone, alphabetically, searched by name, e-mail or username."""
    found = User.objects.order_by("first_name", "last_name", "username")
    for word in text.split():
        found = found.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    return found


@dataclass
class PersonRoles:
    """A person's roles, with the objects they are about, for the person's page."""

    led_units: Sequence[Unit]
    directed_areas: Sequence[Area]
    committees: Sequence[tuple[Committee, bool]]  # (committee, chairs it)
    council_member: bool
    administrator: bool

    @property
    def is_empty(self) -> bool:
        return not (
            self.led_units
            or self.directed_areas
            or self.committees
            or self.council_member
            or self.administrator
        )


def roles_for_page(person: User) -> PersonRoles:
    """From the grant tables: the roles the person's permissions actually follow from."""
    roles = permissions.roles_of(person)
    committees = (
        list(Committee.objects.filter(pk__in=roles.committees | roles.chaired_committees))
        if roles.committees or roles.chaired_committees
        else []
    )
    return PersonRoles(
        led_units=list(Unit.objects.filter(pk__in=roles.led_units).order_by("name"))
        if roles.led_units
        else [],
        directed_areas=list(Area.objects.filter(pk__in=roles.directed_areas))
        if roles.directed_areas
        else [],
        committees=[(c, c.pk in roles.chaired_committees) for c in committees],
        council_member=roles.council_member,
        administrator=roles.administrator,
    )


def _changes(condition: Q, limit: int = CHANGES_SHOWN) -> list[OrganisationChange]:
    return list(
        OrganisationChange.objects.filter(condition)
        .select_related(
            "actor", "person", "previous_person", "unit", "other_unit", "area", "committee"
        )
        .order_by("-at", "-pk")[:limit]
    )


def recent_changes(count: int = 20) -> list[OrganisationChange]:
    return _changes(Q(), limit=count)


def changes_for_person(person: User) -> list[OrganisationChange]:
    return _changes(Q(person=person) | Q(previous_person=person))


def changes_for_unit(unit: Unit) -> list[OrganisationChange]:
    return _changes(Q(unit=unit) | Q(other_unit=unit))


def changes_for_area(area: Area) -> list[OrganisationChange]:
    return _changes(Q(area=area, role=OrganisationChange.Role.DIRECTOR))


def changes_for_committee(committee: Committee) -> list[OrganisationChange]:
    return _changes(Q(committee=committee) & ~Q(role=""))


def changes_for_council() -> list[OrganisationChange]:
    return _changes(Q(role=OrganisationChange.Role.COUNCIL_MEMBER))


def last_invitation(person: User) -> OrganisationChange | None:
    return (
        OrganisationChange.objects.filter(
            person=person, action=OrganisationChange.Action.INVITATION_SENT
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def area_page(slug: str) -> Area:
    """An area with its director and the number of its open units; raises Area.DoesNotExist."""
    return (
        Area.objects.select_related("director")
        .annotate(active_unit_count=Count("units", filter=active_units_q("units__")))
        .get(slug=slug)
    )


def committee_page(slug: str) -> Committee:
    return Committee.objects.annotate(
        active_unit_count=Count("units", filter=active_units_q("units__"))
    ).get(slug=slug)


def the_council() -> Council | None:
    return Council.objects.order_by("pk").first()


def council_members(council: Council) -> QuerySet[User]:
    return User.objects.filter(council_memberships__council=council).order_by(
        "first_name", "last_name"
    )


def organisation_overview() -> tuple[list[Area], list[Committee]]:
    """The areas with their directors and the committees, each with its number of open units."""
    active_count = Count("units", filter=active_units_q("units__"))
    areas = Area.objects.select_related("director").annotate(active_unit_count=active_count)
    committees = Committee.objects.annotate(active_unit_count=active_count)
    return cast(list[Area], list(areas)), cast(list[Committee], list(committees))
