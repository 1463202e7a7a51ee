"""The annual cycle page, the periods list, opening a new period (a job that gives every active
unit its draft and notifies the leaders), and the lock after the period's end."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, FollowUpPoint, Period
from randers.jobs.models import Job
from randers.notifications.models import Notification
from tests.agreements.conftest import complete

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

PERIODS = reverse("agreements:periods")
OPEN = reverse("agreements:open-period")


def cycle_url(period: Period) -> str:
    return reverse("agreements:cycle", args=[period.slug])


def steps(body: str) -> str:
    """The ordered list of the page, as text without markup and spaces."""
    import re

    part = body[body.index('<ol class="cycle-list">') : body.index("</ol>")]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_the_cycle_lists_the_deadlines_in_order_with_counts(client_for, cast, organisation, period):
    with time_machine.travel(date(2026, 11, 5), tick=False):
        services.create_agreement(organisation.unit_a, period, by=None)
        b = complete(services.create_agreement(organisation.unit_b, period, by=None))
        services.submit_agreement(b, by=None)
        body = client_for(cast.administrator).get(cycle_url(period)).content.decode()
    assert steps(body) == (
        "1. oktober 2026 : Frist for udkast Gjort: 2 af 3 Overskredet: 1 "
        "1. november 2026 : Frist for indsendelse Gjort: 1 af 3 Overskredet: 2 "
        "15. november 2026 : Dialogmøderne begynder Gjort: 0 af 3 Forude: 3 "
        "15. december 2026 : Dialogmøderne slutter Gjort: 0 af 3 Forude: 3 "
        "20. december 2026 : Frist for underskrift Gjort: 0 af 3 Forude: 3 "
        "1. januar 2027 : Perioden begynder "
        "31. december 2027 : Perioden slutter"
    )


def test_the_director_counts_only_the_units_of_the_area(client_for, cast, organisation, period):
    with time_machine.travel(date(2026, 11, 5), tick=False):
        services.create_agreement(organisation.unit_a, period, by=None)
        body = client_for(cast.director).get(cycle_url(period)).content.decode()
    assert "Frist for udkast Gjort: 1 af 2 Overskredet: 1" in steps(body)


def test_follow_up_points_are_steps_counted_over_signed_agreements(client_for, cast, period):
    FollowUpPoint.objects.create(
        period=period, name="Midtvejsopfølgning", kind="mid_year", due_on=date(2027, 6, 15)
    )
    body = client_for(cast.leader_a).get(cycle_url(period)).content.decode()
    assert "15. juni 2027 : Midtvejsopfølgning Gjort: 0 af 0" in steps(body)


def test_a_person_without_roles_sees_the_dates_without_counts(client_for, period):
    from tests.factories import UserFactory

    body = client_for(UserFactory.create()).get(cycle_url(period)).content.decode()
    assert "Frist for udkast" in body
    assert "Gjort:" not in body


def test_an_unknown_period_is_not_found(client_for, cast):
    response = client_for(cast.administrator).get(reverse("agreements:cycle", args=["nej"]))
    assert response.status_code == 404


def test_the_cycle_requires_login(client_for, period):
    assert client_for(None).get(cycle_url(period)).status_code == 302


@pytest.mark.parametrize("units", [1, 3])
def test_cycle_query_count_is_constant(
    client_for, cast, organisation, period, django_assert_num_queries, units
):
    for unit in [organisation.unit_a, organisation.unit_b, organisation.unit_c][:units]:
        services.create_agreement(unit, period, by=None)
    client = client_for(cast.administrator)
    client.get(cycle_url(period))  # the first request renews the session
    # user, the person's roles, the period, its follow-up points, the counts per step, the
    # follow-up reports per point
    with django_assert_num_queries(6):
        assert client.get(cycle_url(period)).status_code == 200


def test_administrators_list_the_periods(client_for, cast, period):
    body = client_for(cast.administrator).get(PERIODS).content.decode()
    assert cycle_url(period) in body
    assert "Åbn en ny periode" in body


@pytest.mark.parametrize("person", ["leader_a", "director", "council_member"])
def test_others_may_not_list_periods_or_open_one(client_for, cast, person):
    client = client_for(cast.all()[person])
    assert client.get(PERIODS).status_code == 403
    assert client.get(OPEN).status_code == 403
    assert client.post(OPEN, {}).status_code == 403


def test_periods_list_query_count(client_for, cast, period, django_assert_num_queries):
    client = client_for(cast.administrator)
    client.get(PERIODS)
    # user, the person's roles, the periods
    with django_assert_num_queries(3):
        assert client.get(PERIODS).status_code == 200


def test_the_form_proposes_the_last_period_a_year_later(client_for, cast, period):
    body = client_for(cast.administrator).get(OPEN).content.decode()
    assert 'value="2028"' in body
    assert 'value="aftaler-2028"' in body
    assert 'value="2027-10-01"' in body  # drafts due, a year after 2026-10-01


def form_data(**changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "2028",
        "slug": "aftaler-2028",
        "starts_on": "2028-01-01",
        "ends_on": "2028-12-31",
        "draft_due": "2027-10-01",
        "submit_due": "2027-11-01",
        "dialogue_starts": "2027-11-15",
        "dialogue_ends": "2027-12-15",
        "signing_due": "2027-12-20",
        "required_signers": ["unit_leader", "director"],
        "lock_after_days": "60",
    }
    data.update(changes)
    return data


def test_opening_a_period_gives_every_active_unit_its_draft_and_notifies_the_leaders(
    client_for, cast, organisation, period, in_state, run_queued_jobs
):
    FollowUpPoint.objects.create(
        period=period, name="Midtvejsopfølgning", kind="mid_year", due_on=date(2027, 6, 15)
    )
    with time_machine.travel(date(2026, 12, 18), tick=False):
        signed = in_state(Agreement.State.SIGNED)
    response = client_for(cast.administrator).post(OPEN, form_data())
    job = Job.objects.get(kind=Job.Kind.PERIOD_OPENING)
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    new = Period.objects.get(slug="aftaler-2028")
    assert new.lock_after_days == 60
    assert [(p.name, p.due_on) for p in new.follow_up_points.all()] == [
        ("Midtvejsopfølgning", date(2028, 6, 15))
    ]
    assert list(new.template_sections.values_list("title", flat=True)) == list(
        period.template_sections.values_list("title", flat=True)
    )
    run_queued_jobs(Job.Kind.PERIOD_OPENING)
    # the parts the job sent, as the worker would run them
    from agreements import tasks

    for part in range(1):
        tasks.open_period_part(job.pk, part)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {
        "agreements": 3,
        "message": "Perioden 2028 er åbnet: 3 enheder har fået deres udkast.",
        "url": "/aftaler/perioder/aftaler-2028/",
        "link_text": "Se periodens årshjul",
    }
    drafts = {a.unit.name: a for a in Agreement.objects.filter(period=new).select_related("unit")}
    assert sorted(drafts) == ["Affaldscentret", "Havndal Skole", "Tirsdalens Skole"]
    rolled = drafts["Tirsdalens Skole"]
    assert (rolled.source, rolled.previous_id) == (Agreement.Source.ROLLOVER, signed.pk)
    assert rolled.goals.count() == signed.goals.count()
    assert drafts["Havndal Skole"].source == Agreement.Source.TEMPLATE
    assert (
        Notification.objects.filter(
            kind=Notification.Kind.DRAFT_READY, recipient__in=[cast.leader_a, cast.leader_b]
        ).count()
        == 2
    )
    # Run again (a resent message): nothing new.
    tasks.open_period_part(job.pk, 0)
    assert Agreement.objects.filter(period=new).count() == 3


def test_bad_dates_are_refused_in_danish_and_nothing_is_made(client_for, cast, period):
    response = client_for(cast.administrator).post(
        OPEN, form_data(submit_due="2027-09-01", ends_on="2027-12-31", slug="aftaler-2027")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Datoen må ikke ligge før trinnet over den." in body
    assert "Perioden skal slutte, efter den begynder." in body
    assert "Der findes allerede en periode med dette korte navn." in body
    assert Period.objects.count() == 1
    assert not Job.objects.exists()


def test_a_locked_period_refuses_edits_with_a_danish_message(cast, draft):
    services.set_period_lock(draft.period, lock_after_days=10, by=cast.administrator)
    section = draft.sections.first()
    with (
        time_machine.travel(date(2028, 1, 11), tick=False),
        pytest.raises(services.AgreementError) as refused,
    ):
        services.update_section(section, body="Ny.", expected_revision=1, by=cast.leader_a)
    assert str(refused.value) == (
        "Perioden 2027 er låst for ændringer siden 11. januar 2028. Kontakt administratorerne, "
        "hvis noget skal rettes."
    )
    with time_machine.travel(date(2028, 1, 10), tick=False):  # the last day of the grace window
        services.update_section(section, body="Ny.", expected_revision=1, by=cast.leader_a)


def test_administrators_set_the_lock_on_the_cycle_page(client_for, cast, period):
    response = client_for(cast.administrator).post(cycle_url(period), {"lock_after_days": "30"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.lock_after_days == 30
    assert (
        client_for(cast.director).post(cycle_url(period), {"lock_after_days": ""}).status_code
        == 403
    )
