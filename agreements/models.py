"""The agreement and its life: periods with their deadlines and template, the agreement's sections,
budget frame and consultations, the frozen versions that are signed, and the record of every
transition and edit.

AgreementVersion and Signature rows are immutable: the admin offers no change, the services never
update them, and a database trigger (migration 0002) refuses UPDATE and DELETE on both tables.
"""

import hashlib
import json
import uuid
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randers import links
from randers.choices import ChoiceLabels
from units.models import Unit


class SignerRole(models.TextChoices):
    UNIT_LEADER = "unit_leader", _("Unit leader")
    DIRECTOR = "director", _("Director, on behalf of the city council")
    COMMITTEE_CHAIR = "committee_chair", _("Committee chair")


def default_signers() -> list[str]:
    return [SignerRole.UNIT_LEADER, SignerRole.DIRECTOR]


class PeriodQuerySet(models.QuerySet["Period", "Period"]):
    def relevant(self, on: date | None = None) -> list["Period"]:
        """The periods people work on at `on`: the next one, whose agreements are being made, and
        the one in force, whose agreements are followed up; newest first (one query)."""
        on = on or date.today()
        periods = cast("list[Period]", list(self.filter(ends_on__gte=on).order_by("starts_on")[:3]))
        upcoming = [p for p in periods if p.starts_on > on][:1]
        in_force = [p for p in periods if p.starts_on <= on][:1]
        return upcoming + in_force


class Period(ChoiceLabels, models.Model):
    """An agreement period (aftaleperiode): one year or a council term, with its annual cycle."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    draft_due = models.DateField(_("drafts due"))
    submit_due = models.DateField(_("submission due"))
    dialogue_starts = models.DateField(_("dialogue meetings from"))
    dialogue_ends = models.DateField(_("dialogue meetings until"))
    signing_due = models.DateField(_("signing due"))
    required_signers = ArrayField(
        models.CharField(max_length=20, choices=SignerRole),
        default=default_signers,
        verbose_name=_("required signers"),
    )
    lock_after_days = models.PositiveIntegerField(
        _("locked for edits this many days after the end"),
        null=True,
        blank=True,
        help_text=_("A grace window after the period's end; empty: never locked."),
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement period")
        verbose_name_plural = _("agreement periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(dialogue_ends__gte=models.F("dialogue_starts")),
                name="period_dialogue_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(required_signers__len__gte=1), name="period_has_signers"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agreements:cycle", kwargs={"slug": self.slug})

    def previous(self) -> "Period | None":
        return Period.objects.filter(ends_on__lt=self.starts_on).order_by("-ends_on").first()

    @property
    def locked_from(self) -> date | None:
        """The first day on which the period's agreements and follow-ups can no longer be
        edited: its end plus the grace window; None when it is never locked."""
        if self.lock_after_days is None:
            return None
        return self.ends_on + timedelta(days=self.lock_after_days + 1)

    def is_locked(self, on: date | None = None) -> bool:
        locked_from = self.locked_from
        return locked_from is not None and (on or timezone.localdate()) >= locked_from

    def deadlines(self) -> list[tuple[str, str, date]]:
        """The steps of the annual cycle with their dates, in order: (key, label, date). The
        follow-up points come from `follow_up_points` (prefetched by the caller)."""
        steps: list[tuple[str, str, date]] = [
            ("draft_due", str(_("Drafts due")), self.draft_due),
            ("submit_due", str(_("Submission due")), self.submit_due),
            ("dialogue_starts", str(_("Dialogue meetings begin")), self.dialogue_starts),
            ("dialogue_ends", str(_("Dialogue meetings end")), self.dialogue_ends),
            ("signing_due", str(_("Signing due")), self.signing_due),
            ("starts_on", str(_("The period begins")), self.starts_on),
        ]
        steps += [
            (f"point_{point.pk}", point.name, point.due_on) for point in self.follow_up_points.all()
        ]
        steps.append(("ends_on", str(_("The period ends")), self.ends_on))
        return sorted(steps, key=lambda step: step[2])


class FollowUpPoint(ChoiceLabels, models.Model):
    """A point of the period at which the units report on their goals."""

    class Kind(models.TextChoices):
        MID_YEAR = "mid_year", _("Mid-year follow-up")
        ANNUAL = "annual", _("Annual follow-up")
        FINAL = "final", _("Final evaluation")

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="follow_up_points", verbose_name=_("period")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    due_on = models.DateField(_("due"))

    class Meta:
        verbose_name = _("follow-up point")
        verbose_name_plural = _("follow-up points")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.name} ({self.period})"


class TemplateSection(models.Model):
    """A section every agreement of the period has, with guidance for the writer."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="template_sections", verbose_name=_("period")
    )
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        verbose_name = _("template section")
        verbose_name_plural = _("template sections")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "order"], name="template_section_order")
        ]

    def __str__(self) -> str:
        return self.title


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def for_page(self) -> "AgreementQuerySet":
        """With what its page shows besides the content, the version of its content
        (`content_number`: the database's epoch and the agreement's number,
        agreements/migrations/0007_content_version.py) that the page reads the content from the
        cache by, and the data's version (`data_version_read`, `randers.versions`) that it reads
        the rest by: both in the agreement's query, not in queries of their own."""
        return self.select_related(
            "unit__area", "unit__committee", "unit__leader", "period", "signed_version"
        ).annotate(
            content_number=RawSQL(
                "SELECT (SELECT epoch FROM data_version) || '.' || number"
                ' FROM agreement_content_version WHERE agreement_id = "agreements_agreement"."id"',
                (),
            ),
            data_version_read=RawSQL("SELECT epoch || '.' || number FROM data_version", ()),
        )

    def with_previous_signed_text(self) -> "AgreementQuerySet":
        """Annotate `previous_signed_text`: the content (canonical JSON) of the unit's signed
        agreement of the period before, the one that ended last before this one starts; None when
        there is none. In the same query, for the comparisons of the meeting pack."""
        previous_period = (
            Period.objects.filter(ends_on__lt=OuterRef(OuterRef("period__starts_on")))
            .order_by("-ends_on")
            .values("pk")[:1]
        )
        previous = Agreement.objects.filter(
            unit_id=OuterRef("unit_id"),
            period_id=Subquery(previous_period),
            signed_version__isnull=False,
        ).values("signed_version__content_text")[:1]
        return self.annotate(previous_signed_text=Subquery(previous))


class Agreement(ChoiceLabels, models.Model):
    """One unit's agreement for one period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_DIALOGUE = "in_dialogue", _("In dialogue with the committee")
        APPROVED = "approved", _("Approved by the committee")
        SIGNED = "signed", _("Signed")
        REVOKED = "revoked", _("Revoked")

    class Source(models.TextChoices):
        TEMPLATE = "template", _("From the period's template")
        ROLLOVER = "rollover", _("From last period's signed agreement")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("period")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.DRAFT, db_index=True
    )
    source = models.CharField(_("started"), max_length=10, choices=Source, default=Source.TEMPLATE)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last period's agreement"),
    )
    budget_amount = models.DecimalField(
        _("budget frame (DKK)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    budget_note = models.TextField(_("budget notes"), blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    signed_version = models.ForeignKey(
        "AgreementVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed version in force"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"], name="one_agreement_per_unit_period"
            ),
            models.CheckConstraint(
                condition=~Q(state="signed") | Q(signed_version__isnull=False),
                name="signed_agreement_has_signed_version",
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="agreement_period_state_idx")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"

    def get_absolute_url(self) -> str:
        return links.link("agreements:detail", uuid=self.uuid)

    @property
    def is_public(self) -> bool:
        """A signed version exists: it is a public document from then on."""
        return self.signed_version_id is not None


class AgreementSection(models.Model):
    """One section of an agreement's text, in Markdown."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="sections", verbose_name=_("agreement")
    )
    template_section = models.ForeignKey(
        TemplateSection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    body = models.TextField(_("text"), blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "order"], name="section_order_in_agreement"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Consultation(ChoiceLabels, models.Model):
    """The MED committee's or the user board's involvement in the agreement."""

    class Body(models.TextChoices):
        MED = "med", _("MED committee")
        USER_BOARD = "user_board", _("User board")

    class Status(models.TextChoices):
        CONSULTED = "consulted", _("Consulted")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="consultations",
        verbose_name=_("agreement"),
    )
    body = models.CharField(_("body"), max_length=20, choices=Body)
    status = models.CharField(_("status"), max_length=20, choices=Status)
    held_on = models.DateField(_("consulted on"), null=True, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    reason = models.TextField(_("why not applicable"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["body"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "body"], name="one_consultation_per_body"),
            models.CheckConstraint(
                condition=Q(status="not_applicable", reason__gt="")
                | Q(status="consulted", statement__gt="", held_on__isnull=False),
                name="consultation_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()}: {self.get_status_display()}"


def canonical_json(content: dict[str, Any]) -> str:
    """The one text of a version's content that is hashed and signed."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AgreementVersion(models.Model):
    """A frozen snapshot of an agreement's whole content. Never updated, never deleted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveIntegerField(_("version"))
    content_text = models.TextField(_("content (canonical JSON)"))
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)
    created_at = models.DateTimeField(_("frozen"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("frozen by"),
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_number_unique"),
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="version_hash_is_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}, version {self.number}"

    @property
    def content(self) -> dict[str, Any]:
        return json.loads(self.content_text)

    def hash_matches(self) -> bool:
        """Recompute the SHA-256 of the stored content and compare it with the recorded one."""
        return content_sha256(self.content_text) == self.content_hash


class Signature(ChoiceLabels, models.Model):
    """A signer's binding approval of one exact version. Never updated, never deleted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("signer"),
    )
    role = models.CharField(_("signs as"), max_length=20, choices=SignerRole)
    signer_name = models.CharField(_("name"), max_length=300)
    signer_title = models.CharField(_("title"), max_length=300, blank=True)
    content_hash = models.CharField(_("signed SHA-256"), max_length=64)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "role"], name="one_signature_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.get_role_display()})"


class StateChange(ChoiceLabels, models.Model):
    """The record of one transition: who, when, from which state to which, and why."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="state_changes",
        verbose_name=_("agreement"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_state = models.CharField(_("from"), max_length=20, choices=Agreement.State)
    to_state = models.CharField(_("to"), max_length=20, choices=Agreement.State)
    reason = models.TextField(_("reason"), blank=True)
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Edit(ChoiceLabels, models.Model):
    """One change to an agreement's content, attributed and kept: before and after."""

    class Action(models.TextChoices):
        CHANGED = "changed", _("changed")
        ADDED = "added", _("added")
        REMOVED = "removed", _("removed")
        MOVED = "moved", _("moved")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="edits", verbose_name=_("agreement")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    target = models.CharField(_("what"), max_length=300)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("edit")
        verbose_name_plural = _("edits")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.target} {self.action}"


# --- Review: comments, dialogue meetings, search ----------------------------------------------


class Comment(ChoiceLabels, models.Model):
    """A remark on an agreement, or on one of its sections or goals, with replies in a thread.

    A comment is read by those who may see the agreement in the state it had when the comment was
    written: remarks on a draft stay between the leader, the director and the administrators.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="comments", verbose_name=_("agreement")
    )
    section = models.ForeignKey(
        AgreementSection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("section"),
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("goal"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agreement_comments",
        verbose_name=_("author"),
    )
    written_in_state = models.CharField(_("written while"), max_length=20, choices=Agreement.State)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=True) | Q(goal__isnull=True),
                name="comment_on_one_place",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="only_threads_are_resolved",
            ),
        ]
        indexes = [models.Index(fields=["agreement", "created_at"], name="comment_agreement_idx")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class DialogueMeeting(models.Model):
    """A committee's dialogue meeting (dialogmøde) with agreements on its agenda."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    committee = models.ForeignKey(
        "units.Committee",
        on_delete=models.PROTECT,
        related_name="dialogue_meetings",
        verbose_name=_("committee"),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("time"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dialogue meeting")
        verbose_name_plural = _("dialogue meetings")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:meeting", kwargs={"uuid": self.uuid})


class MeetingItem(ChoiceLabels, models.Model):
    """An agreement on a meeting's agenda, and the committee's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not yet decided")
        APPROVED = "approved", _("Approved")
        APPROVED_WITH_CHANGES = "changes", _("Approved with changes")
        POSTPONED = "postponed", _("Postponed")

    meeting = models.ForeignKey(
        DialogueMeeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="meeting_items",
        verbose_name=_("agreement"),
    )
    order = models.PositiveIntegerField(_("order"))
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision, default=Decision.PENDING
    )
    decision_note = models.TextField(_("decision, in words"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agreement"], name="agreement_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.agreement}"


class SearchDocument(ChoiceLabels, models.Model):
    """A searchable piece of an agreement (a section, a goal, a follow-up) in Danish full-text.

    `public` documents are cut from the signed version in force and readable by anyone;
    the others are cut from the current text and readable by those who may read it. The services
    keep them up to date (`agreements.services.reindex_agreement`)."""

    class Kind(models.TextChoices):
        SECTION = "section", _("Section")
        GOAL = "goal", _("Goal")
        FOLLOW_UP = "follow_up", _("Follow-up")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="search_documents"
    )
    public = models.BooleanField(default=False)
    kind = models.CharField(max_length=20, choices=Kind)
    context = models.CharField(max_length=500, help_text="The unit and period, searched too.")
    title = models.CharField(max_length=300)
    body = models.TextField()
    anchor = models.CharField(max_length=100, blank=True)
    vector = SearchVectorField()

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            GinIndex(fields=["vector"], name="search_vector_gin"),
            models.Index(fields=["agreement", "public"], name="search_agreement_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementPdf(ChoiceLabels, models.Model):
    """One agreement content rendered as PDF, stored once.

    Keyed by the SHA-256 of the content (the canonical JSON that is frozen and signed, or for a
    draft the same JSON of its live rows) together with the state printed on its title page:
    `signed` for a signed version with its signatures, else the agreement's state, which decides
    the watermark. The same content in the same state is never rendered twice: a unique constraint
    holds it, and the renderer takes a lock on the key before it renders (services.store_pdf).
    The bytes live in PostgreSQL beside their own SHA-256, so the row and its file cannot part.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="pdfs", verbose_name=_("agreement")
    )
    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pdfs",
        verbose_name=_("version"),
    )
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)
    state = models.CharField(_("printed state"), max_length=20, choices=Agreement.State)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"))
    data = models.BinaryField(_("PDF"))
    render_seconds = models.FloatField(_("rendering time (seconds)"))
    created_at = models.DateTimeField(_("rendered"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("agreement PDF")
        verbose_name_plural = _("agreement PDFs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash", "state"], name="one_pdf_per_content_and_state"
            ),
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$")
                & Q(pdf_sha256__regex=r"^[0-9a-f]{64}$"),
                name="agreement_pdf_hashes_are_sha256",
            ),
            models.CheckConstraint(
                condition=~Q(state="signed") | Q(version__isnull=False),
                name="signed_pdf_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} ({self.get_state_display()}, {self.content_hash[:12]})"

    @property
    def filename(self) -> str:
        return f"aftale-{self.agreement.unit.slug}-{self.agreement.period.slug}.pdf"


class AgreementBook(ChoiceLabels, models.Model):
    """The agreement book (aftalebog) of a period for an area, a committee or the municipality:
    every agreement its requester could read, in one PDF with a cover, contents and bookmarks."""

    class Scope(models.TextChoices):
        MUNICIPALITY = "municipality", _("The whole municipality")
        AREA = "area", _("An area")
        COMMITTEE = "committee", _("A committee")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="books", verbose_name=_("period")
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope)
    scope_name = models.CharField(_("for"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.CASCADE, related_name="+", verbose_name=_("job")
    )
    agreement_count = models.PositiveIntegerField(_("agreements"))
    pages = models.PositiveIntegerField(_("pages"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    data = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("agreement book")
        verbose_name_plural = _("agreement books")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period} – {self.scope_name}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:book-download", kwargs={"uuid": self.uuid})

    @property
    def filename(self) -> str:
        return f"aftalebog-{self.period.slug}-{self.created_at:%Y%m%d-%H%M}.pdf"
