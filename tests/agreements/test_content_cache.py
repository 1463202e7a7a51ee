"""The content pages read from the cache (`selectors.page_content`, the tag `agreement_content`):
each agreement's content version changes with every change to what its content is built from, in
the same transaction, and the pages show the new content at once; what is frozen or signed is
always read from the live rows. What the pages show beside the content (returns, decisions,
comment threads) is cached under the data version and shown at once too."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agreements import selectors, services
from agreements.models import Agreement, Consultation
from goals.models import CommonGoal, CouncilGoal, Goal, Indicator
from randers import versions
from randers.notifications import services as notifications
from randers.notifications.models import Notification
from tests.agreements.conftest import complete
from units.models import Unit

pytestmark = pytest.mark.django_db


def number_of(agreement: Agreement) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM agreement_content_version WHERE agreement_id = %s", [agreement.pk]
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def changes(agreement: Agreement, action) -> bool:  # type: ignore[no-untyped-def]
    before = number_of(agreement)
    action()
    return number_of(agreement) != before


@pytest.fixture
def draft(organisation, period) -> Agreement:  # type: ignore[no-untyped-def]
    return complete(services.create_agreement(organisation.unit_a, period, by=None))


def test_a_new_agreement_has_a_content_version(draft):
    assert number_of(draft) is not None


def test_the_content_version_changes_with_each_part_of_the_content(draft, organisation, period):
    other = services.create_agreement(organisation.unit_b, period, by=None)
    section = draft.sections.first()
    assert section is not None
    assert changes(
        draft,
        lambda: services.update_section(
            section, body="Ny tekst.", expected_revision=section.revision, by=None
        ),
    )
    goal = draft.goals.get()
    assert changes(draft, lambda: Goal.objects.filter(pk=goal.pk).update(title="Et nyt mål"))
    assert changes(
        draft, lambda: Indicator.objects.filter(goal=goal).update(unit_of_measure="point")
    )
    council_goal = CouncilGoal.objects.create(title="Et godt liv", slug="et-godt-liv")
    assert changes(draft, lambda: goal.council_goals.add(council_goal))
    assert changes(
        draft, lambda: CouncilGoal.objects.filter(pk=council_goal.pk).update(title="Godt liv")
    )
    common = CommonGoal.objects.create(area=organisation.area_a, title="Fælles mål")
    Goal.objects.filter(pk=goal.pk).update(common_goal=common)
    assert changes(draft, lambda: CommonGoal.objects.filter(pk=common.pk).update(title="Fælles"))
    assert changes(
        draft, lambda: Consultation.objects.filter(agreement=draft).update(statement="Enige.")
    )
    assert changes(draft, lambda: Goal.objects.filter(pk=goal.pk).delete())
    # another agreement's content, and what the page reads with the agreement itself
    before = number_of(other)
    Goal.objects.filter(agreement=draft).delete()
    last = draft.sections.last()
    assert last is not None
    services.update_section(last, body="Igen.", expected_revision=last.revision, by=None)
    assert number_of(other) == before
    assert not changes(draft, lambda: Unit.objects.filter(pk=draft.unit_id).update(name="Ny"))
    assert not changes(
        draft, lambda: CouncilGoal.objects.filter(pk=council_goal.pk).update(active=False)
    )


def test_the_agreement_page_shows_a_change_to_the_content_at_once(
    client_for, cast, draft, django_assert_num_queries
):
    client = client_for(cast.leader_a)
    url = draft.get_absolute_url()

    def shown() -> str:
        body = client.get(url).content.decode()
        return body[body.index("<main") : body.index("</main>")]

    first = shown()
    assert "Flere børn trives i overgangen til skole" in first
    # 1 user, 2 agreement with its content's version and the data's version, 3 roles, 4 the
    # access log's row: the content and its HTML, the last return and the decisions come from
    # the cache
    with django_assert_num_queries(4):
        assert shown() == first
    section = draft.sections.get(title="Indledning")
    services.update_section(
        section, body="Svømmehallen åbner igen.", expected_revision=section.revision, by=None
    )
    assert "Svømmehallen åbner igen." in shown()
    goal = draft.goals.get()
    Indicator.objects.filter(goal=goal).update(name="Andel glade forældre")
    assert "Andel glade forældre" in shown()
    Unit.objects.filter(pk=draft.unit_id).update(legal_basis="Folkeskoleloven § 45")
    assert "Folkeskoleloven § 45" in shown()  # read with the agreement, not cached with it


def test_the_content_is_cached_for_each_language_apart(client_for, cast, draft):
    client = client_for(cast.leader_a)
    danish = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    english = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Parterne" in danish
    assert "The parties" in english


def test_the_page_content_is_the_content_that_is_signed(draft):
    agreement = selectors.agreement_for_page(str(draft.uuid))
    assert agreement is not None
    page = selectors.page_content(agreement)
    assert page.content == selectors.working_content(draft)
    assert page.section_ids == list(draft.sections.order_by("order").values_list("pk", flat=True))
    assert [goal.uuid for goal in page.goals] == [str(draft.goals.get().uuid)]


def test_the_agreement_page_shows_a_return_and_a_decision_at_once(client_for, cast, draft):
    client = client_for(cast.leader_a)
    url = draft.get_absolute_url()
    assert "Sendt tilbage af" not in client.get(url).content.decode()
    services.submit_agreement(draft, by=None)
    services.return_agreement(draft, reason="Tilføj et mål om trivsel.", by=cast.director)
    assert "Tilføj et mål om trivsel." in client.get(url).content.decode()
    services.submit_agreement(draft, by=None)
    services.send_to_committee(draft, by=None)
    draft.refresh_from_db()
    meeting = services.plan_meeting(
        draft.unit.committee,
        title="Dialogmøde december",
        starts_at=timezone.now(),
        location="Rådhuset",
        agreements=[draft],
        by=None,
    )
    assert "Dialogmøde december" not in client.get(url).content.decode()  # no decision yet
    item = meeting.items.get()
    services.record_minutes(
        meeting, minutes="", decisions={item.pk: ("approved", "Godkendt uden ændringer.")}, by=None
    )
    assert "Godkendt uden ændringer." in client.get(url).content.decode()


def test_the_review_shows_a_new_comment_and_its_resolution_at_once(client_for, cast, draft):
    services.submit_agreement(draft, by=None)
    client = client_for(cast.director)
    url = reverse("agreements:review", args=[draft.uuid])

    def shown() -> str:
        body = client.get(url).content.decode()
        return body[body.index("<main") : body.index("</main>")]

    assert "Hvad med svømmehallen?" not in shown()
    comment = services.add_comment(draft, body="Hvad med svømmehallen?", by=cast.director)
    assert "Hvad med svømmehallen?" in shown()
    assert "Løst" not in shown()
    services.resolve_comment(comment, by=cast.director)
    assert "Løst" in shown()


def test_a_restored_database_with_a_new_epoch_reads_nothing_cached_before(client_for, cast, draft):
    """A database restored from a backup counts the same version numbers again: the numbers
    alone would find what was cached for the content it had before (`renew_cache_epoch`)."""
    client = client_for(cast.leader_a)
    url = draft.get_absolute_url()
    assert "Flere børn trives i overgangen til skole" in client.get(url).content.decode()
    before = versions.data_version()
    content_before = number_of(draft)
    section = draft.sections.get(title="Indledning")
    services.update_section(
        section, body="Svømmehallen åbner igen.", expected_revision=section.revision, by=None
    )
    with connection.cursor() as cursor:  # as the backup counted: the same numbers again
        cursor.execute(
            "UPDATE agreement_content_version SET number = %s WHERE agreement_id = %s",
            [content_before, draft.pk],
        )
        cursor.execute("UPDATE data_version SET number = %s", [int(before.rsplit(".", 1)[1])])
    assert versions.data_version() == before
    call_command("renew_cache_epoch", stdout=io.StringIO())
    assert versions.data_version() != before
    assert versions.data_version().endswith(before[before.rindex(".") :])  # the same number
    assert "Svømmehallen åbner igen." in client.get(url).content.decode()


def test_renewing_the_epoch_forgets_the_unread_counts(cast, draft):
    services.add_comment(draft, body="Husk budgettet.", by=cast.director)
    assert notifications.unread_count(cast.leader_a.pk) == 1
    Notification.objects.filter(recipient=cast.leader_a).delete()  # as the backup had it
    assert notifications.unread_count(cast.leader_a.pk) == 1  # from the cache
    call_command("renew_cache_epoch", stdout=io.StringIO())
    assert notifications.unread_count(cast.leader_a.pk) == 0


def _fields(instance):  # type: ignore[no-untyped-def]
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("state", [Agreement.State.DRAFT, Agreement.State.SIGNED])
def test_the_agreement_for_a_page_is_the_agreement_the_orm_reads(
    state, in_state, django_assert_num_queries
):
    agreement = in_state(state)
    expected = Agreement.objects.for_page().get(pk=agreement.pk)
    with django_assert_num_queries(1):
        found = selectors.agreement_for_page(str(agreement.uuid))
        assert found is not None
        related = [
            found.unit,
            found.unit.area,
            found.unit.committee,
            found.unit.leader,
            found.period,
            found.signed_version,
        ]
    assert _fields(found) == _fields(expected)
    for mine, theirs in zip(
        related,
        [
            expected.unit,
            expected.unit.area,
            expected.unit.committee,
            expected.unit.leader,
            expected.period,
            expected.signed_version,
        ],
        strict=True,
    ):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert type(mine) is type(theirs)
            assert _fields(mine) == _fields(theirs)
            assert not mine._state.adding
    assert (state == Agreement.State.SIGNED) == (found.signed_version is not None)
    assert found.content_number == expected.content_number  # type: ignore[attr-defined]
    assert found.data_version_read == expected.data_version_read  # type: ignore[attr-defined]


def test_no_agreement_for_a_page_of_an_unknown_agreement(draft):
    assert selectors.agreement_for_page("00000000-0000-0000-0000-000000000000") is None
