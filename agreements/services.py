"""Every change to an agreement, one function each, with the actor explicit.

Each is one transaction that locks the agreement row, checks the lifecycle rule and the person's
right (`by=None` is the system itself: demo data, scheduled work), changes the rows and records
the change: transitions in StateChange, content edits in Edit (before and after).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import (
    CommonGoal,
    CouncilGoal,
    FollowUpReport,
    FollowUpStatus,
    Goal,
    GoalFollowUp,
    Indicator,
    Measurement,
)
from goals.services import refresh_latest_status
from units.models import Area, Unit, User

from . import excel, permissions, selectors
from .models import (
    Agreement,
    AgreementSection,
    AgreementVersion,
    Consultation,
    Edit,
    FollowUpPoint,
    Period,
    Signature,
    StateChange,
    canonical_json,
    content_sha256,
)

State = Agreement.State


class AgreementError(Exception):
    """A lifecycle rule refused the action; the message is for the person who tried."""


class EditConflict(Exception):
    """Someone saved a newer version of the same text; nothing was written."""

    def __init__(self, *, current: str, updated_by: User | None, updated_at: object) -> None:
        super().__init__("edit conflict")
        self.current = current
        self.updated_by = updated_by
        self.updated_at = updated_at


class SubmissionRefused(Exception):
    def __init__(self, problems: list[selectors.Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass
class IndicatorData:
    name: str
    unit_of_measure: str = ""
    direction: str = Indicator.Direction.INCREASE
    baseline: Decimal | None = None
    target: Decimal | None = None
    id: int | None = None
    definition_id: int | None = None


@dataclass
class GoalData:
    title: str
    description: str = ""
    success_criterion: str = ""
    kind: str = Goal.Kind.LOCAL
    council_goals: list[CouncilGoal] = field(default_factory=list)
    indicators: list[IndicatorData] = field(default_factory=list)


def _check(allowed: bool, by: User | None) -> None:
    if by is not None and not allowed:
        raise PermissionDenied


def _locked(agreement: Agreement) -> Agreement:
    """The agreement row, locked for the rest of the transaction, with what the rules read."""
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("unit__area", "unit__committee", "period")
        .get(pk=agreement.pk)
    )


def _require_state(agreement: Agreement, *states: str) -> None:
    if agreement.state not in states:
        raise AgreementError(
            _("This cannot be done while the agreement is “%(state)s”.")
            % {"state": agreement.get_state_display()}
        )


def _transition(
    agreement: Agreement,
    to_state: str,
    *,
    by: User | None,
    reason: str = "",
    version: AgreementVersion | None = None,
    update_fields: tuple[str, ...] = (),
) -> Agreement:
    from_state = agreement.state
    agreement.state = to_state
    agreement.save(update_fields=["state", "updated_at", *update_fields])
    StateChange.objects.create(
        agreement=agreement,
        actor=by,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        version=version,
    )
    return agreement


def _edit(
    agreement: Agreement,
    *,
    by: User | None,
    action: str,
    target: str,
    before: str = "",
    after: str = "",
) -> None:
    Edit.objects.create(
        agreement=agreement, actor=by, action=action, target=target, before=before, after=after
    )


# --- Starting an agreement ---------------------------------------------------------------------


@transaction.atomic
def create_agreement(
    unit: Unit,
    period: Period,
    *,
    by: User | None,
    rollover: Agreement | None = None,
    keep_goals: list[Goal] | None = None,
) -> Agreement:
    """Start the unit's agreement for the period: from the template, or rolled over from last
    period's signed agreement (its section texts, and the goals in `keep_goals`)."""
    _check(by is None or permissions.can_start_agreement(by, unit.pk), by)
    if unit.is_closed:
        raise AgreementError(_("A closed unit gets no new agreements."))
    if Agreement.objects.filter(unit=unit, period=period).exists():
        raise AgreementError(_("The unit already has an agreement for this period."))
    if rollover is not None and (rollover.unit_id != unit.pk or rollover.signed_version is None):
        raise AgreementError(_("Only the unit's own signed agreement can be rolled over."))

    agreement = Agreement.objects.create(
        unit=unit,
        period=period,
        source=Agreement.Source.ROLLOVER if rollover else Agreement.Source.TEMPLATE,
        previous=rollover,
    )
    previous_bodies = {}
    if rollover is not None:
        assert rollover.signed_version is not None
        previous_bodies = {
            s["title"]: s["body"] for s in rollover.signed_version.content["sections"]
        }
    AgreementSection.objects.bulk_create(
        AgreementSection(
            agreement=agreement,
            template_section=template,
            order=template.order,
            title=template.title,
            guidance=template.guidance,
            body=previous_bodies.get(template.title, ""),
        )
        for template in period.template_sections.order_by("order")
    )
    for order, old_goal in enumerate(keep_goals or [], start=1):
        if old_goal.agreement_id != (rollover.pk if rollover else None):
            raise AgreementError(_("Only goals of the rolled-over agreement can be kept."))
        _copy_goal(old_goal, agreement, order)
    _edit(
        agreement,
        by=by,
        action=Edit.Action.ADDED,
        target=_("The agreement"),
        after=str(agreement.get_source_display()),
    )
    return agreement


def _copy_goal(old: Goal, agreement: Agreement, order: int) -> Goal:
    goal = Goal.objects.create(
        agreement=agreement,
        order=order,
        kind=old.kind,
        title=old.title,
        description=old.description,
        success_criterion=old.success_criterion,
        common_goal=old.common_goal,
        carried_from=old,
    )
    goal.council_goals.set(old.council_goals.all())
    Indicator.objects.bulk_create(
        Indicator(
            goal=goal,
            definition_id=indicator.definition_id,
            name=indicator.name,
            unit_of_measure=indicator.unit_of_measure,
            direction=indicator.direction,
            baseline=indicator.baseline,
            target=indicator.target,
            order=indicator.order,
        )
        for indicator in old.indicators.all()
    )
    return goal


# --- Editing a draft ---------------------------------------------------------------------------


def _editable(agreement: Agreement, by: User | None) -> Agreement:
    locked = _locked(agreement)
    _check(permissions.can_edit(by, locked) if by is not None else True, by)
    _require_state(locked, State.DRAFT)
    if locked.unit.is_closed:
        raise AgreementError(_("The unit is closed; its agreements can no longer be changed."))
    return locked


@transaction.atomic
def update_section(
    section: AgreementSection, *, body: str, expected_revision: int, by: User | None
) -> AgreementSection:
    """Save a section's text, unless someone saved a newer one since `expected_revision`."""
    agreement = _editable(section.agreement, by)
    current = AgreementSection.objects.select_related("updated_by").get(pk=section.pk)
    if current.revision != expected_revision:
        raise EditConflict(
            current=current.body, updated_by=current.updated_by, updated_at=current.updated_at
        )
    if current.body == body:
        return current
    AgreementSection.objects.filter(pk=section.pk).update(
        body=body, revision=F("revision") + 1, updated_by=by, updated_at=timezone.now()
    )
    _edit(
        agreement,
        by=by,
        action=Edit.Action.CHANGED,
        target=current.title,
        before=current.body,
        after=body,
    )
    return AgreementSection.objects.get(pk=section.pk)


@transaction.atomic
def update_budget(
    agreement: Agreement,
    *,
    amount: Decimal | None,
    note: str,
    expected_revision: int,
    by: User | None,
) -> Agreement:
    locked = _editable(agreement, by)
    if locked.revision != expected_revision:
        raise EditConflict(
            current=locked.budget_note, updated_by=None, updated_at=locked.updated_at
        )
    before = f"{locked.budget_amount or ''} {locked.budget_note}".strip()
    locked.budget_amount, locked.budget_note = amount, note
    locked.revision += 1
    locked.full_clean()
    locked.save(update_fields=["budget_amount", "budget_note", "revision", "updated_at"])
    _edit(
        locked,
        by=by,
        action=Edit.Action.CHANGED,
        target=_("Budget frame"),
        before=before,
        after=f"{amount or ''} {note}".strip(),
    )
    return locked


def _goal_summary(goal: Goal) -> str:
    return "\n".join(
        part for part in (goal.title, goal.description, goal.success_criterion) if part
    )


def _save_indicators(goal: Goal, indicators: list[IndicatorData]) -> None:
    existing = {indicator.pk: indicator for indicator in goal.indicators.all()}
    keep = []
    for order, data in enumerate(indicators):
        indicator = existing.get(data.id) if data.id else None
        indicator = indicator or Indicator(goal=goal)
        indicator.definition_id = data.definition_id
        indicator.name = data.name
        indicator.unit_of_measure = data.unit_of_measure
        indicator.direction = data.direction
        indicator.baseline = data.baseline
        indicator.target = data.target
        indicator.order = order
        indicator.full_clean()
        indicator.save()
        keep.append(indicator.pk)
    goal.indicators.exclude(pk__in=keep).delete()


@transaction.atomic
def add_goal(agreement: Agreement, *, data: GoalData, by: User | None) -> Goal:
    locked = _editable(agreement, by)
    order = (locked.goals.aggregate(Max("order"))["order__max"] or 0) + 1
    goal = Goal(
        agreement=locked,
        order=order,
        kind=data.kind,
        title=data.title,
        description=data.description,
        success_criterion=data.success_criterion,
        updated_by=by,
    )
    goal.full_clean()
    goal.save()
    goal.council_goals.set(data.council_goals)
    _save_indicators(goal, data.indicators)
    _edit(
        locked,
        by=by,
        action=Edit.Action.ADDED,
        target=_("Goal “%(title)s”") % {"title": goal.title},
        after=_goal_summary(goal),
    )
    return goal


@transaction.atomic
def update_goal(goal: Goal, *, data: GoalData, expected_revision: int, by: User | None) -> Goal:
    locked = _editable(goal.agreement, by)
    current = Goal.objects.select_related("updated_by").get(pk=goal.pk)
    if current.revision != expected_revision:
        raise EditConflict(
            current=_goal_summary(current),
            updated_by=current.updated_by,
            updated_at=current.updated_at,
        )
    before = _goal_summary(current)
    current.kind = data.kind
    current.title = data.title
    current.description = data.description
    current.success_criterion = data.success_criterion
    current.revision += 1
    current.updated_by = by
    current.full_clean()
    current.save()
    current.council_goals.set(data.council_goals)
    _save_indicators(current, data.indicators)
    _edit(
        locked,
        by=by,
        action=Edit.Action.CHANGED,
        target=_("Goal “%(title)s”") % {"title": current.title},
        before=before,
        after=_goal_summary(current),
    )
    return current


@transaction.atomic
def remove_goal(goal: Goal, *, by: User | None) -> None:
    locked = _editable(goal.agreement, by)
    summary = _goal_summary(goal)
    title = goal.title
    Goal.objects.filter(pk=goal.pk).delete()
    for order, remaining in enumerate(locked.goals.order_by("order"), start=1):
        if remaining.order != order:
            Goal.objects.filter(pk=remaining.pk).update(order=order)
    _edit(
        locked,
        by=by,
        action=Edit.Action.REMOVED,
        target=_("Goal “%(title)s”") % {"title": title},
        before=summary,
    )


@transaction.atomic
def move_goal(goal: Goal, *, offset: int, by: User | None) -> None:
    """Move the goal up (-1) or down (+1) in the agreement's order."""
    locked = _editable(goal.agreement, by)
    goals = list(locked.goals.order_by("order"))
    index = next(i for i, g in enumerate(goals) if g.pk == goal.pk)
    target = index + offset
    if not 0 <= target < len(goals):
        return
    goals[index], goals[target] = goals[target], goals[index]
    for order, moved in enumerate(goals, start=1):
        if moved.order != order:
            Goal.objects.filter(pk=moved.pk).update(order=order)
    _edit(
        locked,
        by=by,
        action=Edit.Action.MOVED,
        target=_("Goal “%(title)s”") % {"title": goal.title},
        before=str(index + 1),
        after=str(target + 1),
    )


@transaction.atomic
def record_consultation(
    agreement: Agreement,
    *,
    body: str,
    status: str,
    held_on: date | None,
    statement: str,
    reason: str,
    by: User | None,
) -> Consultation:
    locked = _editable(agreement, by)
    consultation = Consultation.objects.filter(agreement=locked, body=body).first()
    before = _consultation_summary(consultation) if consultation else ""
    consultation = consultation or Consultation(agreement=locked, body=body)
    consultation.status = status
    consultation.held_on = held_on if status == Consultation.Status.CONSULTED else None
    consultation.statement = statement if status == Consultation.Status.CONSULTED else ""
    consultation.reason = reason if status == Consultation.Status.NOT_APPLICABLE else ""
    consultation.updated_by = by
    consultation.full_clean()
    consultation.save()
    _edit(
        locked,
        by=by,
        action=Edit.Action.CHANGED,
        target=str(consultation.get_body_display()),
        before=before,
        after=_consultation_summary(consultation),
    )
    return consultation


def _consultation_summary(consultation: Consultation) -> str:
    return "\n".join(
        part
        for part in (
            str(consultation.get_status_display()),
            consultation.held_on.isoformat() if consultation.held_on else "",
            consultation.statement,
            consultation.reason,
        )
        if part
    )


# --- The lifecycle -----------------------------------------------------------------------------


def freeze_version(agreement: Agreement, *, by: User | None) -> AgreementVersion:
    """Freeze the agreement's current content as the next numbered version, with its SHA-256."""
    text = canonical_json(selectors.working_content(agreement))
    number = (agreement.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    return AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        content_text=text,
        content_hash=content_sha256(text),
        created_by=by,
    )


@transaction.atomic
def submit_agreement(agreement: Agreement, *, by: User | None) -> Agreement:
    """Submit the draft for review, if it has the mandatory content; freezes a version."""
    locked = _locked(agreement)
    _check(permissions.can_submit(by, locked) if by is not None else True, by)
    _require_state(locked, State.DRAFT)
    problems = selectors.submission_problems(locked)
    if problems:
        raise SubmissionRefused(problems)
    version = freeze_version(locked, by=by)
    locked.submitted_at = timezone.now()
    return _transition(
        locked, State.SUBMITTED, by=by, version=version, update_fields=("submitted_at",)
    )


def _reason_required(reason: str) -> str:
    if not reason.strip():
        raise AgreementError(_("Write the reason; the leader will see it."))
    return reason.strip()


@transaction.atomic
def return_agreement(agreement: Agreement, *, reason: str, by: User | None) -> Agreement:
    """Send the agreement back to the leader as a draft, always with a written reason."""
    locked = _locked(agreement)
    _check(permissions.can_review(by, locked) if by is not None else True, by)
    _require_state(locked, State.SUBMITTED, State.IN_DIALOGUE)
    return _transition(locked, State.DRAFT, by=by, reason=_reason_required(reason))


@transaction.atomic
def send_to_committee(agreement: Agreement, *, by: User | None) -> Agreement:
    locked = _locked(agreement)
    _check(permissions.can_review(by, locked) if by is not None else True, by)
    _require_state(locked, State.SUBMITTED)
    return _transition(locked, State.IN_DIALOGUE, by=by)


@transaction.atomic
def approve_agreement(agreement: Agreement, *, by: User | None, note: str = "") -> Agreement:
    """Record the committee's approval; the submitted version is then the one to sign."""
    locked = _locked(agreement)
    _check(permissions.can_approve(by, locked) if by is not None else True, by)
    _require_state(locked, State.IN_DIALOGUE)
    return _transition(
        locked, State.APPROVED, by=by, reason=note.strip(), version=selectors.latest_version(locked)
    )


@transaction.atomic
def sign_agreement(agreement: Agreement, *, role: str, by: User) -> Signature:
    """Sign the approved version as `role`. The caller has re-authenticated the signer. When the
    last required signer has signed, the agreement is signed and public."""
    locked = _locked(agreement)
    _require_state(locked, State.APPROVED)
    if role not in permissions.signer_roles(by, locked):
        raise PermissionDenied
    version = selectors.latest_version(locked)
    assert version is not None  # submitting froze one
    if version.signatures.filter(role=role).exists():
        raise AgreementError(_("The agreement is already signed in this role."))
    signature = Signature.objects.create(
        version=version,
        signer=by,
        role=role,
        signer_name=str(by),
        signer_title=by.job_title,
        content_hash=version.content_hash,
    )
    signed_roles = set(version.signatures.values_list("role", flat=True))
    if set(locked.period.required_signers) <= signed_roles:
        locked.signed_version = version
        locked.signed_at = timezone.now()
        _transition(
            locked,
            State.SIGNED,
            by=by,
            version=version,
            update_fields=("signed_version", "signed_at"),
        )
    return signature


@transaction.atomic
def amend_agreement(agreement: Agreement, *, by: User | None) -> Agreement:
    """Start a new draft of a signed agreement; the signed version stays in force until the new
    one is signed."""
    locked = _locked(agreement)
    _check(permissions.can_amend(by, locked) if by is not None else True, by)
    _require_state(locked, State.SIGNED)
    return _transition(locked, State.DRAFT, by=by, reason=_("Amendment of the signed agreement"))


@transaction.atomic
def revoke_agreement(agreement: Agreement, *, reason: str, by: User | None) -> Agreement:
    """The council's right to revoke an agreement at any time, with a written reason."""
    locked = _locked(agreement)
    _check(permissions.can_revoke(by, locked) if by is not None else True, by)
    if locked.state == State.REVOKED:
        raise AgreementError(_("The agreement is already revoked."))
    return _transition(locked, State.REVOKED, by=by, reason=_reason_required(reason))


# --- Follow-up -----------------------------------------------------------------------------------


class FollowUpRefused(AgreementError):
    """The report is not complete; `problems` maps each goal follow-up's id to its messages."""

    def __init__(self, problems: dict[int, list[str]]) -> None:
        super().__init__(_("Every goal needs a status and a written assessment."))
        self.problems = problems


@dataclass
class MeasurementEntry:
    indicator_id: int
    measured_on: date
    value: Decimal


@dataclass
class GoalEntry:
    """What the leader reports on one goal: its status, the assessment, new measurements."""

    follow_up_id: int
    status: str = ""
    assessment: str = ""
    measurements: list[MeasurementEntry] = field(default_factory=list)


def goals_in_force(agreement: Agreement) -> list[Goal]:
    """The goals of the signed version in force (a goal added by an amendment in preparation is
    followed up once the amendment is signed)."""
    assert agreement.signed_version is not None
    uuids = [goal["id"] for goal in agreement.signed_version.content["goals"]]
    return list(agreement.goals.filter(uuid__in=uuids).order_by("order"))


def _require_reportable(agreement: Agreement, by: User | None) -> None:
    _check(permissions.can_report(by, agreement) if by is not None else True, by)
    if agreement.signed_version_id is None or agreement.state == State.REVOKED:
        raise AgreementError(_("Follow-up is reported on signed agreements in force."))


@transaction.atomic
def start_follow_up(
    agreement: Agreement, point: FollowUpPoint, *, by: User | None
) -> FollowUpReport:
    """Open the draft report on the agreement's goals at the point (or return the open one). A
    point already reported on gets a new draft that starts from the current report and
    supersedes it when submitted."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("unit__area", "period", "signed_version")
        .get(pk=agreement.pk)
    )
    _require_reportable(locked, by)
    if point.period_id != locked.period_id:
        raise AgreementError(_("The follow-up point belongs to another period."))
    draft = FollowUpReport.objects.filter(
        agreement=locked, point=point, state=FollowUpReport.State.DRAFT
    ).first()
    if draft is not None:
        return draft
    current = (
        FollowUpReport.objects.filter(agreement=locked, point=point, is_current=True)
        .prefetch_related("goals")
        .first()
    )
    earlier = {entry.goal_id: entry for entry in current.goals.all()} if current else {}
    report = FollowUpReport(agreement=locked, point=point, created_by=by)
    report.full_clean()
    report.save()
    rows = []
    for order, goal in enumerate(goals_in_force(locked), start=1):
        before = earlier.get(goal.pk)
        rows.append(
            GoalFollowUp(
                report=report,
                goal=goal,
                goal_title=goal.title,
                order=order,
                status=before.status if before else "",
                assessment=before.assessment if before else "",
            )
        )
    GoalFollowUp.objects.bulk_create(rows)
    return report


def _locked_report(report: FollowUpReport) -> FollowUpReport:
    return (
        FollowUpReport.objects.select_for_update(of=("self",))
        .select_related("agreement__unit__area", "agreement__period", "point")
        .get(pk=report.pk)
    )


def _require_draft(report: FollowUpReport) -> None:
    if report.state != FollowUpReport.State.DRAFT:
        raise AgreementError(
            _("A submitted follow-up is not edited. Start a new one to supersede it.")
        )


@transaction.atomic
def save_follow_up(
    report: FollowUpReport, *, entries: list[GoalEntry], by: User | None
) -> FollowUpReport:
    """Save the draft report: each goal's status, assessment and new measurements (an entry's
    measurements replace the ones the draft had for the goal's indicators). A constant number of
    queries, whatever the number of goals: the rows' own fields are checked here, and their
    references are the report's own."""
    locked = _locked_report(report)
    _require_reportable(locked.agreement, by)
    _require_draft(locked)
    rows = {row.pk: row for row in locked.goals.all()}
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(
            goal__in=[row.goal_id for row in rows.values() if row.goal_id]
        )
    }
    changed, measurements = [], []
    for entry in entries:
        row = rows.get(entry.follow_up_id)
        if row is None:
            raise AgreementError(_("The goal is not part of this follow-up."))
        if entry.status and entry.status not in FollowUpStatus.values:
            raise AgreementError(_("Choose a status from the list."))
        row.status, row.assessment = entry.status, entry.assessment.strip()
        row.clean_fields(exclude=["report", "goal"])
        changed.append(row)
        for measurement in entry.measurements:
            indicator = indicators.get(measurement.indicator_id)
            if indicator is None or indicator.goal_id != row.goal_id:
                raise AgreementError(_("The indicator does not belong to the goal."))
            new = Measurement(
                unit_id=locked.agreement.unit_id,
                indicator=indicator,
                definition_id=indicator.definition_id,
                name=indicator.name,
                unit_of_measure=indicator.unit_of_measure,
                measured_on=measurement.measured_on,
                value=measurement.value,
                report=locked,
                recorded_by=by,
            )
            new.clean_fields(exclude=["unit", "indicator", "definition", "report", "recorded_by"])
            measurements.append(new)
    Measurement.objects.filter(
        report=locked, indicator__goal_id__in=[row.goal_id for row in changed]
    ).delete()
    Measurement.objects.bulk_create(measurements)
    GoalFollowUp.objects.bulk_update(changed, ["status", "assessment"])
    return locked


def follow_up_problems(report: FollowUpReport) -> dict[int, list[str]]:
    """What keeps the report from being submitted: a goal without status or assessment."""
    problems: dict[int, list[str]] = {}
    for row in report.goals.all():
        messages = []
        if not row.status:
            messages.append(_("Choose the goal's status."))
        if not row.assessment.strip():
            messages.append(_("Write an assessment of how the goal is going."))
        if messages:
            problems[row.pk] = messages
    return problems


@transaction.atomic
def submit_follow_up(report: FollowUpReport, *, by: User | None) -> FollowUpReport:
    """Submit the draft: every goal needs a status and a written assessment. The report then
    supersedes the point's earlier report, which stays readable, and is never edited again."""
    locked = _locked_report(report)
    _require_reportable(locked.agreement, by)
    _require_draft(locked)
    problems = follow_up_problems(locked)
    if problems:
        raise FollowUpRefused(problems)
    earlier = FollowUpReport.objects.filter(
        agreement_id=locked.agreement_id, point_id=locked.point_id, is_current=True
    ).first()
    if earlier is not None:
        FollowUpReport.objects.filter(pk=earlier.pk).update(is_current=False)
    locked.supersedes = earlier
    locked.state = FollowUpReport.State.SUBMITTED
    locked.is_current = True
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.full_clean()
    locked.save(update_fields=["supersedes", "state", "is_current", "submitted_at", "submitted_by"])
    refresh_latest_status(list(locked.goals.exclude(goal=None).values_list("goal_id", flat=True)))
    return locked


@transaction.atomic
def mark_follow_up_seen(report: FollowUpReport, *, reply: str, by: User | None) -> FollowUpReport:
    """The director marks a submitted report as seen, with an optional reply to the leader."""
    locked = _locked_report(report)
    _check(permissions.can_mark_seen(by, locked.agreement) if by is not None else True, by)
    if locked.state != FollowUpReport.State.SUBMITTED:
        raise AgreementError(_("Only a submitted follow-up can be marked as seen."))
    locked.state = FollowUpReport.State.SEEN
    locked.seen_at = timezone.now()
    locked.seen_by = by
    locked.reply = reply.strip()
    locked.full_clean()
    locked.save(update_fields=["state", "seen_at", "seen_by", "reply"])
    return locked


# --- Common goals as a starting point --------------------------------------------------------


@transaction.atomic
def push_common_goals(area: Area, period: Period, *, by: User | None) -> int:
    """Add the area's active common goals to every draft of the period in the area that does not
    have them yet, as a starting point the unit then makes its own. Returns the goals added."""
    _check(permissions.can_push_common_goals(by) if by is not None else True, by)
    drafts = list(
        Agreement.objects.select_for_update(of=("self",))
        .filter(period=period, unit__area=area, state=State.DRAFT)
        .order_by("pk")
    )
    commons = list(
        CommonGoal.objects.filter(area=area, active=True).prefetch_related(
            "council_goals", "indicators"
        )
    )
    if not drafts or not commons:
        return 0
    have = set(
        Goal.objects.filter(agreement__in=drafts, common_goal__in=commons).values_list(
            "agreement_id", "common_goal_id"
        )
    )
    last_order = dict(
        Goal.objects.filter(agreement__in=drafts)
        .values("agreement_id")
        .annotate(last=Max("order"))
        .values_list("agreement_id", "last")
    )
    goals: list[tuple[Goal, CommonGoal]] = []
    edits = []
    for agreement in drafts:
        order = last_order.get(agreement.pk) or 0
        for common in commons:
            if (agreement.pk, common.pk) in have:
                continue
            order += 1
            goal = Goal(
                agreement=agreement,
                order=order,
                kind=Goal.Kind.COMMON,
                title=common.title,
                description=common.description,
                success_criterion=common.success_criterion,
                common_goal=common,
                updated_by=by,
            )
            goals.append((goal, common))
            edits.append(
                Edit(
                    agreement=agreement,
                    actor=by,
                    action=Edit.Action.ADDED,
                    target=_("Goal “%(title)s”") % {"title": common.title},
                    after=_("Common goal of the area"),
                )
            )
    Goal.objects.bulk_create([goal for goal, _common in goals])
    Goal.council_goals.through.objects.bulk_create(
        Goal.council_goals.through(goal=goal, councilgoal=council_goal)
        for goal, common in goals
        for council_goal in common.council_goals.all()
    )
    Indicator.objects.bulk_create(
        Indicator(
            goal=goal,
            definition=definition,
            name=definition.name,
            unit_of_measure=definition.unit_of_measure,
            direction=definition.direction,
            order=order,
        )
        for goal, common in goals
        for order, definition in enumerate(common.indicators.all())
    )
    Edit.objects.bulk_create(edits)
    return len(goals)


# --- Bulk follow-up from an Excel file -----------------------------------------------------------


class ImportRefused(AgreementError):
    """The file has errors; nothing was saved. `errors` are for the person, in their order."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The file has errors; nothing was saved."))
        self.errors = errors


@dataclass
class ImportResult:
    saved: int = 0
    submitted: int = 0
    unchanged: int = 0


@transaction.atomic
def import_follow_up(
    parsed: excel.ParsedWorkbook, *, by: User | None, submit: bool = False
) -> ImportResult:
    """Save (and with `submit`, submit) the follow-up of a filled-in workbook: every row is
    checked first, and nothing is saved unless the whole file is valid. Agreements whose rows are
    the same as their draft or current report are left alone."""
    errors = [*parsed.file_errors, *(str(error) for error in parsed.errors)]
    if errors or parsed.point_id is None:
        raise ImportRefused(errors)
    point = (
        FollowUpPoint.objects.select_related("period")
        .filter(pk=parsed.point_id, period__slug=parsed.period_slug)
        .first()
    )
    if point is None:
        raise ImportRefused(
            [
                _(
                    "The file names a follow-up point that does not exist. "
                    "Use the file downloaded here."
                )
            ]
        )
    agreements = (
        permissions.reportable_agreements(by) if by is not None else Agreement.objects.all()
    ).filter(period=point.period, signed_version__isnull=False)
    goals = {str(goal.uuid): goal for goal in excel.goals_in_force_of(agreements)}
    goal_sheet, measurement_sheet, _about = excel.sheet_names()
    goal_heads, measurement_heads = excel.goal_headers(), excel.measurement_headers()
    row_errors: list[excel.RowError] = []
    for row in parsed.goals:
        if row.goal_uuid not in goals:
            row_errors.append(
                excel.RowError(
                    goal_sheet,
                    row.row,
                    "A",
                    goal_heads[0],
                    _("The goal is not one you can report on in this period."),
                )
            )
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(goal__in=list(goals.values()))
    }
    for measurement in parsed.measurements:
        if measurement.indicator_id not in indicators:
            row_errors.append(
                excel.RowError(
                    measurement_sheet,
                    measurement.row,
                    "A",
                    measurement_heads[0],
                    _("The indicator is not one you can report on in this period."),
                )
            )
    if row_errors:
        raise ImportRefused([str(error) for error in row_errors])

    rows_by_goal = {row.goal_uuid: row for row in parsed.goals}
    measurements_by_goal: dict[int, list[MeasurementEntry]] = {}
    measurement_rows: dict[int, int] = {}
    for measurement in parsed.measurements:
        goal_id = indicators[measurement.indicator_id].goal_id
        measurements_by_goal.setdefault(goal_id, []).append(
            MeasurementEntry(measurement.indicator_id, measurement.measured_on, measurement.value)
        )
        measurement_rows[goal_id] = measurement.row
    by_agreement: dict[int, list[Goal]] = {}
    for goal in goals.values():
        if str(goal.uuid) in rows_by_goal or goal.pk in measurements_by_goal:
            by_agreement.setdefault(goal.agreement_id, []).append(goal)

    existing: dict[int, GoalFollowUp] = {}
    for follow_up in (
        GoalFollowUp.objects.filter(goal__in=list(goals.values()), report__point=point)
        .filter(Q(report__state=FollowUpReport.State.DRAFT) | Q(report__is_current=True))
        .select_related("report")
    ):
        if follow_up.goal_id is not None and (
            follow_up.goal_id not in existing or follow_up.report.is_draft
        ):
            existing[follow_up.goal_id] = follow_up
    result = ImportResult()
    missing: list[str] = []
    for agreement_goals in by_agreement.values():
        agreement = agreement_goals[0].agreement

        def differs(goal: Goal) -> bool:
            row = rows_by_goal.get(str(goal.uuid))
            before = existing.get(goal.pk)
            if goal.pk in measurements_by_goal:
                return True
            if row is None:
                return False
            return before is None or (before.status, before.assessment) != (
                row.status,
                row.assessment,
            )

        has_draft = any(
            existing.get(goal.pk) is not None and existing[goal.pk].report.is_draft
            for goal in agreement_goals
        )
        if not any(differs(goal) for goal in agreement_goals) and not (submit and has_draft):
            result.unchanged += 1
            continue
        report = start_follow_up(agreement, point, by=by)
        follow_ups = {row.goal_id: row for row in report.goals.all()}
        entries = []
        for goal in agreement_goals:
            given = rows_by_goal.get(str(goal.uuid))
            follow_up = follow_ups[goal.pk]
            entries.append(
                GoalEntry(
                    follow_up_id=follow_up.pk,
                    status=given.status if given else follow_up.status,
                    assessment=given.assessment if given else follow_up.assessment,
                    measurements=measurements_by_goal.get(goal.pk, []),
                )
            )
        save_follow_up(report, entries=entries, by=by)
        result.saved += 1
        if submit:
            try:
                submit_follow_up(report, by=by)
            except FollowUpRefused as refused:
                row_errors += _refusal_rows(refused, report, rows_by_goal, agreement)
                missing += [
                    _("The goal “%(goal)s” of %(unit)s is missing from the file: %(message)s")
                    % {"goal": follow_up.goal_title, "unit": agreement.unit.name, "message": m}
                    for follow_up in follow_ups.values()
                    if follow_up.goal is None or str(follow_up.goal.uuid) not in rows_by_goal
                    for m in refused.problems.get(follow_up.pk, [])
                ]
            else:
                result.submitted += 1
    if row_errors or missing:
        ordered = sorted(row_errors, key=lambda error: (error.sheet != goal_sheet, error.row))
        raise ImportRefused([str(error) for error in ordered] + missing)
    return result


def _refusal_rows(
    refused: FollowUpRefused,
    report: FollowUpReport,
    rows_by_goal: dict[str, "excel.GoalRow"],
    agreement: Agreement,
) -> list[excel.RowError]:
    """The problems of a refused submission, at the rows of the file they come from."""
    goal_sheet = excel.sheet_names()[0]
    heads = excel.goal_headers()
    errors = []
    for follow_up in report.goals.select_related("goal"):
        row = rows_by_goal.get(str(follow_up.goal.uuid)) if follow_up.goal else None
        if row is None:
            continue
        for message in refused.problems.get(follow_up.pk, []):
            column = 3 if message == _("Choose the goal's status.") else 4
            errors.append(
                excel.RowError(goal_sheet, row.row, "ABCDE"[column], heads[column], message)
            )
    return errors
