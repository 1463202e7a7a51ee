"""Excel workbooks for the secretariat, built with openpyxl in write-only mode (constant memory)."""

from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import Agreement


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
