"""The Chinese catalogue is complete and compiled (run `make messages` after changing text)."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        msgstr, plural = compiled.get((entry.msgctxt, entry.msgid), (None, None))
        expected = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
        got = plural.get(0) if entry.msgid_plural and plural else msgstr
        assert got == expected, f"stale .mo for {entry.msgid!r}: run `make messages`"
