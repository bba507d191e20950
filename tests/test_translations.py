"""Every string a user sees is translated: Chinese (the default) complete, English as msgid."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_the_chinese_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert untranslated(po) == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(MO))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{entry.msgid!r} is missing from django.mo: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch, settings):
    """Extract the strings afresh, in a copy of the code and catalogue, so the real catalogue
    is never touched: nothing may come out untranslated."""
    root = Path(settings.BASE_DIR)
    shutil.copytree(
        root / "banyan",
        tmp_path / "banyan",
        ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations"),
    )
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert untranslated(fresh) == [], "untranslated strings: run `make messages` and translate"


def test_english_and_chinese_pages_render(client, db):
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in english.content.decode()
    chinese = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "登录" in chinese.content.decode()
