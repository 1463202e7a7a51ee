from datetime import date

import pytest
from django.core import mail

from agreements import permissions as agreement_permissions
from agreements import services as agreement_services
from agreements.models import Agreement, Edit, StateChange
from goals.models import CommonGoal, CouncilGoal, Goal
from randers.organisation import services
from tests.agreements.conftest import complete
from units import permissions
from units import services as unit_services
from units.imports import SiteData
from units.models import OrganisationChange, Site, Unit, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
NewAgreement = services.NewAgreement


@pytest.fixture
def common_goals(organisation) -> list[CommonGoal]:  # type: ignore[no-untyped-def]
    vision = CouncilGoal.objects.create(title="Et godt liv – for alle", slug="et-godt-liv")
    first = CommonGoal.objects.create(
        area=organisation.area_a,
        title="Flere børn deltager i fællesskaber",
        description="Alle børn skal opleve at høre til.",
        success_criterion="Færre børn føler sig alene.",
    )
    first.council_goals.set([vision])
    second = CommonGoal.objects.create(
        area=organisation.area_a, title="Bedre overgange", success_criterion="85 % er trygge."
    )
    CommonGoal.objects.create(area=organisation.area_a, title="Udgået mål", active=False)
    CommonGoal.objects.create(area=organisation.other_area, title="Mere genanvendelse")
    return [second, first]


def onboarding(organisation, period, leader) -> services.Onboarding:  # type: ignore[no-untyped-def]
    return services.Onboarding(
        unit=unit_services.UnitData(
            name="Børnehuset Solsikken",
            kind=Unit.Kind.DAYCARE,
            area=organisation.area_a,
            committee=organisation.school_committee,
            has_user_board=True,
            sites=[SiteData("Afdeling Vorup", "Vorupvej 12", "8940", "Randers SV")],
        ),
        leader=leader,
        period=period,
    )


def test_onboarding_creates_the_unit_its_sites_leader_and_draft_from_template_and_common_goals(
    cast, organisation, period, common_goals, django_capture_on_commit_callbacks
):
    new = unit_services.NewPerson("Camilla", "Nørgaard", "cano@randers.dk")
    with django_capture_on_commit_callbacks(execute=True):
        unit = services.onboard_unit(
            onboarding(organisation, period, unit_services.LeaderChoice(new=new)),
            by=cast.administrator,
        )
    leader = User.objects.get(email="cano@randers.dk")
    assert unit.leader == leader
    assert list(permissions.units_led_by(leader)) == [unit]
    assert list(unit.sites.values_list("name", flat=True)) == ["Afdeling Vorup"]
    agreement = Agreement.objects.get(unit=unit)
    assert (agreement.period, agreement.state) == (period, State.DRAFT)
    assert list(agreement.sections.values_list("title", flat=True)) == [
        "Indledning",
        "Aftaleenheden",
        "Udviklingsmål",
    ]
    goals = list(agreement.goals.order_by("order"))
    assert [(g.title, g.kind, g.common_goal) for g in goals] == [
        ("Bedre overgange", Goal.Kind.COMMON, common_goals[0]),
        ("Flere børn deltager i fællesskaber", Goal.Kind.COMMON, common_goals[1]),
    ]
    assert [c.title for c in goals[1].council_goals.all()] == ["Et godt liv – for alle"]
    assert goals[1].success_criterion == "Færre børn føler sig alene."
    assert Edit.objects.filter(agreement=agreement, actor=cast.administrator).count() == 3
    assert [m.to for m in mail.outbox] == [["cano@randers.dk"]]
    # The new leader may edit the draft; the area's director reads it; others do not.
    leader = User.objects.get(pk=leader.pk)
    assert agreement_permissions.can_edit(leader, agreement)
    assert agreement_permissions.can_view(cast.director, agreement)
    assert not agreement_permissions.can_view(cast.other_director, agreement)
    assert list(
        OrganisationChange.objects.filter(unit=unit).order_by("pk").values_list("action", flat=True)
    ) == [OrganisationChange.Action.UNIT_CREATED, OrganisationChange.Action.ROLE_GRANTED]


def test_onboarding_with_an_existing_leader_and_no_agreement(cast, organisation):
    unit = services.onboard_unit(
        onboarding(organisation, None, unit_services.LeaderChoice(existing=cast.leader_b)),
        by=cast.administrator,
    )
    assert unit.leader == cast.leader_b
    assert not Agreement.objects.filter(unit=unit).exists()
    assert mail.outbox == []


def test_onboarding_is_all_or_nothing(cast, organisation, period):
    taken = unit_services.NewPerson("Lars", "Bach", "leader_a@randers.dk")
    with pytest.raises(unit_services.OrganisationError):
        services.onboard_unit(
            onboarding(organisation, period, unit_services.LeaderChoice(new=taken)),
            by=cast.administrator,
        )
    assert not Unit.objects.filter(name="Børnehuset Solsikken").exists()
    assert not Site.objects.filter(name="Afdeling Vorup").exists()
    assert not OrganisationChange.objects.filter(action="unit_created").exists()


def merge(cast, organisation, period):  # type: ignore[no-untyped-def]
    return services.merge_unit(
        organisation.unit_b, survivor=organisation.unit_a, period=period, by=cast.administrator
    )


def test_a_survivor_without_an_agreement_gets_a_new_draft(cast, organisation, period):
    result = merge(cast, organisation, period)
    assert result.outcome == NewAgreement.CREATED
    assert result.agreement is not None
    assert (result.agreement.unit, result.agreement.state) == (organisation.unit_a, State.DRAFT)


def test_a_survivor_with_a_signed_agreement_gets_a_new_version_and_the_signed_stays_in_force(
    cast, organisation, period, in_state
):
    signed = in_state(State.SIGNED)
    version = signed.signed_version
    result = merge(cast, organisation, period)
    signed.refresh_from_db()
    assert result.outcome == NewAgreement.AMENDED
    assert (signed.state, signed.signed_version) == (State.DRAFT, version)


def test_a_survivor_with_an_agreement_under_review_gets_it_back_with_the_reason(
    cast, organisation, period, in_state
):
    submitted = in_state(State.SUBMITTED)
    result = merge(cast, organisation, period)
    submitted.refresh_from_db()
    assert (result.outcome, submitted.state) == (NewAgreement.RETURNED, State.DRAFT)
    change = StateChange.objects.filter(agreement=submitted).latest("at")
    assert change.reason == (
        "Havndal Skole er lagt sammen med Tirsdalens Skole; aftalen skal dække begge."
    )
    assert change.actor == cast.administrator


def test_a_survivor_with_a_draft_keeps_it(cast, organisation, period, draft):
    assert merge(cast, organisation, period).outcome == NewAgreement.DRAFT


def test_the_merged_units_agreements_stay_readable_but_cannot_change(cast, organisation, period):
    draft_b = agreement_services.create_agreement(organisation.unit_b, period, by=cast.leader_b)
    complete(draft_b, by=cast.leader_b)
    merge(cast, organisation, period)
    draft_b = Agreement.objects.select_related("unit").get(pk=draft_b.pk)
    for reader in (cast.leader_b, cast.director, cast.administrator):
        assert agreement_permissions.can_view(reader, draft_b)
    for person in (cast.leader_b, cast.administrator):
        assert not agreement_permissions.can_edit(person, draft_b)
        assert not agreement_permissions.can_submit(person, draft_b)
    organisation.unit_b.refresh_from_db()
    assert (organisation.unit_b.closed_at, organisation.unit_b.successor) == (
        date.today(),
        organisation.unit_a,
    )


def test_merging_without_a_period_leaves_the_agreements(cast, organisation, draft):
    result = services.merge_unit(
        organisation.unit_b, survivor=organisation.unit_a, period=None, by=cast.administrator
    )
    assert (result.outcome, result.agreement) == (NewAgreement.UNCHANGED, None)
