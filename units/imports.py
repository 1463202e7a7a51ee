"""Bulk onboarding from a spreadsheet: the columns, reading .xlsx and .csv files, validating every
row before anything is imported, and the downloadable templates.

Excel and CSV files have the same columns. Headers may be written in Danish or English, in any
order; unknown columns are ignored. Rows are numbered as the spreadsheet shows them (the header is
row 1), so that each error names the row and the column the administrator sees.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from .models import Area, Committee, Unit, unit_slug

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
EXTENSIONS = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool
    help: Promise
    example: str


COLUMNS = [
    Column(
        "name",
        gettext_lazy("Unit"),
        True,
        gettext_lazy(
            "The unit's name as it is to be shown. A unit that exists already is skipped."
        ),
        "Børnehuset Solsikken",
    ),
    Column(
        "kind",
        gettext_lazy("Kind"),
        True,
        gettext_lazy("One of the kinds listed below."),
        "Dagtilbud",
    ),
    Column(
        "area",
        gettext_lazy("Area"),
        True,
        gettext_lazy("The name of one of the areas listed below."),
        "Børn og Skole",
    ),
    Column(
        "committee",
        gettext_lazy("Committee"),
        True,
        gettext_lazy("The name of one of the committees listed below."),
        "Børne- og Familieudvalget",
    ),
    Column(
        "address",
        gettext_lazy("Address"),
        False,
        gettext_lazy("The unit's own address."),
        "Solsikkevej 4, 8900 Randers C",
    ),
    Column(
        "sites",
        gettext_lazy("Sites"),
        False,
        gettext_lazy(
            "The unit's sites, separated by semicolons; each written as name, address, postal "
            "code and city, separated by commas."
        ),
        "Afdeling Vorup, Vorupvej 12, 8940 Randers SV; Afdeling Kristrup, Kristrupvej 3, "
        "8960 Randers SØ",
    ),
    Column(
        "leader_name",
        gettext_lazy("Leader's name"),
        True,
        gettext_lazy("First and last name of the unit's leader."),
        "Camilla Nørgaard",
    ),
    Column(
        "leader_email",
        gettext_lazy("Leader's e-mail"),
        True,
        gettext_lazy(
            "The leader's work e-mail. A new person gets an e-mail with a link to set a "
            "password; a person who exists already keeps their access."
        ),
        "cano@randers.dk",
    ),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the administrator."""


@dataclass(frozen=True)
class SiteData:
    name: str
    address: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class ImportRow:
    """One valid row, ready to import; stored as JSON in the import job."""

    number: int
    name: str
    kind: str
    area_id: int
    committee_id: int
    leader_name: str
    leader_email: str
    address: str = ""
    sites: tuple[SiteData, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ImportRow":
        return cls(**{**data, "sites": tuple(SiteData(**site) for site in data.get("sites", []))})


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Validation:
    rows: list[ImportRow]
    errors: list[RowError]
    existing: list[str]  # names of units that exist already and will be skipped

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def split_name(full_name: str) -> tuple[str, str]:
    """First and last name: `Anne Marie Hansen` is (`Anne Marie`, `Hansen`)."""
    first, _sep, last = " ".join(full_name.split()).rpartition(" ")
    return (first, last) if first else (last, "")


# --- Reading -------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append([_cell(value) for value in row])
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ImportFileError(_("The file's characters cannot be read; save it as CSV (UTF-8)."))
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    table = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        table.append([value.strip() for value in row])
        if len(table) > MAX_ROWS + 1:
            break
    return table


def read_table(upload: UploadedFile) -> list[list[str]]:
    """The cells of the file's first sheet as text, row by row."""
    extension = Path(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ImportFileError(
            _("Upload an Excel workbook (.xlsx) or a CSV file (.csv), not %(type)s.")
            % {"type": extension or _("a file without a type")}
        )
    if upload.size is None or upload.size > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    return _read_xlsx(data) if extension == ".xlsx" else _read_csv(data)


# --- Validating ----------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _names_in_both_languages(label: Promise) -> set[str]:
    names = set()
    for language in ("da", "en"):
        with translation.override(language):
            names.add(_normal(str(label)))
    return names


def _header_map(header: Sequence[str]) -> dict[str, int]:
    known = {
        name: column.key for column in COLUMNS for name in _names_in_both_languages(column.label)
    }
    known.update({column.key: column.key for column in COLUMNS})
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = known.get(_normal(title))
        if key and key not in positions:
            positions[key] = index
    return positions


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Unit.Kind.choices:
        lookup[_normal(value)] = value
        for name in _names_in_both_languages(label):
            lookup[name] = value
    return lookup


_SITE_CITY = re.compile(r"^(\d{4})\s+(\S.*)$")


def _parse_sites(text: str) -> tuple[list[SiteData], str | None]:
    sites = []
    for part in text.split(";"):
        if not part.strip():
            continue
        pieces = [piece.strip() for piece in part.split(",")]
        name, rest = pieces[0], pieces[1:]
        if not name:
            return [], _("Each site needs a name before its address.")
        postal_code = city = ""
        if rest and (match := _SITE_CITY.match(rest[-1])):
            postal_code, city = match.group(1), match.group(2)
            rest = rest[:-1]
        elif rest and re.match(r"^\d", rest[-1]):
            return [], _(
                "Write the postal code and city of “%(site)s” as four digits and the city, "
                "e.g. 8900 Randers C."
            ) % {"site": name}
        address = ", ".join(rest)
        if len(name) > 200 or len(address) > 200 or len(city) > 100:
            return [], _("The site “%(site)s” has too long a name or address.") % {"site": name}
        sites.append(SiteData(name=name, address=address, postal_code=postal_code, city=city))
    return sites, None


def validate_table(table: Sequence[Sequence[str]]) -> Validation:
    """Check every row (reading the areas, committees, existing units and people in a few
    queries); return the rows ready to import, or the errors by row and column."""
    errors: list[RowError] = []
    numbered = [(number, list(row)) for number, row in enumerate(table, start=1) if any(row)]
    if not numbered:
        return Validation([], [RowError(1, "", _("The file has no rows."))], [])
    header_number, header = numbered[0]
    positions = _header_map(header)
    missing = [column for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        return Validation(
            [],
            [
                RowError(
                    header_number, str(column.label), _("The column is missing from the header.")
                )
                for column in missing
            ],
            [],
        )
    data_rows = numbered[1:]
    if not data_rows:
        return Validation(
            [], [RowError(header_number + 1, "", _("The file has no units below the header."))], []
        )
    if len(data_rows) > MAX_ROWS:
        return Validation(
            [],
            [
                RowError(
                    MAX_ROWS + 2,
                    "",
                    _("The file has more than %(max)s units; split it into smaller files.")
                    % {"max": MAX_ROWS},
                )
            ],
            [],
        )

    kinds = _kind_lookup()
    areas: dict[str, Area] = {}
    for each_area in Area.objects.all():
        areas[_normal(each_area.name)] = areas[_normal(each_area.slug)] = each_area
    committees: dict[str, Committee] = {}
    for each_committee in Committee.objects.all():
        committees[_normal(each_committee.name)] = committees[_normal(each_committee.slug)] = (
            each_committee
        )

    def value(row: Sequence[str], key: str) -> str:
        index = positions.get(key)
        return (row[index] if index is not None and index < len(row) else "").strip()

    existing_slugs = set(
        Unit.objects.filter(
            slug__in=[unit_slug(value(row, "name")) for _number, row in data_rows]
        ).values_list("slug", flat=True)
    )
    seen_units: dict[str, int] = {}
    seen_leaders: dict[str, tuple[str, int]] = {}
    valid: list[ImportRow] = []
    existing: list[str] = []
    for number, row in data_rows:
        row_errors: list[RowError] = []

        def error(
            key: str, message: str, number: int = number, found: list[RowError] = row_errors
        ) -> None:
            found.append(RowError(number, str(COLUMNS_BY_KEY[key].label), message))

        for column in COLUMNS:
            if column.required and not value(row, column.key):
                error(column.key, _("Fill in the cell."))

        name = value(row, "name")
        if len(name) > 200:
            error("name", _("The name is longer than 200 characters."))
        elif name and not unit_slug(name):
            error("name", _("The name must contain letters or digits."))
        elif name:
            slug = unit_slug(name)
            if slug in seen_units:
                error("name", _("The unit is also on row %(row)s.") % {"row": seen_units[slug]})
            seen_units.setdefault(slug, number)

        kind = kinds.get(_normal(value(row, "kind")))
        if value(row, "kind") and kind is None:
            error(
                "kind",
                _("“%(value)s” is not a kind of unit. Choose one of: %(choices)s.")
                % {
                    "value": value(row, "kind"),
                    "choices": ", ".join(str(label) for _v, label in Unit.Kind.choices),
                },
            )
        area = areas.get(_normal(value(row, "area")))
        if value(row, "area") and area is None:
            error(
                "area",
                _("“%(value)s” is not an area. Choose one of: %(choices)s.")
                % {
                    "value": value(row, "area"),
                    "choices": ", ".join(sorted({a.name for a in areas.values()})),
                },
            )
        committee = committees.get(_normal(value(row, "committee")))
        if value(row, "committee") and committee is None:
            error(
                "committee",
                _("“%(value)s” is not a committee. Choose one of: %(choices)s.")
                % {
                    "value": value(row, "committee"),
                    "choices": ", ".join(sorted({c.name for c in committees.values()})),
                },
            )
        address = value(row, "address")
        if len(address) > 200:
            error("address", _("The address is longer than 200 characters."))
        sites, site_error = _parse_sites(value(row, "sites"))
        if site_error:
            error("sites", site_error)

        leader_name = " ".join(value(row, "leader_name").split())
        first, last = split_name(leader_name)
        if len(first) > 150 or len(last) > 150:
            error("leader_name", _("The name is too long."))
        leader_email = value(row, "leader_email").lower()
        if len(leader_email) > 150:
            error("leader_email", _("The e-mail address is longer than 150 characters."))
        elif leader_email:
            try:
                validate_email(leader_email)
            except ValidationError:
                error(
                    "leader_email",
                    _("“%(value)s” is not an e-mail address.")
                    % {"value": value(row, "leader_email")},
                )
            else:
                earlier = seen_leaders.get(leader_email)
                if earlier and earlier[0] != leader_name:
                    error(
                        "leader_name",
                        _("Row %(row)s gives the same e-mail with the name “%(name)s”.")
                        % {"row": earlier[1], "name": earlier[0]},
                    )
                seen_leaders.setdefault(leader_email, (leader_name, number))

        if row_errors:
            errors.extend(row_errors)
            continue
        assert kind is not None
        assert area is not None
        assert committee is not None
        if unit_slug(name) in existing_slugs:
            existing.append(name)
        valid.append(
            ImportRow(
                number=number,
                name=name,
                kind=kind,
                area_id=area.pk,
                committee_id=committee.pk,
                leader_name=leader_name,
                leader_email=leader_email,
                address=address,
                sites=tuple(sites),
            )
        )
    return Validation(valid if not errors else [], errors, existing if not errors else [])


# --- Templates -----------------------------------------------------------------------------------


def _examples() -> list[list[str]]:
    """Two example rows, with the municipality's own areas and committees where they exist."""
    area = Area.objects.order_by("name").first()
    committee = Committee.objects.order_by("name").first()
    first = [str(column.example) for column in COLUMNS]
    first[1] = str(Unit.Kind.DAYCARE.label)
    if area is not None:
        first[2] = area.name
    if committee is not None:
        first[3] = committee.name
    second = [
        "Vuggestuen Mælkebøtten",
        first[1],
        first[2],
        first[3],
        "Engvej 8, 8920 Randers NV",
        "",
        "Jonas Friis",
        "jofr@randers.dk",
    ]
    return [first, second]


def template_header() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with a byte order mark and semicolons, as Danish Excel saves."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(template_header())
    writer.writerows(_examples())
    return out.getvalue().encode("utf-8-sig")


def _guidance_rows() -> Iterable[list[str]]:
    yield [_("Column"), _("Required"), _("What to write")]
    for column in COLUMNS:
        yield [str(column.label), _("Yes") if column.required else _("No"), str(column.help)]
    yield []
    yield [_("Kinds")]
    for _value, label in Unit.Kind.choices:
        yield [str(label)]
    yield []
    yield [_("Areas")]
    for area in Area.objects.order_by("name"):
        yield [area.name]
    yield []
    yield [_("Committees")]
    for committee in Committee.objects.order_by("name"):
        yield [committee.name]


def template_xlsx() -> bytes:
    """The template as an Excel workbook: the units sheet first, then a sheet of guidance with the
    valid kinds, areas and committees."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Units")[:31]
    sheet.append(template_header())
    for row in _examples():
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = 45 if column.key == "sites" else 28
    guidance = workbook.create_sheet(_("Guidance")[:31])
    for row in _guidance_rows():
        guidance.append(row)
    guidance.column_dimensions["A"].width = 40
    guidance.column_dimensions["C"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
