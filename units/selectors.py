"""Reading the organisation: the unit directory and each person's responsibilities."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from . import permissions
from .models import Area, Committee, CommitteeMembership, Unit, User, active_units_q


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
    led_units = list(
        permissions.units_led_by(user).active().select_related("area", "committee").order_by("name")
    )
    directed_areas = list(
        permissions.areas_directed_by(user).annotate(active_unit_count=active_count)
    )
    committees = list(permissions.committees_of(user).annotate(active_unit_count=active_count))
    administrator = permissions.is_administrator(user)
    return Responsibilities(
        led_units=led_units,
        directed_areas=directed_areas,
        committees=committees,
        chaired=set(permissions.committees_chaired_by(user).values_list("pk", flat=True))
        if committees
        else set(),
        council_member=permissions.is_council_member(user),
        administrator=administrator,
        unit_count=Unit.objects.active().count() if administrator else 0,
    )
