"""The Fokus project page: work packages as a budget table with exact totals, the roadmap chart,
funding, decisions and provenance."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from deltaregio.projects.models import Project, WorkPackage
from deltaregio.web.views.projects import work_package_totals

from .conftest import text_of

pytestmark = pytest.mark.django_db


def work_package_rows(html: str) -> list[str]:
    table = html[html.index('<table id="work-packages">') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [text_of(row) for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S)]


def test_fokus_shows_six_work_packages_with_budget_and_share(client: Client) -> None:
    html = client.get("/projects/fokus/").content.decode()
    rows = work_package_rows(html)
    assert len(rows) == 6
    assert "WP 5" in rows[4] and "2.342.473,60 euro" in rows[4] and "54,54 %" in rows[4]
    assert "1 mei 2018" in rows[4] and "1 maart 2021" in rows[4]
    assert "430.732,00 euro" in rows[0] and "1 mei 2019" in rows[0]


def test_fokus_totals_row_shows_exact_sums_next_to_the_published_total(client: Client) -> None:
    html = client.get("/projects/fokus/").content.decode()
    foot = text_of(html[html.index("<tfoot>") : html.index("</tfoot>")])
    assert "Som van de werkpakketten 4.294.998,60 euro 100,01 %" in foot
    assert "Gepubliceerde totale kosten van het project 4.294.998,60 euro" in foot
    assert "De werkpakketten tellen op tot het gepubliceerde totaal." in foot


def test_work_package_totals_are_decimal_and_report_a_difference() -> None:
    packages = [
        WorkPackage(number=1, title="a", budget=Decimal("0.10"), share=Decimal("33.33")),
        WorkPackage(number=2, title="b", budget=Decimal("0.20"), share=Decimal("66.67")),
        WorkPackage(number=3, title="c", budget=None, share=None),
    ]
    totals = work_package_totals(packages, Decimal("0.31"))
    assert totals.budget_sum == Decimal("0.30")  # exactly, where float would give 0.30000000000000004
    assert totals.share_sum == Decimal("100.00")
    assert totals.difference == Decimal("-0.01")
    assert totals.without_budget == 1


def test_a_difference_with_the_published_total_is_shown(client: Client) -> None:
    Project.objects.filter(slug="fokus").update(total_cost=Decimal("4294998.50"))
    text = text_of(client.get("/projects/fokus/").content)
    assert "De werkpakketten wijken 0,10 euro af van het gepubliceerde totaal." in text


def test_roadmap_is_an_inline_svg_with_a_text_alternative(client: Client) -> None:
    html = client.get("/projects/fokus/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="roadmap-title roadmap-desc"' in svg
    assert svg.count("<rect") == 7, "six work packages and the project period"
    description = text_of(svg[svg.index("<desc") : svg.index("</desc>")])
    assert "WP 1 Projectmanagement: van 1 mei 2019 tot 30 april 2021." in description
    assert re.search(r'x="\d+\.\d+"', svg), "coordinates are not localised (no decimal commas)"
    assert not re.search(r'(x|width)="\d+,\d+"', svg)


def test_project_page_shows_partners_funding_decisions_milestones_and_sources(client: Client) -> None:
    html = client.get("/projects/fokus/").content.decode()
    text = text_of(html)
    assert "Interreg Vlaanderen-Nederland" in text
    for partner in ("Agoria", "Sirris", "TNO", "Brainport Industries"):
        assert partner in text
    assert "2.147.499,30 euro" in text and "50,00 %" in text, "ERDF contribution"
    assert "267 duizend euro" in text, "the Hermes contribution keeps its published unit"
    assert "aangevraagd, nog niet beslist" in text
    assert "Beslissingen en status" in text and "lopend" in text
    assert "circa 35 implementatieplannen" in text
    assert text.count("004_11778272d9654f26.txt") >= 20, "every part names its source"
    assert 'href="/organisations/sirris/"' in html


def test_unknown_project_is_404(client: Client) -> None:
    assert client.get("/projects/no-such-project/").status_code == 404
