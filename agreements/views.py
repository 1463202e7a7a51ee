"""Agreement pages and actions. Each view gets the agreement through the permission helper
(404 for those who may not see it), checks the action (403), binds a form, calls one service."""

import base64
import io
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals import charts as charts_module
from goals import selectors as goal_selectors
from goals.models import (
    CouncilGoal,
    FollowUpReport,
    Goal,
    GoalFollowUp,
    Indicator,
    IndicatorDefinition,
    Measurement,
)
from randers import versions
from randers.audit.models import AccessEvent
from randers.audit.services import record_access
from randers.forms import ListedChoiceField
from randers.http import HtmxHttpRequest
from randers.jobs.models import Job
from randers.jobs.services import create_job
from units.models import Area, Committee, Unit, User
from units.permissions import roles_of
from units.selectors import directory_units

from . import excel, exports, forms, permissions, selectors, services
from .models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    AgreementSection,
    AgreementVersion,
    Comment,
    Consultation,
    DialogueMeeting,
    FollowUpPoint,
    MeetingItem,
    Period,
    StateChange,
)

State = Agreement.State


def _agreement(request: HtmxHttpRequest, uuid: str) -> Agreement:
    return permissions.visible_or_404(request.user, selectors.agreement_for_page(uuid))


def _actor(request: HtmxHttpRequest) -> User:
    """The signed-in person acting (the views that act are never open to anonymous visitors)."""
    assert isinstance(request.user, User)
    return request.user


def _record_draft_read(request: HtmxHttpRequest, agreement: Agreement) -> None:
    """The access log: an agreement that is not signed was read (its working text). The data is
    about the unit's leader."""
    if agreement.state != State.SIGNED:
        record_access(
            request,
            kind=AccessEvent.Kind.DRAFT,
            obj=agreement,
            label=str(agreement),
            subject_id=agreement.unit.leader_id,
        )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _actions(request: HtmxHttpRequest, agreement: Agreement) -> dict[str, bool]:
    user = request.user
    return {
        "edit": permissions.can_edit(user, agreement),
        "submit": permissions.can_submit(user, agreement),
        "return": permissions.can_return(user, agreement),
        "send": permissions.can_send_to_committee(user, agreement),
        "approve": permissions.can_approve(user, agreement),
        "sign": permissions.can_sign(user, agreement),
        "amend": permissions.can_amend(user, agreement),
        "revoke": permissions.can_revoke(user, agreement),
        "history": permissions.can_view_history(user, agreement),
        "review": bool(permissions.comment_states_visible_to(user, agreement)),
        "follow_up": agreement.signed_version_id is not None
        and permissions.can_view_follow_up(user, agreement),
    }


def _notes(agreement: Agreement) -> tuple[StateChange | None, list[MeetingItem]]:
    """The last return to the leader and the committee's decisions, shown beside the working
    text: cached under the data version, which their rows change
    (agreements/migrations/0009_data_version_decisions_and_returns.py)."""
    return versions.cached(
        "agreement-notes",
        agreement.pk,
        lambda: (_last_return(agreement), selectors.decisions_on(agreement)),
    )


def _last_return(agreement: Agreement) -> StateChange | None:
    if agreement.state != State.DRAFT:
        return None
    last = (
        agreement.state_changes.select_related("actor")
        .defer("actor__password")  # cached: no password hash in the cache
        .order_by("-at", "-pk")
        .first()
    )
    return (
        last if last and last.to_state == State.DRAFT and last.from_state != State.SIGNED else None
    )


# --- Reading -----------------------------------------------------------------------------------


@login_not_required
@require_GET
def detail(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """The agreement page. The public (and anyone who may not read the working copy during an
    amendment) see the signed version in force."""
    agreement = _agreement(request, uuid)
    working = permissions.can_view_working_copy(request.user, agreement)
    if working and agreement.state == State.SIGNED:
        # Exactly the signed text: the unit's leader, area or committee may have changed since.
        version = agreement.signed_version
        assert version is not None
        content = version.content
    elif working:
        content = selectors.page_content(agreement).content
        # While approved, the version being signed; before that, none.
        version = selectors.latest_version(agreement) if agreement.state == State.APPROVED else None
    else:
        version = agreement.signed_version
        assert version is not None  # can_view lets the public see signed agreements only
        content = version.content
    in_force = (
        agreement.signed_version
        if agreement.signed_version_id and agreement.state != State.SIGNED
        else None
    )
    signatures, in_force_signatures = selectors.signature_blocks(agreement, [version, in_force])
    with versions.pinned(agreement.data_version_read):  # type: ignore[attr-defined]
        last_return, decisions = _notes(agreement) if working else (None, [])
    if working:
        _record_draft_read(request, agreement)
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "content": content,
            "showing_signed_version": not working,
            "signatures": signatures,
            "in_force": in_force_signatures,
            "actions": _actions(request, agreement),
            "last_return": last_return,
            "decisions": decisions,
        },
    )


@require_GET
def history(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    agreement = _agreement(request, uuid)
    _require(permissions.can_view_history(request.user, agreement))
    state_changes, edits = selectors.history_of(agreement)
    _record_draft_read(request, agreement)
    return render(
        request,
        "agreements/history.html",
        {
            "agreement": agreement,
            "versions": selectors.versions_of(agreement),
            "state_changes": state_changes,
            "edits": edits,
            "previous": selectors.previous_signed_agreement(agreement),
        },
    )


@require_GET
def compare(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """Two versions side by side, word by word: `fra` and `til` are version numbers, `til=kladde`
    (default) is the current text, `fra=forrige` last period's signed agreement."""
    agreement = _agreement(request, uuid)
    _require(permissions.can_view_history(request.user, agreement))
    versions = {str(v.number): v for v in agreement.versions.all()}

    def side(key: str) -> tuple[str, dict[str, Any]]:
        if key == "kladde":
            return _("Current text"), selectors.working_content(agreement)
        if key == "forrige":
            previous = selectors.previous_signed_agreement(agreement)
            if previous is None or previous.signed_version is None:
                raise Http404
            return (
                _("Signed agreement for %(period)s") % {"period": previous.period.name},
                previous.signed_version.content,
            )
        if key not in versions:
            raise Http404
        return _("Version %(number)s") % {"number": key}, versions[key].content

    old_key, new_key = request.GET.get("fra", "forrige"), request.GET.get("til", "kladde")
    old_label, old = side(old_key)
    new_label, new = (old_label, old) if new_key == old_key else side(new_key)
    _record_draft_read(request, agreement)
    return render(
        request,
        "agreements/compare.html",
        {
            "agreement": agreement,
            "comparison": selectors.compare_contents(old, new),
            "old_label": old_label,
            "new_label": new_label,
        },
    )


@login_not_required
@require_GET
def verify(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """Anyone may verify a signed version: the SHA-256 of its content is recomputed and compared
    with the one recorded and signed."""
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement__unit", "agreement__period"), uuid=uuid
    )
    signatures = list(version.signatures.order_by("signed_at"))
    if not signatures and not permissions.can_view_working_copy(request.user, version.agreement):
        raise Http404
    recomputed = services.content_sha256(version.content_text)
    return render(
        request,
        "agreements/verify.html",
        {
            "version": version,
            "agreement": version.agreement,
            "signatures": signatures,
            "recomputed": recomputed,
            "matches": recomputed == version.content_hash
            and all(signature.content_hash == version.content_hash for signature in signatures),
        },
    )


# --- Starting ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request: HtmxHttpRequest, unit_slug: str, period_slug: str) -> HttpResponseBase:
    unit = get_object_or_404(Unit, slug=unit_slug)
    period = get_object_or_404(Period, slug=period_slug)
    _require(permissions.can_start_agreement(request.user, unit.pk) and not unit.is_closed)
    existing = Agreement.objects.filter(unit=unit, period=period).first()
    if existing is not None:
        return redirect(existing)
    previous_period = period.previous()
    previous = (
        Agreement.objects.filter(
            unit=unit, period=previous_period, signed_version__isnull=False
        ).first()
        if previous_period
        else None
    )
    previous_goals = previous.goals.order_by("order") if previous else None
    form = forms.StartAgreementForm(request.POST or None, previous_goals=previous_goals)
    if request.method == "POST" and form.is_valid():
        rollover = form.cleaned_data["source"] == forms.StartAgreementForm.Source.ROLLOVER
        try:
            agreement = services.create_agreement(
                unit,
                period,
                by=_actor(request),
                rollover=previous if rollover else None,
                keep_goals=list(form.cleaned_data.get("keep_goals") or []) if rollover else None,
            )
        except services.AgreementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The draft is ready. Write it section by section."))
            return redirect("agreements:edit", uuid=agreement.uuid)
    return render(
        request,
        "agreements/start.html",
        {"unit": unit, "period": period, "previous": previous, "form": form},
    )


# --- The editor --------------------------------------------------------------------------------


def _editor_context(
    agreement: Agreement,
    *,
    problems: list[selectors.Problem] | None = None,
    forms_by_key: dict[str, Any] | None = None,
    section_status: dict[int, dict[str, Any]] | None = None,
    budget_form: forms.BudgetForm | None = None,
) -> dict[str, Any]:
    """The editor: every section with its form, the goals, the budget and the consultations,
    each with the submission problems that concern it and any form that failed."""
    by_field: dict[str, list[str]] = {}
    for problem in problems or []:
        by_field.setdefault(problem.field, []).append(problem.message)
    forms_by_key = forms_by_key or {}
    section_status = section_status or {}
    threads = selectors.threads_for(agreement, list(State.values), open_only=True)
    sections = []
    for section in agreement.sections.select_related("updated_by").order_by("order"):
        prefix = f"section-{section.pk}"
        form = forms_by_key.get(prefix) or forms.SectionForm(
            initial={"body": section.body, "revision": section.revision}, prefix=prefix
        )
        sections.append(
            (
                section,
                form,
                by_field.get(prefix, []),
                section_status.get(section.pk, {}),
                threads.by_section.get(section.pk, []),
            )
        )
    goals = [
        (goal, by_field.get(f"goal-{goal.uuid}", []), threads.by_goal.get(goal.pk, []))
        for goal in agreement.goals.prefetch_related("council_goals", "indicators").order_by(
            "order"
        )
    ]
    recorded = selectors.consultations_by_body(agreement)
    consultations = []
    for body, label in Consultation.Body.choices:
        consultation = recorded[body]
        initial = (
            {
                "status": consultation.status,
                "held_on": consultation.held_on,
                "statement": consultation.statement,
                "reason": consultation.reason,
            }
            if consultation
            else {}
        )
        form = forms_by_key.get(body) or forms.ConsultationForm(initial=initial, prefix=body)
        consultations.append(
            (body, label, consultation, form, by_field.get(f"consultation-{body}", []))
        )
    return {
        "agreement": agreement,
        "sections": sections,
        "budget_form": budget_form
        or forms.BudgetForm(
            initial={
                "amount": agreement.budget_amount,
                "note": agreement.budget_note,
                "revision": agreement.revision,
            }
        ),
        "goals": goals,
        "goal_problems": by_field.get("goals", []),
        "consultations": consultations,
        "problem_list": problems or [],
        "last_return": _last_return(agreement),
        "general_threads": threads.general,
        "can_comment": True,
    }


def _editable_agreement(request: HtmxHttpRequest, uuid: str) -> Agreement:
    agreement = _agreement(request, uuid)
    _require(permissions.can_edit(request.user, agreement))
    return agreement


@require_GET
def edit(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    agreement = _editable_agreement(request, uuid)
    _record_draft_read(request, agreement)
    return render(request, "agreements/editor.html", _editor_context(agreement))


@require_POST
def save_section(request: HtmxHttpRequest, uuid: str, section_id: int) -> HttpResponseBase:
    """Save one section (the editor autosaves through htmx). A newer text saved by someone else is
    never overwritten silently: the writer is shown it, and keeps their own text."""
    agreement = _editable_agreement(request, uuid)
    section = get_object_or_404(AgreementSection, pk=section_id, agreement=agreement)
    form = forms.SectionForm(request.POST, prefix=f"section-{section.pk}")
    status: dict[str, Any] = {"section": section, "form_prefix": form.prefix}
    if form.is_valid():
        try:
            section = services.update_section(
                section,
                body=form.cleaned_data["body"],
                expected_revision=form.expected_revision(),
                by=_actor(request),
            )
            status.update(section=section, saved=True)
        except services.EditConflict as conflict:
            current = AgreementSection.objects.get(pk=section.pk)
            status.update(conflict=conflict, current_revision=current.revision)
        except services.AgreementError as error:
            status.update(error=str(error))
    else:
        errors = [str(error) for error in form.errors.get("body", [])]
        status.update(error=" ".join(errors) or _("The text could not be saved."))
    if request.htmx:
        return render(request, "agreements/editor.html#section-status", status)
    if status.get("saved"):
        messages.success(request, _("The section “%(title)s” is saved.") % {"title": section.title})
        return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#section-{section.pk}")
    context = _editor_context(
        agreement, forms_by_key={f"section-{section.pk}": form}, section_status={section.pk: status}
    )
    return render(
        request, "agreements/editor.html", context, status=409 if "conflict" in status else 400
    )


@require_POST
def save_budget(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    agreement = _editable_agreement(request, uuid)
    form = forms.BudgetForm(request.POST)
    if form.is_valid():
        try:
            services.update_budget(
                agreement,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                expected_revision=form.cleaned_data["revision"],
                by=_actor(request),
            )
        except services.EditConflict:
            data = request.POST.copy()
            data["revision"] = str(Agreement.objects.get(pk=agreement.pk).revision)
            form = forms.BudgetForm(data)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone saved the budget frame after you opened the page. "
                    "Your figures are kept below; check them and save again."
                ),
            )
        else:
            messages.success(request, _("The budget frame is saved."))
            return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#budget")
    return render(
        request, "agreements/editor.html", _editor_context(agreement, budget_form=form), status=400
    )


@require_POST
def save_consultation(request: HtmxHttpRequest, uuid: str, body: str) -> HttpResponseBase:
    agreement = _editable_agreement(request, uuid)
    if body not in Consultation.Body.values:
        raise Http404
    form = forms.ConsultationForm(request.POST, prefix=body)
    if form.is_valid():
        services.record_consultation(
            agreement,
            body=body,
            status=form.cleaned_data["status"],
            held_on=form.cleaned_data["held_on"],
            statement=form.cleaned_data["statement"],
            reason=form.cleaned_data["reason"],
            by=_actor(request),
        )
        messages.success(request, _("The consultation is recorded."))
        return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#consultation-{body}")
    return render(
        request,
        "agreements/editor.html",
        _editor_context(agreement, forms_by_key={body: form}),
        status=400,
    )


def _goal(agreement: Agreement, goal_uuid: str) -> Goal:
    return get_object_or_404(Goal, uuid=goal_uuid, agreement=agreement)


def _indicator_initial(goal: Goal | None) -> list[dict[str, Any]]:
    if goal is None:
        return []
    return [
        {
            "id": i.pk,
            "definition": i.definition_id,
            "name": i.name,
            "unit_of_measure": i.unit_of_measure,
            "direction": i.direction,
            "baseline": i.baseline,
            "target": i.target,
        }
        for i in goal.indicators.all()
    ]


@require_http_methods(["GET", "POST"])
def goal_form(
    request: HtmxHttpRequest, uuid: str, goal_uuid: str | None = None
) -> HttpResponseBase:
    """Add a goal, or edit one, with its indicators."""
    agreement = _editable_agreement(request, uuid)
    goal = _goal(agreement, goal_uuid) if goal_uuid else None
    initial = (
        {
            "title": goal.title,
            "kind": goal.kind,
            "description": goal.description,
            "success_criterion": goal.success_criterion,
            "council_goals": list(goal.council_goals.all()),
            "revision": goal.revision,
        }
        if goal
        else {}
    )
    form = forms.GoalForm(request.POST or None, initial=initial)
    formset = forms.IndicatorFormSet(
        request.POST or None,
        initial=_indicator_initial(goal),
        prefix="indicators",
        form_kwargs={"definitions": list(IndicatorDefinition.objects.filter(active=True))},
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.goal_data(forms.indicators_from(formset))
        actor = _actor(request)
        try:
            if goal is None:
                services.add_goal(agreement, data=data, by=actor)
                messages.success(request, _("The goal is added."))
            else:
                services.update_goal(
                    goal, data=data, expected_revision=form.cleaned_data["revision"] or 0, by=actor
                )
                messages.success(request, _("The goal is saved."))
        except services.EditConflict as error:
            conflict = error
            assert goal is not None
            posted = request.POST.copy()
            posted["revision"] = str(Goal.objects.get(pk=goal.pk).revision)
            form = forms.GoalForm(posted, initial=initial)
            form.is_valid()
        else:
            return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#goals")
    return render(
        request,
        "agreements/goal_form.html",
        {
            "agreement": agreement,
            "goal": goal,
            "form": form,
            "formset": formset,
            "conflict": conflict,
        },
        status=409 if conflict else (400 if request.method == "POST" else 200),
    )


@require_POST
def remove_goal(request: HtmxHttpRequest, uuid: str, goal_uuid: str) -> HttpResponseBase:
    agreement = _editable_agreement(request, uuid)
    goal = _goal(agreement, goal_uuid)
    services.remove_goal(goal, by=_actor(request))
    messages.success(request, _("The goal “%(title)s” is removed.") % {"title": goal.title})
    return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#goals")


@require_POST
def move_goal(request: HtmxHttpRequest, uuid: str, goal_uuid: str) -> HttpResponseBase:
    agreement = _editable_agreement(request, uuid)
    goal = _goal(agreement, goal_uuid)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_goal(goal, offset=offset, by=_actor(request))
    return redirect(f"{reverse('agreements:edit', kwargs={'uuid': uuid})}#goal-{goal.uuid}")


# --- Transitions -------------------------------------------------------------------------------


@require_POST
def submit(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    agreement = _agreement(request, uuid)
    _require(permissions.can_submit(request.user, agreement))
    try:
        services.submit_agreement(agreement, by=_actor(request))
    except services.SubmissionRefused as refused:
        return render(
            request,
            "agreements/editor.html",
            _editor_context(agreement, problems=refused.problems),
            status=400,
        )
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The agreement is submitted to the director."))
    return redirect(agreement)


def _with_reason(
    request: HtmxHttpRequest,
    uuid: str,
    allowed: Any,
    service: Any,
    title: str,
    button: str,
    done: str,
) -> HttpResponseBase:
    agreement = _agreement(request, uuid)
    _require(allowed(request.user, agreement))
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(agreement, reason=form.cleaned_data["reason"], by=_actor(request))
        except services.AgreementError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, done)
            return redirect(agreement)
    return render(
        request,
        "agreements/reason.html",
        {"agreement": agreement, "form": form, "title": title, "button": button},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def return_to_leader(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    return _with_reason(
        request,
        uuid,
        permissions.can_return,
        services.return_agreement,
        _("Return the agreement to the leader"),
        _("Return with this reason"),
        _("The agreement is returned to the leader with your reason."),
    )


@require_http_methods(["GET", "POST"])
def revoke(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    return _with_reason(
        request,
        uuid,
        permissions.can_revoke,
        services.revoke_agreement,
        _("Revoke the agreement"),
        _("Revoke with this reason"),
        _("The agreement is revoked."),
    )


def _simple_transition(
    request: HtmxHttpRequest, uuid: str, allowed: Any, service: Any, done: str
) -> HttpResponseBase:
    agreement = _agreement(request, uuid)
    _require(allowed(request.user, agreement))
    try:
        service(agreement, by=_actor(request))
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(agreement)


@require_POST
def send_to_committee(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    return _simple_transition(
        request,
        uuid,
        permissions.can_send_to_committee,
        services.send_to_committee,
        _("The agreement is sent to the committee for the dialogue."),
    )


@require_POST
def amend(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    response = _simple_transition(
        request,
        uuid,
        permissions.can_amend,
        services.amend_agreement,
        _(
            "A new draft is started. The signed agreement stays in force until the new one is "
            "signed."
        ),
    )
    return redirect("agreements:edit", uuid=uuid) if response.status_code == 302 else response


@require_http_methods(["GET", "POST"])
def approve(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    agreement = _agreement(request, uuid)
    _require(permissions.can_approve(request.user, agreement))
    form = forms.ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.approve_agreement(agreement, note=form.cleaned_data["note"], by=_actor(request))
        messages.success(
            request, _("The committee's approval is recorded. The agreement can be signed.")
        )
        return redirect(agreement)
    return render(request, "agreements/approve.html", {"agreement": agreement, "form": form})


@require_http_methods(["GET", "POST"])
def sign(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """The signer sees exactly the version to sign, with its SHA-256, and re-enters the password."""
    agreement = _agreement(request, uuid)
    _require(permissions.can_sign(request.user, agreement))
    version = selectors.latest_version(agreement)
    assert version is not None
    block = selectors.signature_block(agreement, version)
    assert block is not None
    roles = [
        r for r in permissions.signer_roles(request.user, agreement) if r in block.missing_roles
    ]
    if not roles:
        messages.info(request, _("You have already signed the agreement."))
        return redirect(agreement)
    form = forms.SignForm(request.POST or None, request=request, roles=roles)
    if request.method == "POST" and form.is_valid():
        services.sign_agreement(agreement, role=form.cleaned_data["role"], by=_actor(request))
        agreement.refresh_from_db()
        if agreement.state == State.SIGNED:
            messages.success(request, _("The agreement is signed by all and is now public."))
        else:
            messages.success(request, _("Your signature is recorded."))
        return redirect(agreement)
    return render(
        request,
        "agreements/sign.html",
        {
            "agreement": agreement,
            "version": version,
            "content": version.content,
            "signatures": block,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Review: the overview ------------------------------------------------------------------------


def _role_defaults(request: HtmxHttpRequest) -> dict[str, str]:
    """Where each role lands: the director on the area, the council member on the committee."""
    roles = roles_of(request.user)
    if roles.administrator:
        return {}
    if roles.directed_areas:
        area = Area.objects.filter(pk__in=roles.directed_areas).order_by("name").first()
        return {"omraade": area.slug} if area else {}
    if roles.committees:
        committee = Committee.objects.filter(pk__in=roles.committees).order_by("name").first()
        return {"udvalg": committee.slug} if committee else {}
    return {}


def _overview_filter(
    request: HtmxHttpRequest, default_period: Period | None = None
) -> tuple[forms.OverviewFilterForm, Any]:
    """The overview's filter form and the chosen filter (the default period when none)."""
    form = forms.OverviewFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("periode") or default_period
    if period is None:
        relevant = Period.objects.relevant()
        period = relevant[0] if relevant else Period.objects.order_by("-starts_on").first()
    if period is None:
        return form, None
    return form, selectors.OverviewFilter(
        period=period,
        area=data.get("omraade"),
        committee=data.get("udvalg"),
        state=data.get("status", ""),
        kind=data.get("type", ""),
        text=data.get("q", ""),
        overdue=bool(data.get("overskredet")),
        sort=data.get("sortering") or "enhed",
    )


@require_GET
def overview(request: HtmxHttpRequest) -> HttpResponseBase:
    """Every agreement of the period the person may see, with counts per state and area.

    The listing is the same for everyone with the same roles: rendered once per version of the
    data, roles, query string, day (the deadlines missed) and language, and read from the cache
    until any of them changes (`randers.versions`)."""
    if not request.GET and (defaults := _role_defaults(request)):
        return redirect(f"{reverse('agreements:overview')}?{urlencode(defaults)}")
    listing = versions.rendered(
        "overview-listing",
        (roles_of(request.user).described(), sorted(request.GET.lists()), date.today()),
        "agreements/overview.html#listing",
        lambda: _overview_listing(request),
    )
    return render(request, "agreements/overview.html", {"listing": listing})


def _overview_listing(request: HtmxHttpRequest) -> dict[str, Any]:
    form, chosen = _overview_filter(request)
    if chosen is None:
        return {"form": form, "page": None}
    agreements = selectors.overview(permissions.agreements_visible_to(request.user), chosen)
    by_state, by_area = selectors.overview_counts(agreements)
    # What a row shows, as plain values: the period is the chosen one, and a hundred rows of
    # four models each cost more to build than the query takes.
    rows = agreements.values(
        "uuid",
        "state",
        missed=F("overdue"),
        unit_name=F("unit__name"),
        area_name=F("unit__area__name"),
        committee_name=F("unit__committee__name"),
    )
    paginator = Paginator(rows, 100)
    paginator.count = sum(count for _state, _label, count in by_state)  # every state is counted
    page = paginator.get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return {
        "form": form,
        "chosen": chosen,
        "page": page,
        "by_state": by_state,
        "by_area": by_area,
        "query": query.urlencode(),
    }


@require_GET
def overview_export(request: HtmxHttpRequest) -> HttpResponse:
    """The filtered overview as an Excel workbook, for the secretariat: the agreements, or with
    `indhold=maal` their goals with the latest follow-up."""
    _form, chosen = _overview_filter(request)
    if chosen is None:
        raise Http404
    agreements = selectors.overview(permissions.agreements_visible_to(request.user), chosen)
    if request.GET.get("indhold") == "maal":
        workbook = exports.goals_workbook(agreements, request.build_absolute_uri("/"))
        name = f"maal-og-opfoelgning-{chosen.period.slug}.xlsx"
    else:
        workbook = exports.overview_workbook(agreements, request.build_absolute_uri("/"))
        name = f"aftaler-{chosen.period.slug}.xlsx"
    response = HttpResponse(
        workbook, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Review: one agreement -----------------------------------------------------------------------


@require_GET
def review(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """The agreement beside its changes since last period's signed agreement, with the comment
    threads, and the next and previous agreement of the reviewer's list."""
    agreement = _agreement(request, uuid)
    if permissions.can_view_working_copy(request.user, agreement):
        shown = selectors.page_content(agreement)
        content, section_ids, goals = shown.content, shown.section_ids, shown.goals
        _record_draft_read(request, agreement)
    else:
        assert agreement.signed_version is not None
        content = agreement.signed_version.content
        section_ids = list(agreement.sections.order_by("order").values_list("pk", flat=True))
        goals = [
            selectors.GoalKey(pk, str(uuid), carried_from_id)
            for pk, uuid, carried_from_id in agreement.goals.order_by("order").values_list(
                "pk", "uuid", "carried_from_id"
            )
        ]
    states = permissions.comment_states_visible_to(request.user, agreement)
    with versions.pinned(agreement.data_version_read):  # type: ignore[attr-defined]
        # Last period's signed version (empty: none, as the cache keeps no None): which it is
        # follows from agreements' periods and signed versions, watched by the data version; its
        # content never changes.
        # The threads, the goals' latest follow-ups and the committee's decisions: cached under
        # the data version, which their rows change (agreements/migrations/0009_...).
        previous, (before, after), (threads, follow_ups, decisions) = versions.cached_together(
            (
                "previous-signed",
                agreement.pk,
                lambda: selectors.previous_signed_version(agreement) or (),
            ),
            _neighbours(request, agreement),
            (
                "review-notes",
                (agreement.pk, states, [goal.pk for goal in goals]),
                lambda: (
                    selectors.threads_for(agreement, states),
                    selectors.latest_follow_ups(goals),
                    selectors.decisions_on(agreement),
                ),
            ),
        )
        comparison = selectors.cached_comparison(previous, content) if previous else None
    places = _review_places(content, comparison, section_ids, goals, threads)
    for place in places:
        if place["kind"] == "goal" and place["row"] is not None:
            place["follow_up"] = follow_ups.get(place["row"].pk)
    return render(
        request,
        "agreements/review.html",
        {
            "agreement": agreement,
            "content": content,
            "comparison": comparison,
            "places": places,
            "threads": threads,
            "can_comment": permissions.can_comment(request.user, agreement),
            "actions": _actions(request, agreement),
            "before": before,
            "after": after,
            "query": request.GET.urlencode(),
            "decisions": decisions,
        },
    )


def _neighbours(
    request: HtmxHttpRequest, agreement: Agreement
) -> tuple[str, object, Callable[[], tuple[Any, Any]]]:
    """The agreements before and after this one in the reviewer's list, as an entry of
    `versions.cached_together`: the overview's filters, in the agreement's own period unless
    another was chosen (then the agreement is not in the list, and there are no neighbours). What
    the list is read from is watched by the data version, so they are cached under it, the
    person's roles, the filters and the day (the deadlines missed)."""

    def find() -> tuple[Any, Any]:
        _form, chosen = _overview_filter(request, default_period=agreement.period)
        if chosen is None:
            return None, None
        return selectors.neighbours(
            permissions.agreements_visible_to(request.user), chosen, agreement
        )

    return (
        "review-neighbours",
        (
            roles_of(request.user).described(),
            sorted(request.GET.lists()),
            agreement.pk,
            date.today(),
        ),
        find,
    )


def _review_places(
    content: dict[str, Any],
    comparison: Any,
    section_ids: list[int],
    goals: list[selectors.GoalKey],
    threads: selectors.Threads,
) -> list[dict[str, Any]]:
    """Each section and goal of the content with its changes, the live row comments attach to
    (matched by position: the content is the agreement's own, in the same order) and its
    threads."""
    places: list[dict[str, Any]] = []
    section_changes = {item.title: item for item in comparison.sections} if comparison else {}
    goal_changes = {item.title: item for item in comparison.goals} if comparison else {}
    for number, section in enumerate(content["sections"]):
        section_id = section_ids[number] if number < len(section_ids) else None
        places.append(
            {
                "kind": "section",
                "number": number + 1,
                "data": section,
                "row": section_id,
                "place": f"section-{section_id}" if section_id else "",
                "change": section_changes.get(section["title"]),
                "threads": threads.by_section.get(section_id, []) if section_id else [],
            }
        )
    for number, goal in enumerate(content["goals"]):
        goal_row = goals[number] if number < len(goals) else None
        places.append(
            {
                "kind": "goal",
                "number": number + 1,
                "data": goal,
                "row": goal_row,
                "place": f"goal-{goal_row.uuid}" if goal_row else "",
                "change": goal_changes.get(goal["title"]),
                "threads": threads.by_goal.get(goal_row.pk, []) if goal_row else [],
            }
        )
    return places


# --- Review: comments ----------------------------------------------------------------------------


def _back(request: HtmxHttpRequest, fallback: str) -> str:
    """The page to go back to: a path on this site (never a view name or another host)."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return fallback


def _on_agreement(model: type[Any], agreement: Agreement, **lookup: object) -> Any:
    """A section, goal or comment of the agreement named in posted data; 404 for a key that is
    not one of its own or is not a key at all."""
    try:
        return model.objects.get(agreement=agreement, **lookup)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


@require_POST
def add_comment(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """Comment on the agreement, a section ("sted=section-<id>"), a goal ("sted=goal-<uuid>"), or
    reply to a thread ("svar_paa=<uuid>")."""
    agreement = _agreement(request, uuid)
    _require(permissions.can_comment(request.user, agreement))
    form = forms.CommentForm(request.POST)
    place = request.POST.get("sted", "")
    section = goal = parent = None
    if place.startswith("section-"):
        section = _on_agreement(AgreementSection, agreement, pk=place.removeprefix("section-"))
    elif place.startswith("goal-"):
        goal = _on_agreement(Goal, agreement, uuid=place.removeprefix("goal-"))
    if request.POST.get("svar_paa"):
        parent = _on_agreement(Comment, agreement, uuid=request.POST["svar_paa"])
    back = _back(request, reverse("agreements:review", kwargs={"uuid": uuid}))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("body", [])))
        return redirect(back)
    try:
        services.add_comment(
            agreement,
            body=form.cleaned_data["body"],
            by=_actor(request),
            section=section,
            goal=goal,
            parent=parent,
        )
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your comment is added."))
    return redirect(back)


def _comment(request: HtmxHttpRequest, uuid: str) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("agreement__unit"), uuid=uuid)
    agreement = comment.agreement
    if not permissions.can_view(request.user, agreement) or comment.written_in_state not in (
        permissions.comment_states_visible_to(request.user, agreement)
    ):
        raise Http404
    return comment


@require_POST
def resolve_comment(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    comment = _comment(request, uuid)
    _require(permissions.can_resolve_comment(request.user, comment))
    if request.POST.get("genaabn"):
        services.reopen_comment(comment, by=_actor(request))
        messages.success(request, _("The thread is open again."))
    else:
        services.resolve_comment(comment, by=_actor(request))
        messages.success(request, _("The thread is resolved."))
    return redirect(
        _back(request, reverse("agreements:review", kwargs={"uuid": comment.agreement.uuid}))
    )


# --- Review: dialogue meetings ------------------------------------------------------------------


def _meetings_allowed(request: HtmxHttpRequest) -> None:
    if not permissions.can_read_meetings(request.user):
        raise PermissionDenied


@require_GET
def meetings(request: HtmxHttpRequest) -> HttpResponse:
    _meetings_allowed(request)
    roles = roles_of(request.user)
    everyone = roles.administrator or bool(roles.directed_areas)
    committee_ids = None if everyone else roles.committees
    manageable = (
        Committee.objects.order_by("name")
        if everyone
        else Committee.objects.filter(pk__in=roles.chaired_committees)
    )
    return render(
        request,
        "agreements/meetings.html",
        {"meetings": selectors.meetings_for(committee_ids), "manageable": manageable},
    )


def _meeting(request: HtmxHttpRequest, uuid: str) -> DialogueMeeting:
    _meetings_allowed(request)
    meeting = get_object_or_404(DialogueMeeting.objects.select_related("committee"), uuid=uuid)
    roles = roles_of(request.user)
    if not (
        roles.administrator
        or roles.directed_areas
        or meeting.committee_id in roles.committees
        or roles.council_member
    ):
        raise Http404
    return meeting


def _agenda(request: HtmxHttpRequest, meeting: DialogueMeeting) -> list[MeetingItem]:
    """The items whose agreements the person may read: a director reads the meetings of every
    committee, but only the agreements of the own area (as everywhere else)."""
    return selectors.meeting_items(meeting, among=permissions.agreements_visible_to(request.user))


def _agenda_candidates(committee: Committee) -> Any:
    return (
        Agreement.objects.filter(
            unit__committee=committee,
            state__in=permissions.COUNCIL_STATES,
            period__in=Period.objects.relevant(),
        )
        .select_related("unit")
        .order_by("unit__name")
    )


@require_http_methods(["GET", "POST"])
def plan_meeting(request: HtmxHttpRequest, committee_slug: str) -> HttpResponseBase:
    committee = get_object_or_404(Committee, slug=committee_slug)
    _require(permissions.can_manage_meeting(request.user, committee.pk))
    form = forms.MeetingForm(request.POST or None, agreements=_agenda_candidates(committee))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.plan_meeting(
                committee,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                location=form.cleaned_data["location"],
                agreements=list(form.cleaned_data["agreements"]),
                by=_actor(request),
            )
        except services.AgreementError as error:
            form.add_error("agreements", str(error))
        else:
            messages.success(request, _("The dialogue meeting is planned."))
            return redirect(meeting)
    return render(
        request,
        "agreements/meeting_form.html",
        {"committee": committee, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """The meeting's agenda; those who manage it record the minutes and decisions afterwards."""
    meeting = _meeting(request, uuid)
    items = _agenda(request, meeting)
    can_manage = permissions.can_manage_meeting(request.user, meeting.committee_id)
    minutes = forms.MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    decisions = [
        (
            item,
            forms.DecisionForm(
                request.POST or None,
                prefix=f"item-{item.pk}",
                initial={"decision": item.decision, "note": item.decision_note},
            ),
        )
        for item in items
    ]
    if request.method == "POST":
        _require(can_manage)
        if minutes.is_valid() and all(form.is_valid() for _item, form in decisions):
            services.record_minutes(
                meeting,
                minutes=minutes.cleaned_data["minutes"],
                decisions={
                    item.pk: (form.cleaned_data["decision"], form.cleaned_data["note"])
                    for item, form in decisions
                },
                by=_actor(request),
            )
            messages.success(request, _("The minutes and decisions are recorded."))
            return redirect(meeting)
    return render(
        request,
        "agreements/meeting.html",
        {"meeting": meeting, "decisions": decisions, "minutes": minutes, "can_manage": can_manage},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def meeting_pack(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """Everything the committee reads before the meeting, on one page to read and print."""
    meeting = _meeting(request, uuid)
    items = _agenda(request, meeting)
    agreements = [item.agreement for item in items]
    contents = selectors.contents_of(agreements)
    previous = selectors.previous_signed_contents(agreements)
    goals = list(Goal.objects.filter(agreement__in=agreements).order_by("agreement", "order"))
    latest = selectors.latest_follow_ups(goals)
    status_by_agreement: dict[int, list[tuple[Goal, Any]]] = {}
    for goal in goals:
        status_by_agreement.setdefault(goal.agreement_id, []).append((goal, latest[goal.pk]))
    return render(
        request,
        "agreements/meeting_pack.html",
        {
            "meeting": meeting,
            "entries": [
                (
                    item,
                    contents[item.agreement.pk],
                    status_by_agreement.get(item.agreement.pk, []),
                    selectors.compare_contents(
                        previous[item.agreement.pk], contents[item.agreement.pk]
                    )
                    if item.agreement.pk in previous
                    else None,
                )
                for item in items
            ],
        },
    )


# --- Search and the public pages ----------------------------------------------------------------


@login_not_required
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    """Search agreements and goals in Danish; each person finds only what they may read."""
    form = forms.SearchForm(request.GET or None)
    if not (form.is_valid() and form.cleaned_data["q"].strip()):
        return render(
            request, "agreements/search.html", {"form": form, "hits": [], "hits_key": None}
        )
    found = selectors.search(
        permissions.search_documents_visible_to(request.user), form.cleaned_data["q"]
    )
    # A common word matches most documents of a large municipality, and each match is ranked
    # (90 ms at 5,000 units). The hits are the same for all who may read the same documents: they
    # are rendered once per version of the data and of the search documents, search (its SQL,
    # which names the documents the person may read) and language, and read from the cache until
    # any of it changes (the hits are only read when they are rendered).
    return render(
        request,
        "agreements/search.html",
        {
            "form": form,
            "hits": SimpleLazyObject(lambda: selectors.hits(found)),
            "hits_key": (versions.search_version(), found.query.sql_with_params()),
        },
    )


@login_not_required
@require_GET
def public_list(request: HtmxHttpRequest) -> HttpResponse:
    """Signed agreements are public documents: anyone can list and read them, one period at a
    time (the one in force unless another is chosen, as the period list shows), by unit name.

    The filter and the list are the same for every visitor: rendered once per version of the
    data, query string, day (the period in force) and language, and read from the cache until
    any of them changes (`randers.versions`)."""
    listing = versions.rendered(
        "public-list",
        (sorted(request.GET.lists()), date.today()),
        "agreements/public_list.html#listing",
        lambda: _public_listing(request),
    )
    return render(request, "agreements/public_list.html", {"listing": listing})


def _public_listing(request: HtmxHttpRequest) -> dict[str, Any]:
    query = request.GET.copy()
    form = forms.OverviewFilterForm(query)
    data = form.cleaned_data if form.is_valid() else {}
    periods = form.fields["periode"]
    assert isinstance(periods, ListedChoiceField)
    period = data.get("periode") or _period_in_force(periods.queryset)
    if period is not None and not data.get("periode"):
        query["periode"] = period.slug  # the form's data: the period list shows the period listed
    agreements = (
        Agreement.objects.filter(period=period, signed_version__isnull=False)
        .select_related("unit__area", "unit__committee", "period", "signed_version")
        .only(  # what a row shows: 50 rows of six models each, so only what is read
            "uuid",
            "state",
            "signed_at",
            "unit__name",
            "unit__area__name",
            "unit__committee__name",
            "period__name",
            "signed_version__uuid",
        )
        .order_by(Lower("unit__name"), "unit__pk")  # walks unit_name_lower_idx, stops at a page
    )
    if data.get("omraade"):
        agreements = agreements.filter(unit__area=data["omraade"])
    if data.get("udvalg"):
        agreements = agreements.filter(unit__committee=data["udvalg"])
    if data.get("q"):
        agreements = agreements.filter(unit__name__icontains=data["q"])
    page = Paginator(agreements, 50).get_page(request.GET.get("side", ""))
    query.pop("side", None)
    return {"form": form, "period": period, "page": page, "query": query.urlencode()}


def _period_in_force(periods: QuerySet[Period] | None) -> Period | None:
    """The period in force today, else the newest that has begun, else the first: from the
    form's own list of periods (newest first), read once for the list and this choice."""
    today = date.today()
    listed = list(periods or ())
    begun = [period for period in listed if period.starts_on <= today]
    return begun[0] if begun else (listed[-1] if listed else None)


# --- PDFs and the agreement book ---------------------------------------------------------------


def _pdf_response(data: bytes | memoryview, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_not_required
@require_GET
def pdf(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """The link "Hent som PDF": what the person reads on the agreement's page, served at once when
    a PDF of that exact content is stored, else rendered in the background (the job's page shows
    the progress and then offers the download)."""
    agreement = _agreement(request, uuid)
    source = selectors.pdf_source_for_reader(agreement, request.user)
    by = request.user if isinstance(request.user, User) else None
    found = services.request_agreement_pdf(source, by=by)
    if isinstance(found, AgreementPdf):
        data = AgreementPdf.objects.values_list("data", flat=True).get(pk=found.pk)
        return _pdf_response(data, found.filename)
    if by is None:  # an anonymous reader may follow the job they started, in this session
        request.session["jobs"] = [*request.session.get("jobs", [])[-9:], str(found.uuid)]
    return redirect(found)


@login_not_required
@require_GET
def pdf_file(request: HtmxHttpRequest, uuid: str, pdf_uuid: str) -> HttpResponse:
    """One stored PDF (the result of a PDF job), for those who may read its content."""
    agreement = _agreement(request, uuid)
    stored = AgreementPdf.objects.filter(uuid=pdf_uuid, agreement=agreement).first()
    if stored is None or not permissions.can_download_pdf(request.user, agreement, stored):
        raise Http404
    return _pdf_response(stored.data, stored.filename)


@require_http_methods(["GET", "POST"])
def book(request: HtmxHttpRequest) -> HttpResponseBase:
    """Order an agreement book: every agreement of a period for an area, a committee or the whole
    municipality that the person may read, in one PDF, made in the background."""
    form = forms.BookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scope, scope_id = form.cleaned_data["scope"]
        try:
            job = services.request_agreement_book(
                form.cleaned_data["period"], scope=scope, scope_id=scope_id, by=_actor(request)
            )
        except services.AgreementError as error:
            form.add_error("scope", str(error))
        else:
            return redirect(job)
    return render(
        request,
        "agreements/book.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def book_download(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    found = AgreementBook.objects.select_related("period").filter(uuid=uuid).first()
    if found is None or not permissions.can_download_book(request.user, found):
        raise Http404
    return _pdf_response(found.data, found.filename)


# --- Follow-up -----------------------------------------------------------------------------------


def _follow_up_agreement(request: HtmxHttpRequest, uuid: str) -> Agreement:
    agreement = _agreement(request, uuid)
    if not permissions.can_view_follow_up(request.user, agreement):
        raise Http404
    return agreement


@require_GET
def follow_ups(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    """The agreement's follow-up: each point of the period with its current report, an open
    draft (for those who report) and the superseded reports, which stay readable."""
    agreement = _follow_up_agreement(request, uuid)
    drafts = permissions.can_view_draft_report(request.user, agreement)
    return render(
        request,
        "agreements/follow_ups.html",
        {
            "agreement": agreement,
            "points": selectors.reports_by_point(agreement, include_drafts=drafts),
            "can_report": permissions.can_report(request.user, agreement),
        },
    )


@require_POST
def start_follow_up(request: HtmxHttpRequest, uuid: str, point_id: int) -> HttpResponseBase:
    agreement = _follow_up_agreement(request, uuid)
    _require(permissions.can_report(request.user, agreement))
    point = get_object_or_404(FollowUpPoint, pk=point_id, period=agreement.period)
    try:
        report = services.start_follow_up(agreement, point, by=_actor(request))
    except services.AgreementError as error:
        messages.error(request, str(error))
        return redirect("agreements:follow-ups", uuid=uuid)
    return redirect(report)


def _report(request: HtmxHttpRequest, uuid: str) -> FollowUpReport:
    """The report, or 404 for anyone who may not read it (drafts: only those who report)."""
    report = selectors.report_for_page(uuid).first()
    if report is None or not permissions.can_view_follow_up(request.user, report.agreement):
        raise Http404
    if report.is_draft and not permissions.can_view_draft_report(request.user, report.agreement):
        raise Http404
    return report


def _goal_forms(
    report: FollowUpReport, data: Any = None
) -> list[tuple[GoalFollowUp, forms.GoalFollowUpForm]]:
    """A form per goal; status and assessment are required when submitting (and so marked when
    the form is shown), not when saving a draft."""
    submitting = data is None or "submit" in data
    return [
        (
            row,
            forms.GoalFollowUpForm(
                data,
                row=row,
                indicators=indicators,
                submitting=submitting,
                prefix=f"goal-{row.pk}",
                initial={"status": row.status, "assessment": row.assessment},
            ),
        )
        for row, indicators in selectors.report_rows(report)
    ]


@require_http_methods(["GET", "POST"])
def follow_up(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    """One report. A draft is a form for those who report: save it, or submit it. A submitted
    report is read-only; the director marks it as seen with an optional reply."""
    report = _report(request, uuid)
    agreement = report.agreement
    editable = report.is_draft and permissions.can_report(request.user, agreement)
    goal_forms = _goal_forms(report, request.POST if request.method == "POST" else None)
    problems: dict[int, list[str]] = {}
    refused = False
    if request.method == "POST":
        _require(editable)
        valid = [form.is_valid() for _row, form in goal_forms]
        refused = "submit" in request.POST and not all(valid)
        if all(valid):
            actor = _actor(request)
            entries = [form.entry() for _row, form in goal_forms]
            if "submit" not in request.POST:
                services.save_follow_up(report, entries=entries, by=actor)
                messages.success(request, _("The draft follow-up is saved."))
                return redirect(report)
            try:
                services.save_and_submit_follow_up(report, entries=entries, by=actor)
            except services.FollowUpRefused as refusal:
                problems, refused = refusal.problems, True
            else:
                messages.success(
                    request, _("The follow-up is submitted. The director can now read it.")
                )
                return redirect(report)
    measurements = {
        m.indicator_id: m for m in report.measurements.all() if m.indicator_id is not None
    }
    record_access(
        request,
        kind=AccessEvent.Kind.FOLLOW_UP,
        obj=report,
        label=f"{agreement} – {report.point.name}",
        subject_id=agreement.unit.leader_id,
    )
    return render(
        request,
        "agreements/follow_up.html",
        {
            "agreement": agreement,
            "report": report,
            "editable": editable,
            "goal_forms": [
                (
                    row,
                    form,
                    problems.get(row.pk, []),
                    [measurements.get(i.pk) for i in form.indicators],
                )
                for row, form in goal_forms
            ],
            "refused": refused,
            "seen_form": forms.SeenForm()
            if report.state == FollowUpReport.State.SUBMITTED
            and permissions.can_mark_seen(request.user, agreement)
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def mark_seen(request: HtmxHttpRequest, uuid: str) -> HttpResponseBase:
    report = _report(request, uuid)
    _require(permissions.can_mark_seen(request.user, report.agreement))
    form = forms.SeenForm(request.POST)
    if form.is_valid():
        try:
            services.mark_follow_up_seen(
                report, reply=form.cleaned_data["reply"], by=_actor(request)
            )
        except services.AgreementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The follow-up is marked as seen."))
    else:
        messages.error(request, _("The reply could not be saved."))
    return redirect(report)


@require_GET
def goal_history(request: HtmxHttpRequest, goal_uuid: str) -> HttpResponse:
    """A goal's follow-up history: every submitted report on it, superseded ones included, with
    its published measurements, and a link to the goal it was carried over from."""
    goal = get_object_or_404(
        Goal.objects.select_related("agreement__unit", "agreement__period", "carried_from"),
        uuid=goal_uuid,
    )
    agreement = _follow_up_agreement(request, str(goal.agreement.uuid))
    drafts = permissions.can_view_draft_report(request.user, agreement)
    return render(
        request,
        "agreements/goal_history.html",
        {
            "agreement": agreement,
            "goal": goal,
            "history": selectors.goal_history(goal, include_drafts=drafts),
            "indicators": list(goal.indicators.select_related("definition")),
            "measurements": list(
                Measurement.objects.published()
                .filter(indicator__goal=goal)
                .order_by("name", "measured_on")
            ),
        },
    )


# --- Goals across units ------------------------------------------------------------------------

COVERAGE_UNITS_PER_PAGE = 50


def _coverage_filters(request: HtmxHttpRequest) -> tuple[forms.CoverageFilterForm, dict[str, Any]]:
    form = forms.CoverageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


def _coverage_units(filters: dict[str, Any]) -> QuerySet[Unit]:
    return directory_units(
        area=filters.get("area"), committee=filters.get("committee"), kind=filters.get("kind", "")
    )


@require_GET
def coverage(request: HtmxHttpRequest) -> HttpResponse:
    """The coverage matrix: the council's goals against the units of the selection (units as rows,
    50 a page), from the signed agreements of the period, each cell with its goals' latest
    follow-up status; above it the roll-up per council goal and the goals no or few units carry.

    The matrix is the same for everyone: rendered once per version of the data, query string, day
    (the period in force) and language, and read from the cache until any of them changes
    (`randers.versions`)."""
    form, filters = _coverage_filters(request)
    matrix = versions.rendered(
        "coverage-matrix",
        (sorted(request.GET.lists()), date.today()),
        "agreements/coverage.html#matrix",
        lambda: _coverage_matrix(request, form, filters),
    )
    if request.htmx:
        return HttpResponse(matrix)
    return render(request, "agreements/coverage.html", {"form": form, "matrix": matrix})


def _coverage_matrix(
    request: HtmxHttpRequest, form: forms.CoverageFilterForm, filters: dict[str, Any]
) -> dict[str, Any]:
    period = form.chosen_period()
    committee = filters.get("committee")
    units = _coverage_units(filters)
    context: dict[str, Any] = {"period": period}
    if period is None:
        context["page"] = Paginator(units, COVERAGE_UNITS_PER_PAGE).get_page(
            request.GET.get("side")
        )
    else:
        coverage = goal_selectors.coverage_rollup(period.pk, units, goal_selectors.council_goals())
        paginator = Paginator(
            selectors.with_signed_agreement(units, period), COVERAGE_UNITS_PER_PAGE
        )
        paginator.count = coverage.units  # counted by the roll-up already
        page = context["page"] = paginator.get_page(request.GET.get("side"))
        if committee is not None:
            coverage = coverage.relevant_to(committee.pk)
        council_goals = [rollup.council_goal for rollup in coverage.rollups]
        cells = goal_selectors.coverage_cells(period.pk, [unit.pk for unit in page.object_list])
        context["rows"] = [
            (unit, [(goal, cells.get((unit.pk, goal.pk))) for goal in council_goals])
            for unit in page.object_list
        ]
        context["coverage"] = coverage
        context["council_goals"] = council_goals
    query = request.GET.copy()
    query.pop("side", None)
    context["query"] = query.urlencode()
    filter_query = query.copy()
    if period is not None:
        filter_query["period"] = period.slug
    context["filter_query"] = filter_query.urlencode()
    return context


def _period_from(request: HtmxHttpRequest) -> Period:
    slug = request.GET.get("period")
    period = get_object_or_404(Period, slug=slug) if slug else selectors.period_in_force()
    if period is None:
        raise Http404
    return period


@require_GET
def council_goal(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One council goal across the selection: how many units carry it, how their goals stand,
    and which units they are (a white spot says that none do)."""
    goal = get_object_or_404(CouncilGoal.objects.select_related("committee"), slug=slug)
    form, filters = _coverage_filters(request)
    period = form.chosen_period()
    if period is None:
        raise Http404
    units = _coverage_units(filters)
    rollup = goal_selectors.coverage_rollup(period.pk, units, [goal])
    carrying = goal_selectors.carrying_units(period.pk, goal.pk, units)
    paginator = Paginator(carrying, COVERAGE_UNITS_PER_PAGE)
    paginator.count = rollup.rollups[0].units  # counted by the roll-up already
    page = paginator.get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    query["period"] = period.slug
    return render(
        request,
        "agreements/council_goal.html",
        {
            "goal": goal,
            "period": period,
            "form": form,
            "coverage": rollup,
            "rollup": rollup.rollups[0],
            "kind_label": dict(Unit.Kind.choices).get(filters.get("kind", ""), ""),
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_GET
def coverage_cell(request: HtmxHttpRequest, slug: str, unit_slug: str) -> HttpResponse:
    """The goals behind one cell of the matrix, each leading on to its follow-up history."""
    goal = get_object_or_404(CouncilGoal, slug=slug)
    unit = get_object_or_404(Unit.objects.select_related("area", "committee"), slug=unit_slug)
    period = _period_from(request)
    return render(
        request,
        "agreements/coverage_cell.html",
        {
            "council_goal": goal,
            "unit": unit,
            "period": period,
            "goals": list(goal_selectors.goals_of_cell(period.pk, unit.pk, goal.pk)),
        },
    )


@require_GET
def unit_goals(request: HtmxHttpRequest, unit_slug: str) -> HttpResponse:
    """A unit's goals in the agreement in force with their latest status, and each indicator
    over time as a chart and a table, library indicators beside the median and range of the
    units of the same kind."""
    unit = get_object_or_404(
        Unit.objects.select_related("area", "committee", "leader"), slug=unit_slug
    )
    period = _period_from(request)
    agreement = (
        Agreement.objects.filter(unit=unit, period=period, signed_version__isnull=False)
        .exclude(state=State.REVOKED)
        .first()
    )
    goals = (
        list(
            Goal.objects.filter(agreement=agreement)
            .annotate(status=goal_selectors.latest_status())
            .prefetch_related("council_goals")
            .order_by("order")
        )
        if agreement
        else []
    )
    indicators = list(
        Indicator.objects.filter(goal__in=goals).select_related("definition").order_by("order")
    )
    series = goal_selectors.with_peers(
        unit, goal_selectors.attach_targets(goal_selectors.unit_series(unit), indicators)
    )
    charts = [
        (s, charts_module.line_chart(s, chart_id=f"chart-{index}"))
        for index, s in enumerate(series, start=1)
    ]
    return render(
        request,
        "agreements/unit_goals.html",
        {
            "unit": unit,
            "period": period,
            "agreement": agreement,
            "goals": goals,
            "charts": charts,
            "may_follow_up": agreement is not None
            and permissions.can_view_follow_up(request.user, agreement),
        },
    )


# --- Bulk follow-up and common goals -----------------------------------------------------------


@require_GET
def follow_up_overview(request: HtmxHttpRequest) -> HttpResponse:
    """Follow-up for those who report (their agreements in force, the Excel round trip) and for
    directors (the reports waiting to be marked as seen)."""
    period = selectors.period_in_force()
    user = request.user
    reportable = (
        permissions.reportable_agreements(user).filter(period=period)
        if period
        else Agreement.objects.none()
    )
    page = Paginator(
        reportable.select_related("unit").order_by("unit__name", "pk"), COVERAGE_UNITS_PER_PAGE
    ).get_page(request.GET.get("side"))
    points = list(period.follow_up_points.order_by("due_on")) if period else []
    waiting = (
        FollowUpReport.objects.filter(
            state=FollowUpReport.State.SUBMITTED, agreement__in=permissions.seeable_agreements(user)
        )
        .select_related("agreement__unit", "point", "submitted_by")
        .order_by("submitted_at")[:50]
    )
    return render(
        request,
        "agreements/follow_up_overview.html",
        {
            "period": period,
            "page": page,
            "reports": selectors.latest_reports(page.object_list),
            "points": points,
            "waiting": list(waiting),
            "download_form": forms.FollowUpDownloadForm(points=points),
            "upload_form": forms.FollowUpUploadForm(),
        },
    )


@require_GET
def follow_up_download(request: HtmxHttpRequest) -> HttpResponseBase:
    period = selectors.period_in_force()
    points = list(period.follow_up_points.select_related("period")) if period else []
    form = forms.FollowUpDownloadForm(request.GET, points=points)
    if not form.is_valid():
        messages.error(request, _("Choose one of the follow-up points in the list."))
        return redirect("agreements:follow-up-overview")
    point = form.cleaned_data["point"]
    content = excel.build_workbook(point, permissions.reportable_agreements(request.user))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="opfoelgning-{point.period.slug}-{point.pk}.xlsx"'
    )
    return response


@require_POST
def follow_up_upload(request: HtmxHttpRequest) -> HttpResponseBase:
    """Read a filled-in file: its rows' form is checked at once, with errors by row and column;
    a well-formed file is imported in the background (a job page shows progress and the result,
    or the errors found against the agreements, and nothing is saved unless all is valid)."""
    form = forms.FollowUpUploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = excel.read_workbook(io.BytesIO(data), submitting=form.cleaned_data["submit"])
        errors = [*parsed.file_errors, *(str(error) for error in parsed.errors)]
        if not errors:
            job = create_job(
                Job.Kind.FOLLOW_UP_IMPORT,
                by=_actor(request),
                params={
                    "file": base64.b64encode(data).decode("ascii"),
                    "submit": form.cleaned_data["submit"],
                },
            )
            return redirect(job)
    period = selectors.period_in_force()
    return render(
        request,
        "agreements/follow_up_upload.html",
        {"form": form, "errors": errors, "period": period},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def common_goals(request: HtmxHttpRequest) -> HttpResponseBase:
    """Administrators push an area's common goals into every draft of a period in the area."""
    _require(permissions.can_push_common_goals(request.user))
    form = forms.PushCommonGoalsForm(
        request.POST or None,
        initial={"period": next(iter(Period.objects.relevant()), None)},
    )
    if request.method == "POST" and form.is_valid():
        added = services.push_common_goals(
            form.cleaned_data["area"], form.cleaned_data["period"], by=_actor(request)
        )
        messages.success(
            request,
            _("%(count)s common goals were added to the drafts of %(area)s.")
            % {"count": added, "area": form.cleaned_data["area"].name},
        )
        return redirect("agreements:common-goals")
    return render(
        request,
        "agreements/common_goals.html",
        {
            "form": form,
            "areas": goal_selectors.common_goals_by_area(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- The annual cycle and its periods ------------------------------------------------------------


@require_GET
def periods(request: HtmxHttpRequest) -> HttpResponse:
    """Every period with its dates, newest first, and the way to open the next (administrators)."""
    if not permissions.can_open_period(request.user):
        raise PermissionDenied
    return render(
        request,
        "agreements/periods.html",
        {"periods": list(Period.objects.order_by("-starts_on")), "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def cycle(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The period's annual cycle: its deadlines in order, each with how many of the units the
    person may see have done it, have it due or have missed it. Administrators set the lock."""
    period = get_object_or_404(Period.objects.prefetch_related("follow_up_points"), slug=slug)
    is_admin = permissions.can_open_period(request.user)
    lock_form = forms.PeriodLockForm(
        request.POST if request.method == "POST" else None,
        initial={"lock_after_days": period.lock_after_days},
    )
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if lock_form.is_valid():
            assert isinstance(request.user, User)
            services.set_period_lock(
                period, lock_after_days=lock_form.cleaned_data["lock_after_days"], by=request.user
            )
            messages.success(request, _("The lock of the period is saved."))
            return redirect(period)
    today = timezone.localdate()
    units = selectors.cycle_units(request.user)
    return render(
        request,
        "agreements/cycle.html",
        {
            "period": period,
            "steps": selectors.annual_cycle(period, units, today),
            "counted": units is not None,
            "today": today,
            "lock_form": lock_form if is_admin else None,
            "locked": period.is_locked(today),
        },
    )


@require_http_methods(["GET", "POST"])
def open_period(request: HtmxHttpRequest) -> HttpResponseBase:
    """Open a new period: the form proposes the last period's dates a year later; creating it
    queues the job that gives every active unit its draft."""
    if not permissions.can_open_period(request.user):
        raise PermissionDenied
    last = Period.objects.order_by("-starts_on").first()
    initial = services.next_period_data(last).__dict__ if last else {}
    form = forms.PeriodForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        job = services.open_period(form.period_data(), copy_from=last, by=request.user)
        messages.success(
            request,
            _("The period is created. Every active unit gets its draft in the background."),
        )
        return redirect(job)
    return render(request, "agreements/open_period.html", {"form": form, "last": last})
