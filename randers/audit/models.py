"""The audit log and the access log. Both tables accept inserts only: a PostgreSQL trigger
refuses UPDATE, DELETE and TRUNCATE (migration 0002), except the deletions of the prune command.

Neither table has a database foreign key to the people or objects it is about: a record must
outlive what it describes, and deleting a person must not touch their record.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from randers.choices import ChoiceLabels


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_list(self) -> "AuditEventQuerySet":
        return self.select_related("actor").order_by("-id")

    def about(self, keys: list[str]) -> "AuditEventQuerySet":
        """Events of any of the objects named by `keys` ("app.model:pk"), or of rows that
        belong to them (a section of an agreement, a site of a unit)."""
        return self.filter(refs__overlap=keys)


class AuditEvent(ChoiceLabels, models.Model):
    """One row inserted, changed or deleted in a tracked table, written by the trigger function
    `audit_record()` (migration 0002), with the request or background job it belonged to."""

    class Action(models.TextChoices):
        INSERT = "insert", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("time"), db_default=Now(), db_index=True)
    action = models.CharField(_("action"), max_length=6, choices=Action)
    model = models.CharField(_("object type"), max_length=100)  # "agreements.agreement"
    object_id = models.CharField(_("object"), max_length=64)
    # "app.model:pk" of the object and of the objects it belongs to (its foreign keys that say
    # so), for an object's history in one indexed query.
    refs = ArrayField(models.CharField(max_length=120), default=list)
    before = models.JSONField(_("before"), null=True)  # the changed columns (all when deleted)
    after = models.JSONField(_("after"), null=True)  # the changed columns (all when created)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True)
    request_id = models.UUIDField(_("request"), null=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    task = models.CharField(_("background task"), max_length=100, blank=True)
    job_id = models.BigIntegerField(_("job"), null=True)
    transaction_id = models.BigIntegerField(_("transaction"))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            GinIndex(fields=["refs"], name="audit_event_refs"),
            models.Index(fields=["actor", "-id"], name="audit_event_actor"),
            models.Index(fields=["model", "-id"], name="audit_event_model"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model}:{self.object_id}"

    @property
    def object_key(self) -> str:
        return f"{self.model}:{self.object_id}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(column, before, after) for each column the event is about."""
        before = self.before or {}
        after = self.after or {}
        return [
            (key, before.get(key), after.get(key)) for key in sorted(before.keys() | after.keys())
        ]


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def for_list(self) -> "AccessEventQuerySet":
        return self.select_related("reader", "subject").order_by("-id")


class AccessEvent(ChoiceLabels, models.Model):
    """One reading of personal or unpublished data: a draft (an agreement not signed), a
    follow-up report, or a person's page. One insert per view, written by `record_access`."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Unsigned agreement")
        FOLLOW_UP = "follow_up", _("Follow-up")
        PERSON = "person", _("Person")

    at = models.DateTimeField(_("time"), db_default=Now(), db_index=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    model = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object"), max_length=64)
    label = models.CharField(_("what"), max_length=300)
    # The person the data is about: the person of a person's page, the unit's leader when a
    # draft or follow-up of the unit was read. A person's request for the lookups of their own
    # data is answered from this column.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("about"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True)
    path = models.CharField(_("address"), max_length=500, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["model", "object_id", "-id"], name="access_event_object"),
            models.Index(fields=["subject", "-id"], name="access_event_subject"),
            models.Index(fields=["reader", "-id"], name="access_event_reader"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} read {self.model}:{self.object_id}"

    @property
    def object_key(self) -> str:
        return f"{self.model}:{self.object_id}"
