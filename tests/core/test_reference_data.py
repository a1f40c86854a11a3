"""The reference data set holds the documents' facts, with their figures as published."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from deltaregio.agenda.models import DeclarationOfIntent, Summit, Theme
from deltaregio.directory.models import Lab
from deltaregio.finance.models import BudgetCell, FundingContribution
from deltaregio.funding.models import CallStatistic
from deltaregio.projects.models import Project
from deltaregio.sources.models import SourceDocument, Statement
from deltaregio.sources.selectors import disagreements

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    "000_0b87823145a82a7e.txt",
    "001_d5677a9b86aa36cb.txt",
    "002_40d31b0bcedf8a9d.txt",
    "003_4fcf121cbe736be6.txt",
    "004_11778272d9654f26.txt",
}


def test_the_eight_themes_with_hydrogen_and_ai_added_in_2020():
    themes = {t.code: t for t in Theme.objects.all()}
    assert set(themes) == {
        "energy-innovation",
        "factories-of-the-future",
        "flexible-electronics",
        "photonics",
        "life-sciences-health",
        "new-materials",
        "hydrogen",
        "artificial-intelligence",
    }
    assert themes["hydrogen"].added_on == dt.date(2020, 11, 4)
    assert themes["hydrogen"].added_at.place == "Brasschaat"
    assert themes["photonics"].added_on == dt.date(2016, 11, 7)
    assert themes["energy-innovation"].subdomains.count() == 4


def test_the_five_summits_and_two_declarations():
    summits = [(s.date, s.place) for s in Summit.objects.order_by("date")]
    assert summits == [
        (dt.date(2011, 7, 4), "Hingene"),
        (dt.date(2013, 10, 8), "Maastricht"),
        (dt.date(2016, 11, 7), "Gent"),
        (dt.date(2018, 11, 5), "Middelburg"),
        (dt.date(2020, 11, 4), "Brasschaat"),
    ]
    declarations = list(DeclarationOfIntent.objects.order_by("date"))
    assert [d.date for d in declarations] == [dt.date(2004, 4, 7), dt.date(2008, 4, 17)]
    assert declarations[1].renews == declarations[0]


def test_fokus_work_packages_exactly_as_published():
    fokus = Project.objects.get(acronym="Fokus")
    assert fokus.total_cost == Decimal("4294998.60")
    wps = {wp.number: (wp.budget, wp.share) for wp in fokus.work_packages.all()}
    assert wps == {
        1: (Decimal("430732.00"), Decimal("10.03")),
        2: (Decimal("249888.00"), Decimal("5.82")),
        3: (Decimal("303712.00"), Decimal("7.07")),
        4: (Decimal("268686.00"), Decimal("6.26")),
        5: (Decimal("2342473.60"), Decimal("54.54")),
        6: (Decimal("699507.00"), Decimal("16.29")),
    }
    assert sum(b for b, _ in wps.values()) == fokus.total_cost
    # The shares as published add up to 100.01, not 100: kept as published.
    assert sum(s for _, s in wps.values()) == Decimal("100.01")
    # WP 1 starts a year after the project, as the roadmap says; not "fixed".
    assert fokus.work_packages.get(number=1).start_date == dt.date(2019, 5, 1)
    assert fokus.start_date == dt.date(2018, 5, 1)
    assert fokus.partners.count() == 9


def test_fokus_cofinancing_keeps_units_and_bases():
    hermes = FundingContribution.objects.get(project__acronym="Fokus", source="Hermesfonds")
    assert (hermes.amount, hermes.unit, hermes.share, hermes.status) == (
        Decimal("267"),
        "kEUR",
        Decimal("15"),
        "requested",
    )
    assert sorted(p.organisation.name for p in hermes.partners.all()) == ["Agoria", "Flanders Make", "Sirris"]
    efro = FundingContribution.objects.get(project__acronym="Fokus", source_kind="eu_fund")
    assert efro.amount == Decimal("2147499.30") and efro.share == 50


def test_practice_labs_of_document_004_with_their_areas():
    areas = {lab.city: lab.area_m2 for lab in Lab.objects.filter(source_document="004_11778272d9654f26.txt")}
    assert areas == {"Eindhoven": 125, "Diepenbeek": 300, "Turnhout": 100, "Brugge": 120}


def test_icon_2019_statistics_from_both_places_in_document_002():
    stats = CallStatistic.objects.filter(call__code="vlaio-icon-pm-2019").order_by("source_location")
    assert stats.count() == 2
    first = stats.get(source_location__contains="511")
    assert (
        first.submitted_count,
        first.requested_amount,
        first.granted_count,
        first.granted_amount,
        first.unit,
    ) == (10, Decimal("29"), 4, Decimal("16.1"), "MEUR")
    assert first.approximate


def test_nxtgen_tables_5_and_6_are_kept_as_printed():
    def cell(table: str, row: str, column: str) -> BudgetCell:
        return BudgetCell.objects.get(table__code=table, row_key=row, column_key=column)

    total_with = cell("nxtgen-table-5", "met-groeifonds", "total")
    assert (total_with.value_text, total_with.value) == ("1.273", Decimal("1273"))
    assert cell("nxtgen-table-5", "zonder-groeifonds", "total").value == Decimal("312")
    assert cell("nxtgen-table-6", "grand-total", "zonder-totaal").value == Decimal("313")
    energy = cell("nxtgen-table-6", "energie", "met-overheid")
    assert (energy.value_text, energy.value) == ("-1", Decimal("-1"))


def test_every_record_names_a_source_document_and_place():
    from django.apps import apps

    from deltaregio.sources.models import Sourced

    for model in apps.get_models():
        if not issubclass(model, Sourced):
            continue
        for obj in model._default_manager.all():
            assert obj.source_document in DOCUMENTS, f"{model.__name__} {obj.pk} lacks its document"
            assert obj.source_location, f"{model.__name__} {obj} lacks its place in {obj.source_document}"
    assert set(SourceDocument.objects.values_list("file_name", flat=True)) == DOCUMENTS


def test_the_documents_disagreements_are_kept_side_by_side():
    found = {d.key: d for d in disagreements()}
    smes = found["fokus-target-smes"]
    assert {s.value for s in smes.statements} == {Decimal("150"), Decimal("200")}
    assert {s.source_document for s in smes.statements} == {
        "000_0b87823145a82a7e.txt",
        "004_11778272d9654f26.txt",
    }
    assert "nxtgen-budget-zonder-groeifonds-totaal" in found
    # Places that agree are not reported as disagreeing.
    assert "regmed-xb-grant" not in found
    assert Statement.objects.filter(key="regmed-xb-grant").count() == 2


def test_disagreements_compare_money_across_units_and_mark_rounding():
    found = {d.key: d for d in disagreements()}
    # 75.484 mln euro (a table) against "ruwweg 75 miljard" (the text): the same within the text's rounding.
    assert found["htsm-toegevoegde-waarde-2019"].within_rounding
    # Tables 5 and 6 give 44 and 42 MEUR for the knowledge institutions: more than rounding explains.
    assert not found["nxtgen-budget-zonder-kennisinstellingen"].within_rounding
    # Counts are exact: 150 or 200 SMEs is a real disagreement.
    assert not found["fokus-target-smes"].within_rounding
