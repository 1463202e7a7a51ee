import pytest
from django.core.management import call_command

from agreements import inbox, selectors
from agreements.models import Agreement, AgreementVersion, Period, Signature
from goals.models import CouncilGoal
from tests.conftest import demo_for_module
from units.models import Area, CommitteeMembership, Unit, User
from units.selectors import responsibilities_of

pytestmark = pytest.mark.django_db

State = Agreement.State


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with demo_for_module(django_db_blocker, units=220):
        yield


def current() -> Period:
    period = Period.objects.order_by("-starts_on").first()
    assert period is not None
    return period


def test_this_periods_agreements_are_in_every_state(seeded):
    states = set(Agreement.objects.filter(period=current()).values_list("state", flat=True))
    assert states == set(State.values)
    assert Agreement.objects.filter(period=current(), state=State.REVOKED).count() == 1


def test_last_period_is_signed_for_most_units(seeded):
    last = Period.objects.order_by("starts_on").first()
    signed = Agreement.objects.filter(period=last, state=State.SIGNED).count()
    assert signed > 200


def test_every_frozen_version_verifies_and_every_signature_signs_its_hash(seeded):
    for version in AgreementVersion.objects.all():
        assert version.hash_matches()
    mismatched = [
        s
        for s in Signature.objects.select_related("version")
        if s.content_hash != s.version.content_hash
    ]
    assert mismatched == []


def test_signed_agreements_have_both_required_signatures(seeded):
    for agreement in Agreement.objects.filter(state=State.SIGNED).select_related(
        "signed_version", "period"
    )[:50]:
        roles = set(
            Signature.objects.filter(version=agreement.signed_version_id).values_list(
                "role", flat=True
            )
        )
        assert roles == set(agreement.period.required_signers)


def test_the_demo_leaders_draft_is_ready_to_submit(seeded):
    agreement = Agreement.objects.get(unit__name="Tirsdalens Skole", period=current())
    assert agreement.state == State.DRAFT
    assert agreement.source == Agreement.Source.ROLLOVER
    assert selectors.submission_problems(agreement) == []
    assert agreement.goals.filter(carried_from__isnull=False).exists()


def test_some_drafts_are_incomplete(seeded):
    drafts = Agreement.objects.filter(period=current(), state=State.DRAFT)
    assert any(selectors.submission_problems(a) for a in drafts)


def test_the_newest_unit_has_no_agreement_yet(seeded):
    newest = Unit.objects.order_by("-pk").first()
    assert not Agreement.objects.filter(unit=newest).exists()


def test_council_goals_of_the_vision_exist(seeded):
    titles = set(CouncilGoal.objects.values_list("title", flat=True))
    assert {
        "En bæredygtig fremtid",
        "Et godt liv – for alle",
        "Flere i uddannelse eller beskæftigelse",
    } <= titles


def test_seeding_again_creates_no_agreements(seeded):
    before = (Agreement.objects.count(), AgreementVersion.objects.count())
    call_command("seed_demo", units=220)
    assert (Agreement.objects.count(), AgreementVersion.objects.count()) == before


def test_each_persons_inbox_counts_in_sql_what_the_reminders_count_task_by_task(seeded):
    """The home page counts a director's or chair's tasks in SQL and reads only the most pressing;
    the reminders build everyone's tasks one by one. Both must agree for every person."""
    periods, everyone = inbox.all_tasks()
    people: set[User] = {
        area.director for area in Area.objects.exclude(director=None) if area.director
    }
    people |= {
        membership.person
        for membership in CommitteeMembership.objects.filter(
            role=CommitteeMembership.Role.CHAIR
        ).select_related("person")
    }
    people.add(User.objects.get(username="leader"))
    checked_beyond_shown = 0
    for person in people:
        expected = [task for task in everyone if task.person_id == person.pk]
        led_units = responsibilities_of(person).led_units
        box = inbox.inbox_for(person, periods, led_units=led_units)
        assert len(box) == len(expected), person
        assert box.overdue_total == sum(task.overdue for task in expected), person
        assert [task.key for task in box.shown] == [task.key for task in expected[: inbox.SHOWN]]
        assert box.hidden == max(0, len(expected) - inbox.SHOWN)
        checked_beyond_shown += len(expected) > inbox.SHOWN
    assert checked_beyond_shown >= 2  # directors with more tasks than the home page shows
