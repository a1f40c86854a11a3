"""The rules on budgets people enter (factory data, never the reference data): lines against the
project's total and the work packages' budgets, years outside the project, co-financing plans (rates,
amounts, coverage, limits), contributions and dates. Each rule is shown to fire and to stay quiet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from deltaregio.finance.checks import RULE_CODES, relations
from deltaregio.finance.findings import Severity, Visibility
from deltaregio.finance.models import BudgetLine, CoFinancingLine, FundingContribution, FundingRateLimit
from deltaregio.finance.selectors import budget_check_data, budget_findings
from deltaregio.funding.models import Instrument
from deltaregio.projects.models import Milestone

from .conftest import Consortium

pytestmark = pytest.mark.django_db


def findings(project: object) -> dict[str, object]:
    with translation.override("en"):
        report = budget_findings(project=project)
    return {f.key: f for f in [*report.findings, *report.within_rounding]}


def test_every_relation_names_a_declared_rule(consortium: Consortium) -> None:
    consortium.line(consortium.alpha)
    with translation.override("en"):
        produced = {r.rule for r in relations(budget_check_data())}
    assert produced <= RULE_CODES
    assert {"table-row-sum", "same-quantity", "wp-share-sum", "lines-project-total"} <= produced


def test_lines_that_add_up_to_the_total_and_the_work_packages_are_quiet(consortium: Consortium) -> None:
    c = consortium
    c.line(c.lead, wp=1, amount="100000.00")
    c.line(c.alpha, wp=2, year=2025, amount="150000.00")
    c.line(c.beta, wp=2, year=2026, amount="50000.00")
    c.line(c.beta, wp=3, year=2026, amount="300000.00")
    assert not [k for k in findings(c.project) if k.startswith("lines-")]


def test_lines_against_total_and_work_package_budget(consortium: Consortium) -> None:
    c = consortium
    c.line(c.lead, wp=1, amount="100000.00")
    c.line(c.alpha, wp=2, amount="199999.99")  # one cent short of WP 2's 200.000,00
    c.line(c.beta, wp=3, amount="300000.00")
    found = findings(c.project)
    total = found[f"lines-project-total:{c.project.slug}"]
    wp2 = found[f"lines-wp-budget:{c.project.slug}:2"]
    assert total.severity == wp2.severity == Severity.DISAGREEMENT  # type: ignore[attr-defined]
    assert not total.within_rounding and total.difference == "0.01"  # type: ignore[attr-defined]
    assert Decimal(total.tolerance) == Decimal("0.005")  # type: ignore[attr-defined] # the published total's cent
    assert total.context.visibility == Visibility.PROJECT_LINES  # type: ignore[attr-defined]
    assert f"lines-wp-budget:{c.project.slug}:1" not in found


def test_a_line_outside_the_project_years_is_impossible(consortium: Consortium) -> None:
    c = consortium
    line = c.line(c.alpha, year=2025)
    c.project.end_date = dt.date(2024, 12, 31)  # the project was shortened after the line was entered
    c.project.save()
    finding = findings(c.project)[f"lines-year:{c.project.slug}:{line.pk}"]
    assert finding.severity == Severity.IMPOSSIBLE  # type: ignore[attr-defined]
    assert finding.context.partner_id == c.alpha.pk  # type: ignore[attr-defined]
    assert finding.figures[0].source.location == "fixture"  # type: ignore[attr-defined] # the row it came from


def test_co_financing_plan(consortium: Consortium) -> None:
    c = consortium
    c.line(c.alpha, wp=1, amount="80000.00")
    c.line(c.alpha, wp=2, amount="20000.00")  # alpha's budget: 100.000
    erdf = Instrument.objects.get(code="interreg-vl-nl")
    FundingRateLimit.objects.create(instrument=erdf, max_rate=Decimal("50"), source_document="test")
    common = {"project": c.project, "partner": c.alpha, "source_document": "screen: test"}
    ok = CoFinancingLine.objects.create(
        source_kind="eu_fund",
        source="EFRO",
        instrument=erdf,
        rate=Decimal("50"),
        amount=Decimal("50000.00"),
        **common,
    )
    CoFinancingLine.objects.create(
        source_kind="own", source="eigen middelen", amount=Decimal("40000.00"), **common
    )
    found = findings(c.project)
    assert f"co-financing-rate:{c.project.slug}:{ok.pk}" not in found
    covers = found[f"co-financing-covers-budget:{c.project.slug}:{c.alpha.pk}"]
    assert (covers.expected, covers.actual, covers.difference) == ("90000", "100000", "10000")  # type: ignore[attr-defined]
    # Now a rate above the instrument's limit and an amount that does not match its rate:
    CoFinancingLine.objects.filter(pk=ok.pk).update(rate=Decimal("60"))
    found = findings(c.project)
    assert found[f"co-financing-rate-limit:{c.project.slug}:{ok.pk}"].severity == Severity.IMPOSSIBLE  # type: ignore[attr-defined]
    rate = found[f"co-financing-rate:{c.project.slug}:{ok.pk}"]
    assert (rate.expected, rate.actual) == ("60000", "50000")  # type: ignore[attr-defined]


def test_co_financing_rates_above_100(consortium: Consortium) -> None:
    c = consortium
    c.line(c.beta, amount="1000.00")
    common = {"project": c.project, "partner": c.beta, "source_document": "screen: test"}
    CoFinancingLine.objects.create(source_kind="eu_fund", source="EFRO", rate=Decimal("60"), **common)
    CoFinancingLine.objects.create(source_kind="government", source="Provincie", rate=Decimal("50"), **common)
    found = findings(c.project)
    over = found[f"co-financing-rates-over-100:{c.project.slug}:{c.beta.pk}"]
    assert over.severity == Severity.IMPOSSIBLE and over.actual == "110"  # type: ignore[attr-defined]
    covers = found[f"co-financing-covers-budget:{c.project.slug}:{c.beta.pk}"]
    assert covers.expected == "1100"  # type: ignore[attr-defined] # 60 % and 50 % of the budget


def test_published_contributions(consortium: Consortium) -> None:
    c = consortium
    p = c.project  # total cost 600.000
    FundingContribution.objects.create(
        project=p,
        source="EFRO",
        source_kind="eu_fund",
        amount=Decimal("300000"),
        share=Decimal("50"),
        basis_amount=Decimal("600000"),
    )
    FundingContribution.objects.create(
        project=p,
        source="Eigen",
        source_kind="own",
        amount=Decimal("350000"),
        share=Decimal("60"),
        basis_amount=Decimal("600000"),
    )
    FundingContribution.objects.create(project=p, source="Fout", source_kind="other", amount=Decimal("-1"))
    found = findings(p)
    assert found[f"contribution-rates-over-100:{p.slug}:600000"].actual == "110"  # type: ignore[attr-defined]
    over = found[f"contribution-over-cost:{p.slug}"]
    assert (over.expected, over.actual) == ("600000", "649999")  # type: ignore[attr-defined]
    negative = [k for k in found if k.startswith(f"contribution-not-negative:{p.slug}:")]
    assert len(negative) == 1
    own = FundingContribution.objects.get(project=p, source="Eigen")
    rate = found[f"contribution-rate:{p.slug}:{own.pk}"]
    assert (rate.expected, rate.actual) == ("360000", "350000")  # type: ignore[attr-defined]


def test_work_package_and_milestone_dates_outside_the_project(consortium: Consortium) -> None:
    c = consortium
    wp = c.wps[0]
    wp.start_date, wp.end_date = dt.date(2023, 12, 1), dt.date(2024, 6, 30)
    wp.save()
    late = c.wps[1]
    late.start_date, late.end_date = dt.date(2025, 1, 1), dt.date(2024, 1, 1)  # ends before it starts
    late.save()
    Milestone.objects.create(project=c.project, title="Eindrapport", due_date=dt.date(2027, 3, 1))
    found = findings(c.project)
    early = found[f"wp-dates:{c.project.slug}:wp1:start"]
    assert early.difference == "-31" and early.severity == Severity.IMPOSSIBLE  # type: ignore[attr-defined]
    assert f"wp-dates:{c.project.slug}:wp2:order" in found
    assert any(k.startswith(f"wp-dates:{c.project.slug}:milestone") for k in found)
    assert f"wp-dates:{c.project.slug}:wp1:end" not in found


def test_lines_findings_are_only_for_those_who_see_the_lines(consortium: Consortium, user_for: Any) -> None:
    c = consortium
    c.line(c.alpha, amount="1.00")
    anonymous = budget_findings(user=AnonymousUser(), project=c.project)
    assert not [f for f in anonymous.findings if f.rule.startswith("lines-")]
    lead = budget_findings(user=user_for(c.lead), project=c.project)
    assert [f for f in lead.findings if f.rule == "lines-project-total"]
    beta = budget_findings(user=user_for(c.beta), project=c.project)
    assert not [f for f in beta.findings if f.rule == "lines-project-total"]
    assert BudgetLine.objects.count() == 1
