"""Notifications: made by the services when something happens to one's own work, shown in the
app with an unread count, e-mailed at once or in the digest as the person chose."""

import pytest
from django.core import mail
from django.urls import reverse

from agreements import services
from agreements.models import Agreement
from randers.notifications import services as notifications
from randers.notifications.models import Frequency, Notification, Preference
from tests.agreements.conftest import report_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


def titles(person) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=person).values_list("title", flat=True))


def test_returning_an_agreement_tells_the_leader_in_the_app_and_by_email(
    cast, in_state, django_capture_on_commit_callbacks
):
    agreement = in_state(Agreement.State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_agreement(agreement, reason="Målene mangler kriterier.", by=cast.director)
    assert titles(cast.leader_a) == ["Din aftale 2027 for Tirsdalens Skole er sendt retur"]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["leader_a@randers.dk"], "Din aftale 2027 for Tirsdalens Skole er sendt retur")
    ]
    assert "Begrundelsen: Målene mangler kriterier." in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"  # type: ignore[attr-defined]


def test_a_comment_tells_the_leader_but_not_the_one_who_wrote_it(cast, draft):
    services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    services.add_comment(draft, body="Det gør jeg.", by=cast.leader_a)
    assert titles(cast.leader_a) == [
        "Hanne Vestergaard har kommenteret aftalen 2027 for Tirsdalens Skole"
    ]
    assert titles(cast.director) == []


def test_a_reply_tells_the_author_of_the_thread(cast, draft):
    thread = services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    services.add_comment(draft, body="Det gør jeg.", by=cast.leader_a, parent=thread)
    assert titles(cast.director) == ["Lars Bach har kommenteret aftalen 2027 for Tirsdalens Skole"]


def test_approval_asks_each_required_signer_for_the_signature(cast, in_state):
    in_state(Agreement.State.APPROVED)
    expected = ["Aftalen 2027 for Tirsdalens Skole venter på din underskrift"]
    assert titles(cast.leader_a) == expected
    assert titles(cast.director) == expected
    assert titles(cast.committee_chair) == []


def test_marking_a_follow_up_seen_tells_the_leader(cast, signed):
    point = signed.period.follow_up_points.order_by("due_on").first()
    report = report_all(services.start_follow_up(signed, point, by=cast.leader_a), by=cast.leader_a)
    services.mark_follow_up_seen(report, reply="Flot.", by=cast.director)
    assert titles(cast.leader_a)[0] == (
        "Hanne Vestergaard har set din opfølgning (Midtvejsopfølgning 2027) for Tirsdalens Skole"
    )


def test_a_person_who_chose_a_digest_gets_no_email_at_once(
    cast, in_state, django_capture_on_commit_callbacks
):
    Preference.objects.create(person=cast.leader_a, frequency=Frequency.DAILY)
    agreement = in_state(Agreement.State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_agreement(agreement, reason="Mangler.", by=cast.director)
    assert mail.outbox == []
    assert Notification.objects.get(recipient=cast.leader_a).emailed_at is None


def test_the_header_counts_the_unread_and_opening_one_reads_it(client_for, cast, draft):
    services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    client = client_for(cast.leader_a)
    assert "Varsler (1 ulæst)" in client.get(reverse("home")).content.decode()
    notification = Notification.objects.get(recipient=cast.leader_a)
    response = client.get(notification.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{draft.get_absolute_url()}#comments"
    body = client.get(reverse("home")).content.decode()
    assert "ulæst" not in body
    assert ">Varsler</a>" in body.replace("\n", "") or "Varsler" in body


def test_the_list_shows_only_ones_own_notifications(client_for, cast, draft):
    services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    assert "har kommenteret" in client_for(cast.leader_a).get(LIST).content.decode()
    assert "har kommenteret" not in client_for(cast.leader_b).get(LIST).content.decode()


def test_anothers_notification_is_not_found(client_for, cast, draft):
    services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    notification = Notification.objects.get(recipient=cast.leader_a)
    assert client_for(cast.leader_b).get(notification.get_absolute_url()).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_requires_login(client_for):
    response = client_for(None).get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_mark_all_read(client_for, cast, draft):
    services.add_comment(draft, body="Et.", by=cast.director)
    services.add_comment(draft, body="To.", by=cast.director)
    response = client_for(cast.leader_a).post(reverse("notifications:mark-all-read"))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=cast.leader_a, read_at=None).count() == 0
    assert notifications.unread_count(cast.leader_a.pk) == 0


def test_a_person_chooses_a_weekly_email(client_for, cast):
    client = client_for(cast.leader_a)
    assert client.get(PREFERENCES).status_code == 200
    response = client.post(PREFERENCES, {"frequency": "weekly"})
    assert response.status_code == 302
    assert Preference.objects.get(person=cast.leader_a).frequency == Frequency.WEEKLY


def test_a_bad_choice_is_refused_in_danish(client_for, cast):
    response = client_for(cast.leader_a).post(PREFERENCES, {"frequency": "hourly"})
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed. hourly er ikke en af de tilgængelige" in (
        response.content.decode()
    )
    assert not Preference.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_constant(client_for, cast, draft, django_assert_num_queries, count):
    for number in range(count):
        services.add_comment(draft, body=f"Kommentar {number}.", by=cast.director)
    client = client_for(cast.leader_a)
    client.get(LIST)  # the first request renews the session
    # user, the person's roles (menu), the page's notifications, their count (paginator),
    # the person's e-mail choice
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200


def test_preferences_query_count(client_for, cast, django_assert_num_queries):
    client = client_for(cast.leader_a)
    client.get(PREFERENCES)  # the first request renews the session
    # user, the person's e-mail choice, the person's roles (menu)
    with django_assert_num_queries(3):
        assert client.get(PREFERENCES).status_code == 200
