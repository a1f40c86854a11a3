"""The funnel per period, region, partner and band: companies per stage counted once, conversion,
and the targets of document 004 with their source (150 and 200 both shown)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel import selectors, services

from .conftest import DMA_EXAMPLE, CompleteScan
from .webflow import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def funnel_data(complete_scan: CompleteScan) -> dict[str, Any]:
    sirris, tno = Organisation.objects.get(name="Sirris"), Organisation.objects.get(name="TNO")
    lab = Lab.objects.get(name="OMC Turnhout")
    a, _t = complete_scan(company="A-Metaal", country="BE", region="Antwerpen")
    b, _t = complete_scan(company="B-Kunststof", country="NL", region="Noord-Brabant")
    c, _t = complete_scan(company="C-Hout", country="NL", region="Zeeland", answers={**DMA_EXAMPLE, "Q2": []})
    complete_scan(
        company="A-Metaal", country="BE", region="Antwerpen"
    )  # a second scan of A: still one company
    services.journey_assign_partner(journey=a.journey, partner=sirris)
    services.journey_assign_partner(journey=b.journey, partner=tno)
    for result in (a, b):
        services.intake_record(
            journey=result.journey, partner=result.journey.partner, held_on=dt.date(2024, 3, 1), notes=""
        )
    services.intake_record(
        journey=a.journey, partner=sirris, held_on=dt.date(2024, 4, 1), notes=""
    )  # second intake
    workshop = services.workshop_create(title="W", held_on=dt.date(2024, 5, 1), lab=lab, places=10)
    services.workshop_register(workshop=workshop, journey=a.journey)
    trajectory = services.trajectory_record(
        journey=a.journey, lab=lab, partner=sirris, start_date=dt.date(2024, 6, 1)
    )
    plan = services.plan_create(
        journey=a.journey, partner=sirris, title="P", situation="s", goals="g", trajectory=trajectory
    )
    services.plan_finalise(plan=plan, on=dt.date(2024, 9, 1))
    services.plan_create(
        journey=b.journey, partner=tno, title="draft", situation="s", goals="g"
    )  # drafts do not count
    return {"a": a, "b": b, "c": c, "sirris": sirris}


def counts(flt: selectors.FunnelFilter) -> list[int]:
    return [stage.count for stage in selectors.funnel(flt)]


def test_each_company_is_counted_once_per_stage(funnel_data: dict[str, Any]) -> None:
    stages = selectors.funnel(selectors.FunnelFilter())
    assert [(s.key, s.count) for s in stages] == [
        ("scans", 3),
        ("intakes", 2),
        ("workshops", 1),
        ("trajectories", 1),
        ("plans", 1),
    ]
    assert [str(s.conversion) for s in stages[1:]] == ["66.7", "50.0", "100.0", "100.0"]


def test_filters_by_region_partner_period_and_band(funnel_data: dict[str, Any]) -> None:
    assert counts(selectors.FunnelFilter(country="NL")) == [2, 1, 0, 0, 0]
    assert counts(selectors.FunnelFilter(country="BE", region="antwerpen")) == [1, 1, 1, 1, 1]
    assert counts(selectors.FunnelFilter(partner=funnel_data["sirris"])) == [1, 1, 1, 1, 1]
    assert counts(selectors.FunnelFilter(start=dt.date(2024, 3, 15), end=dt.date(2024, 5, 31)))[1:] == [
        1,
        1,
        0,
        0,
    ]
    # C scored D1 lower, but still "average" overall; A's latest scan is "average" too
    assert counts(selectors.FunnelFilter(questionnaire="edih-dma-sme", band="average")) == [3, 2, 1, 1, 1]
    assert counts(selectors.FunnelFilter(questionnaire="edih-dma-sme", band="advanced")) == [0, 0, 0, 0, 0]
    assert counts(selectors.FunnelFilter(questionnaire="factory-of-the-future")) == [0, 0, 0, 0, 0]


def test_the_page_shows_targets_with_their_sources_and_the_disagreement(
    client: Client, funnel_data: dict[str, Any]
) -> None:
    response = client.get("/en/funnel/")
    html = response.content.decode()
    text = text_of(html)
    assert "150 kmo's/mkb's" in text and "200 bedrijven (webbased scan)" in text
    assert "150 persoonlijke detailleringsgesprekken" in text and "75 ondernemingen" in text
    assert "35 individuele trajecten" in text and "circa 35 implementatieplannen" in text
    assert (
        "004_11778272d9654f26.txt" in text and "Inleiding, line 8" in text and "Vraag 2, lines 44-45" in text
    )
    assert "The documents disagree on the number of companies" in text
    assert '<svg viewBox="0 0 700' in html and "<caption" in html  # the funnel chart and its table
    filtered = text_of(client.get("/en/funnel/", {"region": "NL:Zeeland"}).content)
    assert "A-Metaal" not in filtered and "C-Hout" not in filtered
    assert client.get("/en/funnel/", {"start": "2024-05-01", "end": "2024-01-01"}).status_code == 400
