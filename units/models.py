"""The organisation: people, the council and its committees, areas, units and their sites.

Roles are facts here (a unit's leader, an area's director, a committee membership); the object
permissions that follow from them live in django-guardian's direct foreign-key tables at the bottom
of this module and are granted and revoked only through `units.permissions`, called by the services
in `units.services`.
"""

import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from randers import links
from randers.choices import ChoiceLabels


class User(ChoiceLabels, AbstractUser):
    """A person: staff member, politician or administrator. Work e-mail only (GDPR)."""

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.DANISH
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            # A work e-mail belongs to one person: imports and onboarding find people by it.
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="unique_person_email"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Council(models.Model):
    """The elected city council (byrådet); one per municipality."""

    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        User, through="CouncilMembership", related_name="councils", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        permissions = [("sit_on_council", _("Sits on the council"))]

    def __str__(self) -> str:
        return self.name


class CouncilMembership(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("council")
    )
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="council_memberships", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("council membership")
        verbose_name_plural = _("council memberships")
        constraints = [
            models.UniqueConstraint(fields=["council", "person"], name="unique_council_member")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.council})"


class Committee(ChoiceLabels, models.Model):
    """A committee of the council (udvalg) holding the dialogue with its units."""

    class Kind(models.TextChoices):
        FINANCE = "finance", _("Finance committee")
        STANDING = "standing", _("Standing committee")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="committees", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.STANDING)
    members = models.ManyToManyField(
        User, through="CommitteeMembership", related_name="committees", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]
        permissions = [
            ("sit_on_committee", _("Sits on the committee")),
            ("chair_committee", _("Chairs the committee")),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMembership(ChoiceLabels, models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("committee")
    )
    person = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="committee_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        ordering = ["committee", "role", "person"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="unique_committee_member"),
            models.UniqueConstraint(
                fields=["committee"], condition=Q(role="chair"), name="one_chair_per_committee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.get_role_display()} ({self.committee})"


class Area(models.Model):
    """An administrative area (forvaltning / direktørområde) led by a director."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    director = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directed_areas",
        verbose_name=_("director"),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]
        permissions = [("direct_area", _("Directs the area"))]

    def __str__(self) -> str:
        return self.name


_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def unit_slug(name: str) -> str:
    """The unit's address in URLs: `Ålum Skole` becomes `aalum-skole`."""
    return slugify(name.translate(_DANISH_LETTERS))[:200]


def active_units_q(prefix: str = "", on: date | None = None) -> Q:
    """Units open on the day `on` (today), as a filter; `prefix` reaches them through a relation."""
    on = on or date.today()
    return (Q(**{f"{prefix}closed_at__isnull": True}) | Q(**{f"{prefix}closed_at__gt": on})) & Q(
        **{f"{prefix}active_from__lte": on}
    )


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self, on: date | None = None) -> "UnitQuerySet":
        return self.filter(active_units_q(on=on))

    def for_directory(self) -> "UnitQuerySet":
        """What a row of the unit directory shows, in one query."""
        return self.select_related("area", "committee", "leader").order_by(Lower("name"), "pk")

    def search(self, text: str) -> "UnitQuerySet":
        return self.filter(name__icontains=text.strip()) if text.strip() else self


class Unit(ChoiceLabels, models.Model):
    """An agreement unit (aftaleenhed): the party to an agreement. It may run several sites."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        DAYCARE = "daycare", _("Day care")
        FAMILY = "family", _("Children and families")
        ELDER_CARE = "elder_care", _("Elder care")
        HEALTH = "health", _("Health")
        LIBRARY = "library", _("Library")
        CULTURE = "culture", _("Culture and leisure")
        SOCIAL = "social", _("Social services")
        EMPLOYMENT = "employment", _("Employment")
        TECHNICAL = "technical", _("Technical services")
        STAFF = "staff", _("Staff department")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="units", verbose_name=_("committee")
    )
    leader = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_units",
        verbose_name=_("leader"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True, help_text=_("For example Dagtilbudsloven.")
    )
    main_task = models.TextField(_("main task"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    self_governing = models.BooleanField(_("self-governing institution"), default=False)
    has_user_board = models.BooleanField(_("has a user board"), default=False)
    active_from = models.DateField(_("active from"), default=date.today)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("merged into"),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        permissions = [
            ("lead_unit", _("Leads the unit")),
            ("administer", _("Administers the municipality's organisation and agreements")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("active_from")),
                name="unit_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("pk")), name="unit_not_its_own_successor"
            ),
        ]
        indexes = [
            models.Index(Lower("name"), "id", name="unit_name_lower_idx"),
            models.Index(fields=["kind"], name="unit_kind_idx"),
            # Lists ordered by unit name read a page in that order instead of sorting them all:
            # the whole municipality, or one area or committee (the overview, the review view).
            models.Index(fields=["name"], name="unit_name_idx"),
            models.Index(fields=["area", "name"], name="unit_area_name_idx"),
            models.Index(fields=["committee", "name"], name="unit_committee_name_idx"),
            # Searching by part of the name (`name__icontains`, which Django writes as
            # UPPER(name) LIKE UPPER('%...%')) reads the matching units, not all of them.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="unit_name_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.link("units:detail", slug=self.slug)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None and self.closed_at <= date.today()


class Site(models.Model):
    """A physical workplace (arbejdssted) belonging to a unit."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="sites", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationChange(ChoiceLabels, models.Model):
    """The record of one change to the organisation or to someone's roles: who, when, what, and
    before and after. Written only by `units.services`, never changed afterwards.

    A role that one person holds at a time (a unit's leader, an area's director) is recorded once
    per change with both people: `person` the new holder, `previous_person` the one before.
    """

    class Action(models.TextChoices):
        ROLE_GRANTED = "role_granted", _("Role given")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ROLE_REMOVED = "role_removed", _("Role removed")
        PERSON_CREATED = "person_created", _("Person created")
        INVITATION_SENT = "invitation_sent", _("Link to set the password sent")
        UNIT_CREATED = "unit_created", _("Unit created")
        UNIT_MOVED = "unit_moved", _("Unit moved")
        UNIT_MERGED = "unit_merged", _("Unit merged into another")
        UNIT_CLOSED = "unit_closed", _("Unit closed")

    class Role(models.TextChoices):
        LEADER = "leader", _("Leader of the unit")
        DIRECTOR = "director", _("Director of the area")
        COMMITTEE_MEMBER = "committee_member", _("Member of the committee")
        COMMITTEE_CHAIR = "committee_chair", _("Chair of the committee")
        COUNCIL_MEMBER = "council_member", _("Member of the city council")
        ADMINISTRATOR = "administrator", _("Administrator")

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("what"), max_length=20, choices=Action)
    role = models.CharField(_("role"), max_length=20, choices=Role, blank=True)
    person = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_changes",
        verbose_name=_("person"),
    )
    previous_person = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous holder"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_changes",
        verbose_name=_("unit"),
    )
    other_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_changes",
        verbose_name=_("area"),
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_changes",
        verbose_name=_("committee"),
    )
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        verbose_name = _("organisation change")
        verbose_name_plural = _("organisation changes")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__startswith="role_") | ~Q(role=""),
                name="organisation_change_role_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"

    def _shown(self, value: str) -> str:
        """A committee seat is recorded by its code; show its name."""
        if self.role in (self.Role.COMMITTEE_MEMBER, self.Role.COMMITTEE_CHAIR) and value:
            return str(CommitteeMembership.Role(value).label)
        return value

    @property
    def before_shown(self) -> str:
        return self._shown(self.before)

    @property
    def after_shown(self) -> str:
        return self._shown(self.after)


# --- Object permissions (django-guardian direct foreign-key tables) -------------------------


class CouncilUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Council, on_delete=models.CASCADE)


class CommitteeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Committee, on_delete=models.CASCADE)


class AreaUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)


class UnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
