"""Every page of the web interface answers with the published reference data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import text_of

pytestmark = pytest.mark.django_db

EIGHT_THEMES = [
    "Energie-innovatie",
    "Factories of the Future",
    "Flexibele Elektronica",
    "Fotonica",
    "Life Sciences & Health",
    "Nieuwe Materialen",
    "Waterstoftechnologie",
    "Artificiële Intelligentie",
]


def test_home_lists_the_eight_themes_in_order_with_links(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = text_of(response.content)
    positions = [text.index(name) for name in EIGHT_THEMES]
    assert positions == sorted(positions), "themes are shown in agenda order"
    assert 'href="/themes/hydrogen/"' in response.content.decode()
    assert '<html lang="nl">' in response.content.decode()


def test_home_shows_projects_and_money_of_a_theme_in_its_unit(client: Client) -> None:
    text = text_of(client.get("/").content)
    fof = text[text.index("Factories of the Future") :]
    fof = fof[: fof.index("Flexibele Elektronica")]
    assert "4.294.998,60 euro" in fof


def test_home_links_to_the_other_parts(client: Client) -> None:
    html = client.get("/").content.decode()
    for name in ("timeline", "organisation_list", "lab_list", "instrument_list", "search", "project_list"):
        assert f'href="{reverse(f"web:{name}")}"' in html, name


def test_theme_page_shows_subdomains_projects_and_sources(client: Client) -> None:
    response = client.get("/themes/factories-of-the-future/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert "<h1>Factories of the Future</h1>" in html
    assert "Deeldomeinen" in text
    assert 'href="/projects/fokus/"' in html
    assert "000_0b87823145a82a7e.txt" in text and "Vraag, thema 2, line 20" in text
    assert "Wijzigingsgeschiedenis" not in text, "the history link is for officers only"


def test_unknown_theme_is_404(client: Client) -> None:
    response = client.get("/themes/no-such-theme/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text_of(response.content)


def test_project_list_shows_published_projects(client: Client) -> None:
    response = client.get("/projects/")
    assert response.status_code == 200
    assert 'href="/projects/fokus/"' in response.content.decode()


def test_organisation_list_and_detail(client: Client) -> None:
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "Sirris" in text_of(response.content)
    detail = client.get("/organisations/sirris/")
    assert detail.status_code == 200
    text = text_of(detail.content)
    assert "kennisinstelling" in text and "België" in text and "Vlaanderen" in text
    assert 'href="/projects/fokus/"' in detail.content.decode(), "participation in Fokus"


def test_organisation_detail_shows_parent_and_labs(client: Client) -> None:
    text = text_of(client.get("/organisations/ku-leuven-campus-brugge/").content)
    assert "Deel van" in text and "KU Leuven" in text
    assert "Praktijklab KU Leuven Campus Brugge" in text


def test_lab_list_and_detail_show_area_with_published_text(client: Client) -> None:
    assert client.get("/labs/").status_code == 200
    response = client.get("/labs/omc-turnhout/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "100 m²" in text and "100M2" in text
    assert "geconnecteerde werkplaats" in text
    assert "Open Manufacturing Campus" in text


def test_timeline_is_an_ordered_list_of_dated_entries(client: Client) -> None:
    response = client.get("/timeline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<ol class="timeline">' in html
    assert '<time datetime="2016-11-07">' in html
    assert '<time datetime="2016">2016</time>' in html, "a date known to the year is shown as a year"
    text = text_of(html)
    assert "Waterstoftechnologie" in text, "theme added at the fifth summit"
    assert text.index("2004") < text.index("Brasschaat")


def test_instrument_list_and_detail_with_calls_and_statistics(client: Client) -> None:
    assert "Interreg Vlaanderen-Nederland" in text_of(client.get("/instruments/").content)
    response = client.get("/instruments/interreg-vl-nl/")
    assert response.status_code == 200
    assert 'href="/projects/fokus/"' in response.content.decode()


def test_approximate_call_figures_are_marked_ca(client: Client) -> None:
    from deltaregio.funding.models import CallStatistic

    statistic = CallStatistic.objects.filter(approximate=True, granted_amount__isnull=False).select_related(
        "call__instrument"
    )[0]
    text = text_of(client.get(f"/instruments/{statistic.call.instrument.code}/").content)
    assert "ca. " in text
    assert "miljoen euro" in text or "euro" in text


def test_instrument_detail_shows_domains_technologies_and_budget_tables(client: Client) -> None:
    response = client.get("/instruments/nxtgen-hightech/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "Toepassingsdomeinen" in text and "Sleuteltechnologieën" in text
    assert "Tabel 5" in text and "Tabel 6" in text
    assert "003_4fcf121cbe736be6.txt" in text


def test_budget_tables_are_shown_as_published(client: Client) -> None:
    from deltaregio.finance.models import BudgetCell

    response = client.get("/budget-tables/")
    assert response.status_code == 200
    html = response.content.decode()
    for cell in BudgetCell.objects.filter(table__code="nxtgen-table-6").exclude(value_text=""):
        assert f">{cell.value_text}<" in html, cell
    assert "Tabel 1" in text_of(html)


def test_sources_page_shows_documents_and_the_fokus_disagreement(client: Client) -> None:
    response = client.get("/sources/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="doc-004_11778272d9654f26txt"' in html
    start = html.index('id="disagreement-fokus-target-smes"')
    section = text_of(html[start : html.index("</section>", start)])
    assert "De documenten spreken elkaar tegen." in section
    assert "150 kmo's/mkb's" in section and "200 KMO/MKB-bedrijven" in section
    assert "150" in section and "200" in section
    assert "Inleiding, line 8" in section and "Antwoord 1b, lines 86-87" in section


def test_login_page_has_labelled_fields(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_every_page_has_one_h1_a_skip_link_and_a_main_landmark(client: Client) -> None:
    for url in (
        "/",
        "/themes/photonics/",
        "/projects/",
        "/projects/fokus/",
        "/organisations/",
        "/organisations/sirris/",
        "/labs/",
        "/labs/omc-turnhout/",
        "/timeline/",
        "/instruments/",
        "/instruments/nxtgen-hightech/",
        "/budget-tables/",
        "/sources/",
        "/search/?q=foto",
        "/login/",
    ):
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html and '<main id="main"' in html, url
        assert 'action="/i18n/setlang/"' in html, url


def test_the_error_page_for_a_server_error_renders_without_a_request() -> None:
    from django.template import loader
    from django.utils import translation

    with translation.override("nl"):
        html = loader.get_template("500.html").render({})
    assert "<h1>Er ging iets mis</h1>" in html and '<html lang="nl">' in html


def test_long_lists_are_paged_and_bad_page_numbers_are_refused(client: Client) -> None:
    from deltaregio.directory.models import Organisation

    total = Organisation.objects.count()
    assert total > 100, "the reference data has more than one page of organisations"
    first = client.get("/organisations/")
    assert first.content.decode().count('<th scope="row">') == 100
    assert 'rel="next"' in first.content.decode()
    assert f"{total} organisaties" in text_of(first.content)
    second = client.get("/organisations/", {"page": 2})
    assert second.status_code == 200
    assert second.content.decode().count('<th scope="row">') == total - 100
    assert 'rel="prev"' in second.content.decode()
    assert client.get("/organisations/", {"page": "abc"}).status_code == 400
    assert client.get("/projects/", {"page": "1.5"}).status_code == 400
    assert client.get("/organisations/", {"page": 999}).status_code == 404


def test_a_difference_within_published_rounding_is_marked_as_such(client: Client) -> None:
    from deltaregio.sources.selectors import disagreements

    within = [d for d in disagreements() if d.within_rounding]
    real = [d for d in disagreements() if not d.within_rounding]
    assert within and real
    html = client.get("/sources/").content.decode()
    for disagreement, flag in (
        (within[0], "niet meer dan hun afronding toelaat"),
        (real[0], "spreken elkaar tegen"),
    ):
        start = html.index(f'id="disagreement-{disagreement.key}"')
        assert flag in text_of(html[start : html.index("</section>", start)]), disagreement.key
