"""The unit directory and the unit's page; for administrators, people, roles and changes to units.

Administration pages answer 403 to signed-in people who are not administrators; a person's page
answers 404 to them (people are not listed to them). Each view fetches through the permission
helper, binds a form, calls one service and redirects.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from randers import versions
from randers.audit.models import AccessEvent
from randers.audit.services import record_access
from randers.http import HtmxHttpRequest
from randers.jobs.models import Job
from randers.jobs.services import create_job

from . import forms, imports, permissions, selectors, services
from .models import Area, Committee, Unit, User

UNITS_PER_PAGE = 50
PEOPLE_PER_PAGE = 50


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _posted(request: HttpRequest, *, files: bool = False) -> Any:
    """The posted data for binding a form, also when nothing was filled in; None for a GET."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST


# --- Everyone signed in ------------------------------------------------------------------------


@require_GET
def directory(request: HtmxHttpRequest) -> HttpResponse:
    """All units, filtered by area, committee, kind and name; every signed-in person may read it.

    The results are the same for everyone: rendered once per version of the data, query string,
    day (units open and close) and language, and read from the cache until any of them changes
    (`randers.versions`)."""
    form = forms.DirectoryFilterForm(request.GET or None)
    results = versions.rendered(
        "unit-directory",
        (sorted(request.GET.lists()), date.today()),
        "units/directory.html#results",
        lambda: _directory_results(request, form),
    )
    if request.htmx:
        return HttpResponse(results)
    return render(request, "units/directory.html", {"form": form, "results": results})


def _directory_results(request: HtmxHttpRequest, form: forms.DirectoryFilterForm) -> dict[str, Any]:
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.directory_units(
        area=filters.get("area"),
        committee=filters.get("committee"),
        kind=filters.get("kind", ""),
        text=filters.get("q", ""),
    ).only(  # what a row shows
        "name",
        "slug",
        "kind",
        "area__name",
        "committee__name",
        "leader__first_name",
        "leader__last_name",
        "leader__username",
    )
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return {"page": page, "query": query.urlencode()}


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The unit's page; administrators also see what they can change and the unit's history."""
    try:
        unit = selectors.unit_detail(slug)
    except Unit.DoesNotExist:
        raise Http404 from None
    administrator = permissions.is_administrator(request.user)
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "administrator": administrator,
            "changes": selectors.changes_for_unit(unit) if administrator else [],
        },
    )


# --- People --------------------------------------------------------------------------------------


@require_GET
def people(request: HtmxHttpRequest) -> HttpResponse:
    permissions.require_administrator(request.user)
    form = forms.PersonSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.people(text), PEOPLE_PER_PAGE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    template = "units/people.html#results" if request.htmx else "units/people.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    form = forms.PersonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(form.new_person(), by=_actor(request))
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is created and gets an e-mail with a link to set a password.")
                % {"name": person},
            )
            return redirect("units:person", uuid=person.uuid)
    return render(
        request,
        "units/person_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _person(request: HttpRequest, uuid: str) -> User:
    return permissions.get_person_for_administrator(request.user, User.objects.all(), uuid=uuid)


def _person_page(
    request: HttpRequest,
    person: User,
    *,
    role_form: forms.RoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "units/person.html",
        {
            "person": person,
            "roles": selectors.roles_for_page(person),
            "role_form": role_form or forms.RoleForm(),
            "invitation": selectors.last_invitation(person),
            "changes": selectors.changes_for_person(person),
        },
        status=status,
    )


@require_GET
def person(request: HttpRequest, uuid: str) -> HttpResponse:
    person = _person(request, uuid)
    record_access(
        request, kind=AccessEvent.Kind.PERSON, obj=person, label=str(person), subject_id=person.pk
    )
    return _person_page(request, person)


@require_POST
def person_add_role(request: HttpRequest, uuid: str) -> HttpResponseBase:
    person = _person(request, uuid)
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        target = {
            services.Role.LEADER: form.cleaned_data.get("unit"),
            services.Role.DIRECTOR: form.cleaned_data.get("area"),
            services.Role.COMMITTEE_MEMBER: form.cleaned_data.get("committee"),
            services.Role.COMMITTEE_CHAIR: form.cleaned_data.get("committee"),
        }.get(role)
        try:
            services.grant_role(person, role=role, target=target, by=_actor(request))
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The role is given; it takes effect at once."))
            return redirect("units:person", uuid=person.uuid)
    return _person_page(request, person, role_form=form, status=400)


@require_POST
def person_remove_role(request: HttpRequest, uuid: str) -> HttpResponseBase:
    person = _person(request, uuid)
    form = forms.RemoveRoleForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(error) for error in form.non_field_errors())
        messages.error(request, problems or _("Nothing was changed."))
        return redirect("units:person", uuid=person.uuid)
    try:
        services.revoke_role(
            person,
            role=form.cleaned_data["role"],
            target=form.cleaned_data.get("object"),
            by=_actor(request),
        )
    except services.OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role is removed; it takes effect at once."))
    return redirect("units:person", uuid=person.uuid)


@require_POST
def person_invite(request: HttpRequest, uuid: str) -> HttpResponseBase:
    person = _person(request, uuid)
    try:
        services.send_invitation(person, by=_actor(request))
    except services.OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("A new link to set the password is sent to %(email)s. Earlier links stop working.")
            % {"email": person.email},
        )
    return redirect("units:person", uuid=person.uuid)


class SetPasswordFormWithPlainHelp(SetPasswordForm):
    """Django's form to set a password, with the rules as one plain hint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page behind the one-time link in the e-mail to a new person (open without login)."""

    template_name = "units/set_password.html"
    form_class = SetPasswordFormWithPlainHelp
    token_generator = services.set_password_tokens
    reset_url_token = "ny-adgangskode"  # noqa: S105 - a segment of the URL, not a password
    success_url = reverse_lazy("login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Log in with your username %(username)s.")
            % {"username": form.user.get_username()},
        )
        return response


# --- Roles from the area's, committee's and council's pages -----------------------------------


@require_http_methods(["GET", "POST"])
def area(request: HttpRequest, slug: str) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    try:
        found = selectors.area_page(slug)
    except Area.DoesNotExist:
        raise Http404 from None
    form = forms.SinglePersonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.assign_director(found, director=form.cleaned_data["person"], by=_actor(request))
        messages.success(
            request,
            _("%(name)s is now director of %(area)s.")
            % {"name": form.cleaned_data["person"], "area": found.name},
        )
        return redirect("units:area", slug=found.slug)
    return render(
        request,
        "units/area.html",
        {"area": found, "form": form, "changes": selectors.changes_for_area(found)},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def area_remove_director(request: HttpRequest, slug: str) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    found = get_object_or_404(Area, slug=slug)
    services.assign_director(found, director=None, by=_actor(request))
    messages.success(request, _("The area has no director now."))
    return redirect("units:area", slug=found.slug)


@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    try:
        found = selectors.committee_page(slug)
    except Committee.DoesNotExist:
        raise Http404 from None
    form = forms.CommitteeMemberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_committee_member(
            found,
            person=form.cleaned_data["person"],
            role=form.cleaned_data["role"],
            by=_actor(request),
        )
        messages.success(
            request,
            _("%(name)s is seated on the committee.") % {"name": form.cleaned_data["person"]},
        )
        return redirect("units:committee", slug=found.slug)
    return render(
        request,
        "units/committee.html",
        {
            "committee": found,
            "memberships": selectors.committee_memberships(found),
            "form": form,
            "changes": selectors.changes_for_committee(found),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def committee_remove_member(request: HttpRequest, slug: str, uuid: str) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    found = get_object_or_404(Committee, slug=slug)
    person = get_object_or_404(User, uuid=uuid)
    services.remove_committee_member(found, person=person, by=_actor(request))
    messages.success(request, _("%(name)s no longer sits on the committee.") % {"name": person})
    return redirect("units:committee", slug=found.slug)


@require_http_methods(["GET", "POST"])
def council(request: HttpRequest) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    found = selectors.the_council()
    if found is None:
        raise Http404
    form = forms.SinglePersonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_council_member(found, person=form.cleaned_data["person"], by=_actor(request))
        messages.success(
            request, _("%(name)s sits on the city council.") % {"name": form.cleaned_data["person"]}
        )
        return redirect("units:council")
    return render(
        request,
        "units/council.html",
        {
            "council": found,
            "members": selectors.council_members(found),
            "form": form,
            "changes": selectors.changes_for_council(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def council_remove_member(request: HttpRequest, uuid: str) -> HttpResponseBase:
    permissions.require_administrator(request.user)
    found = selectors.the_council()
    person = get_object_or_404(User, uuid=uuid)
    if found is None:
        raise Http404
    services.remove_council_member(found, person=person, by=_actor(request))
    messages.success(request, _("%(name)s no longer sits on the city council.") % {"name": person})
    return redirect("units:council")


# --- Changes to a unit ---------------------------------------------------------------------------


def _unit_to_change(request: HttpRequest, slug: str) -> Unit:
    """The unit (404 if there is none), for administrators (403), while it is open (403)."""
    try:
        unit = selectors.unit_detail(slug)
    except Unit.DoesNotExist:
        raise Http404 from None
    permissions.require_administrator(request.user)
    if unit.is_closed:
        raise PermissionDenied
    return unit


@require_http_methods(["GET", "POST"])
def unit_leader(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Change the unit's leader: the old leader loses the unit's drafts at once."""
    unit = _unit_to_change(request, slug)
    form = forms.LeaderForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        leader = services.appoint_leader(unit, choice=form.leader_choice(), by=_actor(request))
        if leader is None:
            messages.success(request, _("The unit has no leader now."))
        else:
            messages.success(
                request,
                _("%(name)s is now the leader of %(unit)s.") % {"name": leader, "unit": unit},
            )
        return redirect(unit)
    return render(
        request,
        "units/leader.html",
        {"unit": unit, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def unit_move(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Move the unit to another area or committee; access follows at once."""
    unit = _unit_to_change(request, slug)
    form = forms.MoveForm(_posted(request), unit=unit)
    if request.method == "POST" and form.is_valid():
        services.move_unit(
            unit,
            area=form.cleaned_data["area"],
            committee=form.cleaned_data["committee"],
            by=_actor(request),
        )
        messages.success(
            request,
            _("%(unit)s now belongs to %(area)s and %(committee)s.")
            % {
                "unit": unit,
                "area": form.cleaned_data["area"],
                "committee": form.cleaned_data["committee"],
            },
        )
        return redirect(unit)
    return render(
        request,
        "units/move.html",
        {"unit": unit, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def unit_close(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Close the unit: read-only from today, its agreements stay readable."""
    unit = _unit_to_change(request, slug)
    form = forms.CloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.close_unit(unit, by=_actor(request))
        messages.success(request, _("%(unit)s is closed.") % {"unit": unit})
        return redirect(unit)
    return render(
        request,
        "units/close.html",
        {"unit": unit, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Bulk import ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_units(request: HttpRequest) -> HttpResponseBase:
    """Upload a spreadsheet; every row is checked before anything is imported, and a valid file
    is imported in the background (the job's page shows the progress and the result)."""
    permissions.require_administrator(request.user)
    form = forms.ImportForm(*_posted(request, files=True))
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["file"]
        job = create_job(
            Job.Kind.UNIT_IMPORT,
            by=_actor(request),
            params={
                "file_name": getattr(request.FILES.get("file"), "name", ""),
                "rows": [row.as_json() for row in rows],
            },
            total=len(rows),
        )
        return redirect(job)
    return render(
        request,
        "units/import.html",
        {"form": form, "validation": form.validation, "columns": imports.COLUMNS},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def import_template(request: HttpRequest, extension: str) -> HttpResponse:
    permissions.require_administrator(request.user)
    if extension == "xlsx":
        content = imports.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif extension == "csv":
        content = imports.template_csv()
        content_type = "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    file_name = _("units-template")
    response["Content-Disposition"] = f'attachment; filename="{file_name}.{extension}"'
    return response
