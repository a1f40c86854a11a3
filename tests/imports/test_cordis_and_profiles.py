"""The CORDIS project and organisation layouts (samples written from CORDIS's published column list),
profile checks, and personal data only when a profile maps it explicitly."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal

import pytest

from deltaregio.directory.models import Organisation, Person
from deltaregio.finance.models import FundingContribution
from deltaregio.imports.engine import Report
from deltaregio.imports.models import OrganisationIdentifier
from deltaregio.imports.profiles import (
    ProfileError,
    profile_from_text,
    shipped_profile_names,
    shipped_profiles,
)
from deltaregio.projects.models import Partner, Project

from .conftest import SAMPLES


def test_every_shipped_profile_is_valid() -> None:
    assert set(shipped_profile_names()) >= {
        "erdf-flanders-2007-2013",
        "h2020-norway",
        "interreg-sweden-2021-2027",
        "360giving",
        "cordis-projects",
        "cordis-organisations",
    }
    assert all(p.shipped for p in shipped_profiles())


@pytest.mark.django_db
def test_cordis_projects_then_organisations(run_import: Callable[..., Report]) -> None:
    projects_file = SAMPLES / "cordis-project.csv"
    organisations_file = SAMPLES / "cordis-organization.csv"
    rows = list(csv.DictReader(organisations_file.open(encoding="utf-8"), delimiter=";"))

    # the organisations need their projects: refused before the project file was imported
    refused = run_import("cordis-organisations", organisations_file)
    assert refused.state == "refused"
    assert {p.location for p in refused.errors} == {f"row {n}" for n in range(2, 9)}

    report = run_import("cordis-projects", projects_file)
    assert report.state == "done", report.as_dict()["errors"]
    edgeai = Project.objects.get(acronym="EDGEAI")
    assert edgeai.status == "closed" and edgeai.instrument.code == "horizon-europe"
    assert str(edgeai.funding.get().amount) == "700000.25"  # decimal comma
    assert str(Project.objects.get(acronym="PHOTONLINK").total_cost) == "4999750.50"

    report = run_import("cordis-organisations", organisations_file)
    assert report.state == "done", report.as_dict()["errors"]
    assert Partner.objects.filter(source_document=organisations_file.name).count() == len(rows)
    # one PIC under two spellings is one organisation
    leuven = OrganisationIdentifier.objects.get(scheme="XI-PIC", identifier="999999001").organisation
    assert leuven.participations.count() == 2
    assert (
        Partner.objects.get(project__acronym="GREENH2", role="coordinator").organisation.country == "GR"
    )  # EL
    assert (
        Partner.objects.get(project__acronym="EDGEAI", role="associated").organisation.country == "GB"
    )  # UK
    total = sum(Decimal(r["ecContribution"].replace(",", ".")) for r in rows)
    amounts = FundingContribution.objects.filter(source_document=organisations_file.name).values_list(
        "amount", flat=True
    )
    assert sum(amounts) == total
    again = run_import("cordis-organisations", organisations_file)
    assert again.total("create") == 0 and again.total("update") == 0


def test_a_profile_with_mistakes_is_refused_with_every_problem() -> None:
    with pytest.raises(ProfileError) as caught:
        profile_from_text(
            """
name: Bad Name
source: {format: xls}
entities:
  project:
    fields:
      acronym: {column: a, parse: roman}
      colour: b
  person:
    fields:
      name: contact
"""
        )
    text = " ".join(caught.value.problems)
    for expected in [
        "name:",
        "source.format",
        "record_key",
        "unknown parser roman",
        "no field colour",
        "personal data",
    ]:
        assert expected in text, expected


PERSON_PROFILE = """
name: test-contacts
source: {format: csv}
record_key: [nr]
entities:
  organisation:
    fields:
      name: organisation
  person:
    fields:
      name: {column: contact, personal: true}
      email: {column: email, personal: true}
      function: {value: contact person}
"""


@pytest.mark.django_db
def test_personal_data_is_stored_only_when_mapped_and_the_report_says_so(
    run_import: Callable[..., Report],
) -> None:
    data = b"nr,organisation,contact,email,telephone\n1,Sirris,Ann Peeters,ann@example.org,+32 2 000 00 00\n"
    report = run_import("x", data, profile_text=PERSON_PROFILE, file_name="contacts.csv")
    assert report.state == "done", report.as_dict()["errors"]
    assert report.personal_fields == ["person.name", "person.email"]
    assert report.personal_not_stored == ["telephone"]
    person = Person.objects.get(name="Ann Peeters")
    assert person.email == "ann@example.org" and person.organisation == Organisation.objects.get(
        name="Sirris"
    )

    without = PERSON_PROFILE.replace("      email: {column: email, personal: true}\n", "")
    report = run_import(
        "x", data.replace(b"Ann Peeters", b"Bo Jansen"), profile_text=without, file_name="contacts.csv"
    )
    assert report.personal_fields == ["person.name"]
    assert set(report.personal_not_stored) == {"email", "telephone"}
    assert Person.objects.get(name="Bo Jansen").email == ""
