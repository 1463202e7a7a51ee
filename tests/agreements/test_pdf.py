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
