"""The renderer, without a worker: what the PDF says, that it is tagged, and what it may fetch."""

import io
from typing import Any

import pytest
from pypdf import PdfReader

from agreements import pdf, selectors
from agreements.models import Agreement

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_a_signed_version_prints_unit_sections_goals_signers_and_hash(in_state):
    agreement = in_state(Agreement.State.SIGNED)
    version = agreement.signed_version
    data = pdf.render_agreement_pdf(version)
    text = text_of(data)
    content = version.content
    assert "Tirsdalens Skole" in text
    for section in content["sections"]:
        assert section["title"] in text
    for goal in content["goals"]:
        assert goal["title"] in text
    assert "Lars Bach" in text
    assert "Hanne Vestergaard" in text
    assert version.content_hash in text.replace("\n", "")
    assert "Underskrifter" in text
    assert "Børn og Skole" in text  # Danish letters intact
    assert "UDKAST" not in text
    reader = PdfReader(io.BytesIO(data))
    assert 4 <= len(reader.pages) <= 12
    assert "Side 1 af" in text


def test_the_pdf_is_tagged_in_danish_with_a_title(in_state):
    agreement = in_state(Agreement.State.SIGNED)
    reader = PdfReader(io.BytesIO(pdf.render_agreement_pdf(agreement.signed_version)))
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == "Aftale 2027 – Tirsdalens Skole"


def test_a_draft_carries_the_udkast_watermark(draft):
    source = selectors.pdf_source_for_reader(draft, draft.unit.leader)
    text = text_of(pdf.render_agreement_pdf(source))
    assert "UDKAST" in text
    assert "Kladde" in text


def test_weasyprint_may_fetch_the_projects_static_files_and_nothing_else():
    fetcher = pdf.StaticFilesOnly()
    font = fetcher.fetch(
        f"{pdf.STATIC_PREFIX}dkfds/fonts/IBMPlexSans/complete/ttf/IBMPlexSans-Regular.ttf"
    )
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    for url in (
        "http://127.0.0.1:9/x.css",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "https://aftalestyring.invalid/media/secret.pdf",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    for path in ("../../settings.py", "css/missing.css", "../../../etc/passwd"):
        with pytest.raises(FileNotFoundError):
            fetcher.fetch(f"{pdf.STATIC_PREFIX}{path}")


def test_a_page_that_asks_for_outside_resources_renders_without_them(caplog):
    html = (
        '<html lang="da"><head><title>Prøve</title>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"></head>'
        '<body><p>Æble, øl og å</p><img src="file:///etc/hostname" alt="x"></body></html>'
    )
    data, pages = pdf.write_pdf(html)
    assert pages == 1
    assert "Æble, øl og å" in text_of(data)
    assert "PDF rendering refused to fetch http://127.0.0.1:9/evil.css" in caplog.text
    assert "PDF rendering refused to fetch file:///etc/hostname" in caplog.text


def test_an_indicators_chart_draws_baseline_and_target_on_one_scale():
    bars = pdf.indicator_chart(
        {"baseline": "40", "target": "80", "unit_of_measure": "%", "name": "Andel"}
    )
    assert [(bar.label, bar.value, bar.length) for bar in bars] == [
        ("Udgangspunkt", "40 %", 60.0),
        ("Mål", "80 %", 120.0),
    ]
    assert pdf.indicator_chart({"baseline": None, "target": None, "unit_of_measure": ""}) == []
