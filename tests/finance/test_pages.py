"""The budget pages: Fokus and Nxtgen exactly as published with their findings, in Dutch and English;
who sees which lines; the import page; accessible structure; and query counts that do not grow."""

from __future__ import annotations

import html as html_lib
import io
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from deltaregio.accounts.models import Role
from deltaregio.finance import urls
from deltaregio.finance.models import ProgrammeAmount
from deltaregio.funding.models import Instrument

from .conftest import Consortium

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    body = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_every_page_declares_who_may_use_it() -> None:
    for pattern in urls.urlpatterns:
        assert getattr(pattern.callback, "permissions_required", None), pattern.name
        assert pattern.callback.__doc__, pattern.name


def test_url_names() -> None:
    from django.utils import translation

    with translation.override("nl"):
        assert reverse("finance:project_budget", args=["fokus"]) == "/projects/fokus/budget/"
        assert (
            reverse("finance:programme_budget", args=["nxtgen-hightech"])
            == "/programmes/nxtgen-hightech/budget/"
        )
        assert reverse("finance:findings") == "/findings/"
    assert reverse("finance:findings") == "/en/findings/"


def test_fokus_budget_exactly_as_published_in_dutch(client: Client) -> None:
    response = client.get("/projects/fokus/budget/")
    assert response.status_code == 200 and response["Content-Language"] == "nl"
    page = text(response)
    for figure in (
        "4.294.998,60",
        "430.732,00",
        "249.888,00",
        "303.712,00",
        "268.686,00",
        "2.342.473,60",
        "699.507,00",
    ):
        assert figure in page
    for share in ("10,03 %", "5,82 %", "7,07 %", "6,26 %", "54,54 %", "16,29 %", "100,01 %"):
        assert share in page
    assert "2.147.499,30" in page and "267" in page and "1.783" in page
    # its findings: the SME target stated as 150 and as 200; shares and Hermes within rounding
    assert "150 kmo's/mkb's" in page and "200 KMO/MKB-bedrijven" in page
    assert 'data-key="wp-share-sum:fokus"' in response.content.decode()


def test_fokus_budget_in_english(client: Client) -> None:
    page = text(client.get("/en/projects/fokus/budget/"))
    assert "Budget of Fokus" in page and "4,294,998.60 euro" in page and "54.54 %" in page
    assert "agree within rounding" in page


def test_the_co_financing_chart_has_its_numbers_in_a_table(client: Client) -> None:
    content = client.get("/en/projects/fokus/budget/").content.decode()
    svg = re.search(
        r'<svg[^>]*aria-labelledby="contribution-chart-title contribution-chart-desc".*?</svg>', content, re.S
    )
    assert svg and 'role="img"' in svg.group(0) and "<title" in svg.group(0)
    table = content[content.index('<table id="contributions">') :]
    assert "2,147,499.30 euro" in table[: table.index("</table>")]


def test_nxtgen_programme_budget(client: Client) -> None:
    response = client.get("/programmes/nxtgen-hightech/budget/")
    assert response.status_code == 200
    content = response.content.decode()
    page = text(response)
    for printed in ("1.273", "1.584", "-1", "614", "312"):
        assert printed in page
    assert '<table id="nxtgen-table-5">' in content and '<table id="nxtgen-table-6">' in content
    assert (
        '<table id="plan-series">' in content
        and 'aria-labelledby="plan-chart-title plan-chart-desc"' in content
    )
    assert 'data-key="table-not-negative:nxtgen-table-6:energie:met-overheid"' in content
    assert 'data-key="same-quantity:nxtgen-budget-zonder-kennisinstellingen"' in content
    series = content[content.index('<table id="plan-series">') :]
    assert "270" in series[: series.index("</table>")] or "61" in series[: series.index("</table>")]


def test_realised_amounts_are_shown_next_to_the_plan(client: Client, officer: Any) -> None:
    ProgrammeAmount.objects.create(
        programme=Instrument.objects.get(code="nxtgen-hightech"),
        kind="realised",
        year=2022,
        contributor="companies",
        amount="12500000.00",
        unit="EUR",
        source_document="test",
    )
    content = client.get("/en/programmes/nxtgen-hightech/budget/").content.decode()
    table = content[content.index('<table id="realised-table">') :]
    assert "12.5" in table[: table.index("</table>")]  # 12,500,000 EUR = 12.5 MEUR, the plan's unit


def test_findings_page(client: Client) -> None:
    response = client.get("/en/findings/")
    page = text(response)
    assert response.status_code == 200
    assert "9 are findings" in page and "Impossible value." in page
    only = text(client.get("/en/findings/?severity=impossible"))
    assert "Impossible value." in only and "Stated differently." not in only
    assert client.get("/en/findings/?severity=nonsense").status_code == 200


def test_unknown_project_and_programme_are_404(client: Client) -> None:
    assert client.get("/projects/bestaat-niet/budget/").status_code == 404
    assert client.get("/programmes/bestaat-niet/budget/").status_code == 404


def test_an_unpublished_project_budget_is_404_for_others(
    client: Client, consortium: Consortium, make_user: Any, login: Any, user_for: Any
) -> None:
    consortium.project.is_public = False
    consortium.project.save()
    url = f"/projects/{consortium.project.slug}/budget/"
    assert client.get(url).status_code == 404
    assert login(make_user(Role.APPLICANT, organisation="Holst Centre")).get(url).status_code == 404
    assert login(user_for(consortium.beta)).get(url).status_code == 200


def test_who_sees_which_lines(
    consortium: Consortium, client: Client, login: Any, user_for: Any, officer: Any
) -> None:
    c = consortium
    c.line(c.alpha, amount="1111.11")
    c.line(c.beta, wp=2, amount="2222.22")
    url = f"/en/projects/{c.project.slug}/budget/"
    anonymous = text(client.get(url))
    assert "1,111.11" not in anonymous and "2,222.22" not in anonymous  # not approved: no totals either
    alpha = text(login(user_for(c.alpha)).get(url))
    assert "1,111.11" in alpha and "2,222.22" not in alpha
    for user in (user_for(c.lead), officer):
        page = text(login(user).get(url))
        assert "1,111.11" in page and "2,222.22" in page and "Alfa Labs BV" in page
    c.project.status = "running"
    c.project.save()
    public = text(client.get(url))
    assert "3,333.33" in public and "1,111.11" in public  # WP 1 total = alpha's line: totals per WP
    assert (
        "Alfa Labs BV"
        not in public.split("Budget by work package, partner and year")[1].split("Co-financing")[0]
    )


def test_exports(client: Client, consortium: Consortium, login: Any, user_for: Any) -> None:
    response = client.get("/projects/fokus/budget/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["Werkpakketten" if "Werkpakketten" in wb.sheetnames else "Work packages"]["C3"].value == 430732
    assert client.get("/projects/fokus/budget/template.xlsx").status_code == 200
    assert client.get("/programmes/nxtgen-hightech/budget/export.xlsx").status_code == 200
    consortium.line(consortium.alpha, amount="5.55")
    anonymous = load_workbook(
        io.BytesIO(client.get(f"/projects/{consortium.project.slug}/budget/export.xlsx").content)
    )
    assert anonymous.worksheets[1]["A2"].value is None  # no lines for the public


def test_import_page(
    consortium: Consortium, client: Client, login: Any, user_for: Any, make_user: Any
) -> None:
    url = f"/en/projects/{consortium.project.slug}/budget/import/"
    assert client.get(url).status_code == 302  # log in first
    assert login(make_user(Role.PUBLIC)).get(url).status_code == 403
    partner = login(user_for(consortium.alpha))
    assert partner.get(url).status_code == 200
    export = partner.get(f"/projects/{consortium.project.slug}/budget/template.xlsx").content
    wb = load_workbook(io.BytesIO(export))
    for column, value in zip("ABCDE", ["Alfa Labs BV", 1, 2024, "staff", 12.345], strict=True):
        wb.worksheets[1][f"{column}2"] = value
    bad = io.BytesIO()
    wb.save(bad)
    bad.seek(0)
    bad.name = "begroting.xlsx"
    response = partner.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Budget!E2" in text(response) or "E2" in text(response)
    assert "has more than two decimals" in text(response)
    wb.worksheets[1]["E2"] = 12.34
    good = io.BytesIO()
    wb.save(good)
    good.seek(0)
    good.name = "begroting.xlsx"
    response = partner.post(url, {"file": good})
    assert response.status_code == 200 and "The budget was imported." in text(response)
    assert consortium.project.budget_lines.get().amount == Decimal("12.34")
    not_excel = io.BytesIO(b"hello")
    not_excel.name = "x.csv"
    assert partner.post(url, {"file": not_excel}).status_code == 400


@pytest.mark.parametrize(
    "url", ["/projects/fokus/budget/", "/programmes/nxtgen-hightech/budget/", "/findings/"]
)
def test_pages_have_one_h1_and_captioned_tables(client: Client, url: str) -> None:
    content = client.get(url).content.decode()
    assert content.count("<h1") == 1
    assert content.count("<table") == content.count("<caption")
    levels = [int(level) for level in re.findall(r"<h([1-6])", content)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_query_count_does_not_grow_with_the_lines(consortium: Consortium, login: Any, officer: Any) -> None:
    client = login(officer)
    url = f"/projects/{consortium.project.slug}/budget/"

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    consortium.line(consortium.alpha)
    few = count()
    for year in (2024, 2025, 2026):
        for wp in (1, 2, 3):
            for partner in (consortium.lead, consortium.beta):
                consortium.line(partner, wp=wp, year=year, category="travel")
    assert count() <= few
