"""The UI is Chinese first: the zh_Hans catalogue is complete and its compiled .mo current."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_string_is_translated():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [e.msgid for e in po if not e.translated() and not e.obsolete]
    assert untranslated == []


def test_compiled_catalogue_matches_source():
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in polib.pofile(str(CATALOGUE / "django.po")) if e.translated()}
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    assert mo == po, "run `make messages` to recompile django.mo"
