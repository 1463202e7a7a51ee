"""The follow-up pages: who may read and act (allowed and denied with the shared cast), the forms'
Danish messages, and the query budgets."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement
from goals.models import FollowUpReport, Measurement

from .conftest import report_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

PEOPLE = [
    "anonymous",
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
    "administrator",
]


def person(cast, name):  # type: ignore[no-untyped-def]
    return None if name == "anonymous" else cast.all()[name]


@pytest.mark.parametrize("name", PEOPLE)
def test_the_follow_up_of_a_signed_agreement_is_for_every_signed_in_reader(
    client_for, cast, signed, name
):
    response = client_for(person(cast, name)).get(
        reverse("agreements:follow-ups", args=[signed.uuid])
    )
    assert response.status_code == (302 if name == "anonymous" else 200)


@pytest.mark.parametrize("name", PEOPLE)
def test_the_follow_up_of_a_draft_agreement_is_for_its_readers_only(client_for, cast, draft, name):
    response = client_for(person(cast, name)).get(
        reverse("agreements:follow-ups", args=[draft.uuid])
    )
    expected = {"anonymous": 302, "leader_a": 200, "director": 200, "administrator": 200}
    assert response.status_code == expected.get(name, 404)
    if response.status_code == 200:
        assert "Opfølgningen begynder, når aftalen er underskrevet." in response.content.decode()


@pytest.mark.parametrize("name", PEOPLE)
def test_a_draft_report_is_only_for_those_who_report(client_for, cast, signed, points, name):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    response = client_for(person(cast, name)).get(report.get_absolute_url())
    expected = {"anonymous": 302, "leader_a": 200, "administrator": 200}
    assert response.status_code == expected.get(name, 404)


@pytest.mark.parametrize("name", PEOPLE)
def test_a_submitted_report_is_for_every_signed_in_reader(client_for, cast, signed, points, name):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    response = client_for(person(cast, name)).get(report.get_absolute_url())
    assert response.status_code == (302 if name == "anonymous" else 200)
    if name != "anonymous":
        assert "Det går efter planen." in response.content.decode()
        assert ("Marker som set" in response.content.decode()) == (
            name in ("director", "administrator")
        )


@pytest.mark.parametrize("name", PEOPLE)
def test_only_the_leader_and_administrators_start_a_follow_up(
    client_for, cast, signed, points, name
):
    response = client_for(person(cast, name)).post(
        reverse("agreements:start-follow-up", args=[signed.uuid, points[0].pk])
    )
    if name in ("leader_a", "administrator"):
        report = FollowUpReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == report.get_absolute_url()
    else:
        assert response.status_code == (302 if name == "anonymous" else 403)
        assert not FollowUpReport.objects.exists()


def form_data(report, *, status="met", assessment="Målet er nået.", value="", day=""):  # type: ignore[no-untyped-def]
    row = report.goals.get()
    indicator = row.goal.indicators.get()
    prefix = f"goal-{row.pk}"
    return {
        f"{prefix}-status": status,
        f"{prefix}-assessment": assessment,
        f"{prefix}-value_{indicator.pk}": value,
        f"{prefix}-date_{indicator.pk}": day,
    }


def test_the_leader_saves_a_draft_and_then_submits_it(client_for, cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    client = client_for(cast.leader_a)
    data = form_data(report, status="", assessment="Halvvejs.", value="82,5", day="2027-06-01")
    assert client.post(report.get_absolute_url(), {**data, "save": ""}).status_code == 302
    report.refresh_from_db()
    assert (report.state, report.goals.get().assessment) == (
        FollowUpReport.State.DRAFT,
        "Halvvejs.",
    )
    data = form_data(
        report, status="in_progress", assessment="Halvvejs.", value="82,5", day="2027-06-01"
    )
    response = client.post(report.get_absolute_url(), {**data, "submit": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == FollowUpReport.State.SUBMITTED
    assert [str(m.value) for m in Measurement.objects.published()] == ["82.50"]


def test_submitting_without_an_assessment_names_the_goal_in_danish(
    client_for, cast, signed, points
):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    response = client_for(cast.leader_a).post(
        report.get_absolute_url(), {**form_data(report, assessment=""), "submit": ""}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Skriv en vurdering af, hvordan det går med målet." in content
    assert "Opfølgningen er ikke indsendt" in content
    report.refresh_from_db()
    assert report.state == FollowUpReport.State.DRAFT


def test_a_measurement_without_a_date_is_refused_in_danish(client_for, cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    response = client_for(cast.leader_a).post(
        report.get_absolute_url(), {**form_data(report, value="80"), "save": ""}
    )
    assert response.status_code == 400
    assert "Angiv datoen for målingen." in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_submitted_report_cannot_be_posted_to(client_for, cast, signed, points):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    response = client_for(cast.leader_a).post(
        report.get_absolute_url(), {**form_data(report, status="not_met"), "save": ""}
    )
    assert response.status_code == 403
    assert report.goals.get().status == "in_progress"


@pytest.mark.parametrize("name", PEOPLE)
def test_only_the_director_and_administrators_mark_seen(client_for, cast, signed, points, name):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    response = client_for(person(cast, name)).post(
        reverse("agreements:mark-seen", args=[report.uuid]), {"reply": "Tak."}
    )
    report.refresh_from_db()
    if name in ("director", "administrator"):
        assert response.status_code == 302
        assert (report.state, report.reply) == (FollowUpReport.State.SEEN, "Tak.")
    else:
        assert response.status_code == (302 if name == "anonymous" else 403)
        assert report.state == FollowUpReport.State.SUBMITTED


def test_the_goal_history_shows_superseded_follow_ups(client_for, cast, signed, points):
    report_all(services.start_follow_up(signed, points[0], by=cast.leader_a), status="delayed")
    report_all(services.start_follow_up(signed, points[0], by=cast.leader_a), status="met")
    goal = signed.goals.get()
    response = client_for(cast.council_member).get(
        reverse("agreements:goal-history", args=[goal.uuid])
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("Afløst") == 1
    assert "Forsinket" in content
    assert "Indfriet" in content


def test_the_goal_history_of_a_draft_agreement_is_hidden_from_others(client_for, cast, draft):
    services.add_goal(draft, data=services.GoalData(title="Mål"), by=None)
    url = reverse("agreements:goal-history", args=[draft.goals.get().uuid])
    assert client_for(cast.leader_b).get(url).status_code == 404
    assert client_for(cast.leader_a).get(url).status_code == 200


@pytest.mark.parametrize("goals", [1, 8])
def test_the_report_page_query_count_is_constant_in_goals(
    client_for, cast, in_state, points, django_assert_num_queries, goals
):
    agreement = in_state(Agreement.State.DRAFT)
    for number in range(goals - 1):
        services.add_goal(
            agreement,
            data=services.GoalData(title=f"Mål {number}", success_criterion="Nået."),
            by=None,
        )
    services.submit_agreement(agreement, by=None)
    services.send_to_committee(agreement, by=None)
    services.approve_agreement(agreement, by=None)
    services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
    services.sign_agreement(agreement, role="director", by=cast.director)
    report = services.start_follow_up(agreement, points[0], by=cast.leader_a)
    client = client_for(cast.leader_a)
    # 1 user, 2 report with agreement, unit, area, committee, period, point, people and
    # the reports it supersedes or is superseded by, 3 the reader's roles, 4 the goals of the
    # report with their goal, 5 their indicators, 6 the report's measurements, 7 the access
    # log's row, 8-10 session renewal (savepoint, update, release)
    with django_assert_num_queries(10):
        assert client.get(report.get_absolute_url()).status_code == 200
