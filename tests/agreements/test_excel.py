"""The Excel round trip of bulk follow-up: download, fill in, upload; a valid file saves
everything, a file with one bad row saves nothing and names the row and column in Danish."""

import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from agreements import services
from goals.models import FollowUpReport, Measurement
from randers.jobs.models import Job

from .conftest import sign_for

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def in_2027(time_machine):  # type: ignore[no-untyped-def]
    """The period 2027 is in force."""
    time_machine.move_to(datetime(2027, 7, 1, 12), tick=False)


@pytest.fixture
def two_signed(signed, cast, organisation):  # type: ignore[no-untyped-def]
    """Unit A's and unit B's signed agreements."""
    other = sign_for(
        organisation.unit_b,
        signed.period,
        [("Flere elever læser for sjov", [])],
        leader=cast.leader_b,
        director=cast.director,
    )
    return signed, other


def download(client, point):  # type: ignore[no-untyped-def]
    response = client.get(reverse("agreements:follow-up-download"), {"point": point.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def upload(client, workbook, *, submit=False, name="opfoelgning.xlsx"):  # type: ignore[no-untyped-def]
    output = io.BytesIO()
    workbook.save(output)
    data: dict[str, object] = {
        "file": SimpleUploadedFile(name, output.getvalue(), content_type=XLSX)
    }
    if submit:
        data["submit"] = "on"
    return client.post(reverse("agreements:follow-up-upload"), data)


def rows(sheet):  # type: ignore[no-untyped-def]
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_download_has_a_row_per_goal_and_indicator_the_person_reports_on(
    client_for, cast, two_signed, points
):
    unit_a_goal = two_signed[0].goals.get()
    workbook = download(client_for(cast.leader_a), points[0])
    assert workbook.sheetnames == ["Opfølgning", "Målinger", "Om filen"]
    assert [cell.value for cell in workbook["Opfølgning"][1]] == [
        "Mål-id",
        "Enhed",
        "Mål",
        "Status",
        "Vurdering",
    ]
    assert rows(workbook["Opfølgning"]) == [
        [str(unit_a_goal.uuid), "Tirsdalens Skole", unit_a_goal.title, None, None]
    ]
    indicator = unit_a_goal.indicators.get()
    assert rows(workbook["Målinger"]) == [
        [
            indicator.pk,
            "Tirsdalens Skole",
            unit_a_goal.title,
            "Andel positive svar",
            "%",
            None,
            None,
        ]
    ]
    assert len(rows(download(client_for(cast.administrator), points[0])["Opfølgning"])) == 2


def test_a_valid_file_saves_and_submits_everything(
    client_for, cast, two_signed, points, run_queued_jobs
):
    client = client_for(cast.administrator)
    workbook = download(client, points[0])
    for row in workbook["Opfølgning"].iter_rows(min_row=2):
        row[3].value, row[4].value = "Delvist indfriet", "Godt på vej."
    measurements = workbook["Målinger"]
    measurements["F2"], measurements["G2"] = datetime(2027, 6, 1), "81,5"
    response = upload(client, workbook, submit=True)
    assert response.status_code == 302
    assert FollowUpReport.objects.count() == 0  # the import runs in the background
    [job] = run_queued_jobs(Job.Kind.FOLLOW_UP_IMPORT)
    assert response["Location"] == job.get_absolute_url()
    follow = client.get(response["Location"])
    assert "Filen er indlæst: 2 opfølgninger gemt, heraf 2 indsendt, 0 uændrede." in (
        follow.content.decode()
    )
    reports = FollowUpReport.objects.filter(point=points[0], is_current=True)
    assert [
        (r.agreement.unit.name, r.state, [(g.status, g.assessment) for g in r.goals.all()])
        for r in reports.order_by("agreement__unit__name")
    ] == [
        ("Havndal Skole", "submitted", [("partly_met", "Godt på vej.")]),
        ("Tirsdalens Skole", "submitted", [("partly_met", "Godt på vej.")]),
    ]
    measurement = Measurement.objects.published().get()
    assert (measurement.measured_on, str(measurement.value)) == (date(2027, 6, 1), "81.50")
    # the same file again changes nothing
    again = upload(client, download(client, points[0]))
    assert again.status_code == 302
    run_queued_jobs(Job.Kind.FOLLOW_UP_IMPORT)
    assert "0 opfølgninger gemt, heraf 0 indsendt, 2 uændrede." in (
        client.get(again["Location"]).content.decode()
    )


def test_a_file_with_one_bad_row_saves_nothing_and_names_the_row(
    client_for, cast, two_signed, points
):
    client = client_for(cast.administrator)
    workbook = download(client, points[0])
    sheet = workbook["Opfølgning"]
    sheet["D2"], sheet["E2"] = "I gang", "Vi er i gang."
    sheet["D3"], sheet["E3"] = "Færdig", "Alt er nået."
    response = upload(client, workbook)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Filen har 1 fejl; intet er gemt." in content
    assert (
        "Ark »Opfølgning«, række 3, kolonne D (Status): »Færdig« er ikke en status. Vælg en af: "
        "Ikke påbegyndt, I gang, Forsinket, Indfriet, Delvist indfriet, Ikke indfriet."
    ) in content
    assert not FollowUpReport.objects.exists()


def test_a_draft_may_have_a_status_without_assessment(
    client_for, cast, signed, points, run_queued_jobs
):
    client = client_for(cast.leader_a)
    workbook = download(client, points[0])
    workbook["Opfølgning"]["D2"] = "I gang"
    assert upload(client, workbook).status_code == 302
    run_queued_jobs(Job.Kind.FOLLOW_UP_IMPORT)
    report = FollowUpReport.objects.get()
    assert (report.state, report.goals.get().status) == ("draft", "in_progress")


def test_a_bad_measurement_and_a_missing_assessment_are_named_by_row_and_column(
    client_for, cast, signed, points
):
    client = client_for(cast.leader_a)
    workbook = download(client, points[0])
    workbook["Opfølgning"]["D2"] = "Indfriet"
    workbook["Målinger"]["F2"], workbook["Målinger"]["G2"] = "31-02-2027", "mange"
    response = upload(client, workbook, submit=True)
    content = response.content.decode()
    assert response.status_code == 400
    assert (
        "Ark »Opfølgning«, række 2, kolonne E (Vurdering): "
        "Skriv en vurdering af, hvordan det går med målet."
    ) in content
    assert "Ark »Målinger«, række 2, kolonne F (Dato): »31-02-2027« er ikke en dato" in content
    assert "Ark »Målinger«, række 2, kolonne G (Værdi): »mange« er ikke et tal." in content
    assert not FollowUpReport.objects.exists()
    assert not Measurement.objects.exists()


def test_submitting_through_a_file_needs_every_goal_reported(client_for, cast, signed, points):
    client = client_for(cast.leader_a)
    workbook = download(client, points[0])
    workbook["Opfølgning"]["E2"] = "En vurdering uden status."
    response = upload(client, workbook, submit=True)
    assert response.status_code == 400
    assert "Ark »Opfølgning«, række 2, kolonne D (Status): Vælg målets status." in (
        response.content.decode()
    )
    assert not FollowUpReport.objects.exists()


def test_a_leader_cannot_report_on_another_units_goals_by_file(
    client_for, cast, two_signed, points, run_queued_jobs
):
    workbook = download(client_for(cast.administrator), points[0])
    for row in workbook["Opfølgning"].iter_rows(min_row=2):
        row[3].value, row[4].value = "I gang", "Vi er i gang."
    client = client_for(cast.leader_b)
    response = upload(client, workbook)
    assert response.status_code == 302
    [job] = run_queued_jobs(Job.Kind.FOLLOW_UP_IMPORT)
    assert job.status == "failed"
    content = client.get(response["Location"]).content.decode()
    assert "Filen har 1 fejl; intet er gemt." in content
    assert (
        "Ark »Opfølgning«, række 3, kolonne A (Mål-id): "
        "Målet er ikke et, du kan følge op på i denne periode."
    ) in content
    assert not FollowUpReport.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(client_for, cast, signed, points):
    client = client_for(cast.leader_a)
    response = client.post(
        reverse("agreements:follow-up-upload"),
        {"file": SimpleUploadedFile("opfoelgning.csv", b"a;b", content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "Filen skal være en Excel-projektmappe (.xlsx)." in response.content.decode()
    response = client.post(
        reverse("agreements:follow-up-upload"),
        {"file": SimpleUploadedFile("opfoelgning.xlsx", b"not a zip", content_type=XLSX)},
    )
    assert "Filen kan ikke læses som en Excel-projektmappe (.xlsx)." in response.content.decode()


def test_a_file_larger_than_2_mb_is_refused(client_for, cast, signed, points):
    response = client_for(cast.leader_a).post(
        reverse("agreements:follow-up-upload"),
        {"file": SimpleUploadedFile("stor.xlsx", b"0" * (2 * 1024 * 1024 + 1), content_type=XLSX)},
    )
    assert response.status_code == 400
    assert "Filen er større end 2 MB." in response.content.decode()


def test_a_changed_heading_is_refused(client_for, cast, signed, points):
    client = client_for(cast.leader_a)
    workbook = download(client, points[0])
    workbook["Opfølgning"]["D1"] = "Tilstand"
    response = upload(client, workbook)
    assert "Overskrifterne i arket »Opfølgning« er ændret." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, points):
    assert client.get(reverse("agreements:follow-up-download")).status_code == 302
    assert client.post(reverse("agreements:follow-up-upload")).status_code == 302


def test_the_excel_import_service_saves_nothing_when_a_later_agreement_fails(
    cast, two_signed, points
):
    """Reports are saved agreement by agreement; a failure in the second undoes the first."""
    from agreements import excel

    parsed = excel.ParsedWorkbook(period_slug="aftaler-2027", point_id=points[0].pk)
    for number, agreement in enumerate(two_signed, start=2):
        goal = agreement.goals.get()
        status = "met" if number == 2 else ""
        parsed.goals.append(excel.GoalRow(number, str(goal.uuid), status, "Vurdering."))
    with pytest.raises(services.ImportRefused):
        services.import_follow_up(parsed, by=cast.administrator, submit=True)
    assert not FollowUpReport.objects.exists()
