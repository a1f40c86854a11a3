"""The Dutch catalogue of the whole interface (src/deltaregio/locale/nl/LC_MESSAGES/django.po): every
text is translated and keeps its placeholders, and the catalogue compiles."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import deltaregio

CATALOGUE = Path(deltaregio.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def entries() -> list[tuple[str, list[str]]]:
    text = CATALOGUE.read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):  # obsolete entries are not used
            continue
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"', block.split("msgstr")[0], flags=re.M))
        strings = [
            "".join(re.findall(r'"(.*)"', part))
            for part in re.split(r"^msgstr(?:\[\d\])? ", block, flags=re.M)[1:]
        ]
        found.append((msgid, strings))
    return found


def test_every_text_is_translated_with_its_placeholders() -> None:
    found = entries()
    assert len(found) > 400
    for msgid, strings in found:
        assert strings and all(s.strip() for s in strings), msgid
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= set(PLACEHOLDER.findall(msgid)), (msgid, s)
    translated = dict((m, s[0]) for m, s in found)
    assert translated["Budget of %(acronym)s"] == "Begroting van %(acronym)s"
    assert translated["Within rounding"] == "Binnen de afronding"


def test_the_catalogue_compiles(tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "nl.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
