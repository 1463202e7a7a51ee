"""The pages of goals across units: the coverage matrix, a council goal, a cell, a unit's goals and
indicators, the common goals, the follow-up overview; who may open them and their query budgets,
constant from 20 to 2,000 units."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementVersion, Period
from goals.models import (
    CommonGoal,
    CouncilGoal,
    FollowUpReport,
    Goal,
    GoalFollowUp,
    Indicator,
    IndicatorDefinition,
    Measurement,
)
from units.models import Unit

from .conftest import report_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

PEOPLE = [
    "anonymous",
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
    "administrator",
]


def person(cast, name):  # type: ignore[no-untyped-def]
    return None if name == "anonymous" else cast.all()[name]


@pytest.fixture
def council_goal(db: None) -> CouncilGoal:
    return CouncilGoal.objects.create(title="Et godt liv – for alle", slug="et-godt-liv")


@pytest.fixture
def definition(db: None) -> IndicatorDefinition:
    return IndicatorDefinition.objects.create(
        name="Elevfravær", unit_of_measure="%", direction="decrease", data_source="Skolens data"
    )


def bulk_signed_units(
    count: int, period: Period, organisation, council_goal, definition, point
) -> None:  # type: ignore[no-untyped-def]
    """`count` schools, each with a signed agreement whose goal serves the council goal, a library
    indicator with a measurement, and a submitted follow-up: bulk inserts, not services."""
    units = Unit.objects.bulk_create(
        Unit(
            name=f"Skole {number:05d}",
            slug=f"skole-{number:05d}",
            kind=Unit.Kind.SCHOOL,
            area=organisation.area_a,
            committee=organisation.school_committee,
            active_from=date(2020, 1, 1),
        )
        for number in range(count)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(unit=unit, period=period) for unit in units
    )
    versions = AgreementVersion.objects.bulk_create(
        AgreementVersion(agreement=a, number=1, content_text='{"goals": []}', content_hash="0" * 64)
        for a in agreements
    )
    for agreement, version in zip(agreements, versions, strict=True):
        agreement.state, agreement.signed_version = Agreement.State.SIGNED, version
    Agreement.objects.bulk_update(agreements, ["state", "signed_version"])
    goals = Goal.objects.bulk_create(
        Goal(agreement=a, order=1, title="Mindre fravær", success_criterion="Under 5 %.")
        for a in agreements
    )
    Goal.council_goals.through.objects.bulk_create(
        Goal.council_goals.through(goal=goal, councilgoal=council_goal) for goal in goals
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(goal=goal, definition=definition, name="Elevfravær", unit_of_measure="%")
        for goal in goals
    )
    Measurement.objects.bulk_create(
        Measurement(
            unit=unit,
            indicator=indicator,
            definition=definition,
            name="Elevfravær",
            measured_on=date(2027, 6, 1),
            value=Decimal(4 + number % 5),
        )
        for number, (unit, indicator) in enumerate(zip(units, indicators, strict=True))
    )
    reports = FollowUpReport.objects.bulk_create(
        FollowUpReport(
            agreement=a,
            point=point,
            state=FollowUpReport.State.SUBMITTED,
            is_current=True,
            submitted_at=timezone.now(),
        )
        for a in agreements
    )
    GoalFollowUp.objects.bulk_create(
        GoalFollowUp(
            report=report,
            goal=goal,
            goal_title=goal.title,
            status="in_progress" if number % 3 else "delayed",
            assessment="Vi er i gang.",
            is_latest=True,
        )
        for number, (report, goal) in enumerate(zip(reports, goals, strict=True))
    )


@pytest.mark.parametrize("name", PEOPLE)
def test_the_coverage_pages_are_for_every_signed_in_person(
    client_for, cast, signed, points, council_goal, organisation, name
):
    goal = signed.goals.get()
    goal.council_goals.add(council_goal)
    client = client_for(person(cast, name))
    urls = [
        reverse("agreements:coverage") + "?period=aftaler-2027",
        reverse("agreements:council-goal", args=[council_goal.slug]) + "?period=aftaler-2027",
        reverse("agreements:coverage-cell", args=[council_goal.slug, organisation.unit_a.slug])
        + "?period=aftaler-2027",
        reverse("agreements:unit-goals", args=[organisation.unit_a.slug]) + "?period=aftaler-2027",
        reverse("agreements:follow-up-overview"),
    ]
    for url in urls:
        assert client.get(url).status_code == (302 if name == "anonymous" else 200), url


def test_the_matrix_shows_the_cells_roll_up_and_white_spots_in_danish(
    client_for, cast, signed, points, council_goal, organisation
):
    CouncilGoal.objects.create(title="En bæredygtig fremtid", slug="baeredygtig")
    signed.goals.get().council_goals.add(council_goal)
    report_all(services.start_follow_up(signed, points[0], by=None), status="delayed")
    response = client_for(cast.council_member).get(
        reverse("agreements:coverage"),
        {"period": "aftaler-2027", "committee": organisation.school_committee.slug},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 enheder blandt de viste, 1 med underskrevet aftale for 2027." in content
    assert "Hvid plet: ingen enhed bærer det" in content
    cell = reverse("agreements:coverage-cell", args=[council_goal.slug, organisation.unit_a.slug])
    assert f'href="{cell}?period=aftaler-2027"' in content
    assert "Forsinket" in content
    assert "Ingen underskrevet aftale" in content  # unit B


def test_the_matrix_is_rendered_once_and_shows_a_change_at_once(
    client_for, cast, signed, points, council_goal, organisation, django_assert_num_queries
):
    signed.goals.get().council_goals.add(council_goal)
    client = client_for(cast.council_member)
    url = reverse("agreements:coverage") + "?period=aftaler-2027"

    def matrix() -> str:
        body = client.get(url).content.decode()
        return body[body.index('<div id="matrix">') : body.index("</main>")]

    first = matrix()
    assert "Et godt liv – for alle" in first
    assert "Forsinket" not in first
    # 1 user, 2-3 the filter's periods and committees, 4 the version, 5 roles, 6 the areas
    with django_assert_num_queries(6):
        assert matrix() == first
    CouncilGoal.objects.filter(pk=council_goal.pk).update(title="Et godt liv for alle")
    assert "Et godt liv for alle" in matrix()
    report_all(services.start_follow_up(signed, points[0], by=None), status="delayed")
    assert "Forsinket" in matrix()
    Unit.objects.filter(pk=organisation.unit_a.pk).update(slug="tirsdalens-skole-og-sfo")
    assert "/aftaler/enhed/tirsdalens-skole-og-sfo/maal/" in matrix()


def test_a_cell_leads_to_the_goals_behind_it(client_for, cast, signed, council_goal, organisation):
    goal = signed.goals.get()
    goal.council_goals.add(council_goal)
    response = client_for(cast.council_member).get(
        reverse("agreements:coverage-cell", args=[council_goal.slug, organisation.unit_a.slug]),
        {"period": "aftaler-2027"},
    )
    assert reverse("agreements:goal-history", args=[goal.uuid]) in response.content.decode()


def test_the_unit_goals_page_shows_a_chart_with_a_table_and_the_peer_median(
    client_for, cast, signed, points, definition, organisation
):
    Measurement.objects.create(
        unit=organisation.unit_a,
        definition=definition,
        name="Elevfravær",
        measured_on=date(2026, 6, 1),
        value=Decimal("6.4"),
    )
    Measurement.objects.create(
        unit=organisation.unit_a,
        definition=definition,
        name="Elevfravær",
        measured_on=date(2027, 6, 1),
        value=Decimal("5.2"),
    )
    Measurement.objects.create(
        unit=organisation.unit_b,
        definition=definition,
        name="Elevfravær",
        measured_on=date(2027, 5, 1),
        value=Decimal("7.0"),
    )
    response = client_for(cast.leader_b).get(
        reverse("agreements:unit-goals", args=[organisation.unit_a.slug]),
        {"period": "aftaler-2027"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="indicator-chart"' in content
    assert 'role="img"' in content
    assert "Median for 2 enheder af samme type i 2027: 6,1.</desc>" in content
    assert "medianen 6,1 % og spændet 5,2–7 %" in content
    assert "style=" not in content
    assert "<script>" not in content
    assert "Tallene for Elevfravær" in content


@pytest.mark.parametrize("units", [20, 2000])
def test_the_coverage_matrix_query_count_is_constant_in_units(
    client_for,
    cast,
    period,
    points,
    council_goal,
    definition,
    organisation,
    django_assert_num_queries,
    units,
):
    bulk_signed_units(units, period, organisation, council_goal, definition, points[0])
    client = client_for(cast.council_member)
    url = reverse("agreements:coverage")
    query = {"period": period.slug, "committee": organisation.school_committee.slug}
    # 1 user, 2-3 the filter's periods and committees (each read once, for the chosen one and
    # the choices), 4 the version of what the roll-up counts, 5 the units counted, with and
    # without a signed agreement, 6 units per council goal, 7 goals per council goal and status,
    # 8 the council goals, 9 the page of units, each with whether it has a signed agreement,
    # 10 the cells of the page, 11 the reader's roles (for the menu), 12 the filter's areas,
    # 13-15 session renewal (savepoint, update, release)
    with django_assert_num_queries(15):
        client.get(url, query)
    # then the matrix (5-10) comes from the cache, and the session is not renewed again: 1 user,
    # 2-3 the filter's periods and committees, 4 the version, 5 roles, 6 the filter's areas
    with django_assert_num_queries(6):
        response = client.get(url, query)
    assert f"{units + 2} enheder blandt de viste, {units} med underskrevet aftale" in (
        response.content.decode()
    )


@pytest.mark.parametrize("units", [20, 2000])
def test_the_unit_goals_page_query_count_is_constant_in_units(
    client_for,
    cast,
    period,
    points,
    council_goal,
    definition,
    organisation,
    django_assert_num_queries,
    units,
):
    bulk_signed_units(units, period, organisation, council_goal, definition, points[0])
    unit = Unit.objects.get(slug="skole-00001")
    client = client_for(cast.council_member)
    # 1 user, 2 unit with area, committee, leader, 3 the period, 4 the agreement,
    # 5 its goals with their latest status, 6 their council goals, 7 their indicators,
    # 8 the unit's measurements, 9 the peer median and range, 10 the reader's roles,
    # 11-13 session renewal (savepoint, update, release)
    with django_assert_num_queries(13):
        response = client.get(
            reverse("agreements:unit-goals", args=[unit.slug]), {"period": period.slug}
        )
    assert response.status_code == 200
    assert f"Blandt de {units} enheder af typen skole" in response.content.decode()


@pytest.mark.parametrize("name", PEOPLE)
def test_only_administrators_push_common_goals(client_for, cast, draft, organisation, name):
    CommonGoal.objects.create(area=organisation.area_a, title="Flere børn deltager i fællesskaber")
    client = client_for(person(cast, name))
    url = reverse("agreements:common-goals")
    data = {"area": organisation.area_a.slug, "period": draft.period.slug}
    response = client.post(url, data)
    if name == "administrator":
        assert response.status_code == 302
        assert [g.title for g in draft.goals.all()] == ["Flere børn deltager i fællesskaber"]
    else:
        assert response.status_code == (302 if name == "anonymous" else 403)
        assert not draft.goals.exists()


def test_pushing_common_goals_adds_each_once_to_the_drafts_of_the_area_only(
    cast, in_state, organisation, definition
):
    common = CommonGoal.objects.create(
        area=organisation.area_a, title="Mindre fravær", success_criterion="Under 5 %."
    )
    common.indicators.add(definition)
    submitted = in_state(Agreement.State.SUBMITTED)  # unit A: not a draft
    draft_b = services.create_agreement(organisation.unit_b, submitted.period, by=None)
    draft_c = services.create_agreement(organisation.unit_c, submitted.period, by=None)
    assert (
        services.push_common_goals(organisation.area_a, submitted.period, by=cast.administrator)
        == 1
    )
    assert (
        services.push_common_goals(organisation.area_a, submitted.period, by=cast.administrator)
        == 0
    )
    goal = draft_b.goals.get()
    assert (goal.kind, goal.common_goal, goal.success_criterion) == ("common", common, "Under 5 %.")
    assert [(i.definition, i.name) for i in goal.indicators.all()] == [(definition, "Elevfravær")]
    assert not draft_c.goals.exists()
    assert submitted.goals.count() == 1


@pytest.mark.parametrize("units", [20, 2000])
def test_the_council_goal_page_query_count_is_constant_in_units(
    client_for,
    cast,
    period,
    points,
    council_goal,
    definition,
    organisation,
    django_assert_num_queries,
    units,
):
    bulk_signed_units(units, period, organisation, council_goal, definition, points[0])
    client = client_for(cast.council_member)
    url = reverse("agreements:council-goal", args=[council_goal.slug])
    # 1 user, 2 the council goal with its committee, 3 the filter's periods (the chosen one is
    # found among them), 4 the units counted, with and without a signed agreement, 5 units per
    # council goal, 6 goals per status, 7 the carrying units counted, 8 the reader's roles (for
    # the menu), 9 the page of carrying units, 10-12 session renewal (savepoint, update, release)
    with django_assert_num_queries(12):
        response = client.get(url, {"period": period.slug})
    assert response.status_code == 200
    assert f"{units} / {units} (100 %)" in response.content.decode()


@pytest.mark.parametrize("units", [20, 2000])
def test_the_follow_up_overview_query_count_is_constant_in_units(
    client_for,
    cast,
    period,
    points,
    council_goal,
    definition,
    organisation,
    django_assert_num_queries,
    time_machine,
    units,
):
    bulk_signed_units(units, period, organisation, council_goal, definition, points[0])
    time_machine.move_to(date(2027, 7, 1))
    client = client_for(cast.administrator)
    # 1 user, 2 the period in force, 3 the reader's roles, 4 the agreements counted, 5 the
    # follow-up points, 6 the page of agreements with their units, 7 their reports, 8 reports
    # waiting to be seen, 9-11 session renewal (savepoint, update, release)
    with django_assert_num_queries(11):
        response = client.get(reverse("agreements:follow-up-overview"))
    assert response.status_code == 200


@pytest.mark.parametrize("reports", [1, 6])
def test_the_follow_up_and_goal_history_pages_query_count_is_constant_in_reports(
    client_for, cast, signed, points, django_assert_num_queries, reports
):
    for _ in range(reports):
        report_all(services.start_follow_up(signed, points[0], by=None))
    client = client_for(cast.council_member)
    # 1 user, 2 agreement with unit, area, director, committee, leader, period,
    # 3 the reader's roles, 4 follow-up points, 5 reports with people and point, 6 their goals,
    # 7-9 session renewal
    with django_assert_num_queries(9):
        assert client.get(reverse("agreements:follow-ups", args=[signed.uuid])).status_code == 200
    goal = signed.goals.get()
    # 1 user, 2 goal with agreement, unit, period and the goal it was carried from,
    # 3 agreement with unit, area, director, committee, leader, period, 4 the reader's roles,
    # 5 the goal's follow-ups with report, point and people, 6 indicators, 7 measurements
    # (no session renewal: the request before renewed it)
    with django_assert_num_queries(7):
        response = client.get(reverse("agreements:goal-history", args=[goal.uuid]))
    assert response.status_code == 200
    assert response.content.decode().count("Afløst") == reports - 1


@pytest.mark.parametrize("goals", [1, 6])
def test_the_cell_and_common_goals_pages_query_count_is_constant_in_goals(
    client_for, cast, signed, council_goal, organisation, django_assert_num_queries, goals
):
    common = [
        CommonGoal.objects.create(area=organisation.area_a, title=f"Fælles mål {n}")
        for n in range(goals)
    ]
    for item in common:
        item.council_goals.add(council_goal)
    for goal in Goal.objects.filter(agreement=signed):
        goal.council_goals.add(council_goal)
    client = client_for(cast.administrator)
    url = reverse("agreements:coverage-cell", args=[council_goal.slug, organisation.unit_a.slug])
    # 1 user, 2 council goal, 3 unit, 4 period, 5 the goals with their status,
    # 6 their indicators, 7 the reader's roles (for the menu), 8-10 session renewal
    with django_assert_num_queries(10):
        assert client.get(url, {"period": "aftaler-2027"}).status_code == 200
    # 1 user, 2 the reader's roles, 3 the form's default period, 4-5 the form's choices of
    # areas and periods, 6 areas, 7 their common goals, 8 their council goals, 9 their
    # indicators (no session renewal: the request before renewed it)
    with django_assert_num_queries(9):
        assert client.get(reverse("agreements:common-goals")).status_code == 200


def test_a_goal_takes_a_library_indicator_with_its_name_measure_and_direction(
    client_for, cast, draft, definition
):
    response = client_for(cast.leader_a).post(
        reverse("agreements:add-goal", args=[draft.uuid]),
        {
            "title": "Mindre fravær",
            "kind": "local",
            "success_criterion": "Fraværet falder til 5 %.",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-definition": str(definition.pk),
            "indicators-0-name": "",
            "indicators-0-direction": "increase",
            "indicators-0-baseline": "6,4",
            "indicators-0-target": "5",
        },
    )
    assert response.status_code == 302
    indicator = draft.goals.get().indicators.get()
    assert (indicator.definition, indicator.name, indicator.unit_of_measure) == (
        definition,
        "Elevfravær",
        "%",
    )
    assert (indicator.direction, str(indicator.target)) == ("decrease", "5.00")
    page = client_for(cast.leader_a).get(
        reverse("agreements:edit-goal", args=[draft.uuid, draft.goals.get().uuid])
    )
    assert f'<option value="{definition.pk}" selected>Elevfravær</option>' in page.content.decode()


def test_an_unknown_library_indicator_is_refused_in_danish(client_for, cast, draft):
    response = client_for(cast.leader_a).post(
        reverse("agreements:add-goal", args=[draft.uuid]),
        {
            "title": "Mindre fravær",
            "kind": "local",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-definition": "999999",
            "indicators-0-direction": "increase",
        },
    )
    assert response.status_code == 400
    assert "Vælg en af indikatorerne på listen." in response.content.decode()
    assert not draft.goals.exists()
