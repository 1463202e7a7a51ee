"""The follow-up rules: who reports and who marks seen, the required assessment, superseding."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from agreements import services
from agreements.models import Agreement
from goals.models import FollowUpReport, FollowUpStatus, Goal, Measurement
from tests.agreements.conftest import report_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = FollowUpReport.State


def test_the_leader_starts_a_draft_with_a_row_per_goal_of_the_signed_agreement(
    cast, signed, points
):
    mid, _annual = points
    report = services.start_follow_up(signed, mid, by=cast.leader_a)
    assert report.state == State.DRAFT
    assert [(row.goal_title, row.status, row.assessment) for row in report.goals.all()] == [
        ("Flere børn trives i overgangen til skole", "", "")
    ]
    assert services.start_follow_up(signed, mid, by=cast.leader_a) == report  # the open draft


@pytest.mark.parametrize("state", [Agreement.State.DRAFT, Agreement.State.APPROVED])
def test_follow_up_is_only_on_signed_agreements(cast, in_state, points, state):
    agreement = in_state(state)
    with pytest.raises(services.AgreementError):
        services.start_follow_up(agreement, points[0], by=None)
    assert not FollowUpReport.objects.exists()


@pytest.mark.parametrize(
    "name", ["leader_b", "director", "other_director", "council_member", "committee_chair"]
)
def test_only_the_units_leader_and_administrators_report(cast, signed, points, name):
    with pytest.raises(PermissionDenied):
        services.start_follow_up(signed, points[0], by=cast.all()[name])
    assert services.start_follow_up(signed, points[0], by=cast.administrator).state == State.DRAFT
    report = FollowUpReport.objects.get()
    row = report.goals.get()
    with pytest.raises(PermissionDenied):
        services.save_follow_up(
            report,
            entries=[services.GoalEntry(row.pk, FollowUpStatus.MET, "Nået.")],
            by=cast.all()[name],
        )
    with pytest.raises(PermissionDenied):
        services.submit_follow_up(report, by=cast.all()[name])


def test_a_draft_is_saved_without_assessment_but_not_submitted(cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    row = report.goals.get()
    services.save_follow_up(
        report,
        entries=[services.GoalEntry(row.pk, status=FollowUpStatus.DELAYED, assessment="  ")],
        by=cast.leader_a,
    )
    with pytest.raises(services.FollowUpRefused) as refused:
        services.submit_follow_up(report, by=cast.leader_a)
    assert refused.value.problems == {row.pk: ["Skriv en vurdering af, hvordan det går med målet."]}
    report.refresh_from_db()
    assert (report.state, report.is_current, report.submitted_at) == (State.DRAFT, False, None)


def test_submitting_requires_a_status_for_every_goal(cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    row = report.goals.get()
    services.save_follow_up(
        report, entries=[services.GoalEntry(row.pk, "", "Vi er godt i gang.")], by=cast.leader_a
    )
    with pytest.raises(services.FollowUpRefused) as refused:
        services.submit_follow_up(report, by=cast.leader_a)
    assert refused.value.problems == {row.pk: ["Vælg målets status."]}


def test_an_unknown_status_is_refused(cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    row = report.goals.get()
    with pytest.raises(services.AgreementError):
        services.save_follow_up(
            report, entries=[services.GoalEntry(row.pk, "done", "Nået.")], by=cast.leader_a
        )
    row.refresh_from_db()
    assert row.status == ""


def test_a_submitted_follow_up_is_never_edited(cast, signed, points):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    row = report.goals.get()
    with pytest.raises(services.AgreementError):
        services.save_follow_up(
            report, entries=[services.GoalEntry(row.pk, "met", "Ændret.")], by=cast.leader_a
        )
    with pytest.raises(services.AgreementError):
        services.submit_follow_up(report, by=cast.leader_a)
    row.refresh_from_db()
    assert (row.status, row.assessment) == ("in_progress", "Det går efter planen.")


def test_a_later_follow_up_supersedes_the_earlier_which_stays_readable(cast, signed, points):
    mid, annual = points
    first = report_all(services.start_follow_up(signed, mid, by=cast.leader_a))
    second = services.start_follow_up(signed, mid, by=cast.leader_a)
    assert second != first
    row = second.goals.get()
    assert (row.status, row.assessment) == ("in_progress", "Det går efter planen.")  # prefilled
    services.save_follow_up(
        second, entries=[services.GoalEntry(row.pk, "delayed", "Forsinket af sygdom.")], by=None
    )
    first.refresh_from_db()
    assert first.is_current  # until the new one is submitted
    services.submit_follow_up(second, by=cast.leader_a)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_current, second.is_current, second.supersedes) == (False, True, first)
    assert first.goals.get().status == "in_progress"  # the earlier one is unchanged
    assert (first.state, second.state) == (State.SUBMITTED, State.SUBMITTED)
    other_point = report_all(services.start_follow_up(signed, annual, by=cast.leader_a))
    second.refresh_from_db()
    assert (other_point.supersedes, second.is_current) == (None, True)


def test_the_director_marks_a_submitted_follow_up_seen_with_a_reply(cast, signed, points):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    services.mark_follow_up_seen(report, reply=" Tak, fint arbejde. ", by=cast.director)
    report.refresh_from_db()
    assert (report.state, report.seen_by, report.reply) == (
        State.SEEN,
        cast.director,
        "Tak, fint arbejde.",
    )
    with pytest.raises(services.AgreementError):
        services.mark_follow_up_seen(report, reply="", by=cast.director)


@pytest.mark.parametrize(
    "name", ["leader_a", "leader_b", "other_director", "council_member", "committee_chair"]
)
def test_only_the_areas_director_and_administrators_mark_seen(cast, signed, points, name):
    report = report_all(services.start_follow_up(signed, points[0], by=cast.leader_a))
    with pytest.raises(PermissionDenied):
        services.mark_follow_up_seen(report, reply="", by=cast.all()[name])
    services.mark_follow_up_seen(report, reply="", by=cast.administrator)
    report.refresh_from_db()
    assert report.state == State.SEEN


def test_a_draft_cannot_be_marked_seen(cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    with pytest.raises(services.AgreementError):
        services.mark_follow_up_seen(report, reply="", by=cast.director)


def test_measurements_of_a_draft_are_published_when_it_is_submitted(cast, signed, points):
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    row = report.goals.get()
    assert row.goal is not None
    indicator = row.goal.indicators.get()
    entry = services.GoalEntry(
        row.pk,
        "in_progress",
        "Flere forældre er positive.",
        [services.MeasurementEntry(indicator.pk, date(2027, 6, 1), Decimal("81.5"))],
    )
    services.save_follow_up(report, entries=[entry], by=cast.leader_a)
    services.save_follow_up(report, entries=[entry], by=cast.leader_a)  # replaces, not adds
    assert Measurement.objects.count() == 1
    assert not Measurement.objects.published().exists()
    services.submit_follow_up(report, by=cast.leader_a)
    measurement = Measurement.objects.published().get()
    assert (measurement.unit, measurement.name, measurement.value) == (
        signed.unit,
        "Andel positive svar",
        Decimal("81.50"),
    )


def test_a_goal_added_by_an_amendment_is_followed_up_once_signed(cast, signed, points):
    services.amend_agreement(signed, by=cast.leader_a)
    services.add_goal(signed, data=services.GoalData(title="Nyt mål"), by=cast.leader_a)
    report = services.start_follow_up(signed, points[0], by=cast.leader_a)
    assert [row.goal_title for row in report.goals.all()] == [
        "Flere børn trives i overgangen til skole"
    ]
    assert Goal.objects.filter(agreement=signed).count() == 2


def test_no_follow_up_on_a_revoked_agreement(cast, signed, points):
    services.revoke_agreement(signed, reason="Enheden lukker.", by=None)
    with pytest.raises(PermissionDenied):
        services.start_follow_up(signed, points[0], by=cast.leader_a)
    with pytest.raises(services.AgreementError):
        services.start_follow_up(signed, points[0], by=None)
