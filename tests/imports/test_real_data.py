"""The four real data sets import through their profiles with the counts and totals computed here
independently of the importer (a few lines of csv/json), and a second import changes nothing."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.funding.models import Call
from deltaregio.imports.engine import Report
from deltaregio.imports.models import OrganisationIdentifier
from deltaregio.projects.models import Partner, Project

CENT = Decimal("0.01")


def cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def counts(file_name: str) -> dict[str, int]:
    return {
        "projects": Project.objects.filter(source_document=file_name).count(),
        "partners": Partner.objects.filter(source_document=file_name).count(),
        "funding": FundingContribution.objects.filter(source_document=file_name).count(),
        "organisations": Organisation.objects.filter(source_document=file_name).count(),
        "history": Project.history.filter(source_document=file_name).count(),
    }


def funding_total(file_name: str, unit: str = "EUR") -> Decimal:
    # added up in Python: SQLite's SUM of decimals is a float
    amounts = FundingContribution.objects.filter(source_document=file_name, unit=unit).values_list(
        "amount", flat=True
    )
    return sum((a for a in amounts if a is not None), Decimal(0))


def import_twice(run_import: Callable[..., Report], profile: str, path: Path) -> tuple[Report, Report]:
    first = run_import(profile, path)
    assert first.state == "done", [p.as_dict() for p in first.errors][:10]
    before = counts(path.name)
    second = run_import(profile, path)
    assert second.state == "done"
    assert second.total("create") == 0
    assert second.total("update") == 0
    assert counts(path.name) == before, "the second import changed the database"
    return first, second


@pytest.mark.django_db
def test_erdf_flanders(run_import: Callable[..., Report], real_file: Callable[..., Path]) -> None:
    path = real_file("real", "erdf-flanders-2007-2013.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    unique = {r["PROJECTNUMMER"]: r for r in records}
    support = sum(cents(r["EFRO_STEUN"].replace("€", "").strip()) for r in unique.values())
    cost = sum(cents(r["SUBSIDIABELE_KOST"].replace("€", "").strip()) for r in unique.values())

    first, _second = import_twice(run_import, "erdf-flanders-2007-2013", path)

    assert first.rows_read == len(records) == 449
    assert first.rows_duplicate == len(records) - len(unique) == 1
    assert Project.objects.filter(source_document=path.name).count() == len(unique) == 448
    assert Partner.objects.filter(source_document=path.name, role="lead").count() == 448
    assert funding_total(path.name) == support
    assert sum(Project.objects.filter(source_document=path.name).values_list("total_cost", flat=True)) == cost
    # the ERDF support is the published rate of the eligible cost
    contribution = FundingContribution.objects.get(source_document=path.name, source_location="record 1")
    assert contribution.share == Decimal("40.00") and contribution.basis_amount == Decimal("1090141.18")
    assert contribution.partners.get().organisation.name == "Provincie Limburg"
    # two spellings of one organisation are one organisation, listed for review
    xios = Organisation.objects.filter(name__iexact="XIOS Hogeschool Limburg")
    assert xios.count() == 1
    assert Partner.objects.filter(organisation__in=xios, source_document=path.name).count() == 3
    assert any(
        set(m["source_names"]) == {"XIOS Hogeschool Limburg", "Xios Hogeschool Limburg"}
        for m in first.matches
    )
    # every project of the 2007-2013 programme has ended (the profile marks them closed)
    assert not Project.objects.filter(source_document=path.name, end_date__gte="2016-01-01").exists()
    # provenance
    project = Project.objects.get(source_document=path.name, title="BISY")
    assert project.source_location == "record 3"


@pytest.mark.django_db
def test_h2020_norway(run_import: Callable[..., Report], real_file: Callable[..., Path]) -> None:
    path = real_file("real", "h2020-norway-participations.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    total = sum(cents(r["Innvilget beløp organisasjon EUR"]) for r in rows)
    projects = {r["Prosjektnr"] for r in rows}
    calls = {r["Utlysnings-id"] for r in rows}
    unnamed = [r for r in rows if r["Organisasjonsnavn"] == "ukjent"]
    participations = {
        (r["Prosjektnr"], r["Organisasjonsnummer"]) for r in rows if r["Organisasjonsnavn"] != "ukjent"
    }
    registered = {r["Organisasjonsnummer"] for r in rows if r["Organisasjonsnummer"]}

    first, _second = import_twice(run_import, "h2020-norway", path)

    assert first.rows_read == len(rows) == 2931
    assert Project.objects.filter(source_document=path.name).count() == len(projects) == 1957
    assert Call.objects.filter(source_document=path.name).count() == len(calls)
    assert FundingContribution.objects.filter(source_document=path.name).count() == len(rows)
    assert funding_total(path.name) == total == Decimal("1672234782.37")
    # one partner per project and organisation: Kongsberg Maritime has two participant numbers in 636146
    assert Partner.objects.filter(source_document=path.name).count() == len(participations) == 2927
    by_number = OrganisationIdentifier.objects.filter(scheme="NO-BRC")
    assert set(by_number.values_list("identifier", flat=True)) >= registered
    kongsberg_org = by_number.get(identifier="979750730").organisation
    project_636146 = FundingContribution.objects.filter(
        source_document=path.name, partners__organisation=kongsberg_org, amount=Decimal("145795.65")
    )
    assert project_636146.count() == 2
    assert len({c.partners.get().pk for c in project_636146}) == 1
    # rows without an organisation keep their money at project level, with a note
    orphans = FundingContribution.objects.filter(source_document=path.name, partners__isnull=True)
    assert orphans.count() == len(unnamed) == 3
    assert all("no organisation" in c.note for c in orphans)
    # the same name under two registration numbers stays two organisations
    tellu = Organisation.objects.filter(identifiers__scheme="NO-BRC", name__startswith="TELLU AS")
    assert tellu.count() == 2
    # float noise: rounded to the cent, nothing beyond a tenth of a cent
    assert first.rounded > 0 and first.rounding_reported == []


@pytest.mark.django_db
def test_interreg_sweden(run_import: Callable[..., Report], real_file: Callable[..., Path]) -> None:
    path = real_file("real", "interreg-sweden-partners-2021-2027.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    total = sum(cents(r["partnerbudget"]) for r in records)
    projects = {(r["program"], r["projektnamn"]) for r in records}
    named = {
        (r["program"], r["projektnamn"], r["organisationsnamn"]) for r in records if r["organisationsnamn"]
    }
    unnamed = [r for r in records if not r["organisationsnamn"]]

    first, _second = import_twice(run_import, "interreg-sweden-2021-2027", path)

    assert first.rows_read == len(records) == 1196
    assert Project.objects.filter(source_document=path.name).count() == len(projects) == 586
    assert Partner.objects.filter(source_document=path.name).count() == len(named) == 1177
    assert funding_total(path.name) == total
    assert FundingContribution.objects.filter(
        source_document=path.name, partners__isnull=True
    ).count() == len(unnamed)
    # one partner in two rows (two years) of one project: one partner, one contribution, the sum
    selfcare = Project.objects.get(source_document=path.name, title="SelfCare")
    assert selfcare.partners.count() == 1
    assert selfcare.funding.get().amount == cents(9362.43) + cents(295564.23)
    assert (selfcare.start_date.isoformat(), selfcare.end_date.isoformat()) == ("2023-06-01", "2027-08-31")
    # roles and NUTS names
    assert set(Partner.objects.filter(source_document=path.name).values_list("role", flat=True)) == {
        "lead",
        "partner",
        "associated",
    }
    assert first.nuts_resolved["Västerbottens län"] == "SE331"
    assert "Småland och öarna" in first.nuts_unknown
    # published days that do not exist are corrected as the profile says, and reported
    assert any("2026-09-31" in note for note in first.notes)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["power-to-change.json", "wolfson.json"])
def test_360giving_packages(
    name: str, run_import: Callable[..., Report], real_file: Callable[..., Path]
) -> None:
    path = real_file("real", "360giving", name)
    grants = json.loads(path.read_text(encoding="utf-8"))["grants"]
    total = sum(cents(g["amountAwarded"]) for g in grants)

    first, _second = import_twice(run_import, "360giving", path)

    assert first.rows_read == len(grants)
    assert Project.objects.filter(source_document=path.name).count() == len(grants)
    assert funding_total(path.name, "GBP") == total
    assert not FundingContribution.objects.filter(source_document=path.name, unit="EUR").exists()
    # recipients are organisations by their org-id (placeholders such as GB-COH-n/a are not identifiers)
    ids = {g["recipientOrganization"][0]["id"] for g in grants}
    pairs = {
        tuple(re.match(r"^([^-]+-[^-]+)-(.+)$", i).groups()) for i in ids if not i.endswith(("-n/a", "-NA"))
    }  # type: ignore[union-attr]
    stored = set(OrganisationIdentifier.objects.values_list("scheme", "identifier"))
    assert pairs <= stored
    assert Partner.objects.filter(source_document=path.name).count() == len(grants)
