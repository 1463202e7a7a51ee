"""The administrators' pages that need the organisation and the agreements together.

Onboarding is a guided flow of steps; each step's input is checked when it is sent and kept in
the session (nothing is saved in the database) until the administrator confirms the whole on the
last page. Then one service creates everything in one transaction.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm, BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements.models import Agreement, Period
from units import forms as unit_forms
from units import permissions as unit_permissions
from units import selectors as unit_selectors
from units import services as unit_services
from units.models import Unit, User

from . import forms, selectors, services

SESSION_KEY = "onboarding"


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _posted(request: HttpRequest, *, files: bool = False) -> Any:
    """The posted data for binding a form, also when nothing was filled in; None for a GET."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The administrators' starting point: the flows, the organisation and the latest changes."""
    unit_permissions.require_administrator(request.user)
    areas, committees = unit_selectors.organisation_overview()
    return render(
        request,
        "organisation/index.html",
        {
            "areas": areas,
            "committees": committees,
            "changes": unit_selectors.recent_changes(),
            "onboarding_started": bool(request.session.get(SESSION_KEY)),
        },
    )


# --- Onboarding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    description: Promise


STEPS = [
    Step(
        "enheden",
        gettext_lazy("The unit"),
        gettext_lazy("Name, kind, contact and what the unit does."),
    ),
    Step(
        "organisering",
        gettext_lazy("Area and committee"),
        gettext_lazy("Who reviews and approves its agreements."),
    ),
    Step("arbejdssteder", gettext_lazy("Sites"), gettext_lazy("The workplaces it runs.")),
    Step("leder", gettext_lazy("Leader"), gettext_lazy("An existing person or a new one.")),
    Step(
        "aftale",
        gettext_lazy("Agreement"),
        gettext_lazy("Whether to start its agreement now."),
    ),
]
STEP_SLUGS = [step.slug for step in STEPS]
REVIEW = Step(
    "gennemse", gettext_lazy("Review and create"), gettext_lazy("Check everything, then create.")
)


def _form(slug: str, data: QueryDict | None, periods: list[Period]) -> BaseForm | BaseFormSet:
    if slug == "enheden":
        return unit_forms.UnitFactsForm(data)
    if slug == "organisering":
        return unit_forms.PlacementForm(data)
    if slug == "arbejdssteder":
        return unit_forms.SiteFormSet(data, prefix="sites")
    if slug == "leder":
        return unit_forms.LeaderForm(data)
    return forms.AgreementStartForm(data, periods=periods)


def _stored(request: HttpRequest) -> dict[str, dict[str, list[str]]]:
    return dict(request.session.get(SESSION_KEY, {}))


def _query(raw: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, values)
    return data


def _with_room(slug: str, raw: dict[str, list[str]] | None) -> QueryDict | None:
    """What was entered in the step, to show it again; the sites get three empty rows more."""
    if raw is None:
        return None
    data = _query(raw)
    if slug == "arbejdssteder":
        total = int(data.get("sites-TOTAL_FORMS") or 0)
        data["sites-TOTAL_FORMS"] = str(min(total + 3, unit_forms.MAX_SITES))
    return data


def _remember(request: HttpRequest, slug: str) -> None:
    stored = _stored(request)
    stored[slug] = {
        key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
    }
    request.session[SESSION_KEY] = stored


def _step_links(current: str, stored: dict[str, Any]) -> list[dict[str, Any]]:
    """The step indicator: done steps link back, later ones are not reachable yet."""
    links = []
    reachable = True
    for number, step in enumerate([*STEPS, REVIEW], start=1):
        links.append(
            {
                "number": number,
                "step": step,
                "current": step.slug == current,
                "done": step.slug in stored,
                "reachable": reachable,
                "url": reverse("organisation:onboard-step", kwargs={"step": step.slug})
                if step is not REVIEW
                else reverse("organisation:onboard-review"),
            }
        )
        reachable = reachable and step.slug in stored
    return links


@require_GET
def onboard(request: HttpRequest) -> HttpResponseBase:
    """Start (or continue) onboarding a workplace; `?ny=1` starts afresh."""
    unit_permissions.require_administrator(request.user)
    if request.GET.get("ny"):
        request.session.pop(SESSION_KEY, None)
    stored = _stored(request)
    missing = next((slug for slug in STEP_SLUGS if slug not in stored), None)
    if missing is None:
        return redirect("organisation:onboard-review")
    return redirect("organisation:onboard-step", step=missing)


@require_http_methods(["GET", "POST"])
def onboard_step(request: HttpRequest, step: str) -> HttpResponseBase:
    unit_permissions.require_administrator(request.user)
    if step not in STEP_SLUGS:
        raise Http404
    stored = _stored(request)
    index = STEP_SLUGS.index(step)
    earlier_missing = next((slug for slug in STEP_SLUGS[:index] if slug not in stored), None)
    if earlier_missing is not None:
        return redirect("organisation:onboard-step", step=earlier_missing)
    periods = Period.objects.relevant() if step == "aftale" else []
    back_to_review = bool(request.GET.get("gennemse"))
    if request.method == "POST":
        form = _form(step, request.POST, periods)
        if form.is_valid():
            _remember(request, step)
            if back_to_review or index + 1 == len(STEPS):
                return redirect("organisation:onboard-review")
            return redirect("organisation:onboard-step", step=STEP_SLUGS[index + 1])
    else:
        form = _form(step, _with_room(step, stored.get(step)), periods)
    return render(
        request,
        "organisation/onboard_step.html",
        {
            "step": STEPS[index],
            "number": index + 1,
            "steps": _step_links(step, stored),
            "form": form,
            "previous": STEP_SLUGS[index - 1] if index else None,
            "back_to_review": back_to_review,
        },
        status=400 if request.method == "POST" else 200,
    )


def _valid_steps(
    request: HttpRequest,
) -> tuple[dict[str, BaseForm | BaseFormSet], str | None]:
    """Every step's form bound to what was entered, and the first step that is missing or no
    longer valid (someone may have created a unit of the same name meanwhile)."""
    stored = _stored(request)
    periods = Period.objects.relevant()
    bound: dict[str, BaseForm | BaseFormSet] = {}
    for slug in STEP_SLUGS:
        if slug not in stored:
            return bound, slug
        form = _form(slug, _query(stored[slug]), periods)
        if not form.is_valid():
            return bound, slug
        bound[slug] = form
    return bound, None


def _onboarding(bound: dict[str, Any]) -> services.Onboarding:
    facts = bound["enheden"].cleaned_data
    placement = bound["organisering"].cleaned_data
    return services.Onboarding(
        unit=unit_services.UnitData(
            **{name: facts[name] for name in unit_forms.UnitFactsForm.Meta.fields},
            area=placement["area"],
            committee=placement["committee"],
            sites=unit_forms.sites_from(bound["arbejdssteder"]),
        ),
        leader=bound["leder"].leader_choice(),
        period=bound["aftale"].cleaned_data["period"],
    )


def _to_step(request: HttpRequest, slug: str, *, invalid: bool) -> HttpResponseBase:
    if invalid:
        messages.error(request, _("Something in this step is no longer valid; check it."))
    return redirect("organisation:onboard-step", step=slug)


@require_GET
def onboard_review(request: HttpRequest) -> HttpResponseBase:
    unit_permissions.require_administrator(request.user)
    bound, problem = _valid_steps(request)
    if problem is not None:
        return _to_step(request, problem, invalid=problem in _stored(request))
    data = _onboarding(bound)
    return render(
        request,
        "organisation/onboard_review.html",
        {
            "step": REVIEW,
            "number": len(STEPS) + 1,
            "steps": _step_links(REVIEW.slug, _stored(request)),
            "data": data,
            "kind": Unit.Kind(data.unit.kind).label,
        },
    )


@require_POST
def onboard_create(request: HttpRequest) -> HttpResponseBase:
    """Create everything that was entered, in one transaction, and show what was created."""
    unit_permissions.require_administrator(request.user)
    bound, problem = _valid_steps(request)
    if problem is not None:
        return _to_step(request, problem, invalid=problem in _stored(request))
    try:
        unit = services.onboard_unit(_onboarding(bound), by=_actor(request))
    except unit_services.OrganisationError as error:
        messages.error(request, str(error))
        return redirect("organisation:onboard-review")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("%(unit)s is created.") % {"unit": unit.name})
    return redirect("organisation:unit", slug=unit.slug)


@require_POST
def onboard_cancel(request: HttpRequest) -> HttpResponseBase:
    unit_permissions.require_administrator(request.user)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("The onboarding is cancelled; nothing was created."))
    return redirect("organisation:index")


# --- A unit: what exists and who may do what -----------------------------------------------------


@require_GET
def unit(request: HttpRequest, slug: str) -> HttpResponse:
    """The summary of a unit for administrators (also the last page of onboarding): its facts,
    sites, leader, agreements, and who may now do what with them."""
    try:
        found = unit_selectors.unit_detail(slug)
    except Unit.DoesNotExist:
        raise Http404 from None
    unit_permissions.require_administrator(request.user)
    leader = found.leader
    grants = selectors.access_to_unit(found)
    return render(
        request,
        "organisation/unit.html",
        {
            "unit": found,
            "invitation": unit_selectors.last_invitation(leader)
            if leader is not None and not leader.has_usable_password()
            else None,
            "agreements": list(
                Agreement.objects.filter(unit=found)
                .select_related("period")
                .order_by("-period__starts_on")
            ),
            "grants": grants,
            "rows": selectors.ability_rows(grants),
        },
    )


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Merge this unit into another, which continues and gets a new agreement."""
    try:
        found = unit_selectors.unit_detail(slug)
    except Unit.DoesNotExist:
        raise Http404 from None
    unit_permissions.require_administrator(request.user)
    if found.is_closed:
        raise PermissionDenied
    form = forms.MergeForm(_posted(request), unit=found, periods=Period.objects.relevant())
    if request.method == "POST" and form.is_valid():
        try:
            result = services.merge_unit(
                found,
                survivor=form.cleaned_data["survivor"],
                period=form.cleaned_data["period"],
                by=_actor(request),
            )
        except unit_services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            outcome = {
                services.NewAgreement.CREATED: _("A draft agreement is started for it."),
                services.NewAgreement.AMENDED: _(
                    "A new version of its signed agreement is started; the signed one stays in "
                    "force until the new one is signed."
                ),
                services.NewAgreement.RETURNED: _(
                    "Its agreement is returned to the leader as a draft, to cover both."
                ),
                services.NewAgreement.DRAFT: _("Its draft agreement can now cover both."),
                services.NewAgreement.UNCHANGED: _("Its agreements are unchanged."),
            }[result.outcome]
            messages.success(
                request,
                _("%(unit)s is merged into %(survivor)s.")
                % {"unit": found, "survivor": result.survivor}
                + " "
                + outcome,
            )
            return redirect("organisation:unit", slug=result.survivor.slug)
    return render(
        request,
        "organisation/merge.html",
        {"unit": found, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- A person: what they may see and do, and why --------------------------------------------------


@require_GET
def access(request: HttpRequest, uuid: str) -> HttpResponse:
    person = unit_permissions.get_person_for_administrator(
        request.user, User.objects.all(), uuid=uuid
    )
    result = selectors.access_of(person)
    return render(
        request,
        "organisation/access.html",
        {"access": result, "person": person, "rows": selectors.ability_rows(result.grants)},
    )
