"""Changes to the organisation and to people's roles.

Each role change updates the object permissions at once (through `units.permissions`) and is
recorded in `OrganisationChange`: who, when, what, before and after. Mail leaves only after the
transaction has committed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import permissions, selectors
from .imports import ImportRow, SiteData, split_name
from .models import (
    Area,
    Committee,
    CommitteeMembership,
    Council,
    CouncilMembership,
    OrganisationChange,
    Site,
    Unit,
    User,
    unit_slug,
)

Action = OrganisationChange.Action
Role = OrganisationChange.Role


class OrganisationError(Exception):
    """A rule of the organisation refused the change; the message is for the person who tried."""


def _record(action: str, *, by: User | None, **fields: object) -> OrganisationChange:
    return OrganisationChange.objects.create(action=action, actor=by, **fields)


def _name(person: User | None) -> str:
    return str(person) if person is not None else ""


# --- People and the link to set the password ----------------------------------------------------


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """One-time links to set one's password. A token is an HMAC (with SECRET_KEY) of the person,
    their password hash and the time: it stops working when the password is set (single use) or
    after PASSWORD_RESET_TIMEOUT (expiring), and cannot be made without the key (unguessable)."""

    key_salt = "units.services.SetPasswordTokenGenerator"


set_password_tokens = SetPasswordTokenGenerator()


def set_password_path(person: User) -> str:
    return reverse(
        "units:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": set_password_tokens.make_token(person),
        },
    )


def _invitation_message(person: User, *, invited_by: User | None) -> EmailMultiAlternatives:
    """The e-mail with the link, in the person's language, as plain text and HTML."""
    expires = timezone.localtime() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    context = {
        "person": person,
        "invited_by": invited_by,
        "link": settings.SITE_URL + set_password_path(person),
        "login_link": settings.SITE_URL + reverse("login"),
        "expires": expires,
        "municipality_name": settings.MUNICIPALITY_NAME,
    }
    with translation.override(person.language):
        subject = _("Your access to Aftalestyring, %(municipality)s") % {
            "municipality": settings.MUNICIPALITY_NAME
        }
        text = render_to_string("units/email/invitation.txt", context)
        html = render_to_string("units/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message


def _send_invitation_after_commit(person_id: int, invited_by_id: int | None) -> None:
    def send() -> None:
        person = User.objects.get(pk=person_id)  # the token needs the committed password hash
        invited_by = User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
        _invitation_message(person, invited_by=invited_by).send()

    transaction.on_commit(send)


@transaction.atomic
def send_invitation(person: User, *, by: User | None) -> User:
    """E-mail the person a one-time link to set their password (again). A person who has not set
    a password yet gets a fresh unusable one first, so that links sent before stop working."""
    if not person.is_active:
        raise OrganisationError(_("The person's access is closed; no link is sent."))
    if not person.email:
        raise OrganisationError(_("The person has no e-mail address to send the link to."))
    if not person.has_usable_password():
        person.set_unusable_password()
        person.save(update_fields=["password"])
    _record(Action.INVITATION_SENT, by=by, person=person, after=person.email)
    _send_invitation_after_commit(person.pk, by.pk if by else None)
    return person


@dataclass(frozen=True)
class NewPerson:
    first_name: str
    last_name: str
    email: str
    job_title: str = ""
    language: str = User.Language.DANISH


@transaction.atomic
def create_person(data: NewPerson, *, by: User | None, invite: bool = True) -> User:
    """A new person with their work e-mail as username and no password: they set it themselves
    through the link in the e-mail they receive."""
    email = data.email.strip().lower()
    if selectors.person_with_email(email) is not None:
        raise OrganisationError(
            _("A person with the e-mail %(email)s exists already.") % {"email": email}
        )
    person = User(
        username=email,
        email=email,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        job_title=data.job_title.strip(),
        language=data.language,
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    _record(Action.PERSON_CREATED, by=by, person=person, after=email)
    if invite:
        send_invitation(person, by=by)
    return person


# --- Roles ---------------------------------------------------------------------------------------


@transaction.atomic
def assign_leader(unit: Unit, *, leader: User | None, by: User | None) -> Unit:
    """Make `leader` the unit's leader; the previous leader loses the unit's permissions at once."""
    locked = Unit.objects.select_for_update(of=("self",)).select_related("leader").get(pk=unit.pk)
    if leader is not None:
        _closed_check(locked)
    previous = locked.leader
    unit.leader = leader
    if previous == leader:
        if leader is not None:
            permissions.grant_leadership(leader, unit)
        return unit
    if previous is not None:
        permissions.revoke_leadership(previous, unit)
    unit.full_clean()
    unit.save(update_fields=["leader"])
    if leader is not None:
        permissions.grant_leadership(leader, unit)
    _record(
        Action.ROLE_CHANGED
        if previous and leader
        else (Action.ROLE_GRANTED if leader else Action.ROLE_REMOVED),
        by=by,
        role=Role.LEADER,
        unit=unit,
        person=leader,
        previous_person=previous,
        before=_name(previous),
        after=_name(leader),
    )
    return unit


@transaction.atomic
def assign_director(area: Area, *, director: User | None, by: User | None) -> Area:
    """Make `director` the area's director; the previous one loses the area at once."""
    previous = (
        Area.objects.select_for_update(of=("self",))
        .select_related("director")
        .get(pk=area.pk)
        .director
    )
    area.director = director
    if previous == director:
        if director is not None:
            permissions.grant_directorship(director, area)
        return area
    if previous is not None:
        permissions.revoke_directorship(previous, area)
    area.full_clean()
    area.save(update_fields=["director"])
    if director is not None:
        permissions.grant_directorship(director, area)
    _record(
        Action.ROLE_CHANGED
        if previous and director
        else (Action.ROLE_GRANTED if director else Action.ROLE_REMOVED),
        by=by,
        role=Role.DIRECTOR,
        area=area,
        person=director,
        previous_person=previous,
        before=_name(previous),
        after=_name(director),
    )
    return area


def _seat_role(role: str) -> str:
    return Role.COMMITTEE_CHAIR if role == CommitteeMembership.Role.CHAIR else Role.COMMITTEE_MEMBER


@transaction.atomic
def add_committee_member(
    committee: Committee, *, person: User, role: str, by: User | None
) -> CommitteeMembership:
    """Seat `person` on the committee (or change their role there). A new chair makes the previous
    chair an ordinary member: a committee has one chair."""
    Committee.objects.select_for_update().filter(pk=committee.pk).first()  # one change at a time
    membership = CommitteeMembership.objects.filter(committee=committee, person=person).first()
    if membership is not None and membership.role == role:
        permissions.grant_committee_seat(
            person, committee, chair=role == CommitteeMembership.Role.CHAIR
        )
        return membership
    if role == CommitteeMembership.Role.CHAIR:
        for chair in CommitteeMembership.objects.filter(
            committee=committee, role=CommitteeMembership.Role.CHAIR
        ).exclude(person=person):
            add_committee_member(
                committee, person=chair.person, role=CommitteeMembership.Role.MEMBER, by=by
            )
    before = membership.role if membership else ""
    membership = membership or CommitteeMembership(committee=committee, person=person)
    membership.role = role
    membership.full_clean()
    membership.save()
    permissions.grant_committee_seat(
        person, committee, chair=role == CommitteeMembership.Role.CHAIR
    )
    _record(
        Action.ROLE_CHANGED if before else Action.ROLE_GRANTED,
        by=by,
        role=_seat_role(role),
        committee=committee,
        person=person,
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def remove_committee_member(committee: Committee, *, person: User, by: User | None) -> None:
    membership = CommitteeMembership.objects.filter(committee=committee, person=person).first()
    permissions.revoke_committee_seat(person, committee)
    if membership is None:
        return
    membership.delete()
    _record(
        Action.ROLE_REMOVED,
        by=by,
        role=_seat_role(membership.role),
        committee=committee,
        person=person,
        before=membership.role,
    )


@transaction.atomic
def add_council_member(council: Council, *, person: User, by: User | None) -> CouncilMembership:
    membership, created = CouncilMembership.objects.get_or_create(council=council, person=person)
    permissions.grant_council_seat(person, council)
    if created:
        _record(Action.ROLE_GRANTED, by=by, role=Role.COUNCIL_MEMBER, person=person)
    return membership


@transaction.atomic
def remove_council_member(council: Council, *, person: User, by: User | None) -> None:
    deleted, _rows = CouncilMembership.objects.filter(council=council, person=person).delete()
    permissions.revoke_council_seat(person, council)
    if deleted:
        _record(Action.ROLE_REMOVED, by=by, role=Role.COUNCIL_MEMBER, person=person)


@transaction.atomic
def make_administrator(person: User, *, by: User | None) -> User:
    """Administrators manage everything and may use the Django admin."""
    was = permissions.is_administrator(person)
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    permissions.grant_administration(person)
    if not was:
        _record(Action.ROLE_GRANTED, by=by, role=Role.ADMINISTRATOR, person=person)
    return person


@transaction.atomic
def remove_administrator(person: User, *, by: User | None) -> User:
    if by is not None and by.pk == person.pk:
        raise OrganisationError(
            _("You cannot remove your own administrator role; ask another administrator.")
        )
    was = permissions.is_administrator(person)
    person.is_staff = False
    person.save(update_fields=["is_staff"])
    permissions.revoke_administration(person)
    if was:
        _record(Action.ROLE_REMOVED, by=by, role=Role.ADMINISTRATOR, person=person)
    return person


def _the_council() -> Council:
    council = Council.objects.order_by("pk").first()
    if council is None:
        raise OrganisationError(_("The municipality has no city council yet."))
    return council


@transaction.atomic
def grant_role(
    person: User, *, role: str, target: Unit | Area | Committee | None, by: User | None
) -> None:
    """Give the person a role (from their page): lead a unit, direct an area, sit on or chair a
    committee, sit on the council, administer. A unit's leader and an area's director are
    replaced; a committee's chair becomes an ordinary member."""
    if role == Role.LEADER:
        assert isinstance(target, Unit)
        assign_leader(target, leader=person, by=by)
    elif role == Role.DIRECTOR:
        assert isinstance(target, Area)
        assign_director(target, director=person, by=by)
    elif role in (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR):
        assert isinstance(target, Committee)
        seat = (
            CommitteeMembership.Role.CHAIR
            if role == Role.COMMITTEE_CHAIR
            else CommitteeMembership.Role.MEMBER
        )
        add_committee_member(target, person=person, role=seat, by=by)
    elif role == Role.COUNCIL_MEMBER:
        add_council_member(_the_council(), person=person, by=by)
    elif role == Role.ADMINISTRATOR:
        make_administrator(person, by=by)
    else:  # pragma: no cover - the forms offer only the roles above
        raise ValueError(role)


@transaction.atomic
def revoke_role(
    person: User, *, role: str, target: Unit | Area | Committee | None, by: User | None
) -> None:
    """Take a role from the person; the permissions that follow from it go at once. Taking the
    chair leaves the person an ordinary member of the committee."""
    if role == Role.LEADER:
        assert isinstance(target, Unit)
        if target.leader_id == person.pk:
            assign_leader(target, leader=None, by=by)
        else:
            permissions.revoke_leadership(person, target)
    elif role == Role.DIRECTOR:
        assert isinstance(target, Area)
        if target.director_id == person.pk:
            assign_director(target, director=None, by=by)
        else:
            permissions.revoke_directorship(person, target)
    elif role == Role.COMMITTEE_CHAIR:
        assert isinstance(target, Committee)
        add_committee_member(target, person=person, role=CommitteeMembership.Role.MEMBER, by=by)
    elif role == Role.COMMITTEE_MEMBER:
        assert isinstance(target, Committee)
        remove_committee_member(target, person=person, by=by)
    elif role == Role.COUNCIL_MEMBER:
        remove_council_member(_the_council(), person=person, by=by)
    elif role == Role.ADMINISTRATOR:
        remove_administrator(person, by=by)
    else:  # pragma: no cover - the forms offer only the roles above
        raise ValueError(role)


@dataclass(frozen=True)
class LeaderChoice:
    """Who is to lead a unit: an existing person, a new person, or nobody for now."""

    existing: User | None = None
    new: NewPerson | None = None


@transaction.atomic
def appoint_leader(unit: Unit, *, choice: LeaderChoice, by: User | None) -> User | None:
    """Give the unit the chosen leader, creating (and inviting) a new person if that is the
    choice."""
    leader = choice.existing
    if choice.new is not None:
        leader = create_person(choice.new, by=by)
    assign_leader(unit, leader=leader, by=by)
    return leader


# --- Units ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitData:
    """The facts of a new unit."""

    name: str
    kind: str
    area: Area
    committee: Committee
    email: str = ""
    phone: str = ""
    address: str = ""
    website: str = ""
    legal_basis: str = ""
    main_task: str = ""
    target_group: str = ""
    self_governing: bool = False
    has_user_board: bool = False
    active_from: date = field(default_factory=date.today)
    sites: Sequence[SiteData] = ()


def _closed_check(*units: Unit) -> None:
    for unit in units:
        if unit.closed_at is not None:
            raise OrganisationError(
                _("%(unit)s is closed; it can no longer be changed.") % {"unit": unit.name}
            )


@transaction.atomic
def create_unit(data: UnitData, *, by: User | None) -> Unit:
    """A new unit with its sites, open from `active_from`."""
    slug = unit_slug(data.name)
    if Unit.objects.filter(slug=slug).exists():
        raise OrganisationError(
            _("A unit with the name %(name)s exists already.") % {"name": data.name}
        )
    unit = Unit(
        slug=slug,
        **{name: getattr(data, name) for name in UnitData.__dataclass_fields__ if name != "sites"},
    )
    unit.full_clean()
    unit.save()
    sites = [
        Site(
            unit=unit,
            name=site.name,
            address=site.address,
            postal_code=site.postal_code,
            city=site.city,
        )
        for site in data.sites
    ]
    for site in sites:
        site.full_clean()
    Site.objects.bulk_create(sites)
    _record(
        Action.UNIT_CREATED,
        by=by,
        unit=unit,
        area=unit.area,
        committee=unit.committee,
        after=unit.name,
    )
    return unit


def _placement(unit: Unit) -> str:
    return f"{unit.area.name} · {unit.committee.name}"


@transaction.atomic
def move_unit(unit: Unit, *, area: Area, committee: Committee, by: User | None) -> Unit:
    """Move the unit to another area and/or committee. Nobody's permissions are stored per unit
    for these: the director of the new area and the members of the new committee reach it at once,
    the old ones no longer do."""
    unit = Unit.objects.select_for_update().select_related("area", "committee").get(pk=unit.pk)
    _closed_check(unit)
    if (unit.area_id, unit.committee_id) == (area.pk, committee.pk):
        raise OrganisationError(_("The unit already belongs to this area and committee."))
    before = _placement(unit)
    unit.area, unit.committee = area, committee
    unit.full_clean()
    unit.save(update_fields=["area", "committee"])
    _record(
        Action.UNIT_MOVED,
        by=by,
        unit=unit,
        area=area,
        committee=committee,
        before=before,
        after=_placement(unit),
    )
    return unit


@transaction.atomic
def close_unit(unit: Unit, *, by: User | None) -> Unit:
    """Close the unit today. Its agreements stay readable and can no longer be changed."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _closed_check(unit)
    unit.closed_at = max(date.today(), unit.active_from)
    unit.full_clean()
    unit.save(update_fields=["closed_at"])
    _record(Action.UNIT_CLOSED, by=by, unit=unit, after=unit.closed_at.isoformat())
    return unit


@transaction.atomic
def merge_units(survivor: Unit, *, merged: Sequence[Unit], by: User | None) -> Unit:
    """Merge units into `survivor`: it takes over their sites (each merged unit without sites of
    its own becomes a site of the survivor, at its address), and they close today with the
    survivor as their successor, so that their pages say where they went."""
    if not merged:
        raise OrganisationError(_("Choose at least one unit to merge."))
    locked = list(
        Unit.objects.select_for_update()
        .filter(pk__in=[survivor.pk, *(unit.pk for unit in merged)])
        .order_by("pk")
    )
    by_pk = {unit.pk: unit for unit in locked}
    survivor = by_pk[survivor.pk]
    others = [by_pk[unit.pk] for unit in merged if unit.pk != survivor.pk]
    if len(others) != len(merged):
        raise OrganisationError(_("A unit cannot be merged into itself."))
    _closed_check(survivor, *others)
    today = date.today()
    with_sites = set(
        Site.objects.filter(unit__in=others).values_list("unit_id", flat=True).distinct()
    )
    Site.objects.filter(unit__in=others).update(unit=survivor)
    Site.objects.bulk_create(
        Site(unit=survivor, name=unit.name[:200], address=unit.address)
        for unit in others
        if unit.pk not in with_sites
    )
    for unit in others:
        unit.closed_at = max(today, unit.active_from)
        unit.successor = survivor
        unit.full_clean()
        unit.save(update_fields=["closed_at", "successor"])
        _record(
            Action.UNIT_MERGED,
            by=by,
            unit=unit,
            other_unit=survivor,
            before=unit.name,
            after=survivor.name,
        )
    return survivor


# --- Bulk import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did, row by row; stored as the job's result."""

    created_units: list[dict[str, str]] = field(default_factory=list)
    invited: list[dict[str, str]] = field(default_factory=list)
    existing_leaders: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "created_units": self.created_units,
            "invited": self.invited,
            "existing_leaders": self.existing_leaders,
            "skipped": self.skipped,
        }


def _import_row(row: ImportRow, result: ImportResult, *, by: User | None) -> None:
    """One row in its own transaction: a unit that exists already (same name) is skipped, a
    leader who exists already (same e-mail) is reused, so that importing twice creates nothing
    twice."""
    try:
        with transaction.atomic():
            if Unit.objects.filter(slug=unit_slug(row.name)).exists():
                result.skipped.append({"row": row.number, "name": row.name})
                return
            unit = create_unit(
                UnitData(
                    name=row.name,
                    kind=row.kind,
                    area=Area.objects.get(pk=row.area_id),
                    committee=Committee.objects.get(pk=row.committee_id),
                    address=row.address,
                    sites=row.sites,
                ),
                by=by,
            )
            leader = selectors.person_with_email(row.leader_email)
            new = leader is None
            if leader is None:
                first_name, last_name = split_name(row.leader_name)
                leader = create_person(
                    NewPerson(first_name=first_name, last_name=last_name, email=row.leader_email),
                    by=by,
                )
            assign_leader(unit, leader=leader, by=by)
    except IntegrityError:
        # Another import created the same unit or person in the meantime: nothing twice.
        result.skipped.append({"row": row.number, "name": row.name})
        return
    person = {"name": str(leader), "email": leader.email}
    if new:
        result.invited.append(person)
    elif person not in result.existing_leaders:
        result.existing_leaders.append(person)
    result.created_units.append(
        {"name": unit.name, "url": unit.get_absolute_url(), "leader": str(leader)}
    )


def import_units(
    rows: Sequence[ImportRow],
    *,
    by: User | None,
    on_progress: Callable[[int], None] = lambda done: None,
) -> ImportResult:
    """Import validated rows; progress is reported after every row."""
    result = ImportResult()
    for done, row in enumerate(rows, start=1):
        _import_row(row, result, by=by)
        on_progress(done)
    return result
