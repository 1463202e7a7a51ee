import pytest
from django.core.management import call_command

from agreements import selectors
from agreements.models import Agreement, AgreementVersion, Period, Signature
from goals.models import CouncilGoal
from tests.conftest import demo_for_module
from units.models import Unit

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
