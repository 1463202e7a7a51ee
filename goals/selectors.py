"""Reading goals: the coverage of the council's goals across units, the latest follow-up status of
each goal, a unit's indicator series and the median and range of its peers.

Everything here takes a period's id and querysets of units, never an agreement model: the
agreements app chooses the period and who may see what, this module does the counting, in SQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    Exists,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from randers import versions
from units.models import Area, Unit

from .models import (
    CommonGoal,
    CouncilGoal,
    FollowUpStatus,
    Goal,
    GoalFollowUp,
    IndicatorDefinition,
    Measurement,
)

# The order in which statuses are listed: what needs attention first, "not reported" last.
STATUS_ORDER: list[str] = [
    FollowUpStatus.NOT_MET,
    FollowUpStatus.DELAYED,
    FollowUpStatus.PARTLY_MET,
    FollowUpStatus.NOT_STARTED,
    FollowUpStatus.IN_PROGRESS,
    FollowUpStatus.MET,
]
NOT_REPORTED = ""

# A council goal carried by fewer than this share of the units (with a signed agreement) in the
# selection counts as carried by "few" units; by none, it is a white spot.
FEW_SHARE = Decimal("0.10")


class Median(Aggregate):
    """PostgreSQL's continuous median of the values."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DecimalField(max_digits=14, decimal_places=4)


def status_sort_key(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def latest_status(goal_ref: str = "pk") -> Subquery:
    """The goal's status in force (its latest current follow-up), as a subquery; NULL when
    nothing has been submitted on it."""
    return Subquery(
        GoalFollowUp.objects.filter(goal=OuterRef(goal_ref), is_latest=True).values("status")[:1]
    )


def _with_latest(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """The goals joined to their status in force (`latest__status`), for grouping in SQL."""
    return goals.annotate(
        latest=FilteredRelation("follow_ups", condition=Q(follow_ups__is_latest=True))
    )


def carried_goals(period_id: int) -> QuerySet[Goal]:
    """The goals of the period's signed agreements (not revoked): what coverage counts."""
    return Goal.objects.filter(
        agreement__period_id=period_id, agreement__signed_version__isnull=False
    ).exclude(agreement__state="revoked")


def council_goals() -> QuerySet[CouncilGoal]:
    """The active council goals: the vision's and the committees' policies."""
    return (
        CouncilGoal.objects.filter(active=True)
        .select_related("committee")
        .order_by("order", "title")
    )


# --- The coverage matrix -----------------------------------------------------------------------


@dataclass
class Cell:
    """The goals of one unit that serve one council goal, by latest status."""

    goals: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def statuses(self) -> list[tuple[str, int]]:
        return sorted(self.by_status.items(), key=lambda item: status_sort_key(item[0]))


@dataclass
class Rollup:
    """One council goal across the units of the selection."""

    council_goal: CouncilGoal
    units: int = 0
    goals: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    share: Decimal = Decimal(0)
    white_spot: bool = False
    few: bool = False

    @property
    def statuses(self) -> list[tuple[str, int]]:
        return sorted(self.by_status.items(), key=lambda item: status_sort_key(item[0]))


@dataclass
class Coverage:
    units: int  # units in the selection
    signed: int  # of which with a signed agreement for the period
    rollups: list[Rollup]

    @property
    def white_spots(self) -> list[Rollup]:
        return [rollup for rollup in self.rollups if rollup.white_spot or rollup.few]

    def relevant_to(self, committee_id: int) -> "Coverage":
        """For one committee's units: the vision's goals, the committee's own policies, and any
        other council goal that some unit of the selection carries."""
        rollups = [
            rollup
            for rollup in self.rollups
            if rollup.council_goal.committee_id in (None, committee_id) or rollup.units > 0
        ]
        return Coverage(units=self.units, signed=self.signed, rollups=rollups)


def coverage_cells(period_id: int, unit_ids: Iterable[int]) -> dict[tuple[int, int], Cell]:
    """The cells of the matrix for the given units, by (unit id, council goal id) (one query)."""
    # (django-stubs does not know the FilteredRelation's alias "latest")
    rows = (
        _with_latest(carried_goals(period_id))  # type: ignore[misc]
        .filter(agreement__unit_id__in=list(unit_ids), council_goals__isnull=False)
        .values_list("agreement__unit_id", "council_goals", "latest__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: dict[tuple[int, int], Cell] = {}
    for unit_id, council_goal_id, status, n in rows:
        cell = cells.setdefault((unit_id, council_goal_id), Cell())
        cell.goals += n
        key = status or NOT_REPORTED
        cell.by_status[key] = cell.by_status.get(key, 0) + n
    return cells


@dataclass(frozen=True)
class CoverageCounts:
    units: int
    signed: int
    units_per_goal: dict[int, int]
    by_status: dict[int, dict[str, int]]


def _coverage_counts(period_id: int, units: QuerySet[Unit]) -> CoverageCounts:
    """What the roll-up counts, for every council goal at once (3 queries)."""
    totals = units.aggregate(
        units=Count("pk", distinct=True),
        signed=Count(
            "pk",
            distinct=True,
            filter=Q(agreements__period_id=period_id, agreements__signed_version__isnull=False)
            & ~Q(agreements__state="revoked"),
        ),
    )
    base = carried_goals(period_id).filter(
        agreement__unit__in=units.values("pk"), council_goals__isnull=False
    )
    units_per_goal = dict(
        base.values_list("council_goals")
        .annotate(n=Count("agreement__unit", distinct=True))
        .order_by()
    )
    by_status: dict[int, dict[str, int]] = {}
    for council_goal_id, status, n in (
        _with_latest(base)  # type: ignore[misc]
        .values_list("council_goals", "latest__status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_status.setdefault(council_goal_id, {})[status or NOT_REPORTED] = n
    return CoverageCounts(totals["units"], totals["signed"], units_per_goal, by_status)


def cached_coverage_counts(period_id: int, units: QuerySet[Unit]) -> CoverageCounts:
    """`_coverage_counts`, cached under the version of the data and the selection's SQL (which
    holds today's date where the selection depends on it)."""
    sql, params = units.values("pk").query.sql_with_params()
    return versions.cached(
        "coverage", (period_id, sql, params), lambda: _coverage_counts(period_id, units)
    )


def coverage_rollup(
    period_id: int, units: QuerySet[Unit], goals: Iterable[CouncilGoal]
) -> Coverage:
    """Per council goal: how many units of the selection carry it, with how many goals, and how
    those goals stand at the latest follow-up; and which goals no or few units carry (counted
    in 3 queries whatever the number of units, and cached until the data changes)."""
    counts = cached_coverage_counts(period_id, units)
    signed = counts.signed
    few_below = ceil(signed * FEW_SHARE) if signed else 0
    rollups = []
    for council_goal in goals:
        carrying = counts.units_per_goal.get(council_goal.pk, 0)
        statuses = counts.by_status.get(council_goal.pk, {})
        rollups.append(
            Rollup(
                council_goal=council_goal,
                units=carrying,
                goals=sum(statuses.values()),
                by_status=dict(statuses),
                share=(Decimal(carrying) / signed * 100).quantize(Decimal(1))
                if signed
                else Decimal(0),
                white_spot=signed > 0 and carrying == 0,
                few=0 < carrying < few_below,
            )
        )
    return Coverage(units=counts.units, signed=signed, rollups=rollups)


def goals_of_cell(period_id: int, unit_id: int, council_goal_id: int) -> QuerySet[Goal]:
    """The goals behind one cell: the unit's goals serving the council goal, with their latest
    status."""
    return (
        carried_goals(period_id)
        .filter(agreement__unit_id=unit_id, council_goals=council_goal_id)
        .annotate(status=latest_status())
        .prefetch_related("indicators")
        .order_by("order")
    )


def carrying_units(period_id: int, council_goal_id: int, units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The units of the selection that carry the council goal, by name, with how many goals
    (one query). Read in name order with the goals of each unit looked up, so that a page stops
    after its units instead of counting every unit's goals first; the number of carrying units is
    the roll-up's."""
    goals = (
        carried_goals(period_id)
        .filter(agreement__unit=OuterRef("pk"), council_goals=council_goal_id)
        .order_by()
    )
    return (
        units.filter(Exists(goals))
        .annotate(
            goal_count=Subquery(
                goals.values("agreement__unit").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            )
        )
        .select_related("area", "committee")
        .order_by("name", "pk")
    )


# --- Indicators over time ----------------------------------------------------------------------


@dataclass
class Point:
    measured_on: date
    value: Decimal


@dataclass
class Series:
    """One indicator of a unit over time: a library indicator, or the unit's own by name."""

    key: str
    name: str
    unit_of_measure: str
    direction: str
    definition: IndicatorDefinition | None
    points: list[Point] = field(default_factory=list)
    baseline: Decimal | None = None
    target: Decimal | None = None
    peers: "PeerStats | None" = None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


def series_key(definition_id: int | None, name: str) -> str:
    return f"library-{definition_id}" if definition_id else f"own-{name.strip().lower()}"


def unit_series(unit: Unit) -> list[Series]:
    """The unit's indicators over time from the published measurements (one query); a later
    recording of the same date replaces an earlier one."""
    series: dict[str, Series] = {}
    measurements = (
        Measurement.objects.published()
        .filter(unit=unit)
        .select_related("definition")
        .order_by("measured_on", "recorded_at", "pk")
    )
    for measurement in measurements:
        key = series_key(measurement.definition_id, measurement.name)
        one = series.get(key)
        if one is None:
            definition = measurement.definition
            one = series[key] = Series(
                key=key,
                name=definition.name if definition else measurement.name,
                unit_of_measure=definition.unit_of_measure
                if definition
                else measurement.unit_of_measure,
                direction=definition.direction if definition else "",
                definition=definition,
            )
        if one.points and one.points[-1].measured_on == measurement.measured_on:
            one.points[-1] = Point(measurement.measured_on, measurement.value)
        else:
            one.points.append(Point(measurement.measured_on, measurement.value))
    return sorted(series.values(), key=lambda s: (s.definition is None, s.name.lower()))


@dataclass
class PeerStats:
    year: int
    units: int
    median: Decimal
    low: Decimal
    high: Decimal


def peer_stats(kind: str, latest: dict[int, int]) -> dict[int, PeerStats]:
    """For library indicators (definition id → year): the median and range of the latest value
    that year of every active unit of the kind, the unit itself included (one query)."""
    if not latest:
        return {}
    in_year = Q()
    for definition_id, year in latest.items():
        in_year |= Q(definition_id=definition_id, measured_on__year=year)
    newest_per_unit = (
        Measurement.objects.published()
        .filter(in_year, unit__kind=kind)
        .filter(unit__in=Unit.objects.active())
        .order_by("unit_id", "definition_id", "-measured_on", "-recorded_at", "-pk")
        .distinct("unit_id", "definition_id")
        .values("pk")
    )
    rows = (
        Measurement.objects.filter(pk__in=Subquery(newest_per_unit))
        .values("definition_id")
        .annotate(
            median=Median("value"),
            low=Min("value"),
            high=Max("value"),
            units=Count("unit_id"),
        )
        .order_by()
    )
    return {
        row["definition_id"]: PeerStats(
            year=latest[row["definition_id"]],
            units=row["units"],
            median=Decimal(row["median"]).quantize(Decimal("0.01")),
            low=row["low"],
            high=row["high"],
        )
        for row in rows
    }


def with_peers(unit: Unit, series: list[Series]) -> list[Series]:
    """Attach to each library series the peer median and range of its latest year."""
    latest = {
        s.definition.pk: s.points[-1].measured_on.year
        for s in series
        if s.definition is not None and s.points
    }
    stats = peer_stats(unit.kind, latest)
    for s in series:
        if s.definition is not None:
            s.peers = stats.get(s.definition.pk)
    return series


def attach_targets(series: list[Series], indicators: Iterable[Any]) -> list[Series]:
    """Baseline and target (and the direction of a unit's own indicator) from the indicators of
    the agreement in force."""
    by_key = {series_key(i.definition_id, i.name): i for i in indicators}
    for s in series:
        indicator = by_key.get(s.key)
        if indicator is not None:
            s.baseline, s.target = indicator.baseline, indicator.target
            s.direction = s.direction or indicator.direction
    return series


def common_goals_by_area() -> QuerySet[Area]:
    """Every area with its active common goals, their council goals and library indicators."""
    return Area.objects.order_by("name").prefetch_related(
        Prefetch(
            "common_goals",
            queryset=CommonGoal.objects.filter(active=True)
            .prefetch_related("council_goals", "indicators")
            .order_by("title"),
        )
    )
