"""Agreement pages and actions. Each view gets the agreement through the permission helper
(404 for those who may not see it), checks the action (403), binds a form, calls one service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from randers.http import HtmxHttpRequest
from units.models import Unit, User

from . import forms, permissions, selectors, services
from .models import Agreement, AgreementSection, AgreementVersion, Consultation, Period, StateChange

State = Agreement.State


def _agreement(request: HtmxHttpRequest, uuid: str) -> Agreement:
    return permissions.get_visible_agreement(
        request.user, selectors.agreement_for_page(uuid), uuid=uuid
    )


def _actor(request: HtmxHttpRequest) -> User:
    """The signed-in person acting (the views that act are never open to anonymous visitors)."""
    assert isinstance(request.user, User)
    return request.user


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
    }


def _last_return(agreement: Agreement) -> StateChange | None:
    if agreement.state != State.DRAFT:
        return None
    last = agreement.state_changes.select_related("actor").order_by("-at", "-pk").first()
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
        content = selectors.working_content(agreement)
        # While approved, the version being signed; before that, none.
        version = selectors.latest_version(agreement) if agreement.state == State.APPROVED else None
    else:
        version = agreement.signed_version
        assert version is not None  # can_view lets the public see signed agreements only
        content = version.content
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "content": content,
            "showing_signed_version": not working,
            "signatures": selectors.signature_block(agreement, version),
            "in_force": selectors.signature_block(agreement, agreement.signed_version)
            if agreement.signed_version_id and agreement.state != State.SIGNED
            else None,
            "actions": _actions(request, agreement),
            "last_return": _last_return(agreement) if working else None,
        },
    )


@require_GET
def history(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    agreement = _agreement(request, uuid)
    _require(permissions.can_view_history(request.user, agreement))
    state_changes, edits = selectors.history_of(agreement)
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

    old_label, old = side(request.GET.get("fra", "forrige"))
    new_label, new = side(request.GET.get("til", "kladde"))
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
    sections = []
    for section in agreement.sections.select_related("updated_by").order_by("order"):
        prefix = f"section-{section.pk}"
        form = forms_by_key.get(prefix) or forms.SectionForm(
            initial={"body": section.body, "revision": section.revision}, prefix=prefix
        )
        sections.append(
            (section, form, by_field.get(prefix, []), section_status.get(section.pk, {}))
        )
    goals = [
        (goal, by_field.get(f"goal-{goal.uuid}", []))
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
    }


def _editable_agreement(request: HtmxHttpRequest, uuid: str) -> Agreement:
    agreement = _agreement(request, uuid)
    _require(permissions.can_edit(request.user, agreement))
    return agreement


@require_GET
def edit(request: HtmxHttpRequest, uuid: str) -> HttpResponse:
    agreement = _editable_agreement(request, uuid)
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
        request.POST or None, initial=_indicator_initial(goal), prefix="indicators"
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
