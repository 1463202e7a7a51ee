import pytest
from django.urls import reverse

from tests.factories import UserFactory
from units import permissions

pytestmark = pytest.mark.django_db


def test_admin_speaks_danish(client_for, cast):
    response = client_for(cast.administrator).get(reverse("admin:units_unit_changelist"))
    assert response.status_code == 200
    assert "Vælg enhed, der skal ændres" in response.content.decode()


def test_only_administrators_reach_the_admin(client_for, cast):
    response = client_for(cast.director).get(reverse("admin:units_unit_changelist"))
    assert response.status_code == 302


def test_changing_the_leader_in_the_admin_moves_the_permission(client_for, cast, organisation):
    unit = organisation.unit_a
    newcomer = UserFactory.create()
    response = client_for(cast.administrator).post(
        reverse("admin:units_unit_change", args=[unit.pk]),
        {
            "name": unit.name,
            "slug": unit.slug,
            "kind": unit.kind,
            "area": unit.area_id,
            "committee": unit.committee_id,
            "leader": newcomer.pk,
            "active_from": "2020-01-01",
            "sites-TOTAL_FORMS": "0",
            "sites-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert list(permissions.units_led_by(newcomer)) == [unit]
    assert list(permissions.units_led_by(cast.leader_a)) == []


def test_seating_a_chair_in_the_admin_grants_the_chair(client_for, cast, organisation):
    committee = organisation.technical_committee
    response = client_for(cast.administrator).post(
        reverse("admin:units_committee_change", args=[committee.pk]),
        {
            "council": committee.council_id,
            "name": committee.name,
            "slug": committee.slug,
            "kind": committee.kind,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-person": cast.leader_b.pk,
            "memberships-0-role": "chair",
        },
    )
    assert response.status_code == 302
    assert list(permissions.committees_chaired_by(cast.leader_b)) == [committee]


def test_moving_and_closing_are_not_done_in_the_admin(client_for, cast, organisation):
    unit = organisation.unit_a
    response = client_for(cast.administrator).post(
        reverse("admin:units_unit_change", args=[unit.pk]),
        {
            "name": unit.name,
            "slug": unit.slug,
            "kind": unit.kind,
            "area": organisation.other_area.pk,
            "committee": organisation.technical_committee.pk,
            "closed_at": "2026-01-01",
            "leader": cast.leader_a.pk,
            "active_from": "2020-01-01",
            "sites-TOTAL_FORMS": "0",
            "sites-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.area, unit.committee, unit.closed_at) == (
        organisation.area_a,
        organisation.school_committee,
        None,
    )


def test_the_record_of_changes_is_read_only_in_the_admin(client_for, cast):
    client = client_for(cast.administrator)
    assert client.get(reverse("admin:units_organisationchange_changelist")).status_code == 200
    assert client.get(reverse("admin:units_organisationchange_add")).status_code == 403
