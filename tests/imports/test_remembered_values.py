"""The importer remembers what a field gave for a raw value it has seen (engine.FieldMemo), because most
columns repeat a few values. Remembering must change nothing but the time: a value that raised a
problem, was rounded or corrected is read again in every row, so that every row is reported."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from deltaregio.imports.engine import Report
from deltaregio.imports.fields import MEMO_LIMIT, MEMO_TRIAL, FieldMemo
from deltaregio.projects.models import Project

PROFILE = """
name: test-memo
source: {format: csv, delimiter: ";", encoding: utf-8}
record_key: [nr]
numbers: {decimal: "."}
entities:
  project:
    key: [nr]
    fields:
      acronym: acronym
      title: title
      start_date: {column: start, parse: date}
      end_date: {column: end, parse: date, corrections: {"2026-09-31": "2026-09-30"}}
      status: {column: status, map: {SIGNED: running, CLOSED: closed}}
  funding:
    fields:
      source: {value: Testfonds}
      source_kind: {value: government}
      amount: {column: amount, parse: money}
"""
HEADER = "nr;acronym;title;start;end;status;amount\n"


def rows(*lines: str) -> bytes:
    return (HEADER + "".join(f"{n};{line}\n" for n, line in enumerate(lines, start=1))).encode()


@pytest.fixture
def memo_import(run_import: Callable[..., Report]) -> Callable[..., Report]:
    def run(data: bytes, **options: object) -> Report:
        return run_import("test-memo", data, profile_text=PROFILE, file_name="memo.csv", **options)

    return run


@pytest.mark.django_db
def test_a_wrong_value_repeated_is_reported_in_every_row(memo_import: Callable[..., Report]) -> None:
    report = memo_import(
        rows(
            "A;Alpha;31.02.2021;;SIGNED;10",
            "B;Beta;31.02.2021;;SIGNED;10",  # the same impossible date: read again, reported again
            "C;Gamma;01.02.2021;;WEIRD;10",
            "D;Delta;01.02.2021;;WEIRD;10",  # the same unknown status code
        ),
        dry_run=True,
    )
    found = [(p.location, p.field) for p in report.errors]
    assert found.count(("row 2", "start")) == 1 and found.count(("row 3", "start")) == 1
    assert ("row 4", "status") in found and ("row 5", "status") in found
    assert report.rows_invalid == 4


@pytest.mark.django_db
def test_rounding_and_corrections_are_counted_in_every_row(memo_import: Callable[..., Report]) -> None:
    report = memo_import(
        rows(
            "A;Alpha;01.02.2021;2026-09-31;SIGNED;49999.99999998",
            "B;Beta;01.02.2021;2026-09-31;SIGNED;49999.99999998",
            "C;Gamma;01.02.2021;2026-09-31;SIGNED;49999.99999998",
        )
    )
    assert report.state == "done"
    assert report.rounded == 3  # the same noisy amount, counted in each of its rows
    ((where, raw, corrected), (count, locations)) = next(iter(report.corrections.items()))
    assert (where, raw, corrected) == ("project.end_date", "2026-09-31", "2026-09-30")
    assert count == 3 and locations == ["row 2", "row 3", "row 4"]
    assert (
        sorted(Project.objects.filter(acronym__in=["A", "B", "C"]).values_list("status", flat=True))
        == ["running"] * 3
    )


@pytest.mark.django_db
def test_remembered_values_give_the_same_records_as_values_read_once(
    memo_import: Callable[..., Report],
) -> None:
    report = memo_import(
        rows(
            "A;Alpha;01.02.2021;31.12.2024;SIGNED;10",
            "B;Beta;01.02.2021;31.12.2024;CLOSED;10",
            "C;Gamma;01.02.2021;31.12.2024;SIGNED;10",
        )
    )
    assert report.state == "done"
    projects = {p.acronym: p for p in Project.objects.filter(acronym__in=["A", "B", "C"])}
    assert {str(p.start_date) for p in projects.values()} == {"2021-02-01"}
    assert {str(p.end_date) for p in projects.values()} == {"2024-12-31"}
    assert [projects[a].status for a in "ABC"] == ["running", "closed", "running"]


def test_a_column_whose_values_do_not_repeat_is_not_remembered() -> None:
    memo = FieldMemo()
    for n in range(MEMO_TRIAL + 1):
        memo.keep(str(n), n)
    assert not memo.enabled and memo.values == {}


def test_a_repeating_column_is_remembered_up_to_the_limit() -> None:
    memo = FieldMemo()
    memo.hits = MEMO_LIMIT  # as if every value had been asked for again
    for n in range(MEMO_LIMIT + 10):
        memo.keep(n, n)
    assert memo.enabled and len(memo.values) == MEMO_LIMIT


@pytest.mark.django_db
def test_a_corrected_fixed_value_and_nuts_names_are_reported_for_every_row(
    run_import: Callable[..., Report],
) -> None:
    """Fields whose reading leaves a trace in the report beyond problems are read in every row: a
    fixed value with a correction (each use is counted), and NUTS names (the report keeps the code a
    name was read as — here one name read in two countries, the last reading kept, as before)."""
    profile = """
name: test-memo-traces
source: {format: csv, delimiter: ";", encoding: utf-8}
record_key: [nr]
entities:
  project:
    key: [nr]
    fields:
      acronym: acronym
      title: {value: "Titel", corrections: {"Titel": "Title"}}
    extra:
      region_be: {column: region_be, parse: nuts, country: BE}
      region_nl: {column: region_nl, parse: nuts, country: NL}
"""
    data = b"nr;acronym;region_be;region_nl\n1;A;Limburg;Limburg\n2;B;Limburg;\n3;C;Limburg;\n"
    report = run_import("test-memo-traces", data, profile_text=profile, file_name="t.csv", dry_run=True)
    assert report.state == "checked"
    (count, locations) = report.corrections[("project.title", "Titel", "Title")]
    assert count == 3 and locations == ["row 2", "row 3", "row 4"]
    assert report.nuts_resolved == {"Limburg": "BE22"}  # read in Belgium last, in rows 3 and 4


def test_zero_and_minus_zero_are_remembered_apart() -> None:
    from deltaregio.imports.fields import _memo_key
    from deltaregio.imports.profiles import FieldSpec
    from deltaregio.imports.readers import Source, SourceRecord

    spec = FieldSpec(name="amount", column="amount", parse="money")
    keys = set()
    for value in (0.0, -0.0, 0, "0"):
        record = SourceRecord(values={"amount": value}, location="record 1", number=1)
        keys.add(_memo_key(spec, ctx_for(record, Source())))
    assert len(keys) == 4


def ctx_for(record: object, source: object) -> object:
    from deltaregio.imports.fields import RowContext

    return RowContext(record, source, Report(profile="p", file_name="f"), None, {})  # type: ignore[arg-type]
