"""Danish is the interface language: every string has a Danish translation, compiled."""

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[1] / "randers" / "locale" / "da" / "LC_MESSAGES"


def test_every_string_has_a_danish_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_translations():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))

    def entries(catalogue: polib._BaseFile) -> dict[str, object]:
        return {
            entry.msgid: entry.msgstr_plural or entry.msgstr
            for entry in catalogue
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
        }

    po_entries = {
        key: {int(k): v for k, v in value.items()} if isinstance(value, dict) else value
        for key, value in entries(po).items()
    }
    assert entries(mo) == po_entries
