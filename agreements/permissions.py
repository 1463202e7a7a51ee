"""Who may see and do what with an agreement (DESIGN.md, "Who may do what").

Everything follows from the roles granted in `units.permissions`: leading the unit, directing its
area, chairing its committee, sitting on the council, administering. Lists are filtered in SQL by
`agreements_visible_to`; single objects are checked against the person's roles, loaded
once per request (`units.permissions.roles_of`), so that per-row checks cost no queries.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from units.permissions import AnyUser, Roles, roles_of

from .models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    Comment,
    SearchDocument,
    SignerRole,
)

State = Agreement.State

# States a council or committee member may read (besides the public, signed ones).
COUNCIL_STATES = [State.IN_DIALOGUE, State.APPROVED, State.SIGNED]


def _leads(roles: Roles, agreement: Agreement) -> bool:
    return agreement.unit_id in roles.led_units


def _directs(roles: Roles, agreement: Agreement) -> bool:
    return agreement.unit.area_id in roles.directed_areas


def _chairs(roles: Roles, agreement: Agreement) -> bool:
    return agreement.unit.committee_id in roles.chaired_committees


def _reads_council_states(roles: Roles) -> bool:
    return roles.council_member or bool(roles.committees)


def _open(agreement: Agreement) -> bool:
    """A closed unit's agreements are read-only: nobody acts on them any more."""
    return not agreement.unit.is_closed


# --- Lists, in SQL -----------------------------------------------------------------------------


def agreements_visible_to(user: AnyUser) -> QuerySet[Agreement]:
    """Every agreement the person may open, as one SQL filter."""
    agreements = Agreement.objects.all()
    roles = roles_of(user)
    if roles.administrator:
        return agreements
    visible = Q(signed_version__isnull=False)
    visible |= Q(unit__in=roles.led_units) | Q(unit__area__in=roles.directed_areas)
    if _reads_council_states(roles):
        visible |= Q(state__in=COUNCIL_STATES) | Q(state=State.REVOKED, submitted_at__isnull=False)
    return agreements.filter(visible)


# --- One agreement -----------------------------------------------------------------------------


def can_view(user: AnyUser, agreement: Agreement) -> bool:
    """May open the agreement's page; the public see only its signed version in force."""
    roles = roles_of(user)
    if agreement.is_public or roles.administrator:
        return True
    if _leads(roles, agreement) or _directs(roles, agreement):
        return True
    if _reads_council_states(roles):
        return agreement.state in COUNCIL_STATES or (
            agreement.state == State.REVOKED and agreement.submitted_at is not None
        )
    return False


def can_view_working_copy(user: AnyUser, agreement: Agreement) -> bool:
    """May read the current text, not only the signed version in force (during an amendment)."""
    roles = roles_of(user)
    if roles.administrator or _leads(roles, agreement) or _directs(roles, agreement):
        return True
    if agreement.state == State.SIGNED:
        return True
    if not _reads_council_states(roles):
        return False
    # A revoked agreement that was never signed has only its working copy to show.
    revoked_unsigned = agreement.state == State.REVOKED and agreement.signed_version_id is None
    return agreement.state in COUNCIL_STATES or (
        revoked_unsigned and agreement.submitted_at is not None
    )


def can_view_history(user: AnyUser, agreement: Agreement) -> bool:
    """The working record (versions, steps, edits, reasons) is internal: the unit's leader, the
    area's director, administrators, and the council while the agreement is before it."""
    roles = roles_of(user)
    if roles.administrator or _leads(roles, agreement) or _directs(roles, agreement):
        return True
    return _reads_council_states(roles) and agreement.state in COUNCIL_STATES


def visible_or_404(user: AnyUser, agreement: Agreement | None) -> Agreement:
    """The agreement, or 404 when there is none or for anyone who may not see it (its existence
    is not revealed)."""
    if agreement is None or not can_view(user, agreement):
        raise Http404
    return agreement


def can_edit(user: AnyUser, agreement: Agreement) -> bool:
    """Edit the draft: the unit's leader and administrators, while it is a draft."""
    roles = roles_of(user)
    if agreement.state != State.DRAFT or not _open(agreement):
        return False
    return roles.administrator or _leads(roles, agreement)


def can_submit(user: AnyUser, agreement: Agreement) -> bool:
    return can_edit(user, agreement)


def can_review(user: AnyUser, agreement: Agreement) -> bool:
    """Return to the leader or send to the committee: the area's director and administrators."""
    roles = roles_of(user)
    return roles.administrator or _directs(roles, agreement)


def can_return(user: AnyUser, agreement: Agreement) -> bool:
    return (
        agreement.state in (State.SUBMITTED, State.IN_DIALOGUE)
        and _open(agreement)
        and can_review(user, agreement)
    )


def can_send_to_committee(user: AnyUser, agreement: Agreement) -> bool:
    return agreement.state == State.SUBMITTED and _open(agreement) and can_review(user, agreement)


def can_approve(user: AnyUser, agreement: Agreement) -> bool:
    """Record the committee's approval: its chair, the area's director, administrators."""
    roles = roles_of(user)
    return (
        agreement.state == State.IN_DIALOGUE
        and _open(agreement)
        and (roles.administrator or _directs(roles, agreement) or _chairs(roles, agreement))
    )


def signer_roles(user: AnyUser, agreement: Agreement) -> list[str]:
    """The roles in which the person may sign this agreement (administrators never sign)."""
    roles = roles_of(user)
    held = []
    if _leads(roles, agreement):
        held.append(SignerRole.UNIT_LEADER)
    if _directs(roles, agreement):
        held.append(SignerRole.DIRECTOR)
    if _chairs(roles, agreement):
        held.append(SignerRole.COMMITTEE_CHAIR)
    return [role for role in held if role in agreement.period.required_signers]


def can_sign(user: AnyUser, agreement: Agreement) -> bool:
    return (
        agreement.state == State.APPROVED
        and _open(agreement)
        and bool(signer_roles(user, agreement))
    )


# --- Follow-up (DESIGN.md: on signed agreements, per goal, at the follow-up points) -----------


def can_view_follow_up(user: AnyUser, agreement: Agreement) -> bool:
    """Read the submitted follow-ups: signed-in readers of the agreement. Follow-up is internal
    dialogue between the unit and the council, so anonymous visitors do not read it."""
    return user.is_authenticated and can_view(user, agreement)


def can_report(user: AnyUser, agreement: Agreement) -> bool:
    """Report follow-up: the unit's leader and administrators, on an agreement that has been
    signed (also while an amendment is in preparation), not revoked, of an open unit."""
    roles = roles_of(user)
    return (
        agreement.signed_version_id is not None
        and agreement.state != State.REVOKED
        and not agreement.unit.is_closed
        and (roles.administrator or _leads(roles, agreement))
    )


def can_view_draft_report(user: AnyUser, agreement: Agreement) -> bool:
    """A draft report is the reporter's working copy: the unit's leader and administrators."""
    roles = roles_of(user)
    return roles.administrator or _leads(roles, agreement)


def can_mark_seen(user: AnyUser, agreement: Agreement) -> bool:
    """Mark a submitted report as seen, with an optional reply: the area's director and
    administrators."""
    roles = roles_of(user)
    return roles.administrator or _directs(roles, agreement)


def reportable_agreements(user: AnyUser) -> QuerySet[Agreement]:
    """The agreements the person may report follow-up on, as one SQL filter (before the unit's
    closing date, which the services check per agreement)."""
    roles = roles_of(user)
    agreements = Agreement.objects.filter(signed_version__isnull=False).exclude(state=State.REVOKED)
    if roles.administrator:
        return agreements
    return agreements.filter(unit__in=roles.led_units)


def can_push_common_goals(user: AnyUser) -> bool:
    """Push an area's common goals into the drafts of a period: administrators."""
    return roles_of(user).administrator


def seeable_agreements(user: AnyUser) -> QuerySet[Agreement]:
    """The agreements whose follow-up the person may mark as seen, as one SQL filter."""
    roles = roles_of(user)
    if roles.administrator:
        return Agreement.objects.all()
    return Agreement.objects.filter(unit__area__in=roles.directed_areas)


def can_amend(user: AnyUser, agreement: Agreement) -> bool:
    """Start a new draft of a signed agreement: the unit's leader and administrators."""
    roles = roles_of(user)
    return (
        agreement.state == State.SIGNED
        and _open(agreement)
        and (roles.administrator or _leads(roles, agreement))
    )


def can_revoke(user: AnyUser, agreement: Agreement) -> bool:
    """Revoke, the council's right: exercised by the area's director or an administrator."""
    roles = roles_of(user)
    return (
        agreement.state != State.REVOKED
        and _open(agreement)
        and (roles.administrator or _directs(roles, agreement))
    )


def can_open_period(user: AnyUser) -> bool:
    """Open a new period (and see the list of periods): administrators."""
    return roles_of(user).administrator


def can_start_agreement(user: AnyUser, unit_id: int) -> bool:
    """Start a unit's agreement for a period: the unit's leader and administrators."""
    roles = roles_of(user)
    return roles.administrator or unit_id in roles.led_units


# --- Review: comments and dialogue meetings ---------------------------------------------------


def can_comment(user: AnyUser, agreement: Agreement) -> bool:
    """DESIGN.md: council and committee members while in dialogue; the unit's leader; the area's
    director; administrators. Never on a revoked agreement."""
    roles = roles_of(user)
    if agreement.state == State.REVOKED or not user.is_authenticated:
        return False
    if roles.administrator or _leads(roles, agreement) or _directs(roles, agreement):
        return True
    return _reads_council_states(roles) and agreement.state == State.IN_DIALOGUE


def comment_states_visible_to(user: AnyUser, agreement: Agreement) -> list[str]:
    """The agreement states whose comments the person may read: those in which the person may read
    the agreement. A council member never sees what was said about a draft; the public never see
    comments."""
    roles = roles_of(user)
    if not user.is_authenticated:
        return []
    if roles.administrator or _leads(roles, agreement) or _directs(roles, agreement):
        return list(State.values)
    if _reads_council_states(roles):
        return list(COUNCIL_STATES)
    return []


def can_resolve_comment(user: AnyUser, comment: Comment) -> bool:
    """The unit's leader or a reviewer (the area's director, an administrator, the author)."""
    roles = roles_of(user)
    agreement = comment.agreement
    return bool(
        user.is_authenticated
        and (
            roles.administrator
            or _leads(roles, agreement)
            or _directs(roles, agreement)
            or comment.author_id == user.pk
        )
    )


def can_read_meetings(user: AnyUser) -> bool:
    """The council, its committees, the directors and the administrators."""
    roles = roles_of(user)
    return bool(roles.administrator or _reads_council_states(roles) or roles.directed_areas)


def can_manage_meeting(user: AnyUser, committee_id: int) -> bool:
    """Plan a committee's dialogue meeting and record its minutes: the committee's chair, the
    directors and the administrators (the secretariat)."""
    roles = roles_of(user)
    return bool(
        roles.administrator or committee_id in roles.chaired_committees or roles.directed_areas
    )


def search_documents_visible_to(
    user: AnyUser, *, public_only: bool = False
) -> QuerySet[SearchDocument]:
    """Search documents the person may read, as one SQL filter: the signed versions in force for
    everyone; the current texts for those who may read them."""
    public = Q(public=True, agreement__signed_version__isnull=False)
    if public_only or not user.is_authenticated:
        return SearchDocument.objects.filter(public)
    roles = roles_of(user)
    if roles.administrator:
        return SearchDocument.objects.all()
    working = Q(agreement__unit__in=roles.led_units) | Q(
        agreement__unit__area__in=roles.directed_areas
    )
    if _reads_council_states(roles):
        working |= Q(agreement__state__in=COUNCIL_STATES)
    return SearchDocument.objects.filter(public | (Q(public=False) & working))


# --- PDFs and books ----------------------------------------------------------------------------


def can_download_pdf(user: AnyUser, agreement: Agreement, stored: AgreementPdf) -> bool:
    """A stored PDF is for exactly those who may read its content: a signed version's for anyone
    who may open the agreement (signed versions are public); any other content for those who read
    the agreement's working record (drafts and earlier versions)."""
    if stored.agreement_id != agreement.pk or not can_view(user, agreement):
        return False
    if stored.state == State.SIGNED:
        return True
    return can_view_history(user, agreement)


def can_download_book(user: AnyUser, book: AgreementBook) -> bool:
    """A book holds what its requester may read: it is theirs, and the administrators'."""
    if not user.is_authenticated:
        return False
    return roles_of(user).administrator or book.requested_by_id == user.pk
