"""Who holds which role, as object permissions: every django-guardian call of `units` lives here.

A role is granted as a permission on the object it is about (leading a unit, directing an area,
sitting on or chairing a committee, sitting on the council) in guardian's direct foreign-key
tables. Administrators hold the global permission `units.administer` through a group. Other apps
build their permission checks from the querysets below, which are plain SQL filters, so that lists
stay one query.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm

from .models import Area, Committee, Council, Unit, UnitQuerySet, User

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


def is_administrator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(ADMINISTER))


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
    if not user.is_authenticated:
        return False
    return Council.objects.filter(
        counciluserobjectpermission__user=user,
        counciluserobjectpermission__permission__codename=SIT_ON_COUNCIL,
    ).exists()


# --- Granting and revoking (called only by units.services and the demo data builder) ----------


def grant_leadership(user: User, unit: Unit) -> None:
    assign_perm(LEAD_UNIT, user, unit)


def revoke_leadership(user: User, unit: Unit) -> None:
    remove_perm(LEAD_UNIT, user, unit)


def grant_directorship(user: User, area: Area) -> None:
    assign_perm(DIRECT_AREA, user, area)


def revoke_directorship(user: User, area: Area) -> None:
    remove_perm(DIRECT_AREA, user, area)


def grant_committee_seat(user: User, committee: Committee, *, chair: bool) -> None:
    assign_perm(SIT_ON_COMMITTEE, user, committee)
    if chair:
        assign_perm(CHAIR_COMMITTEE, user, committee)
    else:
        remove_perm(CHAIR_COMMITTEE, user, committee)


def revoke_committee_seat(user: User, committee: Committee) -> None:
    remove_perm(SIT_ON_COMMITTEE, user, committee)
    remove_perm(CHAIR_COMMITTEE, user, committee)


def grant_council_seat(user: User, council: Council) -> None:
    assign_perm(SIT_ON_COUNCIL, user, council)


def revoke_council_seat(user: User, council: Council) -> None:
    remove_perm(SIT_ON_COUNCIL, user, council)


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


def revoke_administration(user: User) -> None:
    user.groups.remove(administrators_group())


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
