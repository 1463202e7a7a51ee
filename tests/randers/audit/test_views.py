"""The administrators' pages of the audit log and the access log."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from randers.accounts.models import LoginEvent
from randers.audit.models import AccessEvent, AuditEvent
from tests.factories import UnitFactory
from units.models import Unit

LOG = reverse("audit:log")
ACCESS = reverse("audit:access")
CSV = reverse("audit:access-csv")


@pytest.mark.parametrize("url", [LOG, ACCESS, CSV])
def test_only_administrators_open_the_logs(client_for, cast, url):
    for name, person in cast.all().items():
        expected = 200 if name == "administrator" else 403
        assert client_for(person).get(url).status_code == expected, name


@pytest.mark.parametrize("url", [LOG, ACCESS, CSV])
def test_anonymous_visitors_are_sent_to_login(client_for, db, url):
    response = client_for(None).get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


def test_the_audit_log_filters_by_object_type_action_and_person(client_for, cast, organisation):
    client = client_for(cast.administrator)
    client.post(
        f"/organisation/personer/{cast.leader_b.uuid}/roller/",
        {"role": "leader", "unit": organisation.unit_c.name},
    )
    response = client.get(LOG, {"model": "units.unit", "action": "update", "person": "Mette"})
    events = list(response.context["page"])
    assert [(e.model, e.object_id, e.actor_id) for e in events] == [
        ("units.unit", str(organisation.unit_c.pk), cast.administrator.pk)
    ]
    assert client.get(LOG, {"person": "Lars"}).context["page"].paginator.count == 0


def test_an_agreements_history_includes_what_belongs_to_it(client_for, cast, signed):
    page = client_for(cast.administrator).get(LOG, {"object": f"agreements.agreement:{signed.pk}"})
    assert page.status_code == 200
    models = {e.model for e in AuditEvent.objects.about([f"agreements.agreement:{signed.pk}"])}
    shown = {e.model for e in page.context["page"].paginator.object_list}
    assert {"agreements.signature", "agreements.agreementsection", "goals.indicator"} <= shown
    assert models <= shown


def test_the_agreement_page_links_administrators_to_its_history(client_for, cast, draft):
    html = client_for(cast.administrator).get(draft.get_absolute_url()).content.decode()
    assert f"/organisation/revisionsspor/?object=agreements.agreement%3A{draft.pk}" in html
    assert f"/organisation/adgangslog/?object=agreements.agreement%3A{draft.pk}" in html
    html = client_for(cast.leader_a).get(draft.get_absolute_url()).content.decode()
    assert "/organisation/revisionsspor/" not in html


def test_the_audit_log_filters_by_date(client_for, cast, db):
    UnitFactory.create()
    client = client_for(cast.administrator)
    today = timezone.localdate()
    assert client.get(LOG, {"start": today, "end": today}).context["page"].paginator.count > 0
    tomorrow = today + timedelta(days=1)
    assert client.get(LOG, {"start": tomorrow}).context["page"].paginator.count == 0


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-45"},
        {"start": "2026-05-02", "end": "2026-05-01"},
        {"object": "'; DROP TABLE units_unit; --"},
        {"object": "agreements.agreement:abc"},
        {"model": "nonsense"},
        {"action": "truncate"},
        {"request": "not-a-uuid"},
        {"side": "999"},
    ],
)
def test_bad_filters_answer_with_a_message_not_an_error(client_for, cast, query):
    response = client_for(cast.administrator).get(LOG, query)
    assert response.status_code in (200, 400)
    assert Unit.objects.count() == 3


def test_a_request_shows_all_its_changes(client_for, cast, organisation):
    client = client_for(cast.administrator)
    response = client.post(
        f"/organisation/personer/{cast.leader_b.uuid}/roller/",
        {"role": "leader", "unit": organisation.unit_c.name},
    )
    page = client.get(LOG, {"request": response["X-Request-ID"]}).context["page"]
    assert {e.model for e in page} == {"units.unit", "units.unituserobjectpermission"}


@pytest.mark.parametrize("count", [3, 60])
def test_the_audit_log_costs_the_same_at_any_size(
    client_for, cast, django_assert_num_queries, count
):
    for unit in UnitFactory.create_batch(count):
        Unit.objects.filter(pk=unit.pk).update(name=f"{unit.name} (ny)")
    client = client_for(cast.administrator)
    client.get(LOG)  # renews the session
    # 1 user, 2 the reader's roles, 3 count, 4 the page of events with their people
    with django_assert_num_queries(4):
        assert client.get(LOG, {"model": "units.unit"}).status_code == 200


@pytest.mark.parametrize("count", [3, 60])
def test_an_agreements_history_costs_the_same_at_any_size(
    client_for, cast, signed, django_assert_num_queries, count
):
    client = client_for(cast.administrator)
    client.get(LOG)  # renews the session
    # 1 user, 2 the reader's roles, 3 the keys of the agreement's versions, goals and reports,
    # 4 count, 5 the page of events with their people
    with django_assert_num_queries(5):
        assert client.get(LOG, {"object": f"agreements.agreement:{signed.pk}"}).status_code == 200


# --- The access log -------------------------------------------------------------------------


def test_who_has_read_this_draft(client_for, cast, draft):
    client_for(cast.director).get(draft.get_absolute_url())
    client_for(cast.leader_a).get(draft.get_absolute_url())
    page = (
        client_for(cast.administrator)
        .get(ACCESS, {"object": f"agreements.agreement:{draft.pk}"})
        .context["page"]
    )
    assert [e.reader_id for e in page] == [cast.leader_a.pk, cast.director.pk]


def test_a_persons_request_for_the_readings_of_their_data(client_for, cast, draft):
    """Everything read about leader A: their person page and their unit's draft; not what was
    read about others."""
    client_for(cast.director).get(draft.get_absolute_url())
    admin = client_for(cast.administrator)
    admin.get(reverse("units:person", args=[cast.leader_a.uuid]))
    admin.get(reverse("units:person", args=[cast.leader_b.uuid]))
    response = admin.get(ACCESS, {"subject": cast.leader_a.uuid})
    assert [(e.kind, e.reader_id) for e in response.context["page"]] == [
        ("person", cast.administrator.pk),
        ("draft", cast.director.pk),
    ]
    assert response.context["subject"] == cast.leader_a
    csv = admin.get(CSV, {"subject": cast.leader_a.uuid}).content.decode()
    lines = csv.strip().splitlines()
    assert len(lines) == 3  # header and two readings
    assert "Hanne Vestergaard" in lines[2]
    assert str(draft) in lines[2]


@pytest.mark.parametrize("count", [3, 60])
def test_the_access_log_costs_the_same_at_any_size(
    client_for, cast, django_assert_num_queries, count
):
    AccessEvent.objects.bulk_create(
        AccessEvent(
            reader=cast.director,
            kind="person",
            model="units.user",
            object_id=str(cast.leader_a.pk),
            label=str(cast.leader_a),
            subject=cast.leader_a,
        )
        for _ in range(count)
    )
    client = client_for(cast.administrator)
    client.get(LOG)  # renews the session
    # 1 user, 2 the reader's roles, 3 the person asked about, 4 count, 5 the page of readings
    # with readers and subjects
    with django_assert_num_queries(5):
        assert client.get(ACCESS, {"subject": cast.leader_a.uuid}).status_code == 200


# --- Retention --------------------------------------------------------------------------------


def _backdate(days: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, action, model, object_id, refs, transaction_id, "
            "method, path, task) VALUES (now() - make_interval(days => %s), 'update', "
            "'units.unit', '1', '{}', 1, '', '', '')",
            [days],
        )
        cursor.execute(
            "INSERT INTO audit_accessevent (at, kind, model, object_id, label, path) "
            "VALUES (now() - make_interval(days => %s), 'person', 'units.user', '1', 'A', '')",
            [days],
        )


def _ages(model: type[AuditEvent] | type[AccessEvent] | type[LoginEvent]) -> list[int]:
    now = timezone.now()
    return sorted((now - at).days for at in model.objects.values_list("at", flat=True))


@pytest.mark.django_db
def test_prune_keeps_the_last_n_days(settings):
    from django.core.management import call_command

    before = AuditEvent.objects.count()
    for days in (500, 401, 399, 200):
        _backdate(days)
    settings.AUDIT_RETENTION_DAYS = 400
    call_command("prune_audit")
    assert _ages(AccessEvent) == [200, 399]
    assert AuditEvent.objects.count() == before + 2
    call_command("prune_audit", "--days", "190")
    assert _ages(AccessEvent) == []


@pytest.mark.django_db
def test_prune_keeps_the_last_n_days_of_logins(settings):
    from django.core.management import call_command

    with connection.cursor() as cursor:
        for days in (500, 399):
            cursor.execute(
                "INSERT INTO accounts_loginevent (at, username, user_agent, method, outcome, "
                "reason) VALUES (now() - make_interval(days => %s), 'leader', '', 'local', "
                "'failure', '')",
                [days],
            )
    settings.AUDIT_RETENTION_DAYS = 400
    call_command("prune_audit")
    assert _ages(LoginEvent) == [399]


@pytest.mark.django_db
def test_prune_refuses_less_than_six_months():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="at least 183 days"):
        call_command("prune_audit", "--days", "30")


def test_the_retention_cannot_be_set_below_six_months():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import randers.settings"],
        env={"AUDIT_RETENTION_DAYS": "100", "SECRET_KEY": "x" * 50, "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "AUDIT_RETENTION_DAYS must be at least 183" in result.stderr


def test_the_prune_runs_daily():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["prune-audit"]["task"] == "audit.prune_audit"
