"""The agenda as it stood on a date, bad input, and the English interface."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from deltaregio.projects.models import Status

from .conftest import text_of

pytestmark = pytest.mark.django_db


def theme_cards(html: str) -> int:
    return html.count('<li class="theme-card">')


def test_agenda_as_of_2018_has_the_six_themes_of_2016_and_no_hydrogen(client: Client) -> None:
    response = client.get("/?as_of=2018-01-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert theme_cards(html) == 6
    text = text_of(html)
    assert "Waterstoftechnologie" not in text and "Artificiële Intelligentie" not in text
    assert "Op 1 januari 2018 had de agenda 6 thema's." in text
    assert theme_cards(client.get("/").content.decode()) == 8


def test_agenda_before_the_first_themes_says_so(client: Client) -> None:
    response = client.get("/?as_of=2010-01-01")
    assert response.status_code == 200
    assert "Op die datum stonden er geen thema's op de agenda." in text_of(response.content)


@pytest.mark.parametrize("bad", ["yesterday", "2018-13-01", "2018-02-30", "20180101", "2018-1-1", "'; drop"])
def test_a_bad_as_of_date_is_a_clear_400_not_a_500(client: Client, bad: str) -> None:
    response = client.get("/", {"as_of": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is geen datum. Schrijf de datum als JJJJ-MM-DD" in text_of(html)
    assert 'aria-invalid="true"' in html
    assert theme_cards(html) == 8, "the current agenda is still shown below the message"


def test_the_english_prefix_shows_english_interface_and_content(client: Client) -> None:
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = text_of(html)
    assert "Hydrogen technology" in text and "Artificial intelligence" in text
    assert "Waterstoftechnologie" not in text
    assert "Themes on the agenda" in text
    assert "4,294,998.60 euro" in text, "English number notation"


def test_english_project_page_uses_english_notation(client: Client) -> None:
    text = text_of(client.get("/en/projects/fokus/").content)
    assert "2,342,473.60 euro" in text and "54.54 %" in text
    assert "Sum of the work packages 4,294,998.60 euro 100.01 %" in text
    assert "267 thousand euro" in text


def test_the_language_switcher_posts_and_returns_to_the_same_page(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/themes/hydrogen/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/themes/hydrogen/"
    page = client.get(response["Location"])
    assert "<h1>Hydrogen technology</h1>" in page.content.decode()
    back = client.post("/i18n/setlang/", {"language": "nl", "next": "/themes/hydrogen/"})
    assert back["Location"] == "/themes/hydrogen/"
    assert "<h1>Waterstoftechnologie</h1>" in client.get(back["Location"]).content.decode()


def po_entries(language: str) -> list[dict[str, Any]]:
    """The entries of a catalogue: msgid, whether it is translated, and the files that use it."""
    import deltaregio

    path = Path(deltaregio.__file__).parent / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        files = [
            ref.split(":")[0]
            for line in block.splitlines()
            if line.startswith("#:")
            for ref in line[2:].split()
        ]
        msgid = re.search(r'^msgid "(.*)"$', block, flags=re.M)
        translations = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, flags=re.M)
        translated = bool(translations) and all(head or tail.strip() for head, tail in translations)
        entries.append({"msgid": msgid.group(1) if msgid else "", "translated": translated, "files": files})
    return entries


def test_every_text_of_the_web_interface_has_a_dutch_translation() -> None:
    entries = po_entries("nl")
    web = [e for e in entries if any(f.startswith("web/") for f in e["files"])]
    assert len(web) > 200
    assert [e["msgid"] for e in web if not e["translated"]] == []


def test_the_model_labels_shown_on_the_pages_have_dutch_translations() -> None:
    from deltaregio.agenda.models import AgendaItem
    from deltaregio.directory.models import Lab, Organisation
    from deltaregio.finance.models import FundingContribution
    from deltaregio.funding.models import Call, Instrument
    from deltaregio.projects.models import Partner, Status, StatusChange
    from deltaregio.sources.models import SourceDocument, Unit

    shown = [Status, Partner.Role, StatusChange.Kind, Organisation.Kind, Lab.Kind, Instrument.Kind, Call.Kind]
    shown += [
        FundingContribution.Status,
        FundingContribution.SourceKind,
        AgendaItem.Status,
        SourceDocument.Kind,
    ]
    shown += [Unit]
    translated = {e["msgid"] for e in po_entries("nl") if e["translated"]}
    with translation.override("en"):  # the English labels are the msgids
        missing = [
            str(label) for choices in shown for label in choices.labels if str(label) not in translated
        ]
    assert missing == []


def test_the_catalogues_are_compiled() -> None:
    import deltaregio

    locale = Path(deltaregio.__file__).parent / "locale"
    for language in ("nl", "en"):
        po = locale / language / "LC_MESSAGES" / "django.po"
        mo = locale / language / "LC_MESSAGES" / "django.mo"
        assert mo.is_file(), language
        assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    with translation.override("nl"):
        assert translation.gettext("Search") == "Zoeken"
        assert translation.gettext("million euro") == "miljoen euro"
        assert translation.gettext("approx.") == "ca."
        assert str(Status.RUNNING.label) == "lopend"
    with translation.override("en"):
        assert translation.gettext("Search") == "Search"


def test_a_not_found_page_in_english(client: Client) -> None:
    response = client.get("/en/themes/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response.content)


def test_the_switcher_sends_the_address_without_language_prefix(client: Client) -> None:
    html = client.get("/en/themes/hydrogen/?x=1").content.decode()
    assert '<input type="hidden" name="next" value="/themes/hydrogen/?x=1">' in html
    html = client.get("/themes/hydrogen/").content.decode()
    assert '<input type="hidden" name="next" value="/themes/hydrogen/">' in html
