"""Agreements as PDF: one agreement (WeasyPrint), and the agreement book (pypdf).

`render_agreement_pdf(version) -> bytes` is a plain function, testable without a worker. It renders
the same content dict the web page shows (`selectors.PdfSource`, made from a frozen version or a
draft's live rows) through the print templates in `templates/agreements/pdf/` with the print
stylesheet `static/css/pdf.css`: A4, the municipality's header, a title page, contents, the
sections, the goals with their indicators, the budget frame, the consultations and the signature
block with the content's SHA-256; "Side X af Y" at the foot of each page, and an UDKAST watermark
on everything that is not a signed version. The PDF is tagged (PDF/UA-1), in Danish, with a title.

WeasyPrint may fetch nothing but the project's own static files (the fonts and the stylesheet):
`StaticFilesOnly` answers those from the static files finders and refuses every other address.
"""

import io
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from .models import Agreement, AgreementVersion
from .selectors import PdfSource, pdf_source_for_version

logger = logging.getLogger(__name__)

# Relative URLs in the print templates resolve against this base; it is never fetched over a
# network: the fetcher answers paths under /static/ from the project's static files.
BASE_URL = "https://aftalestyring.invalid/"
STATIC_PREFIX = f"{BASE_URL}static/"
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, restricted to the project's own static files."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_PREFIX):
            logger.warning("PDF rendering refused to fetch %s", url)
            raise PermissionError(f"Only the project's static files may be fetched, not {url}")
        path = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
        try:
            found = finders.find(path)
        except SuspiciousFileOperation:
            found = None
        if not found:
            candidate = Path(settings.STATIC_ROOT) / path
            root = Path(settings.STATIC_ROOT).resolve()
            if candidate.resolve().is_relative_to(root) and candidate.is_file():
                found = str(candidate)
        if not found:
            raise FileNotFoundError(f"No static file {path}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=Path(str(found)).read_bytes(), headers={"Content-Type": content_type}
        )


# --- One agreement -----------------------------------------------------------------------------


WATERMARKS = {
    Agreement.State.REVOKED: "TILBAGEKALDT",
    Agreement.State.SIGNED: "",
}


CHART_COLOURS = {"baseline": "#747474", "target": "#0059b3"}


@dataclass
class Bar:
    label: str
    value: str
    length: float  # in the chart's units: 0-120
    y: int
    colour: str

    @property
    def value_x(self) -> float:
        return 44 + self.length


def _decimal(value: str | None) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def indicator_chart(indicator: dict[str, Any]) -> list[Bar]:
    """The bars of an indicator's chart: baseline and target on one scale, each with its value
    written beside it (colour and length are never the only carriers of the figure).

    The hook for the measured values: when the goals app draws an indicator's development as SVG,
    `templates/agreements/pdf/indicator_chart.html` includes that drawing instead."""
    bars = []
    for label, key in ((_("Baseline"), "baseline"), (_("Target"), "target")):
        value = _decimal(indicator.get(key))
        if value is not None:
            bars.append((str(label), key, value))
    top = max((abs(value) for _label, _key, value in bars), default=Decimal(0)) or Decimal(1)
    unit = indicator.get("unit_of_measure", "")
    return [
        Bar(
            label=label,
            value=f"{indicator[key]} {unit}".strip(),
            length=round(max(float(abs(value) / top * 120), 0.5), 1),
            y=index * 12,
            colour=CHART_COLOURS[key],
        )
        for index, (label, key, value) in enumerate(bars)
    ]


def agreement_html(source: PdfSource) -> str:
    """The print HTML of one agreement, always in Danish (it is the public text)."""
    with translation.override("da"):
        title = _("Agreement %(period)s – %(unit)s") % {
            "period": source.content["period"]["name"],
            "unit": source.content["unit"]["name"],
        }
        goals = [
            {
                **goal,
                "indicators": [
                    {**indicator, "bars": indicator_chart(indicator)}
                    for indicator in goal["indicators"]
                ],
            }
            for goal in source.content["goals"]
        ]
        return render_to_string(
            "agreements/pdf/agreement.html",
            {
                "source": source,
                "content": source.content,
                "goals": goals,
                "title": title,
                "state_label": Agreement.State(source.state).label,
                "watermark": WATERMARKS.get(Agreement.State(source.state), "UDKAST"),
                "municipality_name": settings.MUNICIPALITY_NAME,
            },
        )


def write_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint alone: the HTML to a tagged PDF, and its page count."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render(
        **PDF_OPTIONS
    )
    data = document.write_pdf(**PDF_OPTIONS)
    assert data is not None
    return data, len(document.pages)


def render_agreement_pdf(version: AgreementVersion | PdfSource) -> bytes:
    """An agreement version (a frozen one, or a `PdfSource` of a draft's content) as PDF."""
    source = version if isinstance(version, PdfSource) else pdf_source_for_version(version)
    return render_agreement_pdf_with_pages(source)[0]


def render_agreement_pdf_with_pages(source: PdfSource) -> tuple[bytes, int]:
    return write_pdf(agreement_html(source))


# --- The agreement book ------------------------------------------------------------------------


@dataclass
class BookEntry:
    """One agreement in a book: its title in the contents and bookmarks, and its PDF."""

    title: str
    group: str
    state_label: str
    data: bytes
    pages: int
    start_page: int = 0


def _cover_pdf(
    *, title: str, subtitle: str, made_on: str, entries: Sequence[BookEntry]
) -> tuple[bytes, int]:
    with translation.override("da"):
        html = render_to_string(
            "agreements/pdf/book_cover.html",
            {
                "title": title,
                "subtitle": subtitle,
                "made_on": made_on,
                "entries": entries,
                "municipality_name": settings.MUNICIPALITY_NAME,
            },
        )
    return write_pdf(html)


def assemble_book(
    *, title: str, subtitle: str, made_on: str, entries: Sequence[BookEntry]
) -> tuple[bytes, int]:
    """One PDF: a cover with the contents (with each agreement's first page), then every
    agreement's own PDF, with a bookmark for each (the unit's name) that holds the agreement's
    own bookmarks."""
    cover, cover_pages = _cover_pdf(title=title, subtitle=subtitle, made_on=made_on, entries=[])
    for _attempt in range(3):  # the contents' page count settles at once; numbers take no room
        page = cover_pages + 1
        for entry in entries:
            entry.start_page = page
            page += entry.pages
        cover, pages = _cover_pdf(title=title, subtitle=subtitle, made_on=made_on, entries=entries)
        if pages == cover_pages:
            break
        cover_pages = pages
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)), import_outline=False)
    writer.add_outline_item(title=_("Contents"), page_number=0)
    for entry in entries:
        # Each agreement's own bookmarks begin with its title (the unit's name, its h1) and hold
        # its sections and goals: imported as they are, they are the book's bookmarks.
        writer.append(PdfReader(io.BytesIO(entry.data)))
    writer.add_metadata({"/Title": f"{title} – {subtitle}", "/Producer": "Aftalestyring"})
    writer._root_object[NameObject("/Lang")] = TextStringObject("da")  # Danish, like its parts
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
