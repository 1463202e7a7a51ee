"""The Django admin for the organisation, in Danish.

Role fields (a unit's leader, an area's director, memberships) are saved through `units.services`,
so that the object permissions that follow from them are always granted and revoked with them.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Area,
    Committee,
    CommitteeMembership,
    Council,
    CouncilMembership,
    OrganisationChange,
    Site,
    Unit,
    User,
)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Aftalestyring"), {"fields": ("job_title", "language")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "job_title", "is_active")
    # Roles and the staff flag that goes with administration are given in the app, where they are
    # recorded and the permissions follow; here they can only be read.
    readonly_fields = ("is_superuser", "is_staff", "groups", "user_permissions")


class CouncilMembershipInline(admin.TabularInline):
    model = CouncilMembership
    extra = 0
    autocomplete_fields = ["person"]


class _RoleFormSet(BaseInlineFormSet):
    """Saves memberships through the services, which keep the permissions in step."""

    def save_role(self, membership: Any, actor: User) -> Any:
        raise NotImplementedError

    def delete_role(self, membership: Any, actor: User) -> None:
        raise NotImplementedError

    def save(self, commit: bool = True) -> list[Any]:
        actor = self.actor  # type: ignore[attr-defined]
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.deleted_forms:
            if form.instance.pk:
                self.delete_role(type(form.instance).objects.get(pk=form.instance.pk), actor)
                self.deleted_objects.append(form.instance)
        for form in self.forms:
            if form in self.deleted_forms or not form.has_changed():
                continue
            if form.instance.pk and "person" in form.changed_data:
                self.delete_role(type(form.instance).objects.get(pk=form.instance.pk), actor)
            saved = self.save_role(form.instance, actor)
            if form.instance.pk:
                self.changed_objects.append((saved, form.changed_data))
            else:
                self.new_objects.append(saved)
        return self.new_objects + [obj for obj, _fields in self.changed_objects]


class CouncilMembershipFormSet(_RoleFormSet):
    def save_role(self, membership: CouncilMembership, actor: User) -> CouncilMembership:
        return services.add_council_member(membership.council, person=membership.person, by=actor)

    def delete_role(self, membership: CouncilMembership, actor: User) -> None:
        services.remove_council_member(membership.council, person=membership.person, by=actor)


class CommitteeMembershipFormSet(_RoleFormSet):
    def save_role(self, membership: CommitteeMembership, actor: User) -> CommitteeMembership:
        return services.add_committee_member(
            membership.committee, person=membership.person, role=membership.role, by=actor
        )

    def delete_role(self, membership: CommitteeMembership, actor: User) -> None:
        services.remove_committee_member(membership.committee, person=membership.person, by=actor)


class _RoleInlineMixin:
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.actor = _actor(request)
        return formset


class CouncilMembershipRoleInline(_RoleInlineMixin, CouncilMembershipInline):
    formset = CouncilMembershipFormSet


class CommitteeMembershipInline(_RoleInlineMixin, admin.TabularInline):
    model = CommitteeMembership
    formset = CommitteeMembershipFormSet
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    inlines = [CouncilMembershipRoleInline]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [CommitteeMembershipInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "director")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["director"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Area, form: ModelForm, change: bool) -> None:
        director = obj.director
        if change:
            obj.director = Area.objects.get(pk=obj.pk).director
        super().save_model(request, obj, form, change)
        services.assign_director(obj, director=director, by=_actor(request))


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "committee", "leader", "closed_at")
    list_filter = ("area", "committee", "kind")
    list_select_related = ("area", "committee", "leader")
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["leader", "successor"]
    inlines = [SiteInline]

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        leader = obj.leader
        if change:
            obj.leader = Unit.objects.get(pk=obj.pk).leader
        super().save_model(request, obj, form, change)
        services.assign_leader(obj, leader=leader, by=_actor(request))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return super().get_queryset(request).select_related("area", "committee", "leader")

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> Any:
        # Moving, merging and closing are done in the app, where they are recorded.
        if obj is None:
            return ()
        return ("area", "committee", "closed_at", "successor")


@admin.register(OrganisationChange)
class OrganisationChangeAdmin(admin.ModelAdmin):
    """The record of changes, read-only: it is written by the services only."""

    list_display = ("at", "actor", "action", "role", "person", "unit", "area", "committee")
    list_filter = ("action", "role")
    list_select_related = ("actor", "person", "unit", "area", "committee")
    search_fields = ["person__username", "person__last_name", "unit__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "city")
    list_select_related = ("unit",)
    search_fields = ["name", "unit__name"]
