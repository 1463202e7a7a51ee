"""Changes that touch the organisation and the agreements together, each one transaction."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from agreements import services as agreement_services
from agreements.models import Agreement, Period
from units import services as unit_services
from units.models import Unit, User

State = Agreement.State


def start_agreement(unit: Unit, period: Period, *, by: User | None) -> Agreement:
    """The unit's draft for the period, from the period's template and the area's common goals."""
    agreement = agreement_services.create_agreement(unit, period, by=by)
    agreement_services.add_common_goals(agreement, by=by)
    return agreement


@dataclass(frozen=True)
class Onboarding:
    unit: unit_services.UnitData
    leader: unit_services.LeaderChoice
    period: Period | None


@transaction.atomic
def onboard_unit(data: Onboarding, *, by: User) -> Unit:
    """Create the unit with its sites, give it its leader (a new person is invited by e-mail once
    everything is saved) and, if chosen, start its agreement for the period."""
    unit = unit_services.create_unit(data.unit, by=by)
    unit_services.appoint_leader(unit, choice=data.leader, by=by)
    if data.period is not None:
        start_agreement(unit, data.period, by=by)
    return unit


class NewAgreement:
    """What a merge did to the survivor's agreement for the period."""

    CREATED = "created"  # it had none: a draft from the template and common goals
    AMENDED = "amended"  # it was signed: a new version is started; the signed one stays in force
    RETURNED = "returned"  # it was with the director or the committee: back to a draft
    DRAFT = "draft"  # it was a draft already
    UNCHANGED = "unchanged"  # approved or revoked: nothing could be done


@dataclass(frozen=True)
class Merge:
    survivor: Unit
    agreement: Agreement | None
    outcome: str


def renew_agreement(
    unit: Unit, period: Period, *, reason: str, by: User | None
) -> tuple[Agreement | None, str]:
    """Make sure the unit has a draft for the period that can take in what has changed."""
    agreement = Agreement.objects.filter(unit=unit, period=period).first()
    if agreement is None:
        return start_agreement(unit, period, by=by), NewAgreement.CREATED
    if agreement.state == State.SIGNED:
        return agreement_services.amend_agreement(agreement, by=by), NewAgreement.AMENDED
    if agreement.state in (State.SUBMITTED, State.IN_DIALOGUE):
        return (
            agreement_services.return_agreement(agreement, reason=reason, by=by),
            NewAgreement.RETURNED,
        )
    if agreement.state == State.DRAFT:
        return agreement, NewAgreement.DRAFT
    return agreement, NewAgreement.UNCHANGED


@transaction.atomic
def merge_unit(unit: Unit, *, survivor: Unit, period: Period | None, by: User) -> Merge:
    """Merge `unit` into `survivor`: the survivor takes over its sites, the unit closes today
    with the survivor as successor (its agreements stay readable), and the survivor gets a new
    agreement for the period."""
    unit_services.merge_units(survivor, merged=[unit], by=by)
    if period is None:
        return Merge(survivor=survivor, agreement=None, outcome=NewAgreement.UNCHANGED)
    agreement, outcome = renew_agreement(
        survivor,
        period,
        reason=_("%(unit)s is merged into %(survivor)s; the agreement must cover both.")
        % {"unit": unit.name, "survivor": survivor.name},
        by=by,
    )
    return Merge(survivor=survivor, agreement=agreement, outcome=outcome)
