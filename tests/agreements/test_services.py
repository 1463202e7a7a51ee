from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from agreements import selectors, services
from agreements.models import Agreement, AgreementVersion, Edit, Signature, StateChange
from goals.models import Goal, IndicatorDefinition

from .conftest import complete, make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
EVERYONE = [
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
    "administrator",
]


def allowed(action, agreement, person) -> bool:  # type: ignore[no-untyped-def]
    """Run the action as the person; True if it went through, False if refused for lack of right."""
    try:
        with transaction.atomic():
            action(agreement, person)
    except PermissionDenied:
        return False
    return True


TRANSITIONS = {
    # action, starting state, the people allowed (everyone else is refused)
    "submit": (
        lambda a, p: services.submit_agreement(a, by=p),
        State.DRAFT,
        {"leader_a", "administrator"},
    ),
    "return": (
        lambda a, p: services.return_agreement(a, reason="Uddyb målene.", by=p),
        State.SUBMITTED,
        {"director", "administrator"},
    ),
    "send to committee": (
        lambda a, p: services.send_to_committee(a, by=p),
        State.SUBMITTED,
        {"director", "administrator"},
    ),
    "approve": (
        lambda a, p: services.approve_agreement(a, by=p),
        State.IN_DIALOGUE,
        {"director", "committee_chair", "administrator"},
    ),
    "amend": (
        lambda a, p: services.amend_agreement(a, by=p),
        State.SIGNED,
        {"leader_a", "administrator"},
    ),
    "revoke": (
        lambda a, p: services.revoke_agreement(a, reason="Byrådets beslutning.", by=p),
        State.APPROVED,
        {"director", "administrator"},
    ),
}


@pytest.mark.parametrize("transition", TRANSITIONS)
@pytest.mark.parametrize("person", EVERYONE)
def test_transition_is_allowed_exactly_for_the_right_roles(in_state, cast, transition, person):
    action, state, allowed_people = TRANSITIONS[transition]
    agreement = in_state(state)
    assert allowed(action, agreement, cast.all()[person]) == (person in allowed_people)


@pytest.mark.parametrize("person", EVERYONE)
def test_signing_is_for_the_unit_leader_and_the_director_only(in_state, cast, person):
    agreement = in_state(State.APPROVED)
    user = cast.all()[person]
    roles = {"leader_a": "unit_leader", "director": "director"}
    role = roles.get(person, "unit_leader")
    assert allowed(lambda a, p: services.sign_agreement(a, role=role, by=p), agreement, user) == (
        person in roles
    )


def test_transitions_are_recorded_with_actor_states_and_reason(in_state, cast):
    agreement = in_state(State.SUBMITTED)
    services.return_agreement(agreement, reason="Målene skal være målbare.", by=cast.director)
    change = StateChange.objects.filter(agreement=agreement).latest("at")
    assert (change.actor, change.from_state, change.to_state, change.reason) == (
        cast.director,
        State.SUBMITTED,
        State.DRAFT,
        "Målene skal være målbare.",
    )


def test_return_requires_a_written_reason(in_state, cast):
    agreement = in_state(State.SUBMITTED)
    with pytest.raises(services.AgreementError, match="Skriv begrundelsen"):
        services.return_agreement(agreement, reason="   ", by=cast.director)
    agreement.refresh_from_db()
    assert agreement.state == State.SUBMITTED


def test_transition_from_the_wrong_state_is_refused(in_state, cast):
    agreement = in_state(State.DRAFT)
    with pytest.raises(services.AgreementError):
        services.send_to_committee(agreement, by=cast.director)
    agreement.refresh_from_db()
    assert agreement.state == State.DRAFT


# --- Submitting ------------------------------------------------------------------------------


def test_an_empty_draft_names_every_missing_piece_in_danish(draft, cast):
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_agreement(draft, by=cast.leader_a)
    messages = [problem.message for problem in refused.value.problems]
    assert messages == [
        "Afsnittet »Indledning« er tomt.",
        "Afsnittet »Aftaleenheden« er tomt.",
        "Afsnittet »Udviklingsmål« er tomt.",
        "Aftalen skal have mindst ét mål.",
        "Registrér, hvordan MED-udvalget blev inddraget, eller hvorfor det ikke var relevant.",
        "Registrér, hvordan brugerbestyrelsen blev inddraget, eller hvorfor det ikke var relevant.",
    ]
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert not AgreementVersion.objects.filter(agreement=draft).exists()


def test_a_goal_without_success_criterion_keeps_the_agreement_from_submission(draft, cast):
    complete(draft)
    services.add_goal(draft, data=services.GoalData(title="Mere motion"), by=cast.leader_a)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_agreement(draft, by=cast.leader_a)
    assert [p.message for p in refused.value.problems] == [
        "Målet »Mere motion« mangler et succeskriterium."
    ]


def test_submitting_freezes_a_version_with_the_hash_of_its_content(draft, cast):
    complete(draft)
    services.submit_agreement(draft, by=cast.leader_a)
    draft.refresh_from_db()
    version = AgreementVersion.objects.get(agreement=draft)
    assert draft.state == State.SUBMITTED
    assert version.number == 1
    assert version.hash_matches()
    assert version.content["sections"][0] == {
        "title": "Indledning",
        "body": "Tekst til Indledning.",
    }
    assert version.content["goals"][0]["success_criterion"] == "85 % af forældrene svarer positivt."


# --- Editing ---------------------------------------------------------------------------------


def test_edits_are_attributed_and_kept_with_before_and_after(draft, cast):
    section = draft.sections.get(title="Indledning")
    services.update_section(section, body="Første udgave.", expected_revision=1, by=cast.leader_a)
    services.update_section(section, body="Anden udgave.", expected_revision=2, by=cast.leader_a)
    edit = Edit.objects.filter(agreement=draft, target="Indledning").order_by("-pk")[0]
    assert (edit.actor, edit.before, edit.after) == (
        cast.leader_a,
        "Første udgave.",
        "Anden udgave.",
    )


def test_a_stale_edit_is_refused_and_changes_nothing(draft, cast):
    section = draft.sections.get(title="Indledning")
    services.update_section(section, body="Lederens tekst.", expected_revision=1, by=cast.leader_a)
    with pytest.raises(services.EditConflict) as conflict:
        services.update_section(
            section, body="Administratorens tekst.", expected_revision=1, by=cast.administrator
        )
    assert conflict.value.current == "Lederens tekst."
    assert conflict.value.updated_by == cast.leader_a
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Lederens tekst.", 2)


def test_a_stale_goal_edit_is_refused(draft, cast):
    goal = services.add_goal(draft, data=services.GoalData(title="Mål"), by=cast.leader_a)
    services.update_goal(
        goal, data=services.GoalData(title="Mål, første"), expected_revision=1, by=cast.leader_a
    )
    with pytest.raises(services.EditConflict):
        services.update_goal(
            goal,
            data=services.GoalData(title="Mål, anden"),
            expected_revision=1,
            by=cast.administrator,
        )
    goal.refresh_from_db()
    assert goal.title == "Mål, første"


def test_only_a_draft_can_be_edited(in_state, cast):
    agreement = in_state(State.SUBMITTED)
    section = agreement.sections.first()
    with pytest.raises(PermissionDenied):
        services.update_section(
            section, body="x", expected_revision=section.revision, by=cast.leader_a
        )
    with pytest.raises(services.AgreementError):
        services.update_section(section, body="x", expected_revision=section.revision, by=None)


def test_goals_are_reordered_and_removed_without_gaps(draft, cast):
    titles = ["A", "B", "C"]
    goals = [
        services.add_goal(draft, data=services.GoalData(title=t), by=cast.leader_a) for t in titles
    ]
    services.move_goal(goals[2], offset=-1, by=cast.leader_a)
    assert list(draft.goals.order_by("order").values_list("title", flat=True)) == ["A", "C", "B"]
    services.remove_goal(goals[0], by=cast.leader_a)
    assert list(draft.goals.order_by("order").values_list("title", "order")) == [("C", 1), ("B", 2)]


def test_indicators_are_updated_in_place(draft, cast):
    goal = services.add_goal(
        draft,
        data=services.GoalData(title="Mål", indicators=[services.IndicatorData(name="Fravær")]),
        by=cast.leader_a,
    )
    indicator = goal.indicators.get()
    services.update_goal(
        goal,
        data=services.GoalData(
            title="Mål",
            indicators=[
                services.IndicatorData(id=indicator.pk, name="Fravær i procent", target=Decimal(5))
            ],
        ),
        expected_revision=1,
        by=cast.leader_a,
    )
    assert list(goal.indicators.values_list("pk", "name")) == [(indicator.pk, "Fravær i procent")]


# --- Signing and immutability ----------------------------------------------------------------


def test_the_last_required_signature_makes_the_agreement_signed_and_public(in_state, cast):
    agreement = in_state(State.APPROVED)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    agreement.refresh_from_db()
    assert agreement.state == State.APPROVED
    assert not agreement.is_public
    services.sign_agreement(agreement, role="director", by=cast.director)
    agreement.refresh_from_db()
    assert agreement.state == State.SIGNED
    assert agreement.is_public
    signatures = list(
        Signature.objects.filter(version=agreement.signed_version).order_by("signed_at")
    )
    assert [(s.signer, s.role) for s in signatures] == [
        (cast.leader_a, "unit_leader"),
        (cast.director, "director"),
    ]
    assert all(s.content_hash == agreement.signed_version.content_hash for s in signatures)


def test_nobody_signs_twice_in_the_same_role(in_state, cast):
    agreement = in_state(State.APPROVED)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    with pytest.raises(services.AgreementError):
        services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)


def test_a_raw_sql_update_of_a_frozen_version_fails(in_state):
    version = in_state(State.SIGNED).signed_version
    with (
        pytest.raises(IntegrityError, match="not allowed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE agreements_agreementversion SET content_text = 'x' WHERE id = %s", [version.pk]
        )
    version.refresh_from_db()
    assert version.hash_matches()


def test_a_raw_sql_delete_of_a_frozen_version_fails(in_state):
    version = in_state(State.SIGNED).signed_version
    with (
        pytest.raises(IntegrityError, match="not allowed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM agreements_agreementversion WHERE id = %s", [version.pk])
    assert AgreementVersion.objects.filter(pk=version.pk).exists()


def test_raw_sql_update_and_delete_of_a_signature_fail(in_state):
    signature = Signature.objects.filter(version=in_state(State.SIGNED).signed_version)[0]
    for statement in (
        "UPDATE agreements_signature SET signer_name = 'Forfalsket' WHERE id = %s",
        "DELETE FROM agreements_signature WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="not allowed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [signature.pk])
    signature.refresh_from_db()
    assert signature.signer_name == "Lars Bach"


def test_the_orm_cannot_change_a_frozen_version_either(in_state):
    version = in_state(State.SIGNED).signed_version
    version.content_text = version.content_text.replace("Tekst", "Tekst!")
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


def test_one_changed_character_is_detected_by_the_hash(in_state):
    version = in_state(State.SIGNED).signed_version
    assert version.hash_matches()
    # What a database superuser could still do by switching the guard off for a session:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "UPDATE agreements_agreementversion SET content_text = "
            "replace(content_text, 'Tekst til Indledning.', 'Tekst til Indledning!') WHERE id = %s",
            [version.pk],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    version.refresh_from_db()
    assert "Tekst til Indledning!" in version.content_text
    assert not version.hash_matches()


# --- Amending, revoking, rolling over --------------------------------------------------------


def test_an_amendment_keeps_the_signed_version_in_force_until_the_new_one_is_signed(in_state, cast):
    agreement = in_state(State.SIGNED)
    first = agreement.signed_version
    services.amend_agreement(agreement, by=cast.leader_a)
    agreement.refresh_from_db()
    assert (agreement.state, agreement.signed_version) == (State.DRAFT, first)
    section = agreement.sections.first()
    services.update_section(
        section, body="Ny tekst.", expected_revision=section.revision, by=cast.leader_a
    )
    for step in (services.submit_agreement, services.send_to_committee, services.approve_agreement):
        step(agreement, by=None)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    services.sign_agreement(agreement, role="director", by=cast.director)
    agreement.refresh_from_db()
    assert agreement.signed_version.number == 2
    assert agreement.signed_version.content["sections"][0]["body"] == "Ny tekst."
    first.refresh_from_db()
    assert first.hash_matches()


def test_revoking_works_from_any_state_with_a_reason(in_state, cast):
    agreement = in_state(State.SIGNED)
    services.revoke_agreement(agreement, reason="Enheden nedlægges.", by=cast.administrator)
    agreement.refresh_from_db()
    assert agreement.state == State.REVOKED
    assert agreement.signed_version is not None  # the signed document stays public and readable


def test_rollover_copies_the_texts_and_the_kept_goals(in_state, cast, organisation):
    signed = in_state(State.SIGNED)
    goal = signed.goals.get()
    next_period = make_period("2028", 2028)
    new = services.create_agreement(
        organisation.unit_a, next_period, by=cast.leader_a, rollover=signed, keep_goals=[goal]
    )
    assert new.source == Agreement.Source.ROLLOVER
    assert list(new.sections.values_list("body", flat=True)) == [
        "Tekst til Indledning.",
        "Tekst til Aftaleenheden.",
        "Tekst til Udviklingsmål.",
    ]
    copied = new.goals.get()
    assert (copied.title, copied.carried_from) == (goal.title, goal)
    assert list(copied.indicators.values_list("name", flat=True)) == ["Andel positive svar"]


def test_rollover_can_drop_goals(in_state, cast, organisation):
    signed = in_state(State.SIGNED)
    new = services.create_agreement(
        organisation.unit_a,
        make_period("2028", 2028),
        by=cast.leader_a,
        rollover=signed,
        keep_goals=[],
    )
    assert not Goal.objects.filter(agreement=new).exists()


def test_only_the_units_leader_or_an_administrator_starts_its_agreement(organisation, cast, period):
    with pytest.raises(PermissionDenied):
        services.create_agreement(organisation.unit_a, period, by=cast.leader_b)
    with pytest.raises(PermissionDenied):
        services.create_agreement(organisation.unit_a, period, by=cast.director)
    assert services.create_agreement(organisation.unit_a, period, by=cast.administrator)


def test_a_closed_unit_gets_no_new_agreement(organisation, cast, period):
    organisation.unit_a.closed_at = date(2020, 6, 1)
    organisation.unit_a.save()
    with pytest.raises(services.AgreementError):
        services.create_agreement(organisation.unit_a, period, by=cast.administrator)


def test_content_is_frozen_in_danish_whatever_the_signers_language(draft, cast):
    cast.leader_a.language = "en"
    complete(draft)
    from django.utils import translation

    with translation.override("en"):
        content = selectors.working_content(draft)
    assert content["unit"]["kind"] == "Skole"
    assert content["consultations"][0]["body"] == "MED-udvalg"


def test_a_rolled_over_goal_keeps_its_library_indicator(in_state, organisation, cast):
    signed = in_state(Agreement.State.SIGNED)
    definition = IndicatorDefinition.objects.create(name="Andel positive svar", unit_of_measure="%")
    signed.goals.get().indicators.update(definition=definition)
    next_period = make_period("2028", 2028)
    new = services.create_agreement(
        organisation.unit_a,
        next_period,
        by=cast.leader_a,
        rollover=signed,
        keep_goals=list(signed.goals.all()),
    )
    assert new.goals.get().indicators.get().definition == definition
