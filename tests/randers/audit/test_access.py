"""The access log: reading an unsigned agreement, a follow-up report or a person's page is
recorded (one insert), who read it, what, when and from where."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from randers.audit.models import AccessEvent
from tests.agreements.conftest import report


def readings() -> list[tuple[str, str, int | None, str, int | None, str | None]]:
    return [
        (e.kind, e.model, e.reader_id, e.object_id, e.subject_id, e.ip)
        for e in AccessEvent.objects.order_by("id")
    ]


def test_reading_a_draft_is_recorded(client_for, cast, draft):
    response = client_for(cast.director).get(
        reverse("agreements:detail", args=[draft.uuid]), REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 200
    assert readings() == [
        (
            "draft",
            "agreements.agreement",
            cast.director.pk,
            str(draft.pk),
            cast.leader_a.pk,
            "10.9.8.7",
        )
    ]
    event = AccessEvent.objects.get()
    assert (event.label, event.path) == (str(draft), f"/aftaler/{draft.uuid}/")
    assert timezone.now() - event.at < timedelta(minutes=1)


@pytest.mark.parametrize("page", ["agreements:review", "agreements:edit", "agreements:history"])
def test_the_review_editor_and_history_of_a_draft_are_readings_too(client_for, cast, draft, page):
    assert client_for(cast.leader_a).get(reverse(page, args=[draft.uuid])).status_code == 200
    assert [(k, r) for k, _m, r, *_rest in readings()] == [("draft", cast.leader_a.pk)]


def test_reading_a_signed_agreement_is_not_recorded(client_for, cast, signed):
    assert client_for(cast.director).get(signed.get_absolute_url()).status_code == 200
    assert client_for(None).get(signed.get_absolute_url()).status_code == 200
    assert readings() == []


def test_reading_a_follow_up_is_recorded(client_for, cast, signed, points):
    submitted = report(signed, points[0], {g.title: "in_progress" for g in signed.goals.all()})
    response = client_for(cast.director).get(submitted.get_absolute_url(), REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    assert readings() == [
        (
            "follow_up",
            "goals.followupreport",
            cast.director.pk,
            str(submitted.pk),
            cast.leader_a.pk,
            "10.0.0.5",
        )
    ]


def test_reading_a_persons_page_is_recorded(client_for, cast):
    url = reverse("units:person", args=[cast.leader_b.uuid])
    assert client_for(cast.administrator).get(url).status_code == 200
    assert readings() == [
        (
            "person",
            "units.user",
            cast.administrator.pk,
            str(cast.leader_b.pk),
            cast.leader_b.pk,
            "127.0.0.1",
        )
    ]


def test_a_refused_reading_is_not_recorded(client_for, cast, draft):
    assert client_for(cast.leader_b).get(draft.get_absolute_url()).status_code == 404
    url = reverse("units:person", args=[cast.leader_a.uuid])
    assert client_for(cast.director).get(url).status_code == 404
    assert readings() == []


def test_a_revoked_never_signed_agreement_counts_as_unsigned(client_for, cast, in_state):
    agreement = in_state(Agreement.State.REVOKED)
    assert client_for(cast.administrator).get(agreement.get_absolute_url()).status_code == 200
    assert [k for k, *_rest in readings()] == ["draft"]


def test_comparing_versions_of_an_unsigned_agreement_is_a_reading(client_for, cast, in_state):
    agreement = in_state(Agreement.State.SUBMITTED)
    url = reverse("agreements:compare", args=[agreement.uuid])
    assert client_for(cast.director).get(url, {"fra": "1"}).status_code == 200
    assert [(k, r) for k, _m, r, *_rest in readings()] == [("draft", cast.director.pk)]
