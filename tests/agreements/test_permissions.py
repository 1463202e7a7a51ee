"""A closed unit's agreements are read-only: no action by anyone, in any state."""

import pytest
from django.db import transaction

from agreements import permissions, services
from agreements.models import Agreement
from units import services as unit_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
ACTIONS = {
    "edit": permissions.can_edit,
    "submit": permissions.can_submit,
    "return": permissions.can_return,
    "send": permissions.can_send_to_committee,
    "approve": permissions.can_approve,
    "sign": permissions.can_sign,
    "amend": permissions.can_amend,
    "revoke": permissions.can_revoke,
}
# Who may act in each state while the unit is open (from DESIGN.md), to show the closing matters.
ACTORS = {
    State.DRAFT: ["leader_a", "administrator"],
    State.SUBMITTED: ["director", "administrator"],
    State.IN_DIALOGUE: ["director", "committee_chair", "administrator"],
    State.APPROVED: ["leader_a", "director", "administrator"],
    State.SIGNED: ["leader_a", "director", "administrator"],
}


def allowed(person, agreement) -> set[str]:  # type: ignore[no-untyped-def]
    return {name for name, rule in ACTIONS.items() if rule(person, agreement)}


@pytest.mark.parametrize("state", list(ACTORS))
def test_nobody_acts_on_the_agreement_of_a_closed_unit(cast, organisation, in_state, state):
    agreement = in_state(state)
    for name in ACTORS[state]:
        assert allowed(cast.all()[name], agreement), (state, name)

    unit_services.close_unit(organisation.unit_a, by=cast.administrator)
    agreement = Agreement.objects.select_related("unit", "period").get(pk=agreement.pk)
    for name, person in cast.all().items():
        assert allowed(person, agreement) == set(), (state, name)
    # Those who could read it still can.
    for name in ("leader_a", "director", "administrator"):
        assert permissions.can_view(cast.all()[name], agreement), name


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.DRAFT, lambda a: services.submit_agreement(a, by=None)),
        (State.SUBMITTED, lambda a: services.return_agreement(a, reason="Uddyb.", by=None)),
        (State.SUBMITTED, lambda a: services.send_to_committee(a, by=None)),
        (State.IN_DIALOGUE, lambda a: services.approve_agreement(a, by=None)),
        (State.SIGNED, lambda a: services.amend_agreement(a, by=None)),
        (State.SIGNED, lambda a: services.revoke_agreement(a, reason="Lukket.", by=None)),
    ],
)
def test_even_the_system_cannot_change_a_closed_units_agreement(
    cast, organisation, in_state, state, action
):
    agreement = in_state(state)
    unit_services.close_unit(organisation.unit_a, by=None)
    with pytest.raises(services.AgreementError, match="Enheden er lukket"), transaction.atomic():
        action(agreement)
    agreement.refresh_from_db()
    assert agreement.state == state


def test_a_closed_units_approved_agreement_cannot_be_signed(cast, organisation, in_state):
    agreement = in_state(State.APPROVED)
    unit_services.close_unit(organisation.unit_a, by=None)
    with pytest.raises(services.AgreementError, match="Enheden er lukket"):
        services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
