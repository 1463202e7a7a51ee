"""An agreement period with its template, and agreements of unit A in each state."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from agreements import services
from agreements.models import Agreement, Consultation, FollowUpPoint, Period, TemplateSection
from tests.conftest import Cast, Organisation

SECTIONS = [
    ("Indledning", "Formålet med aftalen, perioden og parterne."),
    ("Aftaleenheden", "Hovedopgave, målgruppe, lovgrundlag og profil."),
    ("Udviklingsmål", "De mål, enheden vil nå, og hvordan de følges op."),
]


def make_period(name: str, year: int) -> Period:
    period = Period.objects.create(
        name=name,
        slug=f"aftaler-{year}",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        draft_due=date(year - 1, 10, 1),
        submit_due=date(year - 1, 11, 1),
        dialogue_starts=date(year - 1, 11, 15),
        dialogue_ends=date(year - 1, 12, 15),
        signing_due=date(year - 1, 12, 20),
    )
    for order, (title, guidance) in enumerate(SECTIONS, start=1):
        TemplateSection.objects.create(period=period, order=order, title=title, guidance=guidance)
    return period


@pytest.fixture
def period(db: None) -> Period:
    return make_period("2027", 2027)


def complete(agreement: Agreement, by=None) -> Agreement:  # type: ignore[no-untyped-def]
    """Fill in everything submitting requires."""
    for section in agreement.sections.all():
        services.update_section(
            section, body=f"Tekst til {section.title}.", expected_revision=section.revision, by=by
        )
    services.add_goal(
        agreement,
        data=services.GoalData(
            title="Flere børn trives i overgangen til skole",
            description="Vi styrker samarbejdet med dagtilbuddene.",
            success_criterion="85 % af forældrene svarer positivt.",
            indicators=[
                services.IndicatorData(
                    name="Andel positive svar", unit_of_measure="%", target=Decimal(85)
                )
            ],
        ),
        by=by,
    )
    services.record_consultation(
        agreement,
        body=Consultation.Body.MED,
        status=Consultation.Status.CONSULTED,
        held_on=date(2026, 10, 1),
        statement="MED-udvalget bakker op.",
        reason="",
        by=by,
    )
    services.record_consultation(
        agreement,
        body=Consultation.Body.USER_BOARD,
        status=Consultation.Status.NOT_APPLICABLE,
        held_on=None,
        statement="",
        reason="Enheden har ingen brugerbestyrelse.",
        by=by,
    )
    return agreement


@pytest.fixture
def draft(organisation: Organisation, cast: Cast, period: Period) -> Agreement:
    """Unit A's draft, empty."""
    return services.create_agreement(organisation.unit_a, period, by=cast.leader_a)


@pytest.fixture
def in_state(organisation: Organisation, cast: Cast, period: Period) -> Callable[[str], Agreement]:
    """Unit A's agreement brought to the given state through the services."""

    def bring(state: str) -> Agreement:
        agreement = complete(services.create_agreement(organisation.unit_a, period, by=None))
        plan: dict[str, list[str]] = {
            Agreement.State.DRAFT: [],
            Agreement.State.SUBMITTED: ["submit"],
            Agreement.State.IN_DIALOGUE: ["submit", "send"],
            Agreement.State.APPROVED: ["submit", "send", "approve"],
            Agreement.State.SIGNED: ["submit", "send", "approve", "sign"],
            Agreement.State.REVOKED: ["revoke"],
        }
        steps = plan[state]
        for step in steps:
            if step == "submit":
                services.submit_agreement(agreement, by=None)
            elif step == "send":
                services.send_to_committee(agreement, by=None)
            elif step == "approve":
                services.approve_agreement(agreement, by=None)
            elif step == "sign":
                services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
                services.sign_agreement(agreement, role="director", by=cast.director)
            elif step == "revoke":
                services.revoke_agreement(agreement, reason="Byrådet har besluttet det.", by=None)
        agreement.refresh_from_db()
        assert agreement.state == state
        return agreement

    return bring


def add_points(period: Period) -> tuple[FollowUpPoint, FollowUpPoint]:
    year = period.starts_on.year
    return (
        FollowUpPoint.objects.create(
            period=period,
            name=f"Midtvejsopfølgning {year}",
            kind=FollowUpPoint.Kind.MID_YEAR,
            due_on=date(year, 6, 15),
        ),
        FollowUpPoint.objects.create(
            period=period,
            name=f"Årsopfølgning {year}",
            kind=FollowUpPoint.Kind.ANNUAL,
            due_on=date(year, 11, 15),
        ),
    )


@pytest.fixture
def points(period: Period) -> tuple[FollowUpPoint, FollowUpPoint]:
    """The period's mid-year and annual follow-up points."""
    return add_points(period)


@pytest.fixture
def signed(in_state: Callable[[str], Agreement], points: object) -> Agreement:
    """Unit A's signed agreement (one goal, one indicator) in a period with follow-up points."""
    return in_state(Agreement.State.SIGNED)


def report_all(report, by=None, status="in_progress", assessment="Det går efter planen."):  # type: ignore[no-untyped-def]
    """Fill in every goal of a draft report and submit it."""
    services.save_follow_up(
        report,
        entries=[
            services.GoalEntry(follow_up_id=row.pk, status=status, assessment=assessment)
            for row in report.goals.all()
        ],
        by=by,
    )
    return services.submit_follow_up(report, by=by)


def sign_for(
    unit,  # type: ignore[no-untyped-def]
    period: Period,
    goals: list[tuple[str, list]],
    *,
    leader,
    director,
) -> Agreement:
    """A signed agreement of the unit with the given goals (title, council goals)."""
    agreement = services.create_agreement(unit, period, by=None)
    for section in agreement.sections.all():
        services.update_section(section, body="Tekst.", expected_revision=section.revision, by=None)
    for title, council_goals in goals:
        services.add_goal(
            agreement,
            data=services.GoalData(
                title=title, success_criterion="Kriterium.", council_goals=council_goals
            ),
            by=None,
        )
    for body in (Consultation.Body.MED, Consultation.Body.USER_BOARD):
        services.record_consultation(
            agreement,
            body=body,
            status=Consultation.Status.NOT_APPLICABLE,
            held_on=None,
            statement="",
            reason="Ikke relevant.",
            by=None,
        )
    services.submit_agreement(agreement, by=None)
    services.send_to_committee(agreement, by=None)
    services.approve_agreement(agreement, by=None)
    services.sign_agreement(agreement, role="unit_leader", by=leader)
    services.sign_agreement(agreement, role="director", by=director)
    agreement.refresh_from_db()
    return agreement


def report(
    agreement: Agreement, point: FollowUpPoint, statuses: dict[str, str], *, submit: bool = True
):  # type: ignore[no-untyped-def]
    """A report on the point with the given status per goal title (submitted unless told)."""
    draft = services.start_follow_up(agreement, point, by=None)
    services.save_follow_up(
        draft,
        entries=[
            services.GoalEntry(row.pk, statuses[row.goal_title], "Vurdering.")
            for row in draft.goals.all()
        ],
        by=None,
    )
    return services.submit_follow_up(draft, by=None) if submit else draft
