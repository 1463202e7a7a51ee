"""Who holds which role, as object permissions: every django-guardian call of `units` lives here.

A role is granted as a permission on the object it is about (leading a unit, directing an area,
sitting on or chairing a committee, sitting on the council) in guardian's direct foreign-key
tables. Administrators hold the global permission `units.administer` through a group. Other apps
build their permission checks from the querysets below, which are plain SQL filters, so that lists
stay one query.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from .models import (
    Area,
    Committee,
    CommitteeUserObjectPermission,
    Council,
    CouncilUserObjectPermission,
    Unit,
    UnitQuerySet,
    User,
)

LEAD_UNIT = "lead_unit"
DIRECT_AREA = "direct_area"
SIT_ON_COMMITTEE = "sit_on_committee"
CHAIR_COMMITTEE = "chair_committee"
SIT_ON_COUNCIL = "sit_on_council"
ADMINISTER = "units.administer"

ADMINISTRATORS_GROUP = "Administratorer"
ROLE_CODENAMES = [LEAD_UNIT, DIRECT_AREA, SIT_ON_COMMITTEE, CHAIR_COMMITTEE, SIT_ON_COUNCIL]

AnyUser = User | AnonymousUser


# --- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """Everything a person is granted, as sets of object ids, from one query."""

    administrator: bool = False
    council_member: bool = False
    led_units: frozenset[int] = frozenset()
    directed_areas: frozenset[int] = frozenset()
    committees: frozenset[int] = frozenset()
    chaired_committees: frozenset[int] = frozenset()

    def described(self) -> tuple[object, ...]:
        """The roles as plain values in a fixed order, for a cache key."""
        return (
            self.administrator,
            self.council_member,
            sorted(self.led_units),
            sorted(self.directed_areas),
            sorted(self.committees),
            sorted(self.chaired_committees),
        )


# The SQL of `roles_of`: the grants in guardian's four tables, and the administrators'
# permission, held directly or through a group, from a PL/pgSQL function that keeps its plan for
# the connection (units/migrations/0005_user_grants_function.py). Django took ~2 ms to compile the
# five-part union through the ORM, and PostgreSQL 0.35 ms to plan it on every signed-in request.
GRANTS_SQL = "SELECT object_id, granted FROM user_grants(%(user)s, %(app_label)s, %(codename)s)"


def roles_of(user: AnyUser) -> Roles:
    """The person's roles in one query over the four grant tables and the administrators'
    permission; cached on the user object for the rest of the request."""
    cached = getattr(user, "_roles", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        return Roles()
    app_label, codename = ADMINISTER.split(".")
    with connection.cursor() as cursor:
        cursor.execute(GRANTS_SQL, {"user": user.pk, "app_label": app_label, "codename": codename})
        rows = cursor.fetchall()
    held: dict[str, set[int]] = {}
    for object_id, granted in rows:
        held.setdefault(granted, set()).add(object_id)
    roles = Roles(
        administrator=bool(held.get(codename)),
        council_member=bool(held.get(SIT_ON_COUNCIL)),
        led_units=frozenset(held.get(LEAD_UNIT, ())),
        directed_areas=frozenset(held.get(DIRECT_AREA, ())),
        committees=frozenset(held.get(SIT_ON_COMMITTEE, ())),
        chaired_committees=frozenset(held.get(CHAIR_COMMITTEE, ())),
    )
    user._roles = roles  # type: ignore[union-attr,attr-defined]
    return roles


def forget_roles(user: AnyUser) -> None:
    """Drop the cached roles after they changed (the services call this)."""
    user.__dict__.pop("_roles", None)
    user.__dict__.pop("_perm_cache", None)
    user.__dict__.pop("_group_perm_cache", None)
    user.__dict__.pop("_user_perm_cache", None)


def is_administrator(user: AnyUser) -> bool:
    return roles_of(user).administrator


def units_led_by(user: AnyUser) -> UnitQuerySet:
    if not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter(
        unituserobjectpermission__user=user,
        unituserobjectpermission__permission__codename=LEAD_UNIT,
    )


def areas_directed_by(user: AnyUser) -> QuerySet[Area]:
    if not user.is_authenticated:
        return Area.objects.none()
    return Area.objects.filter(
        areauserobjectpermission__user=user,
        areauserobjectpermission__permission__codename=DIRECT_AREA,
    )


def committees_of(user: AnyUser) -> QuerySet[Committee]:
    """Committees the person sits on (chairs included)."""
    if not user.is_authenticated:
        return Committee.objects.none()
    return Committee.objects.filter(
        committeeuserobjectpermission__user=user,
        committeeuserobjectpermission__permission__codename=SIT_ON_COMMITTEE,
    )


def committees_chaired_by(user: AnyUser) -> QuerySet[Committee]:
    if not user.is_authenticated:
        return Committee.objects.none()
    return Committee.objects.filter(
        committeeuserobjectpermission__user=user,
        committeeuserobjectpermission__permission__codename=CHAIR_COMMITTEE,
    )


def is_council_member(user: AnyUser) -> bool:
    return roles_of(user).council_member


def require_administrator(user: AnyUser) -> None:
    """The administration pages answer 403 to everyone else (they are pages, not secrets)."""
    if not is_administrator(user):
        raise PermissionDenied


def get_person_for_administrator(user: AnyUser, queryset: QuerySet[User], **lookup: object) -> User:
    """A person's page is for administrators only: anyone else gets 404, as if there were none."""
    if not is_administrator(user):
        raise Http404
    try:
        return queryset.get(**lookup)
    except User.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class UnitHolders:
    """The people whose roles reach one unit, read from the grant tables."""

    leaders: list[User]
    directors: list[User]
    committee_chairs: list[User]
    committee_members: list[User]
    council_member_count: int
    administrator_count: int


def holders_for_unit(unit: Unit) -> UnitHolders:
    """Who holds a role that reaches the unit (five queries, whatever the numbers)."""
    leaders = list(
        User.objects.filter(
            unituserobjectpermission__content_object=unit,
            unituserobjectpermission__permission__codename=LEAD_UNIT,
        ).order_by("first_name", "last_name")
    )
    directors = list(
        User.objects.filter(
            areauserobjectpermission__content_object_id=unit.area_id,
            areauserobjectpermission__permission__codename=DIRECT_AREA,
        ).order_by("first_name", "last_name")
    )
    seats = list(
        CommitteeUserObjectPermission.objects.filter(
            content_object_id=unit.committee_id,
            permission__codename__in=[SIT_ON_COMMITTEE, CHAIR_COMMITTEE],
        )
        .select_related("user", "permission")
        .order_by("user__first_name", "user__last_name")
    )
    chairs = [seat.user for seat in seats if seat.permission.codename == CHAIR_COMMITTEE]
    members = [
        seat.user
        for seat in seats
        if seat.permission.codename == SIT_ON_COMMITTEE and seat.user not in chairs
    ]
    council_count = (
        CouncilUserObjectPermission.objects.filter(permission__codename=SIT_ON_COUNCIL)
        .values("user")
        .distinct()
        .count()
    )
    app_label, codename = ADMINISTER.split(".")
    administrator_count = (
        User.objects.filter(
            Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
            | Q(user_permissions__codename=codename),
            is_active=True,
        )
        .distinct()
        .count()
    )
    return UnitHolders(
        leaders=leaders,
        directors=directors,
        committee_chairs=chairs,
        committee_members=members,
        council_member_count=council_count,
        administrator_count=administrator_count,
    )


# --- Granting and revoking (called only by units.services and the demo data builder) ----------


def grant_leadership(user: User, unit: Unit) -> None:
    assign_perm(LEAD_UNIT, user, unit)
    forget_roles(user)


def revoke_leadership(user: User, unit: Unit) -> None:
    remove_perm(LEAD_UNIT, user, unit)
    forget_roles(user)


def grant_directorship(user: User, area: Area) -> None:
    assign_perm(DIRECT_AREA, user, area)
    forget_roles(user)


def revoke_directorship(user: User, area: Area) -> None:
    remove_perm(DIRECT_AREA, user, area)
    forget_roles(user)


def grant_committee_seat(user: User, committee: Committee, *, chair: bool) -> None:
    """A seat, and the chair or not, with both permissions looked up in one query."""
    held = {
        permission.codename: permission
        for permission in Permission.objects.filter(
            content_type__app_label="units",
            content_type__model="committee",
            codename__in=[SIT_ON_COMMITTEE, CHAIR_COMMITTEE],
        )
    }
    wanted = [SIT_ON_COMMITTEE, CHAIR_COMMITTEE] if chair else [SIT_ON_COMMITTEE]
    CommitteeUserObjectPermission.objects.bulk_create(
        [
            CommitteeUserObjectPermission(
                user=user, content_object=committee, permission=held[codename]
            )
            for codename in wanted
        ],
        ignore_conflicts=True,
    )
    if not chair:
        CommitteeUserObjectPermission.objects.filter(
            user=user, content_object=committee, permission=held[CHAIR_COMMITTEE]
        ).delete()
    forget_roles(user)


def revoke_committee_seat(user: User, committee: Committee) -> None:
    remove_perm(SIT_ON_COMMITTEE, user, committee)
    remove_perm(CHAIR_COMMITTEE, user, committee)
    forget_roles(user)


def grant_council_seat(user: User, council: Council) -> None:
    assign_perm(SIT_ON_COUNCIL, user, council)
    forget_roles(user)


def revoke_council_seat(user: User, council: Council) -> None:
    remove_perm(SIT_ON_COUNCIL, user, council)
    forget_roles(user)


def administrators_group() -> Group:
    """The group whose members administer everything (and may use the Django admin)."""
    group, _created = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    return group


def sync_administrators_group() -> None:
    """Give the administrators every permission of the three apps but the role-bound ones.

    Run after each migration, so that new models' permissions reach the administrators.
    """
    administrators_group().permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["units", "goals", "agreements"]
        ).exclude(codename__in=ROLE_CODENAMES)
    )


def grant_administration(user: User) -> None:
    user.groups.add(administrators_group())
    forget_roles(user)


def revoke_administration(user: User) -> None:
    user.groups.remove(administrators_group())
    forget_roles(user)


def bulk_grant(rows: list[tuple[str, User, Any]]) -> None:
    """Grant many object permissions in a few queries (demo data and imports).

    Each row is (codename, user, object); existing grants are left as they are.
    """
    from guardian.utils import get_user_obj_perms_model

    by_model: dict[type, list[Any]] = {}
    permissions: dict[tuple[type, str], Permission] = {}
    for codename, user, obj in rows:
        model = type(obj)
        key = (model, codename)
        if key not in permissions:
            permissions[key] = Permission.objects.get(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
                codename=codename,
            )
        perm_model = get_user_obj_perms_model(obj)
        by_model.setdefault(perm_model, []).append(
            perm_model(user=user, permission=permissions[key], content_object=obj)
        )
    for perm_model, objs in by_model.items():
        perm_model._default_manager.bulk_create(objs, ignore_conflicts=True)
