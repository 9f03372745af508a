"""The English catalogue is compiled and complete."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "src" / "xinren" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if re.search(r'^msgstr ""\n?$', e, flags=re.M) and "msgstr[" not in e
                    and not re.search(r'^msgstr ""\n"', e, flags=re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_is_used():
    with translation.override("en"):
        assert translation.gettext("找不到该商品") == "Product not found."
        assert translation.pgettext("label separator", "：") == ": "
    with translation.override("zh-hans"):
        assert translation.gettext("找不到该商品") == "找不到该商品"
