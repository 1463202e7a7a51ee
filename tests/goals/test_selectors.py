"""The roll-up numbers of the coverage matrix, computed by hand for a small municipality, and the
peer median of a library indicator."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from agreements import services
from goals import selectors
from goals.models import CouncilGoal, IndicatorDefinition, Measurement
from randers import versions
from tests.agreements.conftest import report, sign_for
from tests.factories import UnitFactory
from units import services as unit_services
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]


@pytest.fixture
def council(organisation):  # type: ignore[no-untyped-def]
    return {
        "vision": CouncilGoal.objects.create(title="En bæredygtig fremtid", slug="vision", order=1),
        "school": CouncilGoal.objects.create(
            title="Skolepolitikken",
            slug="school",
            kind=CouncilGoal.Kind.POLICY,
            committee=organisation.school_committee,
            order=2,
        ),
        "climate": CouncilGoal.objects.create(
            title="Klimaplanen",
            slug="climate",
            kind=CouncilGoal.Kind.POLICY,
            committee=organisation.technical_committee,
            order=3,
        ),
        "empty": CouncilGoal.objects.create(title="Et godt liv – for alle", slug="empty", order=4),
    }


@pytest.fixture
def municipality(organisation, cast, period, points, council):  # type: ignore[no-untyped-def]
    """Units A and B (school committee) and C (technical) signed; D (school) only a draft.

    A: A1 serves vision and school, A2 school. Mid-year: A1 met, A2 delayed. Annual: A1 not met,
       superseded by A1 partly met, A2 in progress.
    B: B1 serves vision. Mid-year: B1 delayed; annual only a draft (B1 met), which does not count.
    C: C1 serves climate and vision; nothing reported.
    """
    org, c = organisation, council
    mid, annual = points
    leader_c = cast.other_director  # any person can be made the leader of C
    unit_services.assign_leader(org.unit_c, leader=leader_c, by=None)
    a = sign_for(
        org.unit_a,
        period,
        [("A1", [c["vision"], c["school"]]), ("A2", [c["school"]])],
        leader=cast.leader_a,
        director=cast.director,
    )
    b = sign_for(
        org.unit_b, period, [("B1", [c["vision"]])], leader=cast.leader_b, director=cast.director
    )
    sign_for(
        org.unit_c,
        period,
        [("C1", [c["climate"], c["vision"]])],
        leader=leader_c,
        director=cast.other_director,
    )
    unit_d = UnitFactory.create(
        name="Vestervangsskolen", area=org.area_a, committee=org.school_committee
    )
    draft = services.create_agreement(unit_d, period, by=None)
    services.add_goal(
        draft, data=services.GoalData(title="D1", council_goals=[c["school"]]), by=None
    )
    report(a, mid, {"A1": "met", "A2": "delayed"})
    report(a, annual, {"A1": "not_met", "A2": "in_progress"})
    report(a, annual, {"A1": "partly_met", "A2": "in_progress"})
    report(b, mid, {"B1": "delayed"})
    report(b, annual, {"B1": "met"}, submit=False)
    return {"a": a, "b": b, "d": unit_d}


def summary(coverage):  # type: ignore[no-untyped-def]
    return {
        r.council_goal.slug: (r.units, r.goals, r.by_status, r.share, r.white_spot, r.few)
        for r in coverage.rollups
    }


def test_the_roll_up_over_all_units_matches_the_hand_count(municipality, period, council):
    coverage = selectors.coverage_rollup(
        period.pk, Unit.objects.active(), selectors.council_goals()
    )
    assert (coverage.units, coverage.signed) == (4, 3)
    assert summary(coverage) == {
        "vision": (3, 3, {"partly_met": 1, "delayed": 1, "": 1}, Decimal(100), False, False),
        "school": (1, 2, {"partly_met": 1, "in_progress": 1}, Decimal(33), False, False),
        "climate": (1, 1, {"": 1}, Decimal(33), False, False),
        "empty": (0, 0, {}, Decimal(0), True, False),
    }
    assert [r.council_goal.slug for r in coverage.white_spots] == ["empty"]


def test_the_roll_up_for_one_committee_keeps_its_own_and_the_carried_goals(
    municipality, period, organisation
):
    units = Unit.objects.filter(committee=organisation.school_committee)
    coverage = selectors.coverage_rollup(period.pk, units, selectors.council_goals()).relevant_to(
        organisation.school_committee.pk
    )
    assert (coverage.units, coverage.signed) == (3, 2)
    assert summary(coverage) == {
        "vision": (2, 2, {"partly_met": 1, "delayed": 1}, Decimal(100), False, False),
        "school": (1, 2, {"partly_met": 1, "in_progress": 1}, Decimal(50), False, False),
        "empty": (0, 0, {}, Decimal(0), True, False),
    }


def test_the_cells_count_each_units_goals_by_latest_status(
    municipality, period, organisation, council
):
    org = organisation
    cells = selectors.coverage_cells(
        period.pk, [org.unit_a.pk, org.unit_b.pk, org.unit_c.pk, municipality["d"].pk]
    )
    assert {
        (unit_id, goal_id): (cell.goals, cell.statuses)
        for (unit_id, goal_id), cell in cells.items()
    } == {
        (org.unit_a.pk, council["vision"].pk): (1, [("partly_met", 1)]),
        (org.unit_a.pk, council["school"].pk): (2, [("partly_met", 1), ("in_progress", 1)]),
        (org.unit_b.pk, council["vision"].pk): (1, [("delayed", 1)]),
        (org.unit_c.pk, council["vision"].pk): (1, [("", 1)]),
        (org.unit_c.pk, council["climate"].pk): (1, [("", 1)]),
    }


def test_a_council_goal_carried_by_under_a_tenth_of_the_units_is_carried_by_few(
    municipality, period, organisation, council, cast
):
    for number in range(8):  # 3 + 8 = 11 signed units, so fewer than 2 (10 %) is few
        unit = UnitFactory.create(area=organisation.area_a, committee=organisation.school_committee)
        unit_services.assign_leader(unit, leader=cast.leader_b, by=None)
        sign_for(
            unit,
            period,
            [(f"X{number}", [council["vision"]])],
            leader=cast.leader_b,
            director=cast.director,
        )
    coverage = selectors.coverage_rollup(period.pk, Unit.objects.all(), selectors.council_goals())
    rollups = {r.council_goal.slug: r for r in coverage.rollups}
    assert coverage.signed == 11
    assert (rollups["school"].units, rollups["school"].few) == (1, True)
    assert (rollups["climate"].units, rollups["climate"].few) == (1, True)
    assert (rollups["vision"].units, rollups["vision"].few) == (11, False)
    assert [r.council_goal.slug for r in coverage.white_spots] == ["school", "climate", "empty"]


def test_the_data_version_changes_with_what_the_roll_up_counts_and_only_then(
    municipality, organisation, cast
):
    version = versions.data_version()
    Unit.objects.filter(pk=organisation.unit_c.pk).update(phone="89 15 15 15")
    Unit.objects.filter(pk=organisation.unit_c.pk).update(email="affald@randers.dk")
    assert versions.data_version() == version  # neither is counted or shown
    Unit.objects.filter(pk=organisation.unit_c.pk).update(committee=organisation.unit_c.committee)
    assert versions.data_version() == version  # nothing changed
    Unit.objects.filter(pk=organisation.unit_c.pk).update(committee=organisation.school_committee)
    moved = versions.data_version()
    assert moved != version
    with connection.cursor() as cursor:  # raw SQL is seen too
        cursor.execute("DELETE FROM goals_goal_council_goals WHERE goal_id < 0")
    assert versions.data_version() not in (version, moved)


def test_the_roll_up_is_cached_until_what_it_counts_changes(
    municipality, period, points, organisation, django_assert_num_queries
):
    units = Unit.objects.active()
    goals = list(selectors.council_goals())
    before = summary(selectors.coverage_rollup(period.pk, units, goals))
    with django_assert_num_queries(1):  # the version; the counts come from the cache
        assert summary(selectors.coverage_rollup(period.pk, units, goals)) == before

    _mid, annual = points
    report(municipality["a"], annual, {"A1": "met", "A2": "met"})
    after_report = summary(selectors.coverage_rollup(period.pk, units, goals))
    assert after_report["school"][2] == {"met": 2}

    services.revoke_agreement(municipality["b"], reason="Enheden lukker.", by=None)
    after_revoke = summary(selectors.coverage_rollup(period.pk, units, goals))
    assert after_revoke["vision"][:2] == (2, 2)

    school = Unit.objects.filter(committee=organisation.school_committee)
    assert selectors.coverage_rollup(period.pk, school, goals).units == 3
    unit_services.move_unit(
        organisation.unit_a,
        area=organisation.unit_a.area,
        committee=organisation.technical_committee,
        by=None,
    )
    assert selectors.coverage_rollup(period.pk, school, goals).units == 2


def test_the_peer_median_is_of_the_latest_value_that_year_of_each_unit_of_the_kind(organisation):
    definition = IndicatorDefinition.objects.create(name="Elevfravær", unit_of_measure="%")

    def measure(unit, day, value, **extra):  # type: ignore[no-untyped-def]
        Measurement.objects.create(
            unit=unit,
            definition=definition,
            name="Elevfravær",
            measured_on=day,
            value=value,
            **extra,
        )

    org = organisation
    measure(org.unit_a, date(2026, 3, 1), 30)
    measure(org.unit_a, date(2026, 10, 1), 34)  # A's latest of 2026
    measure(org.unit_b, date(2026, 5, 1), 20)
    x = UnitFactory.create(area=org.area_a, committee=org.school_committee)
    measure(x, date(2026, 6, 1), 50)
    y = UnitFactory.create(area=org.area_a, committee=org.school_committee)
    measure(y, date(2025, 6, 1), 90)  # another year
    measure(y, date(2026, 2, 1), 10)
    daycare = UnitFactory.create(
        kind=Unit.Kind.DAYCARE, area=org.area_a, committee=org.school_committee
    )
    measure(daycare, date(2026, 6, 1), 100)  # another kind
    closed = UnitFactory.create(
        area=org.area_a, committee=org.school_committee, closed_at=date(2026, 1, 31)
    )
    measure(closed, date(2026, 1, 15), 5)  # a closed unit
    stats = selectors.peer_stats(Unit.Kind.SCHOOL, {definition.pk: 2026})
    # 2026, schools: A 34, B 20, X 50, Y 10 → sorted 10, 20, 34, 50: median (20 + 34) / 2 = 27
    assert stats == {
        definition.pk: selectors.PeerStats(
            year=2026, units=4, median=Decimal("27.00"), low=Decimal(10), high=Decimal(50)
        )
    }


def test_a_units_series_follow_the_library_indicator_across_periods(organisation):
    definition = IndicatorDefinition.objects.create(name="Elevfravær", unit_of_measure="%")
    unit = organisation.unit_a
    for year, value in ((2024, "6.4"), (2025, "5.9"), (2026, "5.2")):
        Measurement.objects.create(
            unit=unit,
            definition=definition,
            name="Fravær",
            measured_on=date(year, 12, 1),
            value=Decimal(value),
        )
    Measurement.objects.create(
        unit=unit,
        name="Antal læseklubber",
        unit_of_measure="antal",
        measured_on=date(2026, 6, 1),
        value=3,
    )
    series = selectors.with_peers(unit, selectors.unit_series(unit))
    assert [(s.name, [str(p.value) for p in s.points]) for s in series] == [
        ("Elevfravær", ["6.40", "5.90", "5.20"]),
        ("Antal læseklubber", ["3.00"]),
    ]
    assert series[0].peers == selectors.PeerStats(
        year=2026, units=1, median=Decimal("5.20"), low=Decimal("5.20"), high=Decimal("5.20")
    )
    assert series[1].peers is None
