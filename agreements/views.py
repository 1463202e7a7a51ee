"""Agreement pages and actions. Each view gets the agreement through the permission helper
(404 for those who may not see it), checks the action (403), binds a form, calls one service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
from randers.http import HtmxHttpRequest
from units.models import Unit, User
from units.selectors import directory_units

from . import excel, forms, permissions, selectors, services
from .models import (
    Agreement,
    AgreementSection,
    AgreementVersion,
    Consultation,
    FollowUpPoint,
    Period,
    StateChange,
)

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
        "follow_up": agreement.signed_version_id is not None
        and permissions.can_view_follow_up(user, agreement),
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
    if working:
        content = selectors.working_content(agreement)
        if agreement.state == State.APPROVED:
            version = selectors.latest_version(agreement)  # the version being signed
        elif agreement.state == State.SIGNED:
            version = agreement.signed_version
        else:
            version = None
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
    _require(permissions.can_start_agreement(request.user, unit.pk))
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
            services.save_follow_up(
                report, entries=[form.entry() for _row, form in goal_forms], by=actor
            )
            if "submit" not in request.POST:
                messages.success(request, _("The draft follow-up is saved."))
                return redirect(report)
            try:
                services.submit_follow_up(report, by=actor)
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
    follow-up status; above it the roll-up per council goal and the goals no or few units carry."""
    form, filters = _coverage_filters(request)
    period = filters.get("period") or selectors.period_in_force()
    committee = filters.get("committee")
    units = _coverage_units(filters)
    page = Paginator(units, COVERAGE_UNITS_PER_PAGE).get_page(request.GET.get("side"))
    context: dict[str, Any] = {"form": form, "period": period, "page": page}
    if period is not None:
        coverage = goal_selectors.coverage_rollup(period.pk, units, goal_selectors.council_goals())
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
        context["signed_units"] = selectors.units_with_signed_agreement(
            period, [unit.pk for unit in page.object_list]
        )
    query = request.GET.copy()
    query.pop("side", None)
    context["query"] = query.urlencode()
    filter_query = query.copy()
    if period is not None:
        filter_query["period"] = period.slug
    context["filter_query"] = filter_query.urlencode()
    template = "agreements/coverage.html#matrix" if request.htmx else "agreements/coverage.html"
    return render(request, template, context)


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
    period = filters.get("period") or selectors.period_in_force()
    if period is None:
        raise Http404
    units = _coverage_units(filters)
    rollup = goal_selectors.coverage_rollup(period.pk, units, [goal])
    carrying = goal_selectors.carrying_units(period.pk, goal.pk, units)
    page = Paginator(carrying, COVERAGE_UNITS_PER_PAGE).get_page(request.GET.get("side"))
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
    """Save the follow-up of a filled-in file, or list its errors by row and column."""
    form = forms.FollowUpUploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        parsed = excel.read_workbook(
            form.cleaned_data["file"], submitting=form.cleaned_data["submit"]
        )
        try:
            result = services.import_follow_up(
                parsed, by=_actor(request), submit=form.cleaned_data["submit"]
            )
        except services.ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(
                request,
                _(
                    "The file is read: %(saved)s follow-ups saved, %(submitted)s of them "
                    "submitted, %(unchanged)s unchanged."
                )
                % {
                    "saved": result.saved,
                    "submitted": result.submitted,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("agreements:follow-up-overview")
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
