# mypy: disable-error-code="index,operator"
"""The audit trigger records every change to the tracked tables, with its context; the logs
accept inserts only."""

import uuid

import pghistory
import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from agreements import services as agreement_services
from agreements.models import Agreement
from randers.accounts.models import LoginEvent
from randers.audit.context import _enter_task_context, _exit_task_context
from randers.audit.models import AccessEvent, AuditEvent
from randers.audit.tracked import NOT_TRACKED, TRACKED
from tests.factories import SiteFactory, UnitFactory
from units.models import Unit

PROJECT_APPS = [
    "units",
    "goals",
    "agreements",
    "jobs",
    "audit",
    "accounts",
    "notifications",
    "auth",
    "guardian",
]


def events(label: str, pk: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=label, object_id=str(pk)).order_by("id"))


def test_every_model_is_tracked_or_left_out_with_a_reason():
    labels = {
        model._meta.label_lower
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }
    assert labels - TRACKED.keys() - NOT_TRACKED.keys() == set()
    assert TRACKED.keys() & NOT_TRACKED.keys() == set()


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(TRACKED))
def test_every_tracked_table_has_its_trigger(label):
    spec = TRACKED[label]
    assert apps.get_model(label)._meta.db_table == spec.table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgenabled, encode(t.tgargs, 'escape') FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND t.tgname = 'audit_record'",
            [spec.table],
        )
        enabled, arguments = cursor.fetchone()
    assert enabled == "O"  # fires on origin (normal) sessions
    assert arguments.split("\\000")[0] == label


def test_the_life_of_an_agreement_is_recorded_row_by_row(signed):
    """Everything an agreement's life inserted (sections, goals, indicators, consultations,
    versions, signatures, state changes of the agreement) has its insert recorded."""
    assert signed.state == Agreement.State.SIGNED
    missing = {}
    with connection.cursor() as cursor:
        for label, spec in TRACKED.items():
            cursor.execute(
                f'SELECT count(*) FROM "{spec.table}" t WHERE NOT EXISTS ('  # noqa: S608
                "SELECT 1 FROM audit_auditevent e WHERE e.model = %s "
                "AND e.object_id = t.id::text AND e.action = 'insert')",
                [label],
            )
            count = cursor.fetchone()[0]
            if count:
                missing[label] = count
    assert missing == {}
    kinds = set(
        AuditEvent.objects.about([f"agreements.agreement:{signed.pk}"]).values_list(
            "model", flat=True
        )
    )
    assert {
        "agreements.agreement",
        "agreements.agreementsection",
        "agreements.consultation",
        "agreements.agreementversion",
        "goals.goal",
    } <= kinds
    state_changes = [
        e.after["state"]
        for e in events("agreements.agreement", signed.pk)
        if e.action == "update" and "state" in e.after
    ]
    assert state_changes == ["submitted", "in_dialogue", "approved", "signed"]


def test_a_change_in_a_request_is_recorded_with_person_address_and_request(
    client_for, cast, organisation
):
    """An administrator makes leader_b the leader of unit C: the unit's change and the granted
    permission carry who, from where and which request."""
    client = client_for(cast.administrator)
    response = client.post(
        f"/organisation/personer/{cast.leader_b.uuid}/roller/",
        {"role": "leader", "unit": organisation.unit_c.name},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    request_id = uuid.UUID(response["X-Request-ID"])
    (unit_change,) = [
        e for e in events("units.unit", organisation.unit_c.pk) if e.action == "update"
    ]
    assert (unit_change.action, unit_change.before, unit_change.after) == (
        "update",
        {"leader_id": None},
        {"leader_id": cast.leader_b.pk},
    )
    assert (
        unit_change.actor_id,
        str(unit_change.ip),
        unit_change.request_id,
        unit_change.method,
        unit_change.path,
    ) == (
        cast.administrator.pk,
        "10.1.2.3",
        request_id,
        "POST",
        f"/organisation/personer/{cast.leader_b.uuid}/roller/",
    )
    grant = AuditEvent.objects.get(
        model="units.unituserobjectpermission",
        action="insert",
        refs__contains=[f"units.unit:{organisation.unit_c.pk}"],
    )
    assert (grant.actor_id, grant.request_id, grant.after["user_id"]) == (
        cast.administrator.pk,
        request_id,
        cast.leader_b.pk,
    )
    assert f"units.user:{cast.leader_b.pk}" in grant.refs


def test_removing_a_role_records_the_deleted_permission(client_for, cast, organisation):
    client = client_for(cast.administrator)
    response = client.post(
        f"/organisation/personer/{cast.leader_a.uuid}/roller/fjern/",
        {"role": "leader", "target": organisation.unit_a.slug},
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(
        model="units.unituserobjectpermission",
        action="delete",
        refs__contains=[f"units.user:{cast.leader_a.pk}"],
    )
    assert [(e.actor_id, e.after, e.before["content_object_id"]) for e in deleted] == [
        (cast.administrator.pk, None, organisation.unit_a.pk)
    ]


def test_a_section_saved_in_the_editor_is_recorded_before_and_after(client_for, cast, draft):
    section = draft.sections.order_by("order").first()
    client = client_for(cast.leader_a)
    response = client.post(
        f"/aftaler/{draft.uuid}/afsnit/{section.pk}/",
        {
            f"section-{section.pk}-body": "Ny tekst.",
            f"section-{section.pk}-revision": section.revision,
        },
    )
    assert response.status_code == 302  # back to the editor
    (change,) = [
        e for e in events("agreements.agreementsection", section.pk) if e.action == "update"
    ]
    assert (change.before["body"], change.after["body"], change.actor_id) == (
        "",
        "Ny tekst.",
        cast.leader_a.pk,
    )
    assert f"agreements.agreement:{draft.pk}" in change.refs


@pytest.mark.django_db
def test_create_update_and_delete_are_recorded_with_the_context():
    with pghistory.context(user=None, ip="192.0.2.7", method="POST", url="/x/") as context:
        unit = UnitFactory.create(name="Ny enhed")
        site = SiteFactory.create(unit=unit, name="Afdeling 1")
        Unit.objects.filter(pk=unit.pk).update(name="Omdøbt enhed")
        site_pk = site.pk
        site.delete()
    created, renamed = events("units.unit", unit.pk)
    assert (created.action, created.after["name"], created.before) == ("insert", "Ny enhed", None)
    assert (renamed.before, renamed.after) == ({"name": "Ny enhed"}, {"name": "Omdøbt enhed"})
    site_created, site_deleted = events("units.site", site_pk)
    assert (site_deleted.action, site_deleted.before["name"], site_deleted.after) == (
        "delete",
        "Afdeling 1",
        None,
    )
    assert f"units.unit:{unit.pk}" in site_deleted.refs
    assert {(str(e.ip), e.request_id) for e in (created, renamed, site_created, site_deleted)} == {
        ("192.0.2.7", context.id)
    }


@pytest.mark.django_db
def test_a_bulk_update_records_every_row():
    units = UnitFactory.create_batch(3)
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(main_task="Fælles opgave")
    changed = AuditEvent.objects.filter(model="units.unit", action="update")
    assert sorted(int(e.object_id) for e in changed) == sorted(u.pk for u in units)
    assert {e.after["main_task"] for e in changed} == {"Fælles opgave"}


@pytest.mark.django_db
def test_a_raw_sql_update_is_recorded_without_a_person():
    unit = UnitFactory.create(name="Før")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE units_unit SET name = 'Efter' WHERE id = %s", [unit.pk])
    (change,) = [e for e in events("units.unit", unit.pk) if e.action == "update"]
    assert (change.before, change.after, change.actor_id, change.ip) == (
        {"name": "Før"},
        {"name": "Efter"},
        None,
        None,
    )


@pytest.mark.django_db
def test_an_update_that_changes_nothing_is_not_recorded():
    unit = UnitFactory.create()
    Unit.objects.filter(pk=unit.pk).update(name=unit.name)
    assert [e.action for e in events("units.unit", unit.pk)] == ["insert"]


@pytest.mark.django_db
def test_password_hashes_are_never_copied_into_the_log(cast):
    cast.leader_a.set_password("en helt ny adgangskode")
    cast.leader_a.save()
    recorded = events("units.user", cast.leader_a.pk)
    assert all(
        "password" not in (e.after or {}) and "password" not in (e.before or {}) for e in recorded
    )
    assert [e.action for e in recorded] == ["insert"]  # only the password changed


@pytest.mark.django_db
def test_a_background_task_records_its_task_and_job():
    class Task:
        name = "units.tasks.import_units"

    _enter_task_context(task_id="t-1", task=Task(), args=(42,))
    try:
        unit = UnitFactory.create()
    finally:
        _exit_task_context(task_id="t-1")
    (created,) = events("units.unit", unit.pk)
    assert (created.task, created.job_id, created.actor_id) == (
        "units.tasks.import_units",
        42,
        None,
    )


# --- The guard ------------------------------------------------------------------------------


@pytest.fixture
def audit_row(db) -> AuditEvent:
    UnitFactory.create()
    return AuditEvent.objects.filter(model="units.unit").latest("id")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET after = '{}' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_an_update_or_delete_of_an_audit_row_fails(audit_row, statement):
    with (
        pytest.raises(ProgrammingError, match="the log accepts inserts only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [audit_row.pk])
    assert AuditEvent.objects.get(pk=audit_row.pk).after == audit_row.after


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_loginevent SET outcome = 'success' WHERE id = %s",
        "DELETE FROM accounts_loginevent WHERE id = %s",
    ],
)
def test_an_update_or_delete_of_a_login_row_fails(db, statement):
    row = LoginEvent.objects.create(
        username="leader", method=LoginEvent.Method.LOCAL, outcome=LoginEvent.Outcome.FAILURE
    )
    with (
        pytest.raises(ProgrammingError, match="the log accepts inserts only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [row.pk])
    assert LoginEvent.objects.get(pk=row.pk).outcome == LoginEvent.Outcome.FAILURE


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessevent SET label = 'x' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
    ],
)
def test_an_update_or_delete_of_an_access_row_fails(cast, statement):
    row = AccessEvent.objects.create(
        reader=cast.administrator, kind="person", model="units.user", object_id="1", label="A"
    )
    with (
        pytest.raises(ProgrammingError, match="the log accepts inserts only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [row.pk])
    assert AccessEvent.objects.filter(pk=row.pk, label="A").exists()


def test_even_the_prune_setting_cannot_delete_a_recent_audit_row(audit_row):
    delete = "DELETE FROM audit_auditevent WHERE id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.prune', 'on', true)")
        with (
            pytest.raises(ProgrammingError, match="the log accepts inserts only"),
            transaction.atomic(),
        ):
            cursor.execute(delete, [audit_row.pk])
    assert AuditEvent.objects.filter(pk=audit_row.pk).exists()


def test_the_orm_cannot_delete_audit_rows_either(audit_row):
    with pytest.raises(ProgrammingError), transaction.atomic():
        AuditEvent.objects.filter(pk=audit_row.pk).delete()


def test_revoking_is_recorded_with_the_reason(in_state, cast):
    agreement = in_state(Agreement.State.SUBMITTED)
    agreement_services.revoke_agreement(agreement, reason="Byrådet har besluttet det.", by=None)
    last = events("agreements.agreement", agreement.pk)[-1]
    assert last.after["state"] == "revoked"
