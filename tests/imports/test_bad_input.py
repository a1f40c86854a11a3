"""Bad input: each problem is reported with its row (or record) and field, and nothing is written —
unless --skip-invalid was chosen, which writes the valid records and lists the others."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import Workbook

from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.imports.engine import Report
from deltaregio.imports.models import ImportedRecord
from deltaregio.projects.models import Partner, Project

PROFILE = """
name: test-grants
source: {format: csv, delimiter: ";", encoding: utf-8}
record_key: [nr]
numbers: {decimal: auto}
entities:
  project:
    key: [nr]
    fields:
      acronym: acronym
      title: title
      start_date: start
      status: {value: running}
  organisation:
    fields:
      name: organisation
      country: {column: country}
  partner:
    fields:
      role: {column: role, map: {LP: lead, PP: partner}}
  funding:
    for_partner: true
    fields:
      source: {value: Testfonds}
      source_kind: {value: government}
      amount: {column: amount, parse: money}
"""
HEADER = "nr;acronym;title;start;organisation;country;role;amount\n"
GOOD = (
    HEADER
    + "1;ALPHA;Alpha project;01.02.2021;Sirris;BE;LP;€ 1.234,56\n"
    + "2;BETA;Beta project;2021-03-01;TNO;Nederland;PP;1 000,5\n"
)


def snapshot() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "partners": Partner.objects.count(),
        "funding": FundingContribution.objects.count(),
        "organisations": Organisation.objects.count(),
        "records": ImportedRecord.objects.count(),
    }


@pytest.fixture
def grants(run_import: Callable[..., Report]) -> Callable[..., Report]:
    def run(data: bytes | str, **options: Any) -> Report:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return run_import("test-grants", raw, profile_text=PROFILE, file_name="grants.csv", **options)

    return run


def problems(report: Report) -> list[tuple[str, str]]:
    return [(p.location, p.field) for p in report.errors]


@pytest.mark.django_db
def test_a_good_file_imports_with_european_numbers(grants: Callable[..., Report]) -> None:
    report = grants(GOOD)
    assert report.state == "done"
    alpha = Project.objects.get(acronym="ALPHA")
    assert str(alpha.funding.get().amount) == "1234.56"
    assert str(alpha.start_date) == "2021-02-01"
    assert str(FundingContribution.objects.get(project__acronym="BETA").amount) == "1000.50"
    assert Partner.objects.get(project__acronym="BETA").organisation.name == "TNO"  # matched the seed's TNO
    assert report.counts["organisation"] == {"reference": 2}
    assert alpha.source_document == "grants.csv" and alpha.source_location == "row 2"


@pytest.mark.django_db
def test_dry_run_of_a_broken_file_lists_every_problem_and_writes_nothing(
    grants: Callable[..., Report],
) -> None:
    before = snapshot()
    broken = (
        HEADER
        + "1;ALPHA;Alpha;31.02.2021;Sirris;BE;LP;12,5\n"  # no such date
        + "2;BETA;Beta;01.03.2021;TNO;NL;XX;1,234\n"  # unknown role, ambiguous number
        + "2;GAMMA;Gamma;01.03.2021;TNO;NL;PP;5\n"  # duplicate key, other values
        + '3;=HYPERLINK("http://x");Delta;01.03.2021;@SUM(A1);Nowhere;PP;abc\n'  # formulas, country, number
        + "4;;Epsilon;01.03.2021;Agoria;BE;PP;5\n"  # required value missing
    )
    report = grants(broken, dry_run=True)
    assert report.state == "refused"
    found = problems(report)
    assert ("row 2", "start") in found
    assert ("row 3", "role") in found and ("row 3", "amount") in found
    assert ("row 4", "nr") in found
    assert {
        ("row 5", "acronym"),
        ("row 5", "organisation"),
        ("row 5", "country"),
        ("row 5", "amount"),
    } <= set(found)
    assert ("row 6", "acronym") in found
    assert snapshot() == before


@pytest.mark.django_db
def test_without_dry_run_an_invalid_row_refuses_the_whole_file(grants: Callable[..., Report]) -> None:
    before = snapshot()
    report = grants(GOOD + "3;GAMMA;Gamma;not a date;Agoria;BE;PP;5\n")
    assert report.state == "refused" and not report.written
    assert problems(report) == [("row 4", "start")]
    assert snapshot() == before


@pytest.mark.django_db
def test_skip_invalid_writes_the_valid_rows_and_lists_the_others(grants: Callable[..., Report]) -> None:
    report = grants(GOOD + "3;GAMMA;Gamma;not a date;Agoria;BE;PP;5\n", skip_invalid=True)
    assert report.state == "done"
    assert report.rows_invalid == 1 and report.rows_valid == 2
    assert problems(report) == [("row 4", "start")]
    assert set(Project.objects.filter(source_document="grants.csv").values_list("acronym", flat=True)) == {
        "ALPHA",
        "BETA",
    }


@pytest.mark.django_db
def test_a_wrong_encoding_is_reported_with_row_and_field(grants: Callable[..., Report]) -> None:
    before = snapshot()
    latin1 = (HEADER + "1;ALPHA;Café Europa;01.02.2021;Sirris;BE;LP;5\n").encode("latin-1")
    report = grants(latin1)
    assert report.state == "refused"
    assert problems(report) == [("row 2", "title")]
    assert "utf-8" in report.errors[0].message
    assert snapshot() == before


@pytest.mark.django_db
def test_a_missing_mapped_column_is_reported(grants: Callable[..., Report]) -> None:
    report = grants(GOOD.replace(";amount", ";bedrag"))
    assert report.state == "refused"
    assert ("row 1", "amount") in problems(report)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"", b"   \n", HEADER.encode()])
def test_an_empty_file_is_refused(grants: Callable[..., Report], data: bytes) -> None:
    report = grants(data)
    assert report.state == "refused"
    assert report.errors[0].location == "file"


@pytest.mark.django_db
@override_settings(DELTAREGIO_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(grants: Callable[..., Report]) -> None:
    before = snapshot()
    report = grants(GOOD * 3)
    assert report.state == "refused"
    assert "DELTAREGIO_IMPORT_MAX_BYTES" in report.errors[0].message
    assert snapshot() == before


@pytest.mark.django_db
def test_an_identical_duplicate_record_is_skipped_with_a_note(grants: Callable[..., Report]) -> None:
    line = "3;GAMMA;Gamma;01.03.2021;Agoria;BE;PP;5\n"
    report = grants(GOOD + line + line)
    assert report.state == "done"
    assert report.rows_duplicate == 1
    assert Project.objects.filter(acronym="GAMMA").count() == 1


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_PROFILE = PROFILE.replace(
    'source: {format: csv, delimiter: ";", encoding: utf-8}', "source: {format: xlsx}"
)


@pytest.mark.django_db
def test_a_spreadsheet_formula_is_refused(run_import: Callable[..., Report]) -> None:
    header = HEADER.strip().split(";")
    data = workbook([header, [1, "ALPHA", "Alpha", "01.02.2021", "Sirris", "BE", "LP", "=100*2"]])
    before = snapshot()
    report = run_import("x", data, profile_text=XLSX_PROFILE, file_name="grants.xlsx")
    assert report.state == "refused"
    assert problems(report) == [("row 2", "amount")]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_spreadsheet_imports_dates_and_numbers_as_cells(run_import: Callable[..., Report]) -> None:
    import datetime as dt

    header = HEADER.strip().split(";")
    data = workbook([header, [1, "ALPHA", "Alpha", dt.datetime(2021, 2, 1), "Sirris", "BE", "LP", 1234.56]])
    report = run_import("x", data, profile_text=XLSX_PROFILE, file_name="grants.xlsx")
    assert report.state == "done", report.as_dict()["errors"]
    assert str(Project.objects.get(acronym="ALPHA").start_date) == "2021-02-01"


@pytest.mark.django_db
def test_importing_again_after_a_change_updates_only_that_record(grants: Callable[..., Report]) -> None:
    grants(GOOD)
    history = Project.history.filter(acronym="BETA").count()
    report = grants(GOOD.replace("Beta project", "Beta project, renamed"))
    assert report.counts["project"] == {"unchanged": 1, "update": 1}
    assert Project.objects.get(acronym="BETA").title == "Beta project, renamed"
    assert Project.history.filter(acronym="BETA").count() == history + 1


@pytest.mark.django_db
def test_a_repeated_key_with_another_value_in_a_column_the_profile_does_not_read_is_an_error(
    grants: Callable[..., Report],
) -> None:
    """A CSV record keeps only the columns the profile reads, but is compared whole: a record that repeats
    a source identifier is a harmless copy only when every cell is the same."""
    header = HEADER.rstrip("\n") + ";remark\n"
    row = "1;ALPHA;Alpha project;01.02.2021;Sirris;BE;LP;5"
    copy = grants(header + row + ";first\n" + row + ";first\n", dry_run=True)
    assert copy.state == "checked" and copy.rows_duplicate == 1
    other = grants(header + row + ";first\n" + row + ";second\n", dry_run=True)
    assert other.state == "refused" and problems(other) == [("row 3", "nr")]


def test_a_csv_file_is_read_as_a_stream_with_only_the_columns_the_profile_reads() -> None:
    from deltaregio.imports.profiles import profile_from_text
    from deltaregio.imports.readers import read_source

    data = (HEADER.rstrip("\n") + ";remark\n" + "1;ALPHA;Alpha;01.02.2021;Sirris;BE;LP;5;a note\n").encode()
    source = read_source(io.BytesIO(data), profile_from_text(PROFILE))
    assert not source.problems and len(source.records) == 1
    record = source.records[0]
    assert "remark" not in record.values and record.values["acronym"] == "ALPHA"
    assert source.columns is not None and "remark" in source.columns
    assert (
        record.digest
        and record.digest
        != read_source(data.replace(b"a note", b"b note"), profile_from_text(PROFILE)).records[0].digest
    )


@pytest.mark.django_db
def test_skip_invalid_leaves_out_a_project_that_ends_before_it_starts_with_its_partners(
    run_import: Callable[..., Report],
) -> None:
    """The dates of a project are checked after its rows are merged; with skip_invalid such a project
    is left out with its partners and contributions (it made the import fail before), the others are
    written, and the counts say what was written."""
    profile = PROFILE.replace(
        "start_date: start",
        "start_date: {column: start, parse: date}\n      end_date: {column: end, parse: date}",
    )
    data = (
        b"nr;acronym;title;start;end;organisation;country;role;amount\n"
        b"1;ALPHA;Alpha;01.02.2021;01.01.2020;Sirris;BE;LP;5\n"
        b"2;BETA;Beta;01.02.2021;01.01.2022;TNO;NL;PP;7\n"
    )
    before = snapshot()
    report = run_import("test-grants", data, profile_text=profile, file_name="g.csv", skip_invalid=True)
    assert report.state == "done"
    assert [(p.location, p.field) for p in report.errors] == [("row 2", "project.end_date")]
    assert not Project.objects.filter(acronym="ALPHA").exists()
    beta = Project.objects.get(acronym="BETA")
    assert [str(f.amount) for f in beta.funding.all()] == ["7.00"]
    after = snapshot()
    assert after["projects"] - before["projects"] == 1 == report.counts["project"]["create"]
    assert after["partners"] - before["partners"] == 1 == report.counts["partner"]["create"]
    assert after["funding"] - before["funding"] == 1 == report.counts["funding"]["create"]
    assert (report.rows_valid, report.rows_invalid) == (1, 1)  # the left-out project's row is skipped
    assert report.amount_totals == {"funding.amount EUR": "7.00"}  # of what was written
    assert any("invalid records were skipped" in note for note in report.notes)
