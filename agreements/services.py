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
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import CouncilGoal, Goal, Indicator
from units.models import Unit, User

from . import permissions, selectors
from .models import (
    Agreement,
    AgreementSection,
    AgreementVersion,
    Consultation,
    Edit,
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


def _require_open(agreement: Agreement) -> None:
    if agreement.unit.is_closed:
        raise AgreementError(_("The unit is closed; its agreements can no longer be changed."))


def _require_state(agreement: Agreement, *states: str) -> None:
    _require_open(agreement)
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
    _require_open(locked)
    if locked.state == State.REVOKED:
        raise AgreementError(_("The agreement is already revoked."))
    return _transition(locked, State.REVOKED, by=by, reason=_reason_required(reason))
