""" "Mine opgaver": what is due from each person, derived from their roles and the deadlines of
the periods people work on (`Period.objects.relevant`).

The same computation (`build_tasks`) serves everyone at once (the reminders) and one person (the
home page): agreements annotated with what the tasks need (open comments, the signatures on the
version to sign, the follow-up points reported and not yet seen) are turned into tasks in Python
and handed out to the unit's leader, the area's director and the committee's chair. For the home
page, a director's or chair's tasks (thousands, in a big municipality) are counted in SQL first
(`WIDE_TASKS_SQL`, cached under the data version) and only the most pressing are built; a test
checks that both ways agree for every person. The number of queries does not grow with the
number of units or tasks.

Tasks and their deadlines:

- start the agreement (none yet): the unit's leader, by the period's `draft_due`;
- write and submit the draft: the unit's leader, by `submit_due`;
- answer open comments (threads not started by the leader): the unit's leader, by the
  agreement's next deadline;
- review and send to the committee: the area's director, by `dialogue_starts`;
- record the committee's approval: the director and the committee's chair, by `dialogue_ends`;
- sign the approved version: each required signer who has not signed, by `signing_due`;
- report follow-up at a point (due within 30 days, or overdue): the unit's leader, by the
  point's date;
- read a submitted follow-up: the area's director, no deadline.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    TextChoices,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from goals.models import FollowUpReport
from randers import versions
from units.models import CommitteeMembership, Unit
from units.permissions import AnyUser, Roles, roles_of

from .models import (
    Agreement,
    AgreementVersion,
    Comment,
    FollowUpPoint,
    Period,
    Signature,
    SignerRole,
)

State = Agreement.State

# Follow-up points are shown (and reminded) from this many days before they are due.
FOLLOW_UP_HORIZON = timedelta(days=30)


class Kind(TextChoices):
    START = "start", gettext_lazy("Start the agreement")
    SUBMIT = "submit", gettext_lazy("Write and submit")
    ANSWER = "answer", gettext_lazy("Answer comments")
    REVIEW = "review", gettext_lazy("Review")
    APPROVE = "approve", gettext_lazy("Record approval")
    SIGN = "sign", gettext_lazy("Sign")
    REPORT = "report", gettext_lazy("Report follow-up")
    READ_FOLLOW_UP = "read_follow_up", gettext_lazy("Read follow-up")


# The home page lists this many tasks, soonest deadline first, and says how many more there are.
SHOWN = 15

# Tasks of the unit's leader: when they are overdue, the director hears of it.
LEADER_KINDS = {Kind.START, Kind.SUBMIT, Kind.REPORT}


@dataclass(frozen=True)
class Task:
    kind: str
    person_id: int
    unit: Unit
    period: Period
    due: date | None
    agreement: Agreement | None = None
    point: FollowUpPoint | None = None
    count: int = 1
    signer_role: str = ""

    @property
    def key(self) -> str:
        """What the task is about, the same from day to day (for the reminders' record)."""
        parts = [self.kind, f"p{self.period.pk}", f"u{self.unit.pk}"]
        if self.point is not None:
            parts.append(f"f{self.point.pk}")
        if self.signer_role:
            parts.append(self.signer_role)
        return ":".join(parts)

    def is_overdue(self, today: date | None = None) -> bool:
        return self.due is not None and self.due < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def url(self) -> str:
        agreement = self.agreement
        if agreement is None:
            return reverse("agreements:start", args=[self.unit.slug, self.period.slug])
        if self.kind in (Kind.REPORT, Kind.READ_FOLLOW_UP):
            return reverse("agreements:follow-ups", args=[agreement.uuid])
        if self.kind == Kind.REVIEW:
            return reverse("agreements:review", args=[agreement.uuid])
        if agreement.state == State.DRAFT:
            return reverse("agreements:edit", args=[agreement.uuid])
        return agreement.get_absolute_url()

    @property
    def text(self) -> str:
        """The task in words, in the active language."""
        names = {"unit": self.unit.name, "period": self.period.name}
        if self.kind == Kind.START:
            return _("Start the agreement %(period)s for %(unit)s") % names
        if self.kind == Kind.SUBMIT:
            return _("Write and submit the agreement %(period)s for %(unit)s") % names
        if self.kind == Kind.ANSWER:
            return ngettext(
                "Answer %(count)d open comment on the agreement %(period)s for %(unit)s",
                "Answer %(count)d open comments on the agreement %(period)s for %(unit)s",
                self.count,
            ) % {**names, "count": self.count}
        if self.kind == Kind.REVIEW:
            return _("Review the agreement %(period)s for %(unit)s and send it on") % names
        if self.kind == Kind.APPROVE:
            return _("Record the committee's approval of %(unit)s' agreement %(period)s") % names
        if self.kind == Kind.SIGN:
            return _("Sign the agreement %(period)s for %(unit)s") % names
        point = self.point.name if self.point else ""
        if self.kind == Kind.REPORT:
            return _("Report follow-up (%(point)s) for %(unit)s") % {**names, "point": point}
        return _("Read the follow-up (%(point)s) from %(unit)s") % {**names, "point": point}


@dataclass
class Inbox:
    """A person's tasks: `tasks` sorted by deadline, complete for the units the person leads and
    the most pressing of the rest (what the home page shows); `total` and `overdue_total` count
    them all."""

    tasks: list[Task] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    total: int = 0
    overdue_total: int = 0

    @property
    def shown(self) -> list[Task]:
        """The tasks the home page lists: the most pressing (the list is sorted by deadline)."""
        return self.tasks[:SHOWN]

    @property
    def hidden(self) -> int:
        return max(0, self.total - SHOWN)

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total


def periods_with_points(on: date | None = None) -> list[Period]:
    """The periods people work on, with their follow-up points (two queries)."""
    periods = Period.objects.relevant(on or timezone.localdate())
    prefetch_related_objects(periods, "follow_up_points")
    return periods


def annotated(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The agreements with what the tasks need, in the same query."""
    latest_version = (
        AgreementVersion.objects.filter(agreement=OuterRef(OuterRef("pk")))
        .order_by("-number")
        .values("pk")[:1]
    )
    open_threads = (
        Comment.objects.filter(agreement=OuterRef("pk"), parent=None, resolved_at=None)
        .exclude(author_id=OuterRef("unit__leader_id"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reports = FollowUpReport.objects.filter(agreement=OuterRef("pk")).order_by()
    return agreements.select_related("unit__area").annotate(
        open_threads=Coalesce(Subquery(open_threads, output_field=IntegerField()), 0),
        signed_roles=ArraySubquery(
            Signature.objects.filter(version_id=Subquery(latest_version)).values("role")
        ),
        reported_points=ArraySubquery(
            reports.filter(
                state__in=[FollowUpReport.State.SUBMITTED, FollowUpReport.State.SEEN]
            ).values("point_id")
        ),
        unseen_points=ArraySubquery(
            reports.filter(state=FollowUpReport.State.SUBMITTED, is_current=True).values("point_id")
        ),
    )


def _next_deadline(agreement: Agreement, period: Period) -> date:
    deadlines: dict[str, date] = {
        State.DRAFT: period.submit_due,
        State.SUBMITTED: period.dialogue_starts,
        State.IN_DIALOGUE: period.dialogue_ends,
    }
    return deadlines.get(agreement.state, period.signing_due)


def build_tasks(
    periods: list[Period],
    agreements: Iterable[Agreement],
    units_without: Iterable[tuple[Unit, Period]],
    chairs: dict[int, list[int]],
    today: date,
) -> list[Task]:
    """Every task these agreements and missing agreements give, to whom (no queries)."""
    by_pk = {period.pk: period for period in periods}
    tasks: list[Task] = []
    for unit, period in units_without:
        if unit.leader_id:
            tasks.append(Task(Kind.START, unit.leader_id, unit, period, period.draft_due))
    for agreement in agreements:
        period = by_pk[agreement.period_id]
        unit = agreement.unit
        leader, director = unit.leader_id, unit.area.director_id
        add = tasks.append
        a: dict[str, Any] = {"agreement": agreement}
        state = agreement.state
        if state == State.REVOKED or unit.is_closed:
            continue
        if leader and state == State.DRAFT:
            add(Task(Kind.SUBMIT, leader, unit, period, period.submit_due, **a))
        open_threads = getattr(agreement, "open_threads", 0)
        if leader and open_threads and state not in (State.SIGNED,):
            due = _next_deadline(agreement, period)
            add(Task(Kind.ANSWER, leader, unit, period, due, count=open_threads, **a))
        if director and state == State.SUBMITTED:
            add(Task(Kind.REVIEW, director, unit, period, period.dialogue_starts, **a))
        if state == State.IN_DIALOGUE:
            for person in {director or 0, *chairs.get(unit.committee_id, [])} - {0}:
                add(Task(Kind.APPROVE, person, unit, period, period.dialogue_ends, **a))
        if state == State.APPROVED:
            signed = set(getattr(agreement, "signed_roles", []) or [])
            signers: dict[str, list[int]] = {
                SignerRole.UNIT_LEADER: [leader] if leader else [],
                SignerRole.DIRECTOR: [director] if director else [],
                SignerRole.COMMITTEE_CHAIR: chairs.get(unit.committee_id, []),
            }
            for role in period.required_signers:
                if role in signed:
                    continue
                for person in signers.get(role, []):
                    if person:
                        add(
                            Task(
                                Kind.SIGN,
                                person,
                                unit,
                                period,
                                period.signing_due,
                                signer_role=role,
                                **a,
                            )
                        )
        if agreement.signed_version_id is not None and period.starts_on <= today:
            reported = set(getattr(agreement, "reported_points", []) or [])
            unseen = set(getattr(agreement, "unseen_points", []) or [])
            for point in period.follow_up_points.all():
                if (
                    leader
                    and point.pk not in reported
                    and point.due_on <= today + FOLLOW_UP_HORIZON
                ):
                    add(Task(Kind.REPORT, leader, unit, period, point.due_on, point=point, **a))
                if director and point.pk in unseen:
                    add(Task(Kind.READ_FOLLOW_UP, director, unit, period, None, point=point, **a))
    return tasks


def _sort_key(task: Task) -> tuple[Any, ...]:
    """Soonest deadline first (none last), then by unit, period and kind: a total order, the
    same as `_by_first_deadline` gives the agreements."""
    point = task.point.pk if task.point is not None else 0
    return (
        task.due is None,
        task.due or date.max,
        task.unit.name,
        task.unit.pk,
        task.period.pk,
        task.kind,
        point,
        task.signer_role,
    )


def _sorted(tasks: list[Task]) -> list[Task]:
    return sorted(tasks, key=_sort_key)


# The tasks of a director or chair, counted in SQL: `build_tasks` for these roles, so that the
# home page does not read every agreement of an area (1,800 units in the 5,000-unit benchmark).
# Per agreement of the person's areas and committees (not of the units the person leads): the
# tasks with a deadline (review, approve, sign; which one, and so the deadline, follows from the
# state), the follow-up reports to read (no deadline), and over all of them the sums; the rows
# of the SHOWN most pressing come back, each with what `build_tasks` needs to name its tasks.
# Raw SQL, as the ORM spent longer building and compiling this query than PostgreSQL running it.
WIDE_TASKS_SQL = """
SELECT id, signed_roles, unseen_points,
       sum(dated + cardinality(unseen_points)) OVER () AS all_tasks,
       sum(CASE WHEN first_due < %(today)s THEN dated ELSE 0 END) OVER () AS all_overdue
FROM (
    SELECT a.id, a.unit_id, a.period_id, u.name AS unit_name, sig.roles AS signed_roles,
           unseen.points AS unseen_points, counted.dated,
           CASE WHEN counted.dated > 0 THEN counted.state_due END AS first_due
    FROM agreements_agreement a
    JOIN units_unit u ON u.id = a.unit_id
    JOIN units_area area ON area.id = u.area_id
    JOIN agreements_period p ON p.id = a.period_id
    CROSS JOIN LATERAL (
        SELECT u.area_id = ANY(%(areas)s) AND area.director_id = %(me)s AS director,
               u.committee_id = ANY(%(committees)s) AS chair
    ) who
    CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(s.role), '{}'::varchar[]) AS roles
        FROM agreements_signature s
        WHERE a.state = %(approved)s AND s.version_id = (
            SELECT v.id FROM agreements_agreementversion v
            WHERE v.agreement_id = a.id ORDER BY v.number DESC LIMIT 1
        )
    ) sig
    CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(r.point_id), '{}'::bigint[]) AS points
        FROM goals_followupreport r
        WHERE who.director AND a.signed_version_id IS NOT NULL AND p.starts_on <= %(today)s
          AND r.agreement_id = a.id AND r.state = %(report_submitted)s AND r.is_current
    ) unseen
    CROSS JOIN LATERAL (
        SELECT (a.state = %(submitted)s AND who.director)::int
             + (a.state = %(in_dialogue)s AND (who.director OR who.chair))::int
             + (a.state = %(approved)s AND who.director
                AND %(as_director)s = ANY(p.required_signers)
                AND NOT %(as_director)s = ANY(sig.roles))::int
             + (a.state = %(approved)s AND who.chair
                AND %(as_chair)s = ANY(p.required_signers)
                AND NOT %(as_chair)s = ANY(sig.roles))::int AS dated,
               CASE a.state WHEN %(submitted)s THEN p.dialogue_starts
                            WHEN %(in_dialogue)s THEN p.dialogue_ends
                            WHEN %(approved)s THEN p.signing_due END AS state_due
    ) counted
    WHERE a.period_id = ANY(%(periods)s)
      AND (u.area_id = ANY(%(areas)s) OR u.committee_id = ANY(%(committees)s))
      AND NOT a.unit_id = ANY(%(led)s)
      AND a.state <> %(revoked)s
      AND (u.closed_at IS NULL OR u.closed_at > %(today)s)
) mine
WHERE dated + cardinality(unseen_points) > 0
ORDER BY first_due NULLS LAST, unit_name, unit_id, period_id
LIMIT %(shown)s
"""


def _wide_tasks(
    periods: list[Period], roles: Roles, me: int, today: date
) -> tuple[list[Agreement], int, int]:
    """The agreements of the SHOWN most pressing tasks of a director or chair (annotated as
    `build_tasks` needs them), and how many tasks and overdue tasks there are in all (two
    queries; the count is cached under the data's version, `randers.versions`)."""
    params: dict[str, Any] = {
        "periods": [period.pk for period in periods],
        "areas": sorted(roles.directed_areas),
        "committees": sorted(roles.chaired_committees),
        "led": sorted(roles.led_units),
        "me": me,
        "today": today,
        "shown": SHOWN,
        "submitted": State.SUBMITTED,
        "in_dialogue": State.IN_DIALOGUE,
        "approved": State.APPROVED,
        "revoked": State.REVOKED,
        "as_director": SignerRole.DIRECTOR,
        "as_chair": SignerRole.COMMITTEE_CHAIR,
        "report_submitted": FollowUpReport.State.SUBMITTED,
    }

    def count() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(WIDE_TASKS_SQL, params)
            return cursor.fetchall()

    rows = versions.cached("inbox", sorted(params.items()), count)
    if not rows:
        return [], 0, 0
    found = {row[0]: row for row in rows}
    agreements = list(Agreement.objects.filter(pk__in=found).select_related("unit__area"))
    for agreement in agreements:
        _pk, signed_roles, unseen_points, _all, _overdue = found[agreement.pk]
        # what `annotated` gives the agreements `build_tasks` reads (these roles have no tasks
        # from open comments or reports due)
        vars(agreement).update(
            signed_roles=signed_roles,
            unseen_points=unseen_points,
            open_threads=0,
            reported_points=[],
        )
    _pk, _roles, _points, all_tasks, all_overdue = rows[0]
    return agreements, int(all_tasks), int(all_overdue)


def inbox_for(
    user: AnyUser,
    periods: list[Period],
    *,
    led_units: Iterable[Unit] = (),
    today: date | None = None,
) -> Inbox:
    """The person's tasks, soonest deadline first: one query for the units the person leads, two
    for the areas and committees the person directs and chairs (none for a person whose roles
    have no tasks). `periods` come from
    `periods_with_points`, `led_units` are the active units the person leads (for the
    agreements not started yet).

    The tasks on the units the person leads are all read (and their agreements kept on the inbox,
    `agreements`, for the home page's list of the person's units). A director or chair may have
    thousands: those are counted in SQL, and only the agreements of the SHOWN most pressing are
    read; they are all the inbox needs, as no task of a later agreement can come before them."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    if not periods or not (roles.led_units or roles.directed_areas or roles.chaired_committees):
        return Inbox()
    prefetch_related_objects(periods, "follow_up_points")  # no query if already fetched
    me = cast(int, user.pk)
    chairs: dict[int, list[int]] = {c: [me] for c in roles.chaired_committees}
    of_periods = Agreement.objects.filter(period__in=periods)
    led: list[Agreement] = []
    if roles.led_units:
        led = list(annotated(of_periods.filter(unit_id__in=roles.led_units)).order_by("pk"))
    wide: list[Agreement] = []
    wide_total = wide_overdue = 0
    if roles.directed_areas or roles.chaired_committees:
        wide, wide_total, wide_overdue = _wide_tasks(periods, roles, me, today)
    started = {(a.unit_id, a.period_id) for a in led}
    units_without = [
        (unit, period)
        for unit in led_units
        for period in periods
        if (unit.pk, period.pk) not in started and not unit.is_closed
    ]
    mine_led = [
        task
        for task in build_tasks(periods, led, units_without, chairs, today)
        if task.person_id == me
    ]
    mine_wide = [
        task for task in build_tasks(periods, wide, [], chairs, today) if task.person_id == me
    ]
    return Inbox(
        _sorted(mine_led + mine_wide),
        agreements=led,
        total=len(mine_led) + wide_total,
        overdue_total=sum(task.is_overdue(today) for task in mine_led) + wide_overdue,
    )


def all_tasks(*, today: date | None = None) -> tuple[list[Period], list[Task]]:
    """Everyone's tasks (for the reminders), in a fixed number of queries."""
    today = today or timezone.localdate()
    periods = periods_with_points(today)
    if not periods:
        return periods, []
    agreements = list(
        annotated(Agreement.objects.filter(period__in=periods)).select_related(
            "unit__area__director", "unit__leader"
        )
    )
    started = {(a.unit_id, a.period_id) for a in agreements}
    units = list(
        Unit.objects.active(today).filter(leader__isnull=False).select_related("area", "leader")
    )
    units_without = [
        (unit, period)
        for unit in units
        for period in periods
        if (unit.pk, period.pk) not in started
    ]
    chairs: dict[int, list[int]] = {}
    person_id: int
    for committee_id, person_id in CommitteeMembership.objects.filter(
        role=CommitteeMembership.Role.CHAIR
    ).values_list("committee_id", "person_id"):
        chairs.setdefault(committee_id, []).append(person_id)
    return periods, _sorted(build_tasks(periods, agreements, units_without, chairs, today))
