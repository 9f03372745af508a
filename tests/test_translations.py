"""The English catalogue is compiled and complete."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "src" / "xinren" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [
        e
        for e in entries
        if re.search(r'^msgstr ""\n?$', e, flags=re.M)
        and "msgstr[" not in e
        and not re.search(r'^msgstr ""\n"', e, flags=re.M)
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_is_used():
    with translation.override("en"):
        assert translation.gettext("找不到该商品") == "Product not found."
        assert translation.pgettext("label separator", "：") == ": "
    with translation.override("zh-hans"):
        assert translation.gettext("找不到该商品") == "找不到该商品"


def test_every_string_in_the_code_and_templates_has_an_english_entry(tmp_path):
    """makemessages on a copy of the sources adds nothing untranslated or fuzzy: a new Chinese string without its
    English entry fails here, not in front of an English reader."""
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must check the English catalogue, and xgettext (gettext) is missing")
        pytest.skip("xgettext (Debian package gettext) is not installed")
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "src"),
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "xinren.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path / "src" / "xinren",
        env=env,
        check=True,
        capture_output=True,
    )
    made = (tmp_path / "src" / "xinren" / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = made.split("\n\n")[1:]
    missing = [
        e.split("msgid ", 1)[-1][:80]
        for e in entries
        if "#, fuzzy" in e
        or (
            re.search(r'^msgstr ""$', e, flags=re.M)
            and "msgstr[" not in e
            and not re.search(r'^msgstr ""\n"', e, flags=re.M)
        )
    ]
    assert missing == []
