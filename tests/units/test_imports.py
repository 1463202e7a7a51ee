"""Reading and validating the spreadsheets of the bulk import; the templates."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from units import imports
from units.imports import RowError, SiteData
from units.models import Unit, unit_slug

pytestmark = pytest.mark.django_db

HEADER = [
    "Enhed",
    "Type",
    "Område",
    "Udvalg",
    "Adresse",
    "Arbejdssteder",
    "Leders navn",
    "Leders e-mail",
]


def row(name: str, **cells: str) -> list[str]:
    values = {
        "Enhed": name,
        "Type": "Dagtilbud",
        "Område": "Børn og Skole",
        "Udvalg": "Skole- og Uddannelsesudvalget",
        "Adresse": "Solsikkevej 4, 8900 Randers C",
        "Arbejdssteder": "",
        "Leders navn": f"Leder af {name}",
        "Leders e-mail": f"{unit_slug(name)}@randers.dk",
    }
    values.update(cells)
    return [values[column] for column in HEADER]


def csv_file(
    rows: list[list[str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    name: str = "enheder.csv",
) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[str]], name: str = "enheder.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def validate(upload: SimpleUploadedFile) -> imports.Validation:
    return imports.validate_table(imports.read_table(upload))


def test_a_valid_file_gives_every_row_ready_to_import(organisation):
    result = validate(
        csv_file(
            [
                HEADER,
                row(
                    "Børnehuset Solsikken",
                    Arbejdssteder=(
                        "Afdeling Vorup, Vorupvej 12, 8940 Randers SV; Afdeling Kristrup"
                    ),
                ),
                row(
                    "Vuggestuen Mælkebøtten",
                    Type="dagtilbud",
                    Udvalg="skole-og-uddannelsesudvalget",
                ),
            ]
        )
    )
    assert result.errors == []
    assert result.is_valid
    first, second = result.rows
    assert (first.number, first.name, first.kind, first.area_id, first.leader_email) == (
        2,
        "Børnehuset Solsikken",
        Unit.Kind.DAYCARE,
        organisation.area_a.pk,
        "boernehuset-solsikken@randers.dk",
    )
    assert first.sites == (
        SiteData("Afdeling Vorup", "Vorupvej 12", "8940", "Randers SV"),
        SiteData("Afdeling Kristrup", "", "", ""),
    )
    assert (second.number, second.committee_id) == (3, organisation.school_committee.pk)


def test_one_bad_row_names_the_row_and_column_and_nothing_is_ready(organisation):
    result = validate(
        csv_file(
            [
                HEADER,
                row("Børnehuset Solsikken"),
                row("Vuggestuen Mælkebøtten", Område="Børn og Skolen"),
                row("Børnehaven Regnbuen"),
            ]
        )
    )
    assert result.errors == [
        RowError(
            3,
            "Område",
            "»Børn og Skolen« er ikke et område. Vælg et af: Børn og Skole, Miljø og Teknik.",
        )
    ]
    assert result.rows == []
    assert not result.is_valid


def test_every_problem_of_a_row_is_named(organisation):
    result = validate(
        csv_file(
            [
                HEADER,
                row(
                    "Børnehuset Solsikken",
                    Type="Børnehave",
                    Udvalg="",
                    Arbejdssteder="Afdeling Vorup, Vorupvej 12, 894 Randers",
                    **{"Leders e-mail": "ikke-en-mail"},
                ),
            ]
        )
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Udvalg"),
        (2, "Type"),
        (2, "Arbejdssteder"),
        (2, "Leders e-mail"),
    ]
    messages = [e.message for e in result.errors]
    assert messages[0] == "Udfyld cellen."
    assert messages[1].startswith("»Børnehave« er ikke en type enhed. Vælg en af: Skole, Dagtilbud")
    assert messages[2] == (
        "Skriv postnummer og by for »Afdeling Vorup« som fire cifre og byen, fx 8900 Randers C."
    )
    assert messages[3] == "»ikke-en-mail« er ikke en e-mailadresse."


def test_headers_may_be_english_in_any_order_and_unknown_columns_are_ignored(organisation):
    header = ["Leader's e-mail", "Unit", "Kind", "Area", "Committee", "Leader's name", "Notes"]
    cells = [
        "anne@randers.dk",
        "Børnehuset Solsikken",
        "Day care",
        "boern-og-skole",
        "Skole- og Uddannelsesudvalget",
        "Anne Marie Hansen",
        "noget",
    ]
    result = validate(csv_file([header, cells], delimiter=","))
    assert result.errors == []
    assert (result.rows[0].leader_name, result.rows[0].address) == ("Anne Marie Hansen", "")


def test_a_missing_column_is_named(organisation):
    header = [c for c in HEADER if c != "Udvalg"]
    result = validate(csv_file([header, row("Børnehuset Solsikken")[:-1]]))
    assert result.errors == [RowError(1, "Udvalg", "Kolonnen mangler i overskriftsrækken.")]


def test_a_unit_twice_in_the_file_is_an_error_on_the_second_row(organisation):
    other_leader = {"Leders navn": "Anne Hansen", "Leders e-mail": "anne@randers.dk"}
    result = validate(
        csv_file(
            [HEADER, row("Børnehuset Solsikken"), row("Børnehuset  solsikken", **other_leader)]
        )
    )
    assert result.errors == [RowError(3, "Enhed", "Enheden står også i række 2.")]


def test_one_email_with_two_names_is_an_error(organisation):
    result = validate(
        csv_file(
            [
                HEADER,
                row("Børnehuset Solsikken", **{"Leders e-mail": "x@randers.dk"}),
                row("Vuggestuen Spiren", **{"Leders e-mail": "X@randers.dk"}),
            ]
        )
    )
    assert result.errors == [
        RowError(
            3,
            "Leders navn",
            "Række 2 har samme e-mail med navnet »Leder af Børnehuset Solsikken«.",
        )
    ]


def test_one_leader_of_two_units_is_fine(organisation):
    same = {"Leders navn": "Anne Hansen", "Leders e-mail": "anne@randers.dk"}
    result = validate(
        csv_file([HEADER, row("Børnehuset Solsikken", **same), row("Vuggestuen Spiren", **same)])
    )
    assert (result.errors, len(result.rows)) == ([], 2)


def test_units_that_exist_already_are_valid_and_listed_to_be_skipped(organisation):
    result = validate(csv_file([HEADER, row("Tirsdalens Skole"), row("Børnehuset Solsikken")]))
    assert result.errors == []
    assert result.existing == ["Tirsdalens Skole"]
    assert len(result.rows) == 2


def test_empty_rows_are_skipped_and_numbers_follow_the_spreadsheet(organisation):
    result = validate(xlsx_file([HEADER, ["", ""], row("Børnehuset Solsikken", Type="Skole2")]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "Type")]


def test_a_windows_csv_from_danish_excel_is_read(organisation):
    result = validate(csv_file([HEADER, row("Børnehuset Æblehaven")], encoding="cp1252"))
    assert result.errors == []
    assert result.rows[0].name == "Børnehuset Æblehaven"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("enheder.pdf", b"%PDF-1.4"),
            "Upload en Excel-projektmappe (.xlsx) eller en CSV-fil (.csv), ikke .pdf.",
        ),
        (
            SimpleUploadedFile("enheder.xlsx", b"not a zip file"),
            "Filen kan ikke læses som en Excel-projektmappe (.xlsx).",
        ),
        (SimpleUploadedFile("enheder.csv", b"   "), "Filen er tom."),
        (
            SimpleUploadedFile("enheder.csv", b"x" * (imports.MAX_BYTES + 1)),
            "Filen er større end 2 MB; del den op i mindre filer.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(upload, message):
    with pytest.raises(imports.ImportFileError) as error:
        imports.read_table(upload)
    assert str(error.value) == message


def test_too_many_rows_are_refused(organisation):
    rows = [HEADER] + [row(f"Enhed {n}") for n in range(imports.MAX_ROWS + 1)]
    result = validate(csv_file(rows))
    assert result.errors == [
        RowError(
            imports.MAX_ROWS + 2, "", "Filen har mere end 1000 enheder; del den op i mindre filer."
        )
    ]


def test_the_excel_template_reads_back_as_two_valid_example_rows(organisation):
    data = imports.template_xlsx()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Enheder", "Vejledning"]
    assert [cell.value for cell in workbook["Enheder"][1]] == HEADER
    guidance = [row[0] for row in workbook["Vejledning"].iter_rows(values_only=True)]
    assert "Børn og Skole" in guidance
    assert "Dagtilbud" in guidance
    result = validate(SimpleUploadedFile("skabelon.xlsx", data))
    assert result.errors == []
    assert [r.name for r in result.rows] == ["Børnehuset Solsikken", "Vuggestuen Mælkebøtten"]


def test_the_csv_template_has_the_same_columns_and_reads_back(organisation):
    data = imports.template_csv()
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0] == ";".join(HEADER)
    result = validate(SimpleUploadedFile("skabelon.csv", data))
    assert (result.errors, len(result.rows)) == ([], 2)


def test_rows_survive_the_trip_through_the_jobs_json(organisation):
    result = validate(
        csv_file([HEADER, row("Børnehuset Solsikken", Arbejdssteder="Afdeling Vorup")])
    )
    (first,) = result.rows
    assert imports.ImportRow.from_json(first.as_json()) == first


def test_names_are_split_into_first_and_last():
    assert imports.split_name("Anne  Marie Hansen") == ("Anne Marie", "Hansen")
    assert imports.split_name("Cher") == ("Cher", "")
