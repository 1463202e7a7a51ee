"""Counts cached under the data's version (`randers.versions`): the version changes with every
change to what they count, in the same transaction, and the pages show the new counts at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import (
    Agreement,
    Comment,
    DialogueMeeting,
    MeetingItem,
    Period,
    SignerRole,
)
from goals.models import CouncilGoal, GoalFollowUp
from randers import versions
from tests.agreements.conftest import complete, report_all
from units.models import Area, Unit, User

pytestmark = pytest.mark.django_db

State = Agreement.State


def changes(action) -> bool:  # type: ignore[no-untyped-def]
    before = versions.data_version()
    action()
    return versions.data_version() != before


def test_the_version_changes_with_each_kind_of_counted_change(
    organisation, cast, period, in_state, points
):
    agreement = in_state(State.APPROVED)
    assert changes(
        lambda: services.sign_agreement(agreement, role=SignerRole.UNIT_LEADER, by=cast.leader_a)
    )
    services.sign_agreement(agreement, role=SignerRole.DIRECTOR, by=cast.director)
    signed = Agreement.objects.get(pk=agreement.pk)
    assert signed.state == State.SIGNED
    mid, _annual = points
    report = services.start_follow_up(signed, mid, by=None)
    assert changes(lambda: report_all(report))  # saved and submitted
    latest = GoalFollowUp.objects.filter(report=report, is_latest=True)
    assert changes(lambda: latest.update(assessment="Bedre end ventet."))
    drafted = services.start_follow_up(signed, _annual, by=None)
    assert GoalFollowUp.objects.filter(report=drafted).exists()
    assert not changes(
        lambda: GoalFollowUp.objects.filter(report=drafted).update(assessment="Udkast.")
    )
    assert changes(lambda: services.mark_follow_up_seen(report, reply="Tak.", by=cast.director))
    assert changes(lambda: Period.objects.filter(pk=period.pk).update(signing_due=period.ends_on))
    assert changes(lambda: Area.objects.filter(pk=organisation.area_a.pk).update(director=None))
    unit = organisation.unit_b
    assert changes(lambda: Unit.objects.filter(pk=unit.pk).update(name="Havndal Skole og SFO"))
    # what the cached listings show: slugs in links and choices, leaders' names, council goals
    assert changes(lambda: Unit.objects.filter(pk=unit.pk).update(slug="havndal-skole-og-sfo"))
    assert changes(lambda: Area.objects.filter(pk=organisation.area_a.pk).update(slug="boern"))
    assert changes(lambda: Period.objects.filter(pk=period.pk).update(slug="aftaler-27"))
    assert changes(lambda: User.objects.filter(pk=cast.leader_a.pk).update(last_name="Holm"))
    goal = CouncilGoal.objects.create(title="En grøn kommune", slug="groen")
    assert changes(lambda: CouncilGoal.objects.filter(pk=goal.pk).update(title="Grøn omstilling"))
    # what neither reads
    assert not changes(lambda: Unit.objects.filter(pk=unit.pk).update(email="skole@example.dk"))
    assert not changes(lambda: Period.objects.filter(pk=period.pk).update(lock_after_days=30))
    assert not changes(
        lambda: User.objects.filter(pk=cast.leader_a.pk).update(last_login=timezone.now())
    )


def test_the_version_changes_with_what_the_agreement_pages_read_beside_the_content(
    organisation, cast, period, in_state, points
):
    agreement = in_state(State.IN_DIALOGUE)
    comment = services.add_comment(agreement, body="Hvad med budgettet?", by=cast.director)
    assert changes(lambda: Comment.objects.filter(pk=comment.pk).update(body="Og budgettet?"))
    meeting = services.plan_meeting(
        agreement.unit.committee,
        title="Dialogmøde",
        starts_at=timezone.now(),
        location="",
        agreements=[agreement],
        by=None,
    )
    item = meeting.items.get()
    assert changes(lambda: MeetingItem.objects.filter(pk=item.pk).update(decision_note="Ja."))
    assert changes(lambda: DialogueMeeting.objects.filter(pk=meeting.pk).update(title="Møde"))
    assert not changes(
        lambda: DialogueMeeting.objects.filter(pk=meeting.pk).update(minutes="Referat.")
    )
    assert changes(lambda: services.return_agreement(agreement, reason="Ret.", by=None))


def test_the_overview_counts_come_from_the_cache_until_an_agreement_changes_state(
    client_for, cast, organisation, period
):
    draft = complete(services.create_agreement(organisation.unit_a, period, by=None))
    client = client_for(cast.director)
    url = reverse("agreements:overview") + f"?periode={period.slug}"
    assert "Indsendt</span>: <strong>0</strong>" in client.get(url).content.decode()
    services.submit_agreement(draft, by=cast.leader_a)
    body = client.get(url).content.decode()
    assert "Indsendt</span>: <strong>1</strong>" in body
    assert "Kladde</span>: <strong>0</strong>" in body


def test_a_directors_tasks_follow_the_agreements_at_once(client_for, cast, organisation, period):
    draft = complete(services.create_agreement(organisation.unit_a, period, by=None))
    client = client_for(cast.director)
    assert "Du har ingen opgaver lige nu." in client.get("/").content.decode()
    services.submit_agreement(draft, by=cast.leader_a)
    body = client.get("/").content.decode()
    assert "Du har 1 opgave." in body
    assert "Gennemgå aftalen 2027 for Tirsdalens Skole" in body
    services.send_to_committee(draft, by=cast.director)
    body = client.get("/").content.decode()
    assert "Du har 1 opgave." in body
    assert "Registrér udvalgets godkendelse af aftalen 2027 for Tirsdalens Skole" in body


def test_the_public_list_is_rendered_once_and_shows_a_change_at_once(
    client, organisation, cast, period, in_state, django_assert_max_num_queries
):
    in_state(State.SIGNED)
    url = reverse("agreements:public-list") + f"?periode={period.slug}"

    def listed() -> str:
        body = client.get(url).content.decode()
        return body[body.index('role="status"') : body.index("</table>")]

    first = listed()
    assert "1 aftale" in first
    assert "Tirsdalens Skole" in first
    with django_assert_max_num_queries(1):  # the version: no periods, areas or agreements
        assert listed() == first
    Area.objects.filter(pk=organisation.area_a.pk).update(name="Børn, Unge og Skole")
    assert "Børn, Unge og Skole" in listed()
