"""Mine opgaver: exactly the due tasks of each person of the shared cast, on a frozen clock."""

from datetime import date

import pytest
import time_machine

from agreements import inbox, services
from agreements.models import Agreement
from tests.agreements.conftest import add_points, complete, report_all
from units.selectors import responsibilities_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State


def tasks_of(cast, today):  # type: ignore[no-untyped-def]
    """Each person's tasks as (kind, unit, due, overdue), computed as the home page does."""
    periods = inbox.periods_with_points(today)
    result = {}
    for name, person in cast.all().items():
        led = responsibilities_of(person).led_units
        box = inbox.inbox_for(person, periods, led_units=led, today=today)
        result[name] = [(t.kind, t.unit.name, t.due, t.is_overdue(today)) for t in box.tasks]
    return result


def test_before_submission_each_role_has_exactly_its_tasks(organisation, cast, period):
    with time_machine.travel(date(2026, 10, 20), tick=False):
        draft = services.create_agreement(organisation.unit_a, period, by=None)
        services.add_comment(draft, body="Husk budgettet.", by=cast.director)
        submitted = complete(services.create_agreement(organisation.unit_b, period, by=None))
        services.submit_agreement(submitted, by=None)
        assert tasks_of(cast, date(2026, 10, 20)) == {
            "leader_a": [
                ("answer", "Tirsdalens Skole", date(2026, 11, 1), False),
                ("submit", "Tirsdalens Skole", date(2026, 11, 1), False),
            ],
            "leader_b": [],
            "director": [("review", "Havndal Skole", date(2026, 11, 15), False)],
            "other_director": [],
            "council_member": [],
            "committee_chair": [],
            "administrator": [],
        }


def test_a_unit_without_an_agreement_is_due_to_start_and_overdue_after_draft_due(cast, period):
    with time_machine.travel(date(2026, 10, 2), tick=False):
        tasks = tasks_of(cast, date(2026, 10, 2))
    assert tasks["leader_a"] == [("start", "Tirsdalens Skole", date(2026, 10, 1), True)]
    assert tasks["leader_b"] == [("start", "Havndal Skole", date(2026, 10, 1), True)]
    assert tasks["director"] == []


def test_in_dialogue_the_director_and_the_chair_record_the_approval(cast, in_state):
    with time_machine.travel(date(2026, 12, 1), tick=False):
        in_state(State.IN_DIALOGUE)
        tasks = tasks_of(cast, date(2026, 12, 1))
    approve = [("approve", "Tirsdalens Skole", date(2026, 12, 15), False)]
    assert tasks["director"] == approve
    assert tasks["committee_chair"] == approve
    assert tasks["council_member"] == []
    assert tasks["leader_a"] == []
    assert tasks["leader_b"] == [("start", "Havndal Skole", date(2026, 10, 1), True)]


def test_approved_agreement_waits_for_each_signer_until_signed(cast, in_state):
    with time_machine.travel(date(2026, 12, 16), tick=False):
        agreement = in_state(State.APPROVED)
        sign = ("sign", "Tirsdalens Skole", date(2026, 12, 20), False)
        tasks = tasks_of(cast, date(2026, 12, 16))
        assert tasks["leader_a"] == [sign]
        assert tasks["director"] == [sign]
        services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
        tasks = tasks_of(cast, date(2026, 12, 16))
        assert tasks["leader_a"] == []
        assert tasks["director"] == [sign]


def test_follow_up_is_due_from_the_leader_then_to_be_read_by_the_director(cast, in_state):
    with time_machine.travel(date(2026, 12, 18), tick=False):
        agreement = in_state(State.SIGNED)
    mid_year, _annual = add_points(agreement.period)
    with time_machine.travel(date(2027, 6, 20), tick=False):
        tasks = tasks_of(cast, date(2027, 6, 20))
        assert tasks["leader_a"] == [("report", "Tirsdalens Skole", date(2027, 6, 15), True)]
        assert tasks["director"] == []
        submitted = report_all(services.start_follow_up(agreement, mid_year, by=None))
        tasks = tasks_of(cast, date(2027, 6, 20))
        assert tasks["leader_a"] == []
        assert tasks["director"] == [("read_follow_up", "Tirsdalens Skole", None, False)]
        services.mark_follow_up_seen(submitted, reply="Tak.", by=cast.director)
        assert tasks_of(cast, date(2027, 6, 20))["director"] == []


def test_the_inbox_costs_a_fixed_number_of_queries_whatever_the_number_of_tasks(
    organisation, cast, period, django_assert_num_queries
):
    with time_machine.travel(date(2026, 10, 20), tick=False):
        services.create_agreement(organisation.unit_a, period, by=None)
        submitted = complete(services.create_agreement(organisation.unit_b, period, by=None))
        services.submit_agreement(submitted, by=None)
        periods = inbox.periods_with_points(date(2026, 10, 20))
        # the leader: the agreements of the led units with their open threads, signatures and
        # reports; the director: the tasks counted, then the agreements of the most pressing
        for person, queries in ((cast.leader_a, 1), (cast.director, 2)):
            inbox.inbox_for(person, periods)  # roles read and cached on the person
            with django_assert_num_queries(queries):
                box = inbox.inbox_for(person, periods)
            assert len(box) == 1


def test_the_home_page_lists_the_tasks_first_with_deadline_and_overdue_mark(
    client_for, cast, organisation, period
):
    with time_machine.travel(date(2026, 11, 2), tick=False):
        draft = services.create_agreement(organisation.unit_a, period, by=None)
        body = client_for(cast.leader_a).get("/").content.decode()
    assert body.index("Mine opgaver") < body.index("Dine enheder")
    assert f'<a href="/aftaler/{draft.uuid}/rediger/">Skriv og indsend aftalen 2027 for ' in body
    assert 'Frist: <time datetime="2026-11-01">1. november 2026</time>' in body
    assert "Du har 1 opgave. <strong>1 er forsinket.</strong>" in body
    assert 'href="/aftaler/perioder/aftaler-2027/">Årshjulet for 2027</a>' in body


def test_a_director_without_tasks_is_told_so(client_for, cast, period):
    body = client_for(cast.other_director).get("/").content.decode()
    assert "Du har ingen opgaver lige nu." in body


def test_council_members_have_no_task_list(client_for, cast, period):
    assert "Mine opgaver" not in client_for(cast.council_member).get("/").content.decode()


def test_council_members_find_the_annual_cycle_on_the_home_page(client_for, cast, period):
    body = client_for(cast.council_member).get("/").content.decode()
    assert 'href="/aftaler/perioder/aftaler-2027/">Årshjulet for 2027</a>' in body
