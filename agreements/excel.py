"""Bulk follow-up as an Excel workbook, the same format both ways.

`build_workbook` writes the follow-up of one point for the agreements a person may report on:
the sheet "Opfølgning" (a row per goal: status and assessment) and the sheet "Målinger" (a row per
indicator: a new measurement), prefilled with the open draft or else the current report, and the
sheet "Om filen" naming the period and the point. `read_workbook` reads a filled-in file back into
typed rows and lists every error by sheet, row and column; the service `import_follow_up` checks
the references and saves everything, or nothing.

The workbook is always in Danish, whoever downloads it, so that a file travels between people.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zipfile import BadZipFile

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from goals.models import FollowUpReport, FollowUpStatus, Goal, GoalFollowUp, Indicator, Measurement

from .models import Agreement, FollowUpPoint

MAX_ROWS = 30_000


def _danish(text: Any) -> str:
    with translation.override("da"):
        return str(text)


def sheet_names() -> tuple[str, str, str]:
    with translation.override("da"):
        return _("Follow-up"), _("Measurements"), _("About the file")


def goal_headers() -> list[str]:
    with translation.override("da"):
        return [_("Goal id"), _("Unit"), _("Goal"), _("Status"), _("Assessment")]


def measurement_headers() -> list[str]:
    with translation.override("da"):
        return [
            _("Indicator id"),
            _("Unit"),
            _("Goal"),
            _("Indicator"),
            _("Unit of measure"),
            _("Date"),
            _("Value"),
        ]


def status_labels() -> dict[str, str]:
    """Danish label (lower case) → status, also accepting the stored value itself."""
    labels = {_danish(label).lower(): value for value, label in FollowUpStatus.choices}
    labels.update({value: value for value in FollowUpStatus.values})
    return labels


# --- Writing -----------------------------------------------------------------------------------


def goals_in_force_of(agreements: QuerySet[Agreement]) -> list[Goal]:
    """The goals in force of many agreements: the live goals of signed ones (two queries), and for
    an agreement with an amendment in preparation, those of its signed version."""
    agreements = agreements.select_related("signed_version")
    goals = list(
        Goal.objects.filter(agreement__in=agreements.filter(state=Agreement.State.SIGNED))
        .select_related("agreement__unit")
        .order_by("agreement__unit__name", "agreement__unit_id", "order")
    )
    amended = agreements.exclude(state=Agreement.State.SIGNED)
    for agreement in amended:
        assert agreement.signed_version is not None
        uuids = [goal["id"] for goal in agreement.signed_version.content["goals"]]
        goals += list(
            agreement.goals.filter(uuid__in=uuids)
            .select_related("agreement__unit")
            .order_by("order")
        )
    return goals


def build_workbook(point: FollowUpPoint, agreements: QuerySet[Agreement]) -> bytes:
    """The follow-up of `point` for the agreements (a constant number of queries)."""
    goals = goals_in_force_of(agreements.filter(period_id=point.period_id))
    goal_ids = [goal.pk for goal in goals]
    prefill: dict[int, GoalFollowUp] = {}
    for row in (
        GoalFollowUp.objects.filter(goal_id__in=goal_ids, report__point=point)
        .filter(Q(report__state=FollowUpReport.State.DRAFT) | Q(report__is_current=True))
        .select_related("report")
    ):
        if row.goal_id is not None and (row.goal_id not in prefill or row.report.is_draft):
            prefill[row.goal_id] = row
    indicators = list(
        Indicator.objects.filter(goal_id__in=goal_ids).order_by("goal_id", "order", "pk")
    )
    drafted = {
        m.indicator_id: m
        for m in Measurement.objects.filter(
            indicator__in=indicators, report__state=FollowUpReport.State.DRAFT, report__point=point
        )
    }
    goal_sheet_name, measurement_sheet_name, about_name = sheet_names()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = goal_sheet_name
    sheet.append(goal_headers())
    labels = {value: _danish(label) for value, label in FollowUpStatus.choices}
    for goal in goals:
        before = prefill.get(goal.pk)
        sheet.append(
            [
                str(goal.uuid),
                goal.agreement.unit.name,
                goal.title,
                labels.get(before.status, "") if before else "",
                before.assessment if before else "",
            ]
        )
    validation = DataValidation(
        type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True
    )
    validation.error = _danish(_("Choose a status from the list."))
    sheet.add_data_validation(validation)
    validation.add(f"D2:D{max(len(goals) + 1, 2)}")
    for column, width in zip("ABCDE", (38, 32, 50, 18, 80), strict=True):
        sheet.column_dimensions[column].width = width

    by_goal = {goal.pk: goal for goal in goals}
    measurements = workbook.create_sheet(measurement_sheet_name)
    measurements.append(measurement_headers())
    for indicator in indicators:
        goal = by_goal[indicator.goal_id]
        draft = drafted.get(indicator.pk)
        measurements.append(
            [
                indicator.pk,
                goal.agreement.unit.name,
                goal.title,
                indicator.name,
                indicator.unit_of_measure,
                draft.measured_on if draft else None,
                draft.value if draft else None,
            ]
        )
    for column, width in zip("ABCDEFG", (12, 32, 40, 40, 14, 14, 12), strict=True):
        measurements.column_dimensions[column].width = width
    for row in measurements.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].number_format = "DD-MM-YYYY"

    about = workbook.create_sheet(about_name)
    with translation.override("da"):
        about.append([_("Period"), point.period.slug])
        about.append([_("Follow-up point"), point.pk])
        about.append([_("Name"), point.name])
        about.append(
            [
                _("How to fill in"),
                _(
                    "Give each goal a status from the list and a written assessment; add new "
                    "measurements with their date in the sheet Målinger. Do not change the id "
                    "columns or the headings."
                ),
            ]
        )
    for sheet_ in (sheet, measurements, about):
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    measurements.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    heading: str
    message: str

    def __str__(self) -> str:
        return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s (%(heading)s): %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "heading": self.heading,
            "message": self.message,
        }


@dataclass
class GoalRow:
    row: int
    goal_uuid: str
    status: str
    assessment: str


@dataclass
class MeasurementRow:
    row: int
    indicator_id: int
    measured_on: date
    value: Decimal


@dataclass
class ParsedWorkbook:
    period_slug: str = ""
    point_id: int | None = None
    goals: list[GoalRow] = field(default_factory=list)
    measurements: list[MeasurementRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.file_errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = _text(value).replace(" ", "").replace("\xa0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation(text)
    return number


def read_workbook(upload: IO[bytes], *, submitting: bool = False) -> ParsedWorkbook:
    """Read a filled-in workbook into typed rows; every error names its sheet, row and column.
    To submit, every goal row needs a status and an assessment; a draft needs neither."""
    parsed = ParsedWorkbook()
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        parsed.file_errors.append(_("The file cannot be read as an Excel workbook (.xlsx)."))
        return parsed
    goal_sheet, measurement_sheet, about_sheet = sheet_names()
    missing = [name for name in sheet_names() if name not in workbook.sheetnames]
    if missing:
        parsed.file_errors.append(
            _("The file lacks the sheet(s) %(names)s. Use the file downloaded here.")
            % {"names": ", ".join(f"“{name}”" for name in missing)}
        )
        return parsed

    about = {
        _text(row[0]): row[1] for row in workbook[about_sheet].iter_rows(values_only=True) if row
    }
    with translation.override("da"):
        period_key, point_key = _("Period"), _("Follow-up point")
    parsed.period_slug = _text(about.get(period_key))
    try:
        parsed.point_id = int(_text(about.get(point_key)))
    except ValueError:
        parsed.file_errors.append(
            _(
                "The sheet “%(sheet)s” does not name the follow-up point. "
                "Use the file downloaded here."
            )
            % {"sheet": about_sheet}
        )

    labels = status_labels()
    goal_heads = goal_headers()
    rows = workbook[goal_sheet].iter_rows(values_only=True)
    header = [_text(value) for value in next(rows, ())][: len(goal_heads)]
    if header != goal_heads:
        parsed.file_errors.append(
            _("The headings of the sheet “%(sheet)s” have been changed. Expected: %(headings)s.")
            % {"sheet": goal_sheet, "headings": ", ".join(goal_heads)}
        )
        return parsed
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            parsed.file_errors.append(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
            return parsed
        cells = [*values, *([None] * 5)][:5]
        goal_uuid, _unit, _goal, status_text, assessment = (_text(value) for value in cells)
        if not any((goal_uuid, status_text, assessment)):
            continue

        def error(column: str, message: str, number: int = number) -> None:
            heading = goal_heads["ABCDE".index(column)]
            parsed.errors.append(RowError(goal_sheet, number, column, heading, message))

        if not goal_uuid:
            error("A", _("The goal id is missing; do not change the id column."))
            continue
        if goal_uuid in seen:
            error("A", _("The goal is also on row %(row)s.") % {"row": seen[goal_uuid]})
            continue
        seen[goal_uuid] = number
        status = ""
        if status_text:
            status = labels.get(status_text.lower(), "")
            if not status:
                error(
                    "D",
                    _("“%(value)s” is not a status. Choose one of: %(choices)s.")
                    % {
                        "value": status_text,
                        "choices": ", ".join(
                            _danish(label) for _v, label in FollowUpStatus.choices
                        ),
                    },
                )
        if submitting and not status_text:
            error("D", _("Choose the goal's status."))
        if submitting and not assessment:
            error("E", _("Write an assessment of how the goal is going."))
        if len(assessment) > 20_000:
            error("E", _("The assessment is longer than 20,000 characters."))
        parsed.goals.append(GoalRow(number, goal_uuid, status, assessment))

    measurement_heads = measurement_headers()
    rows = workbook[measurement_sheet].iter_rows(values_only=True)
    header = [_text(value) for value in next(rows, ())][: len(measurement_heads)]
    if header != measurement_heads:
        parsed.file_errors.append(
            _("The headings of the sheet “%(sheet)s” have been changed. Expected: %(headings)s.")
            % {"sheet": measurement_sheet, "headings": ", ".join(measurement_heads)}
        )
        return parsed
    indicators_seen: dict[int, int] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            parsed.file_errors.append(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
            return parsed
        cells = [*values, *([None] * 7)][:7]
        indicator_text, day_value, amount = _text(cells[0]), cells[5], cells[6]
        if not indicator_text and day_value in (None, "") and amount in (None, ""):
            continue

        def error(column: str, message: str, number: int = number) -> None:
            heading = measurement_heads["ABCDEFG".index(column)]
            parsed.errors.append(RowError(measurement_sheet, number, column, heading, message))

        try:
            indicator_id = int(indicator_text)
        except ValueError:
            error("A", _("The indicator id is missing; do not change the id column."))
            continue
        if day_value in (None, "") and amount in (None, ""):
            continue  # no new measurement of this indicator
        if indicator_id in indicators_seen:
            error(
                "A",
                _("The indicator is also on row %(row)s.") % {"row": indicators_seen[indicator_id]},
            )
            continue
        indicators_seen[indicator_id] = number
        measured_on: date | None = None
        value: Decimal | None = None
        if day_value in (None, ""):
            error("F", _("Give the date of the measurement."))
        else:
            try:
                measured_on = _date(day_value)
            except ValueError:
                error(
                    "F",
                    _("“%(value)s” is not a date; write it as 31-12-2026.")
                    % {"value": _text(day_value)},
                )
        if amount in (None, ""):
            error("G", _("Give the measured value."))
        else:
            try:
                value = _decimal(amount)
                if abs(value) >= Decimal("1e12"):
                    raise InvalidOperation
                value = value.quantize(Decimal("0.01"))
            except InvalidOperation:
                value = None
                error("G", _("“%(value)s” is not a number.") % {"value": _text(amount)})
        if measured_on is not None and value is not None:
            parsed.measurements.append(MeasurementRow(number, indicator_id, measured_on, value))
    workbook.close()
    return parsed
