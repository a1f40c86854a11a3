"""The checks on the reference data set find the documents' real disagreements and nothing that agrees
within rounding. Each expectation below was worked out by hand from the documents (see
docs/finance-checks.md); the tests also verify the seed's statements against the table cells they cite."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from deltaregio.finance.findings import Finding, Report, Severity
from deltaregio.finance.models import BudgetCell
from deltaregio.finance.selectors import budget_findings
from deltaregio.sources.models import Statement
from deltaregio.sources.selectors import disagreements

pytestmark = pytest.mark.django_db

# The documents' real disagreements (keys of the findings), worked out by hand.
EXPECTED_FINDINGS = {
    # 003 Tabel 6: Energie, "met groeifonds", Bijdrage overheid printed as -1: a negative contribution.
    "table-not-negative:nxtgen-table-6:energie:met-overheid",
    # 003 Tabel 5 vs Tabel 6, without Growth Fund: knowledge institutions 44 vs 42, government 148 vs 150
    # (each figure rounded to 1 MEUR: they may differ by at most 1).
    "same-quantity:nxtgen-budget-zonder-kennisinstellingen",
    "same-quantity:nxtgen-budget-zonder-overheid",
    # Counts and years stated differently (exact quantities: no rounding).
    "same-quantity:fokus-target-smes",  # 150 vs 200 SMEs
    "same-quantity:fokus-labs-count",  # seven knowledge labs vs four practice labs listed
    "same-quantity:fokus-key-technologies-count",  # three (000) vs two (004)
    "same-quantity:nxtgen-ambitie-wereldwijd-leidend-jaar",  # 2040 vs 2030
    "same-quantity:benchmarkstudie-gepersonaliseerde-geneeskunde-jaar",  # 2018 vs 2019
    "same-quantity:impulsprogramma-actieverwijzing",  # action 7.1 vs 7.6
}

# Differences that the rounding of the published figures explains: never findings.
EXPECTED_WITHIN_ROUNDING = {
    "wp-share-sum:fokus",  # 100.01 %: six shares of ±0.005 → 0.03
    "contribution-rate:fokus",  # Hermes 15 % of 1,783k = 267.45k, published 267k (±0.5 + 0.075)
    "same-quantity:nxtgen-budget-zonder-groeifonds-totaal",  # 312 vs 313: ±0.5 each → 1
    "same-quantity:nxtgen-budget-zonder-bedrijven",  # 120 vs 121
    "same-quantity:nxtgen-budget-met-bedrijven",  # 339 vs 340
    "same-quantity:nxtgen-budget-met-kennisinstellingen",  # 132 vs 131
    "same-quantity:nxtgen-budget-met-overheid",  # 187 vs 188
    "same-quantity:nxtgen-groeifondsbijdrage",  # 614 vs 613
    "same-quantity:htsm-toegevoegde-waarde-2019",  # "ruwweg 75 miljard" vs 75.484 MEUR
    "table-column-sum:nxtgen-table-5:met-bijdrage-groeifonds:total",  # 7 years add to 615, printed 614
    "table-column-sum:nxtgen-table-5:met-bijdrage-kennisinstellingen:total",  # 133 vs 132
    "table-row-sum:nxtgen-table-5:met-groeifonds:2023",  # 239 vs 240
    "table-row-sum:nxtgen-table-5:met-groeifonds:2025",  # 209 vs 208
    "table-row-sum:nxtgen-table-5:met-groeifonds:2026",  # 169 vs 168
    "table-row-sum:nxtgen-table-5:met-groeifonds:total",  # 1272 vs 1.273
    "table-row-sum:nxtgen-table-5:grand-total:2023",  # 71 + 240 = 311 vs 310
    "table-row-sum:nxtgen-table-5:grand-total:2026",  # 210 vs 211
    "table-row-sum:nxtgen-table-5:grand-total:2027",  # 139 vs 138
    "table-row-sum:nxtgen-table-5:grand-total:total",  # 312 + 1.273 = 1585 vs 1.584
    "table-column-sum:nxtgen-table-6:energie:zonder-totaal",  # 15 vs 14
    "table-column-sum:nxtgen-table-6:energie:met-totaal",  # 149 vs 150 (with the -1)
    "table-column-sum:nxtgen-table-6:lasersatcom:zonder-totaal",  # 46 vs 45
    "table-column-sum:nxtgen-table-6:medtech:zonder-totaal",  # 109 vs 108
    "table-column-sum:nxtgen-table-6:medtech:met-totaal",  # 189 vs 188
    "table-column-sum:nxtgen-table-6:smart-industry:zonder-totaal",  # 43 vs 42
    "table-column-sum:nxtgen-table-6:grand-total:met-totaal",  # 1272 vs 1.273
    "table-row-sum:nxtgen-table-6:grand-total:zonder-bedrijven",  # 123 vs 121 (8 figures → 4)
    "table-row-sum:nxtgen-table-6:grand-total:zonder-kennisinstellingen",  # 43 vs 42
    "table-row-sum:nxtgen-table-6:grand-total:zonder-overheid",  # 151 vs 150
    "table-row-sum:nxtgen-table-6:grand-total:met-kennisinstellingen",  # 132 vs 131
}


@pytest.fixture(scope="module")
def report(django_db_setup: None, django_db_blocker: object) -> Report:
    with django_db_blocker.unblock(), translation.override("en"):  # type: ignore[attr-defined]
        return budget_findings()


def keys(findings: list[Finding]) -> set[str]:
    return {f.key for f in findings}


def by_key(report: Report, key: str) -> Finding:
    return next(f for f in [*report.findings, *report.within_rounding] if f.key == key)


def test_the_findings_are_exactly_the_documents_disagreements(report: Report) -> None:
    assert keys(report.findings) == EXPECTED_FINDINGS


def test_figures_that_agree_within_rounding_are_not_findings_but_are_reported_as_such(report: Report) -> None:
    within = {
        re.sub(r":\d+$", "", k) if k.startswith("contribution-rate:") else k
        for k in keys(report.within_rounding)
    }
    assert within >= EXPECTED_WITHIN_ROUNDING
    # Besides those: the six Fokus shares against their amounts (each within ±0.005 of budget/total).
    assert within - EXPECTED_WITHIN_ROUNDING == {f"wp-share-amount:fokus:{n}" for n in range(1, 7)}
    assert not keys(report.findings) & keys(report.within_rounding)


def test_most_serious_first(report: Report) -> None:
    ranks = [Severity.RANK[f.severity] for f in report.findings]
    assert ranks == sorted(ranks)
    assert report.findings[0].key == "table-not-negative:nxtgen-table-6:energie:met-overheid"
    assert [f.severity for f in report.findings[:3]] == [
        Severity.IMPOSSIBLE,
        Severity.DISAGREEMENT,
        Severity.DISAGREEMENT,
    ]


def test_fokus_work_package_shares_sum_to_100_01_within_rounding(report: Report) -> None:
    finding = by_key(report, "wp-share-sum:fokus")
    assert finding.within_rounding
    assert (finding.expected, finding.actual, finding.difference) == ("100.01", "100", "-0.01")
    assert Decimal(finding.tolerance) == Decimal("0.03")  # six shares rounded to 0.01: 6 × 0.005
    assert len(finding.figures) == 7


def test_fokus_budget_adds_up_to_the_cent_and_efro_is_exactly_half(report: Report) -> None:
    every = keys(report.findings) | keys(report.within_rounding)
    assert "wp-budget-sum:fokus" not in every  # 430.732 + … + 699.507 = 4.294.998,60 exactly
    assert not any(
        k.startswith("contribution-over-cost:fokus") or k.startswith("contribution-rates-over-100:fokus")
        for k in every
    )
    efro_and_hermes = [k for k in every if k.startswith("contribution-rate:fokus:")]
    assert len(efro_and_hermes) == 1  # only Hermes differs (EFRO 50 % of the total is exact)


def test_hermes_267k_is_15_percent_of_1783k_within_rounding(report: Report) -> None:
    finding = next(f for f in report.within_rounding if f.key.startswith("contribution-rate:fokus:"))
    assert (finding.expected, finding.actual, finding.difference, finding.unit) == (
        "267.45",
        "267",
        "-0.45",
        "kEUR",
    )
    assert Decimal(finding.tolerance) == Decimal("0.575")  # 267 ± 0.5, plus 15 % of 1,783 ± 0.5
    assert "Hermes" in finding.message


def test_fokus_work_packages_lie_inside_the_project(report: Report) -> None:
    """WP 1 starts 2019-05-01, a year after the project, as the roadmap (line 219) says: inside the
    project, so no finding."""
    every = keys(report.findings) | keys(report.within_rounding)
    assert not any(k.startswith("wp-dates:fokus") for k in every)
    assert report.checked > 0


def test_table_5_against_table_6(report: Report) -> None:
    kennis = by_key(report, "same-quantity:nxtgen-budget-zonder-kennisinstellingen")
    assert (kennis.expected, kennis.actual, kennis.tolerance, kennis.unit) == ("42", "44", "1", "MEUR")
    overheid = by_key(report, "same-quantity:nxtgen-budget-zonder-overheid")
    assert (overheid.expected, overheid.actual, overheid.difference) == ("148", "150", "2")
    total = by_key(report, "same-quantity:nxtgen-budget-zonder-groeifonds-totaal")
    assert total.within_rounding and (total.expected, total.actual, total.tolerance) == ("312", "313", "1")
    sources = {f.source.location for f in kennis.figures}
    assert any("Tabel 5" in s for s in sources) and any("Tabel 6" in s for s in sources)


def test_table_5_sums_are_checked_with_the_rounding_of_every_figure(report: Report) -> None:
    groeifonds = by_key(report, "table-column-sum:nxtgen-table-5:met-bijdrage-groeifonds:total")
    assert (groeifonds.expected, groeifonds.actual, groeifonds.tolerance) == ("615", "614", "4")  # 8 × 0.5
    met_2023 = by_key(report, "table-row-sum:nxtgen-table-5:met-groeifonds:2023")
    assert (met_2023.expected, met_2023.actual, met_2023.tolerance) == ("239", "240", "2.5")  # 5 × 0.5
    grand = by_key(report, "table-row-sum:nxtgen-table-5:grand-total:total")
    assert (grand.expected, grand.actual, grand.tolerance) == ("1585", "1584", "1.5")
    figure = grand.figures[0]
    assert figure.text == "1.584" and figure.unit == "MEUR" and figure.source.document.startswith("003_")
    assert "Grand Total" in figure.source.location and "Totaal" in figure.source.location


def test_energie_negative_contribution(report: Report) -> None:
    finding = by_key(report, "table-not-negative:nxtgen-table-6:energie:met-overheid")
    assert finding.severity == Severity.IMPOSSIBLE and not finding.within_rounding
    assert finding.actual == "-1" and finding.context.programme == "nxtgen-hightech"


def test_the_seed_statements_quote_the_table_cells_they_cite() -> None:
    """Verify (not trust) the statements that compare table 5 with table 6: each one that cites a table
    cell has that cell's published value."""
    cells = {
        (c.table.code, c.row_key, c.column_key): c.value
        for c in BudgetCell.objects.filter(
            table__code__in=["nxtgen-table-5", "nxtgen-table-6"]
        ).select_related("table")
    }
    cited = {
        # key: (table 5 cell, table 6 cell)
        "nxtgen-budget-zonder-groeifonds-totaal": (
            ("zonder-groeifonds", "total"),
            ("grand-total", "zonder-kosten"),
        ),
        "nxtgen-budget-zonder-bedrijven": (
            ("zonder-bijdrage-bedrijven", "total"),
            ("grand-total", "zonder-bedrijven"),
        ),
        "nxtgen-budget-zonder-kennisinstellingen": (
            ("zonder-bijdrage-kennisinstellingen", "total"),
            ("grand-total", "zonder-kennisinstellingen"),
        ),
        "nxtgen-budget-zonder-overheid": (
            ("zonder-bijdrage-overheid", "total"),
            ("grand-total", "zonder-overheid"),
        ),
        "nxtgen-budget-met-groeifonds-totaal": (("met-groeifonds", "total"), ("grand-total", "met-kosten")),
        "nxtgen-budget-met-bedrijven": (
            ("met-bijdrage-bedrijven", "total"),
            ("grand-total", "met-bedrijven"),
        ),
        "nxtgen-groeifondsbijdrage": (
            ("met-bijdrage-groeifonds", "total"),
            ("grand-total", "met-groeifonds"),
        ),
        "nxtgen-budget-met-kennisinstellingen": (
            ("met-bijdrage-kennisinstellingen", "total"),
            ("grand-total", "met-kennisinstellingen"),
        ),
        "nxtgen-budget-met-overheid": (("met-bijdrage-overheid", "total"), ("grand-total", "met-overheid")),
    }
    for key, (t5, t6) in cited.items():
        statements = list(Statement.objects.filter(key=key))
        t5_values = {s.value for s in statements if "Tabel 5" in s.source_location}
        t6_values = {s.value for s in statements if "Tabel 6" in s.source_location}
        assert t5_values == {cells[("nxtgen-table-5", *t5)]}, key
        assert t6_values == {cells[("nxtgen-table-6", *t6)]}, key


def test_same_verdicts_as_the_sources_page() -> None:
    """The sources page (sources.selectors.disagreements) and these checks agree on what is within
    rounding for every numeric statement key."""
    with translation.override("en"):
        report = budget_findings()
    ours = {
        f.key.removeprefix("same-quantity:"): f.within_rounding
        for f in [*report.findings, *report.within_rounding]
        if f.rule == "same-quantity"
    }
    theirs = {
        d.key: d.within_rounding for d in disagreements() if all(s.value is not None for s in d.statements)
    }
    assert {k: v for k, v in theirs.items() if k in ours} == {k: ours[k] for k in theirs if k in ours}
    assert set(theirs) <= set(ours)
