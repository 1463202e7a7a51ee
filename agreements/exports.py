"""Excel workbooks for the secretariat, built with openpyxl in write-only mode (constant memory)."""

from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from goals.models import Goal

from .models import Agreement
from .selectors import latest_follow_ups


def overview_workbook(agreements: QuerySet[Agreement], site: str) -> bytes:
    """One row per agreement of the overview, as filtered; links point at `site`."""
    overdue = {
        "submit": _("Submission"),
        "review": _("Review by the director"),
        "approve": _("The committee's approval"),
        "sign": _("Signing"),
    }
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Agreements"))
    sheet.append(
        [
            _("Unit"),
            _("Kind"),
            _("Area"),
            _("Committee"),
            _("Period"),
            _("State"),
            _("Overdue"),
            _("Last changed"),
            _("Link"),
        ]
    )
    for agreement in agreements.iterator(chunk_size=500):
        sheet.append(
            [
                agreement.unit.name,
                str(agreement.unit.get_kind_display()),
                agreement.unit.area.name,
                agreement.unit.committee.name,
                agreement.period.name,
                str(agreement.get_state_display()),
                overdue.get(getattr(agreement, "overdue", ""), ""),
                agreement.updated_at.replace(tzinfo=None),
                site.rstrip("/") + agreement.get_absolute_url(),
            ]
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def goals_workbook(agreements: QuerySet[Agreement], site: str) -> bytes:
    """One row per goal of the overview's agreements, with its latest submitted follow-up (or the
    follow-up of the goal it was carried over from). A constant number of queries: the goals in
    one, their council goals and latest follow-ups in one each."""

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Goals"))
    sheet.append(
        [
            _("Unit"),
            _("Area"),
            _("Committee"),
            _("Period"),
            _("State"),
            _("Goal"),
            _("Kind"),
            _("Council goals"),
            _("Success criterion"),
            _("Latest follow-up"),
            _("Status"),
            _("Assessment"),
            _("Link"),
        ]
    )
    goals = (
        Goal.objects.filter(agreement__in=agreements.order_by().values("pk"))
        .select_related("agreement__unit__area", "agreement__unit__committee", "agreement__period")
        .prefetch_related("council_goals")
        .order_by("agreement__unit__name", "agreement__pk", "order")
    )
    goal_list = list(goals)
    latest = latest_follow_ups(goal_list)
    for goal in goal_list:
        follow_up = latest[goal.pk]
        agreement = goal.agreement
        sheet.append(
            [
                agreement.unit.name,
                agreement.unit.area.name,
                agreement.unit.committee.name,
                agreement.period.name,
                str(agreement.get_state_display()),
                goal.title,
                str(goal.get_kind_display()),
                ", ".join(c.title for c in goal.council_goals.all()),
                goal.success_criterion,
                follow_up.report.point.name if follow_up else "",
                str(follow_up.get_status_display()) if follow_up else "",
                follow_up.assessment if follow_up else "",
                site.rstrip("/") + agreement.get_absolute_url(),
            ]
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
