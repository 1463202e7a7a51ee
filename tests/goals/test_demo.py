"""The demo municipality's goals, indicators, measurements and follow-ups: every page has a
realistic picture to show."""

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command

from agreements.models import Agreement, Period
from goals import selectors
from goals.models import (
    CommonGoal,
    CouncilGoal,
    FollowUpReport,
    FollowUpStatus,
    GoalFollowUp,
    Indicator,
    IndicatorDefinition,
    Measurement,
)
from tests.conftest import demo_for_module
from units.models import Unit

pytestmark = pytest.mark.django_db


SEEDED_AT = datetime(2026, 11, 27, 10)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """220 units, seeded late in 2026: the agreements of 2026 are in force and followed up."""
    with time_machine.travel(SEEDED_AT, tick=False), demo_for_module(django_db_blocker, units=220):
        yield


@pytest.fixture(autouse=True)
def late_in_2026(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(SEEDED_AT, tick=False)


def in_force() -> Period:
    return Period.objects.get(slug="aftaler-2026")


def test_the_vision_goals_and_a_white_spot_are_there(seeded):
    titles = set(CouncilGoal.objects.values_list("title", flat=True))
    assert {
        "En bæredygtig fremtid",
        "Et godt liv – for alle",
        "Flere i uddannelse eller beskæftigelse",
    } <= titles
    coverage = selectors.coverage_rollup(
        in_force().pk, Unit.objects.active(), selectors.council_goals()
    )
    assert [r.council_goal.title for r in coverage.rollups if r.white_spot] == [
        "Strategi for digital dannelse i folkeskolen"
    ]
    assert all(r.units > 0 for r in coverage.rollups if r.council_goal.kind == "vision")


def test_library_indicators_are_shared_by_many_units_and_common_goals(seeded):
    assert IndicatorDefinition.objects.count() == 21
    assert (
        CommonGoal.objects.filter(indicators__isnull=False).count() == 8
    )  # 2 count tonnes, people
    elevfravaer = IndicatorDefinition.objects.get(name="Elevfravær")
    assert (
        Indicator.objects.filter(definition=elevfravaer)
        .values("goal__agreement__unit")
        .distinct()
        .count()
        > 5
    )
    assert Indicator.objects.filter(definition__isnull=True).exists()  # the units' own


def test_measurements_span_several_years(seeded):
    years = {day.year for day in Measurement.objects.values_list("measured_on", flat=True)}
    assert years == {2023, 2024, 2025, 2026}
    assert Measurement.objects.filter(definition__isnull=False).count() > 1000


def test_follow_ups_have_every_status_and_state_and_some_are_superseded(seeded):
    statuses = set(
        GoalFollowUp.objects.filter(report__agreement__period=in_force()).values_list(
            "status", flat=True
        )
    )
    assert statuses == set(FollowUpStatus.values)
    states = set(FollowUpReport.objects.values_list("state", flat=True))
    assert states == set(FollowUpReport.State.values)
    assert FollowUpReport.objects.filter(supersedes__isnull=False).exists()
    assert FollowUpReport.objects.exclude(reply="").exists()
    signed = Agreement.objects.filter(period=in_force(), state="signed").count()
    current_mid_year = FollowUpReport.objects.filter(
        point__kind="mid_year", is_current=True, agreement__period=in_force()
    ).count()
    assert current_mid_year == signed


def test_the_demo_leader_has_a_draft_follow_up_to_finish(seeded):
    draft = FollowUpReport.objects.get(
        agreement__unit__name="Tirsdalens Skole", state=FollowUpReport.State.DRAFT
    )
    assert draft.point.kind == "annual"
    assert draft.goals.filter(assessment="").count() == 1


def test_seeding_again_creates_nothing(seeded):
    counts = (
        FollowUpReport.objects.count(),
        GoalFollowUp.objects.count(),
        Measurement.objects.count(),
    )
    call_command("seed_demo", units=220)
    assert (
        FollowUpReport.objects.count(),
        GoalFollowUp.objects.count(),
        Measurement.objects.count(),
    ) == counts
