"""What a role lets a person see and do, derived from the permission rules themselves.

For each role a person holds, the rules of `agreements.permissions` are asked about an agreement
of a unit the role reaches, in each state of the lifecycle, by a stand-in who holds that one role
and nothing else. What the page shows is therefore exactly what the rules grant, and which role
grants it; nothing is written per person or per role by hand.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements import permissions as rules
from agreements.models import Agreement, Period, SignerRole, default_signers
from units import permissions as unit_permissions
from units.models import Area, Committee, Unit, User
from units.permissions import Roles

State = Agreement.State
STATES = [State.DRAFT, State.SUBMITTED, State.IN_DIALOGUE, State.APPROVED, State.SIGNED]

Check = Callable[[User, Agreement], bool]

# (what, the rule), in the order of the lifecycle.
CHECKS: list[tuple[str, Check]] = [
    ("read", rules.can_view),
    ("edit", rules.can_edit),
    ("return", rules.can_return),
    ("send", rules.can_send_to_committee),
    ("approve", rules.can_approve),
    ("sign", rules.can_sign),
    ("amend", rules.can_amend),
    ("revoke", rules.can_revoke),
    ("history", rules.can_view_history),
]


def _labels() -> dict[str, str]:
    return {
        "read": _("Read the agreement"),
        "edit": _("Edit the draft and submit it"),
        "return": _("Return it to the leader"),
        "send": _("Send it to the committee"),
        "approve": _("Record the committee's approval of it"),
        "sign": _("Sign it"),
        "amend": _("Start a new version of the signed agreement"),
        "revoke": _("Revoke it"),
        "history": _("See its history and compare versions"),
        "start": _("Start the unit's agreement for a period"),
        "administer": _("Onboard, change, merge and close units; give and remove roles"),
    }


@dataclass(frozen=True)
class Ability:
    key: str
    label: str
    states: list[str]  # the labels of the states in which it is allowed
    everywhere: bool  # allowed in every state (or not tied to one)

    @property
    def allowed(self) -> bool:
        return bool(self.states) or self.everywhere


@dataclass
class Grant:
    """One role and what it grants."""

    role: str  # what the role is, e.g. "Leader of Tirsdalens Skole"
    holders: str = ""  # who holds it (on a unit's page)
    scope: str = ""  # which units it reaches
    url: str = ""
    abilities: list[Ability] = field(default_factory=list)
    signs_as: str = ""

    def ability(self, key: str) -> Ability | None:
        return next((a for a in self.abilities if a.key == key), None)


def _probe(roles: Roles) -> User:
    """A stand-in who holds exactly `roles`; the rules read nothing else of the person."""
    probe = User(username="probe")
    probe._roles = roles  # type: ignore[attr-defined]
    return probe


def _example(unit: Unit, period: Period, state: str) -> Agreement:
    """An agreement of `unit` in `state`, in memory only, for asking the rules."""
    signed = state == State.SIGNED
    agreement = Agreement(
        unit=unit,
        period=period,
        state=state,
        submitted_at=None if state == State.DRAFT else timezone.now(),
    )
    agreement.signed_version_id = 0 if signed else None
    return agreement


def _period() -> Period:
    """The period whose required signers apply: the one being prepared or in force."""
    periods = Period.objects.relevant()
    if periods:
        return periods[0]
    return Period(name="", required_signers=default_signers())


def abilities_of(roles: Roles, unit: Unit, period: Period) -> tuple[list[Ability], str]:
    """What `roles` allow with an agreement of `unit`, state by state, and in which roles they
    sign."""
    probe = _probe(roles)
    examples = {state: _example(unit, period, state) for state in STATES}
    labels = _labels()
    state_labels = dict(Agreement.State.choices)
    abilities = []
    for key, check in CHECKS:
        allowed = [state for state in STATES if check(probe, examples[state])]
        abilities.append(
            Ability(
                key,
                labels[key],
                [str(state_labels[state]) for state in allowed],
                everywhere=len(allowed) == len(STATES),
            )
        )
    start = rules.can_start_agreement(probe, unit.pk) and not unit.is_closed
    abilities.append(Ability("start", labels["start"], [], everywhere=start))
    signs_as = ", ".join(
        str(SignerRole(role).label) for role in rules.signer_roles(probe, examples[State.APPROVED])
    )
    return abilities, signs_as


def _administer(roles: Roles) -> Ability:
    return Ability("administer", _labels()["administer"], [], everywhere=roles.administrator)


def _stand_in_unit(*, area_id: int = 0, committee_id: int = 0) -> Unit:
    """Any open unit of an area or committee (or of the municipality), for asking the rules."""
    return Unit(pk=0, area_id=area_id, committee_id=committee_id, active_from=date.today())


@dataclass
class Access:
    person: User
    grants: list[Grant]
    visible_agreements: int


def _unit_counts(areas: Sequence[int], committees: Sequence[int]) -> dict[str, int]:
    """Open units in all, per area and per committee, in one query."""
    counts = {"all": Count("pk")}
    counts.update({f"area_{pk}": Count("pk", filter=Q(area_id=pk)) for pk in areas})
    counts.update({f"committee_{pk}": Count("pk", filter=Q(committee_id=pk)) for pk in committees})
    return Unit.objects.active().aggregate(**counts)


def access_of(person: User) -> Access:
    """Every role the person holds, with what it grants and how far it reaches (a fixed number
    of queries, whatever the number of roles)."""
    roles = unit_permissions.roles_of(person)
    period = _period()
    led = list(Unit.objects.filter(pk__in=roles.led_units).order_by("name"))
    areas = list(Area.objects.filter(pk__in=roles.directed_areas).order_by("name"))
    committees = list(
        Committee.objects.filter(pk__in=roles.committees | roles.chaired_committees).order_by(
            "name"
        )
    )
    counts = _unit_counts([a.pk for a in areas], [c.pk for c in committees])

    def units(count: int) -> str:
        return ngettext("%(count)s open unit", "%(count)s open units", count) % {"count": count}

    grants = []
    if roles.administrator:
        abilities, signs_as = abilities_of(Roles(administrator=True), _stand_in_unit(), period)
        grants.append(
            Grant(
                role=_("Administrator"),
                scope=_("All units: %(units)s") % {"units": units(counts["all"])},
                abilities=[*abilities, _administer(roles)],
                signs_as=signs_as,
            )
        )
    for unit in led:
        abilities, signs_as = abilities_of(Roles(led_units=frozenset({unit.pk})), unit, period)
        grants.append(
            Grant(
                role=_("Leader of %(unit)s") % {"unit": unit.name},
                scope=unit.name + (f" ({_('closed')})" if unit.is_closed else ""),
                url=unit.get_absolute_url(),
                abilities=abilities,
                signs_as=signs_as,
            )
        )
    for area in areas:
        abilities, signs_as = abilities_of(
            Roles(directed_areas=frozenset({area.pk})), _stand_in_unit(area_id=area.pk), period
        )
        grants.append(
            Grant(
                role=_("Director of %(area)s") % {"area": area.name},
                scope=_("The units of %(area)s: %(units)s")
                % {"area": area.name, "units": units(counts[f"area_{area.pk}"])},
                abilities=abilities,
                signs_as=signs_as,
            )
        )
    for committee in committees:
        chair = committee.pk in roles.chaired_committees
        seat = frozenset({committee.pk})
        abilities, signs_as = abilities_of(
            Roles(committees=seat, chaired_committees=seat if chair else frozenset()),
            _stand_in_unit(committee_id=committee.pk),
            period,
        )
        grants.append(
            Grant(
                role=(_("Chair of %(committee)s") if chair else _("Member of %(committee)s"))
                % {"committee": committee.name},
                scope=_("The units of %(committee)s: %(units)s")
                % {
                    "committee": committee.name,
                    "units": units(counts[f"committee_{committee.pk}"]),
                },
                abilities=abilities,
                signs_as=signs_as,
            )
        )
    if roles.council_member:
        abilities, signs_as = abilities_of(Roles(council_member=True), _stand_in_unit(), period)
        grants.append(
            Grant(
                role=_("Member of the city council"),
                scope=_("All units: %(units)s") % {"units": units(counts["all"])},
                abilities=abilities,
                signs_as=signs_as,
            )
        )
    visible = rules.agreements_visible_to(person).count()
    return Access(person=person, grants=grants, visible_agreements=visible)


def _people(count: int) -> str:
    return ngettext("%(count)s person", "%(count)s people", count) % {"count": count}


def _names(people: Sequence[User]) -> str:
    return ", ".join(str(person) for person in people) or "–"


def access_to_unit(unit: Unit) -> list[Grant]:
    """Who may do what with the unit's agreements: each role that reaches the unit, its holders,
    and what it grants."""
    holders = unit_permissions.holders_for_unit(unit)
    period = _period()
    groups = [
        (_("Leader"), _names(holders.leaders), Roles(led_units=frozenset({unit.pk}))),
        (
            _("Director of %(area)s") % {"area": unit.area.name},
            _names(holders.directors),
            Roles(directed_areas=frozenset({unit.area_id})),
        ),
        (
            _("Chair of %(committee)s") % {"committee": unit.committee.name},
            _names(holders.committee_chairs),
            Roles(
                committees=frozenset({unit.committee_id}),
                chaired_committees=frozenset({unit.committee_id}),
            ),
        ),
        (
            _("Members of %(committee)s") % {"committee": unit.committee.name},
            _names(holders.committee_members),
            Roles(committees=frozenset({unit.committee_id})),
        ),
        (
            _("Members of the city council"),
            _people(holders.council_member_count),
            Roles(council_member=True),
        ),
        (
            _("Administrators"),
            _people(holders.administrator_count),
            Roles(administrator=True),
        ),
    ]
    grants = []
    for role, names, roles in groups:
        abilities, signs_as = abilities_of(roles, unit, period)
        grants.append(Grant(role=role, holders=names, abilities=abilities, signs_as=signs_as))
    return grants


def ability_rows(grants: Sequence[Grant]) -> list[tuple[str, list[Ability | None]]]:
    """The abilities as rows (what) by columns (the grants), for one table."""
    if not grants:
        return []
    keys = [key for key, _check in CHECKS] + ["start"]
    if any(grant.ability("administer") for grant in grants):
        keys.append("administer")
    labels = _labels()
    return [(labels[key], [grant.ability(key) for grant in grants]) for key in keys]
