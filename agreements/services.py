"""Every change to an agreement, one function each, with the actor explicit.

Each is one transaction that locks the agreement row, checks the lifecycle rule and the person's
right (`by=None` is the system itself: demo data, scheduled work), changes the rows and records
the change: transitions in StateChange, content edits in Edit (before and after).
"""

import base64
import hashlib
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from randers.jobs import services as jobs
from randers.jobs.models import Job
from randers.notifications import services as notifications
from randers.notifications.models import Notification
from units.models import Area, Committee, Unit, User

from . import excel, pdf, permissions, selectors
from .models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    AgreementSection,
    AgreementVersion,
    Comment,
    Consultation,
    DialogueMeeting,
    Edit,
    FollowUpPoint,
    MeetingItem,
    Period,
    SearchDocument,
    Signature,
    SignerRole,
    StateChange,
    TemplateSection,
    canonical_json,
    content_sha256,
)

State = Agreement.State
logger = logging.getLogger(__name__)


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


def _require_open(agreement: Agreement) -> None:
    if agreement.unit.is_closed:
        raise AgreementError(_("The unit is closed; its agreements can no longer be changed."))
    _require_unlocked(agreement.period)


def _require_unlocked(period: Period) -> None:
    """A period is locked for edits after its end and the grace window the administrator set."""
    if period.is_locked():
        assert period.locked_from is not None
        raise AgreementError(
            _(
                "The period %(period)s is locked for changes since %(date)s. Contact the "
                "administrators if something must be corrected."
            )
            % {
                "period": period.name,
                "date": formats.date_format(period.locked_from, "j. F Y"),
            }
        )


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


# --- Notifications: what happened to one's own work ------------------------------------------


def _people(*ids: int | None) -> list[User]:
    """The people with these ids, in one query (none for no ids)."""
    wanted = {pk for pk in ids if pk}
    return list(User.objects.filter(pk__in=wanted, is_active=True)) if wanted else []


def _names(agreement: Agreement) -> dict[str, str]:
    return {"unit": agreement.unit.name, "period": agreement.period.name}


def _notify_returned(agreement: Agreement, *, reason: str, by: User | None) -> None:
    def message() -> tuple[str, str]:
        title = _("Your agreement %(period)s for %(unit)s was returned") % _names(agreement)
        return title, _("The reason: %(reason)s") % {"reason": reason}

    notifications.notify(
        _people(agreement.unit.leader_id),
        kind=Notification.Kind.RETURNED,
        url=reverse("agreements:edit", args=[agreement.uuid]),
        message=message,
        exclude=by,
    )


def _notify_comment(agreement: Agreement, comment: "Comment", *, by: User) -> None:
    """A comment tells the unit's leader; a reply also tells the thread's author."""
    parent_author = comment.parent.author_id if comment.parent is not None else None

    def message() -> tuple[str, str]:
        title = _("%(person)s commented on the agreement %(period)s for %(unit)s") % {
            **_names(agreement),
            "person": str(by),
        }
        return title, comment.body[:500]

    notifications.notify(
        _people(agreement.unit.leader_id, parent_author),
        kind=Notification.Kind.COMMENT,
        url=reverse("agreements:detail", args=[agreement.uuid]) + "#comments",
        message=message,
        exclude=by,
    )


def _notify_signers(agreement: Agreement, *, by: User | None) -> None:
    """The approved agreement waits for the signature of each required signer."""
    required = set(agreement.period.required_signers)
    ids: list[int | None] = []
    if SignerRole.UNIT_LEADER in required:
        ids.append(agreement.unit.leader_id)
    if SignerRole.DIRECTOR in required:
        ids.append(agreement.unit.area.director_id)
    if SignerRole.COMMITTEE_CHAIR in required and agreement.unit.committee_id:
        ids += list(
            agreement.unit.committee.memberships.filter(role="chair").values_list(
                "person_id", flat=True
            )
        )

    def message() -> tuple[str, str]:
        title = _("The agreement %(period)s for %(unit)s waits for your signature") % _names(
            agreement
        )
        return title, _("The committee has approved it.")

    notifications.notify(
        _people(*ids),
        kind=Notification.Kind.SIGNATURE_NEEDED,
        url=agreement.get_absolute_url(),
        message=message,
    )


def _notify_follow_up_seen(report: FollowUpReport, *, by: User | None) -> None:
    agreement = report.agreement

    def message() -> tuple[str, str]:
        title = _("%(person)s has seen your follow-up (%(point)s) for %(unit)s") % {
            "person": str(by) if by else _("The director"),
            "point": report.point.name,
            "unit": agreement.unit.name,
        }
        return title, report.reply

    notifications.notify(
        _people(agreement.unit.leader_id, report.submitted_by_id),
        kind=Notification.Kind.FOLLOW_UP_SEEN,
        url=reverse("agreements:follow-up", args=[report.uuid]),
        message=message,
        exclude=by,
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
    reindex: bool = True,
) -> Agreement:
    """Start the unit's agreement for the period: from the template, or rolled over from last
    period's signed agreement (its section texts, and the goals in `keep_goals`). Many at once
    (`start_drafts`) pass `reindex=False` and index them together afterwards."""
    _check(by is None or permissions.can_start_agreement(by, unit.pk), by)
    if unit.is_closed:
        raise AgreementError(_("A closed unit gets no new agreements."))
    _require_unlocked(period)
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
    if reindex:
        reindex_agreement(agreement)
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
    reindex_agreement(agreement)
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
    reindex_agreement(locked)
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
    reindex_agreement(locked)
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
    reindex_agreement(locked)


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
    reindex_agreement(locked)


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
    reason = _reason_required(reason)
    _notify_returned(locked, reason=reason, by=by)
    return _transition(locked, State.DRAFT, by=by, reason=reason)


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
    _transition(
        locked, State.APPROVED, by=by, reason=note.strip(), version=selectors.latest_version(locked)
    )
    _notify_signers(locked, by=by)
    return locked


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
        reindex_agreement(locked)
        # The signed version's PDF is rendered and stored at once, in the background.
        jobs.create_job(
            Job.Kind.AGREEMENT_PDF,
            by=None,
            params=_pdf_job_params(selectors.pdf_source_for_version(version)),
        )
    return signature


@transaction.atomic
def amend_agreement(agreement: Agreement, *, by: User | None) -> Agreement:
    """Start a new draft of a signed agreement; the signed version stays in force until the new
    one is signed."""
    locked = _locked(agreement)
    _check(permissions.can_amend(by, locked) if by is not None else True, by)
    _require_state(locked, State.SIGNED)
    _transition(locked, State.DRAFT, by=by, reason=_("Amendment of the signed agreement"))
    reindex_agreement(locked)
    return locked


@transaction.atomic
def revoke_agreement(agreement: Agreement, *, reason: str, by: User | None) -> Agreement:
    """The council's right to revoke an agreement at any time, with a written reason."""
    locked = _locked(agreement)
    _check(permissions.can_revoke(by, locked) if by is not None else True, by)
    _require_open(locked)
    if locked.state == State.REVOKED:
        raise AgreementError(_("The agreement is already revoked."))
    return _transition(locked, State.REVOKED, by=by, reason=_reason_required(reason))


# --- Search --------------------------------------------------------------------------------------

SEARCH_VECTOR = (
    SearchVector("context", weight="A", config="danish")
    + SearchVector("title", weight="A", config="danish")
    + SearchVector("body", weight="B", config="danish")
)


def search_documents(
    agreement: Agreement, content: dict[str, Any], *, public: bool
) -> list[SearchDocument]:
    """The searchable pieces of one content (a version's or the current text)."""
    context = f"{content['unit']['name']} {content['period']['name']} {content['unit']['area']}"
    documents = [
        SearchDocument(
            agreement=agreement,
            public=public,
            kind=SearchDocument.Kind.SECTION,
            context=context,
            title=section["title"],
            body=section["body"],
            anchor=f"section-heading-{number}",
        )
        for number, section in enumerate(content["sections"], start=1)
    ]
    documents += [
        SearchDocument(
            agreement=agreement,
            public=public,
            kind=SearchDocument.Kind.GOAL,
            context=context,
            title=goal["title"],
            body="\n".join(
                [
                    goal["description"],
                    goal["success_criterion"],
                    *(indicator["name"] for indicator in goal["indicators"]),
                ]
            ),
            anchor=f"goal-heading-{number}",
        )
        for number, goal in enumerate(content["goals"], start=1)
    ]
    return documents


def reindex_agreement(agreement: Agreement) -> None:
    """Replace the agreement's search documents (see `reindex_agreements`)."""
    reindex_agreements([agreement])


def reindex_agreements(agreements: list[Agreement]) -> None:
    """Replace the agreements' search documents: the signed version in force is public; the
    current text, when it differs from it, is searchable by those who may read it. A constant
    number of queries for any number of agreements."""
    ids = [agreement.pk for agreement in agreements]
    agreements = list(
        Agreement.objects.filter(pk__in=ids).select_related(
            "unit__area", "unit__committee", "unit__leader", "period"
        )
    )
    SearchDocument.objects.filter(agreement_id__in=ids).delete()
    signed = {
        version.agreement_id: version
        for version in AgreementVersion.objects.filter(
            pk__in=[a.signed_version_id for a in agreements if a.signed_version_id]
        )
    }
    working = selectors.contents_of([a for a in agreements if a.state != State.SIGNED])
    documents = []
    for agreement in agreements:
        if agreement.pk in signed:
            documents += search_documents(agreement, signed[agreement.pk].content, public=True)
        if agreement.pk in working:
            documents += search_documents(agreement, working[agreement.pk], public=False)
    SearchDocument.objects.bulk_create(documents)
    SearchDocument.objects.filter(agreement_id__in=ids).update(vector=SEARCH_VECTOR)


# --- Comments ------------------------------------------------------------------------------------


@transaction.atomic
def add_comment(
    agreement: Agreement,
    *,
    body: str,
    by: User,
    section: AgreementSection | None = None,
    goal: Goal | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on the agreement, one of its sections or goals, or reply to a thread."""
    locked = _locked(agreement)
    _check(permissions.can_comment(by, locked), by)
    if not body.strip():
        raise AgreementError(_("Write the comment."))
    if parent is not None:
        if parent.agreement_id != locked.pk or parent.parent_id is not None:
            raise AgreementError(_("You can only reply to a comment on this agreement."))
        if parent.written_in_state not in permissions.comment_states_visible_to(by, locked):
            raise PermissionDenied
        section, goal = parent.section, parent.goal
    if section is not None and section.agreement_id != locked.pk:
        raise AgreementError(_("The section is not part of this agreement."))
    if goal is not None and goal.agreement_id != locked.pk:
        raise AgreementError(_("The goal is not part of this agreement."))
    comment = Comment(
        agreement=locked,
        section=section,
        goal=goal,
        parent=parent,
        author=by,
        written_in_state=locked.state,
        body=body.strip(),
    )
    comment.full_clean()
    comment.save()
    _notify_comment(locked, comment, by=by)
    return comment


@transaction.atomic
def resolve_comment(comment: Comment, *, by: User) -> Comment:
    """Mark a thread resolved (the unit's leader or a reviewer)."""
    comment = (
        Comment.objects.select_for_update().select_related("agreement__unit").get(pk=comment.pk)
    )
    _check(permissions.can_resolve_comment(by, comment), by)
    if comment.parent_id is not None:
        raise AgreementError(_("Only a whole thread can be resolved."))
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = by
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


@transaction.atomic
def reopen_comment(comment: Comment, *, by: User) -> Comment:
    comment = (
        Comment.objects.select_for_update().select_related("agreement__unit").get(pk=comment.pk)
    )
    _check(permissions.can_resolve_comment(by, comment), by)
    comment.resolved_at = None
    comment.resolved_by = None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# --- Dialogue meetings ---------------------------------------------------------------------------


@transaction.atomic
def plan_meeting(
    committee: Committee,
    *,
    title: str,
    starts_at: datetime,
    location: str,
    agreements: list[Agreement],
    by: User | None,
) -> DialogueMeeting:
    """Plan the committee's dialogue meeting with the agreements on its agenda."""
    _check(by is None or permissions.can_manage_meeting(by, committee.pk), by)
    meeting = DialogueMeeting(
        committee=committee, title=title, starts_at=starts_at, location=location, created_by=by
    )
    meeting.full_clean()
    meeting.save()
    set_agenda(meeting, agreements=agreements, by=by)
    return meeting


@transaction.atomic
def set_agenda(meeting: DialogueMeeting, *, agreements: list[Agreement], by: User | None) -> None:
    """Put exactly these agreements, in this order, on the agenda; decisions already recorded on
    agreements that stay are kept."""
    _check(by is None or permissions.can_manage_meeting(by, meeting.committee_id), by)
    for agreement in agreements:
        if agreement.unit.committee_id != meeting.committee_id:
            raise AgreementError(
                _("%(unit)s does not hold its dialogue with this committee.")
                % {"unit": agreement.unit.name}
            )
        if agreement.state not in permissions.COUNCIL_STATES:
            raise AgreementError(
                _("The agreement of %(unit)s has not been sent to the committee.")
                % {"unit": agreement.unit.name}
            )
    keep = {agreement.pk for agreement in agreements}
    meeting.items.exclude(agreement_id__in=keep).delete()
    existing = {item.agreement_id: item for item in meeting.items.all()}
    for order, agreement in enumerate(agreements, start=1):
        item = existing.get(agreement.pk) or MeetingItem(meeting=meeting, agreement=agreement)
        item.order = 1000 + order  # clear of the old numbers while renumbering
        item.save()
    for order, agreement in enumerate(agreements, start=1):
        MeetingItem.objects.filter(meeting=meeting, agreement=agreement).update(order=order)


@transaction.atomic
def record_minutes(
    meeting: DialogueMeeting,
    *,
    minutes: str,
    decisions: dict[int, tuple[str, str]],
    by: User | None,
) -> DialogueMeeting:
    """Record the meeting's minutes and the decision on each agreement (by item id)."""
    _check(by is None or permissions.can_manage_meeting(by, meeting.committee_id), by)
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    for item in meeting.items.all():
        if item.pk in decisions:
            item.decision, item.decision_note = decisions[item.pk]
            item.full_clean()
            item.save(update_fields=["decision", "decision_note"])
    return meeting


# --- PDFs and agreement books ------------------------------------------------------------------


def _lock_key(text: str) -> int:
    """A PostgreSQL advisory lock number for a text key."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def store_pdf(source: selectors.PdfSource) -> tuple[AgreementPdf, bool]:
    """The stored PDF of exactly this content and state, rendered only if there is none yet;
    returns (pdf, rendered now).

    Renderers of the same content take turns on a transaction-scoped advisory lock, so the second
    waits for the first and then finds its PDF; the unique constraint holds the same rule in the
    database. A renderer that dies releases the lock with its connection, having stored nothing.
    """
    existing = selectors.stored_pdf(source)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [_lock_key(f"pdf:{source.content_hash}:{source.state}")],
            )
        existing = selectors.stored_pdf(source)
        if existing is not None:
            return existing, False
        started = time.monotonic()
        data, pages = pdf.render_agreement_pdf_with_pages(source)
        stored = AgreementPdf(
            agreement=source.agreement,
            version=source.version,
            content_hash=source.content_hash,
            state=source.state,
            pdf_sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            pages=pages,
            data=data,
            render_seconds=round(time.monotonic() - started, 3),
        )
        stored.full_clean(validate_unique=False)
        stored.save()
    logger.info(
        "rendered PDF %s of %s (%s, %s pages)",
        stored.pk,
        source.content_hash,
        source.state,
        pages,
    )
    return stored, True


def _pdf_job_params(source: selectors.PdfSource) -> dict[str, Any]:
    return {
        "agreement": source.agreement.pk,
        "version": source.version.pk if source.version else None,
        "content_hash": source.content_hash,
        "state": source.state,
    }


def request_agreement_pdf(source: selectors.PdfSource, *, by: User | None) -> AgreementPdf | Job:
    """The answer to "Hent som PDF": the stored PDF when this exact content has one, else a job
    that renders it (the person's own unfinished job for the same content, if they asked already;
    for an anonymous reader, the unfinished job the system queued at signing)."""
    existing = selectors.stored_pdf(source)
    if existing is not None:
        return existing
    waiting = Job.objects.filter(
        kind=Job.Kind.AGREEMENT_PDF,
        requested_by=by,  # None: the system's own, e.g. the one queued at signing
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        params__content_hash=source.content_hash,
        params__state=source.state,
    ).first()
    if waiting is not None:
        return waiting
    return jobs.create_job(Job.Kind.AGREEMENT_PDF, by=by, params=_pdf_job_params(source))


def _source_for_job(agreement: Agreement, params: dict[str, Any]) -> selectors.PdfSource:
    """What a PDF job renders: the version it names (in the state it was asked in), or else the
    draft's content as it is now."""
    if params.get("version"):
        version = AgreementVersion.objects.select_related("agreement__period").get(
            pk=params["version"], agreement=agreement
        )
        source = selectors.pdf_source_for_version(version)
        if params["state"] != State.SIGNED and source.state == State.SIGNED:
            source.state, source.signatures = params["state"], []
        return source
    content = selectors.working_content(agreement)
    return selectors.PdfSource(
        agreement=agreement,
        content=content,
        content_hash=content_sha256(canonical_json(content)),
        state=agreement.state,
        version=None,
        signatures=[],
        required_roles=list(agreement.period.required_signers),
    )


def render_pdf_for_job(job: Job) -> dict[str, Any]:
    """The work of an AGREEMENT_PDF job: store the PDF (rendering it if it is not stored yet)."""
    agreement = Agreement.objects.for_page().get(pk=job.params["agreement"])
    stored, rendered = store_pdf(_source_for_job(agreement, job.params))
    with translation.override("da"):
        return {
            "message": _("The PDF is ready."),
            "url": reverse(
                "agreements:pdf-file", kwargs={"uuid": agreement.uuid, "pdf_uuid": stored.uuid}
            ),
            "link_text": _("Download the PDF"),
            "download": True,
            "pdf": str(stored.uuid),
            "rendered": rendered,
        }


# The agreement book: a job whose parts (one per agreement) run in parallel on the workers.
BOOK_PART_TASK = "agreements.tasks.render_book_part"
BOOK_ASSEMBLE_TASK = "agreements.tasks.assemble_agreement_book"


def _scope_name(scope: str, scope_id: int | None) -> str:
    if scope == AgreementBook.Scope.AREA and scope_id is not None:
        return Area.objects.get(pk=scope_id).name
    if scope == AgreementBook.Scope.COMMITTEE and scope_id is not None:
        return Committee.objects.get(pk=scope_id).name
    with translation.override("da"):
        return str(AgreementBook.Scope.MUNICIPALITY.label)


@transaction.atomic
def request_agreement_book(period: Period, *, scope: str, scope_id: int | None, by: User) -> Job:
    """Start the agreement book of a period for an area, a committee or the whole municipality:
    every agreement of it that the person may read, as they read it."""
    if scope not in AgreementBook.Scope.values or (
        scope != AgreementBook.Scope.MUNICIPALITY and scope_id is None
    ):
        raise AgreementError(_("Choose the area, the committee or the whole municipality."))
    visible = permissions.agreements_visible_to(by)
    ids = list(
        selectors.book_agreements(
            period, scope=scope, scope_id=scope_id, visible=visible
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise AgreementError(_("There are no agreements you may read for this choice."))
    return jobs.create_job(
        Job.Kind.AGREEMENT_BOOK,
        by=by,
        params={
            "period": period.pk,
            "scope": scope,
            "scope_id": scope_id,
            "scope_name": _scope_name(scope, scope_id),
            "agreements": ids,
        },
        total=len(ids),
    )


def start_book(job: Job) -> None:
    """The work of an AGREEMENT_BOOK job's message: send a part for every agreement not done yet,
    or, when all are done, the assembly. Sent again by the sweep, it sends only what is missing."""
    planned = [str(pk) for pk in job.params["agreements"]]
    done = jobs.completed_steps(job)
    jobs.report_progress(job, len(done & set(planned)), total=len(planned))
    missing = [int(pk) for pk in planned if pk not in done]
    for agreement_id in missing:
        jobs.send_on_commit(BOOK_PART_TASK, job.pk, agreement_id)
    if not missing:
        jobs.send_on_commit(BOOK_ASSEMBLE_TASK, job.pk)


def _book_reader(job: Job) -> User | None:
    return User.objects.filter(pk=job.requested_by_id).first() if job.requested_by_id else None


def render_book_part(job_id: int, agreement_id: int) -> None:
    """One agreement of a book: its PDF stored (reused when its content has one), the step
    recorded; the part that records the last step sends the assembly."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    reader = _book_reader(job)
    agreement = Agreement.objects.for_page().filter(pk=agreement_id).first()
    if agreement is not None and reader is not None and permissions.can_view(reader, agreement):
        try:
            store_pdf(selectors.pdf_source_for_reader(agreement, reader))
        except jobs.TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            logger.exception("book %s: agreement %s failed", job_id, agreement_id)
            jobs.fail_job(job, f"{agreement}: {exc.__class__.__name__}: {exc}")
            return
    done, total = jobs.complete_step(job, str(agreement_id))
    if done >= total:
        jobs.send_on_commit(BOOK_ASSEMBLE_TASK, job.pk)


def assemble_book_for_job(job: Job) -> dict[str, Any]:
    """The book's last step: cover, contents and bookmarks around every agreement's stored PDF
    (any that is missing, e.g. a draft edited meanwhile, is rendered now)."""
    reader = _book_reader(job)
    period = Period.objects.get(pk=job.params["period"])
    agreements = Agreement.objects.for_page().in_bulk(job.params["agreements"])
    entries = []
    for agreement_id in job.params["agreements"]:
        agreement = agreements.get(agreement_id)
        if agreement is None or reader is None or not permissions.can_view(reader, agreement):
            continue
        source = selectors.pdf_source_for_reader(agreement, reader)
        stored, _rendered = store_pdf(source)
        data = bytes(AgreementPdf.objects.values_list("data", flat=True).get(pk=stored.pk))
        entries.append(
            pdf.BookEntry(
                title=agreement.unit.name,
                group=agreement.unit.area.name,
                state_label=str(State(source.state).label),
                data=data,
                pages=stored.pages,
            )
        )
    with translation.override("da"):
        title = _("Agreement book %(period)s") % {"period": period.name}
        made_on = formats.date_format(timezone.localtime(), "j. F Y H:i")
        data, pages = pdf.assemble_book(
            title=title, subtitle=job.params["scope_name"], made_on=made_on, entries=entries
        )
    book = AgreementBook(
        period=period,
        scope=job.params["scope"],
        scope_name=job.params["scope_name"],
        requested_by=reader,
        job=job,
        agreement_count=len(entries),
        pages=pages,
        size=len(data),
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    book.full_clean()
    book.save()
    with translation.override("da"):
        return {
            "message": _("The agreement book is ready: %(count)s agreements, %(pages)s pages.")
            % {"count": len(entries), "pages": pages},
            "url": book.get_absolute_url(),
            "link_text": _("Download the agreement book"),
            "download": True,
            "agreements": len(entries),
        }


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
    _require_unlocked(agreement.period)


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
    _save_entries(locked, entries, by)
    return locked


def save_and_submit_follow_up(
    report: FollowUpReport, *, entries: list[GoalEntry], by: User | None
) -> FollowUpReport:
    """Save the draft and submit it, under one lock. When the submission is refused, the draft
    stays saved (nothing the leader wrote is lost) and the refusal is raised."""
    refusal = None
    with transaction.atomic():
        locked = _locked_report(report)
        _save_entries(locked, entries, by)
        try:
            with transaction.atomic():
                _submit(locked, by)
        except FollowUpRefused as refused:
            refusal = refused
    if refusal is not None:
        raise refusal
    return locked


def _save_entries(locked: FollowUpReport, entries: list[GoalEntry], by: User | None) -> None:
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
    return _submit(_locked_report(report), by)


def _submit(locked: FollowUpReport, by: User | None) -> FollowUpReport:
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
    _notify_follow_up_seen(locked, by=by)
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
    return _add_common_goals(drafts, commons, by=by)


@transaction.atomic
def add_common_goals(agreement: Agreement, *, by: User | None) -> int:
    """Start a new draft with its area's active common goals (onboarding, a merged unit)."""
    locked = _editable(agreement, by)
    commons = list(
        CommonGoal.objects.filter(area_id=locked.unit.area_id, active=True).prefetch_related(
            "council_goals", "indicators"
        )
    )
    return _add_common_goals([locked], commons, by=by)


def _add_common_goals(
    drafts: list[Agreement], commons: list[CommonGoal], *, by: User | None
) -> int:
    """Add each common goal to each draft that does not have it yet (a constant number of
    queries for any number of drafts and goals); the drafts' search documents follow."""
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
    reindex_agreements(drafts)
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


def import_follow_up_for_job(job: Job) -> dict[str, Any]:
    """The background part of the follow-up upload: the file is read again and imported in one
    transaction; refused files fail the job with their errors, one per line."""
    data = base64.b64decode(job.params["file"])
    submit = bool(job.params.get("submit"))
    parsed = excel.read_workbook(io.BytesIO(data), submitting=submit)
    try:
        result = import_follow_up(parsed, by=job.requested_by, submit=submit)
    except ImportRefused as refused:
        with translation.override(job.requested_by.language if job.requested_by else "da"):
            heading = ngettext(
                "The file has %(counter)s error; nothing was saved.",
                "The file has %(counter)s errors; nothing was saved.",
                len(refused.errors),
            ) % {"counter": len(refused.errors)}
        raise jobs.JobRefused("\n".join([heading, *refused.errors])) from refused
    with translation.override(job.requested_by.language if job.requested_by else "da"):
        message = _(
            "The file is read: %(saved)s follow-ups saved, %(submitted)s of them submitted, "
            "%(unchanged)s unchanged."
        ) % {"saved": result.saved, "submitted": result.submitted, "unchanged": result.unchanged}
        link_text = _("The follow-up overview")
    return {
        "message": message,
        "url": reverse("agreements:follow-up-overview"),
        "link_text": str(link_text),
    }


# --- Opening a new period ----------------------------------------------------------------------

PERIOD_PART_SIZE = 25
PERIOD_PART_TASK = "agreements.tasks.open_period_part"


@dataclass
class PeriodData:
    name: str
    slug: str
    starts_on: date
    ends_on: date
    draft_due: date
    submit_due: date
    dialogue_starts: date
    dialogue_ends: date
    signing_due: date
    required_signers: list[str]
    lock_after_days: int | None = None


def _plus_years(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_period_data(previous: Period) -> PeriodData:
    """The form's proposal for the period after `previous`: its dates a year later."""
    name = str(int(previous.name) + 1) if previous.name.isdigit() else f"{previous.name} (2)"
    return PeriodData(
        name=name,
        slug=f"aftaler-{name}".lower().replace(" ", "-") if name.isdigit() else "",
        starts_on=_plus_years(previous.starts_on),
        ends_on=_plus_years(previous.ends_on),
        draft_due=_plus_years(previous.draft_due),
        submit_due=_plus_years(previous.submit_due),
        dialogue_starts=_plus_years(previous.dialogue_starts),
        dialogue_ends=_plus_years(previous.dialogue_ends),
        signing_due=_plus_years(previous.signing_due),
        required_signers=list(previous.required_signers),
        lock_after_days=previous.lock_after_days,
    )


@transaction.atomic
def open_period(data: PeriodData, *, copy_from: Period | None, by: User | None) -> Job:
    """Create the period with its deadlines, the template sections and follow-up points of
    `copy_from` (the points moved by as many years as the start), and queue the job that gives every
    active unit its draft and notifies the leaders."""
    _check(by is None or permissions.can_open_period(by), by)
    period = Period(**data.__dict__)
    period.full_clean()
    period.save()
    if copy_from is not None:
        TemplateSection.objects.bulk_create(
            TemplateSection(period=period, order=s.order, title=s.title, guidance=s.guidance)
            for s in copy_from.template_sections.order_by("order")
        )
        years = period.starts_on.year - copy_from.starts_on.year
        FollowUpPoint.objects.bulk_create(
            FollowUpPoint(
                period=period, name=p.name, kind=p.kind, due_on=_plus_years(p.due_on, years)
            )
            for p in copy_from.follow_up_points.order_by("due_on")
        )
    return jobs.create_job(
        Job.Kind.PERIOD_OPENING,
        by=by,
        params={"period": period.pk, "period_name": period.name},
    )


@transaction.atomic
def set_period_lock(period: Period, *, lock_after_days: int | None, by: User | None) -> Period:
    """Set the grace window after the period's end, after which its agreements are locked."""
    _check(by is None or permissions.can_open_period(by), by)
    period.lock_after_days = lock_after_days
    period.full_clean()
    period.save(update_fields=["lock_after_days"])
    return period


def start_period_drafts(job: Job) -> None:
    """The work of a PERIOD_OPENING job: fix the list of units once, then send a part for every
    PERIOD_PART_SIZE units not done yet; sent again, it sends only what is missing."""
    if "units" not in job.params:
        job.params["units"] = list(
            Unit.objects.active().order_by("name", "pk").values_list("pk", flat=True)
        )
        Job.objects.filter(pk=job.pk).update(params=job.params)
    units = job.params["units"]
    parts = max(1, -(-len(units) // PERIOD_PART_SIZE))
    done = jobs.completed_steps(job)
    jobs.report_progress(job, len(done), total=parts)
    missing = [part for part in range(parts) if str(part) not in done]
    for part in missing:
        jobs.send_on_commit(PERIOD_PART_TASK, job.pk, part)
    if not missing:
        jobs.finish_job_once(job.pk, _period_result)


def _period_result(job: Job) -> dict[str, Any]:
    period_id = job.params["period"]
    made = Agreement.objects.filter(period_id=period_id).count()
    with translation.override(job.requested_by.language if job.requested_by else "da"):
        message = ngettext(
            "The period %(period)s is open: %(count)d unit has its draft.",
            "The period %(period)s is open: %(count)d units have their drafts.",
            made,
        ) % {"period": job.params.get("period_name", ""), "count": made}
        link_text = _("See the period's annual cycle")
    period = Period.objects.filter(pk=period_id).first()
    return {
        "agreements": made,
        "message": message,
        "url": period.get_absolute_url() if period else "",
        "link_text": link_text,
    }


def start_drafts(period: Period, unit_ids: list[int]) -> list[Agreement]:
    """Give each of the units that has none its draft for the period: rolled over from its signed
    agreement of the period before (with its goals), else from the template. Idempotent."""
    previous = period.previous()
    have = set(
        Agreement.objects.filter(period=period, unit_id__in=unit_ids).values_list(
            "unit_id", flat=True
        )
    )
    units = Unit.objects.filter(pk__in=[pk for pk in unit_ids if pk not in have]).order_by("pk")
    rollovers = (
        {
            a.unit_id: a
            for a in Agreement.objects.filter(
                period=previous, unit_id__in=unit_ids, signed_version__isnull=False
            )
            .select_related("signed_version")
            .prefetch_related("goals__council_goals", "goals__indicators")
        }
        if previous is not None
        else {}
    )
    made = []
    for unit in units:
        if unit.is_closed:
            continue
        rollover = rollovers.get(unit.pk)
        with transaction.atomic():
            made.append(
                create_agreement(
                    unit,
                    period,
                    by=None,
                    rollover=rollover,
                    keep_goals=list(rollover.goals.all()) if rollover else None,
                    reindex=False,
                )
            )
    leaders = {u.leader_id for u in units if u.leader_id}
    if made:
        reindex_agreements(made)
        _notify_drafts(period, made, leaders)
    return made


def _notify_drafts(period: Period, made: list[Agreement], leader_ids: set[int]) -> None:
    """Each leader hears that the draft is ready (one insert for all)."""
    people = {p.pk: p for p in _people(*leader_ids)}
    deliveries = []

    def message_for(agreement: Agreement) -> Callable[[], tuple[str, str]]:
        def message() -> tuple[str, str]:
            names = {"unit": agreement.unit.name, "period": period.name}
            title = _("Your draft of the agreement %(period)s for %(unit)s is ready") % names
            return title, _("Submit it by %(date)s.") % {
                "date": formats.date_format(period.submit_due, "j. F Y")
            }

        return message

    for agreement in made:
        leader = people.get(agreement.unit.leader_id or 0)
        if leader is not None:
            url = reverse("agreements:edit", args=[agreement.uuid])
            deliveries.append((leader, url, message_for(agreement)))
    notifications.notify_each(deliveries, kind=Notification.Kind.DRAFT_READY)


def open_period_part(job_id: int, part: int) -> None:
    """One part of a new period's drafts, recorded once; the last part finishes the job."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished or "units" not in job.params:
        return
    period = Period.objects.filter(pk=job.params["period"]).first()
    if period is None:
        jobs.fail_job(job, "The period is gone.")
        return
    units = job.params["units"][part * PERIOD_PART_SIZE : (part + 1) * PERIOD_PART_SIZE]
    with transaction.atomic():
        start_drafts(period, units)
    done, total = jobs.complete_step(job, str(part))
    if done >= total:
        jobs.finish_job_once(job.pk, _period_result)
