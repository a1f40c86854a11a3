"""A large import keeps its plan in SpillDicts (imports/spill.py): in memory up to a capacity, the rest
in a temporary SQLite file. These tests hold the spill to what a dict does, and an import that spills
(capacity 2: nearly everything goes through the disk) to the same report and the same database as one
that keeps everything in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.imports.engine import Planned, Report
from deltaregio.imports.models import ImportedRecord
from deltaregio.imports.spill import Spill, SpillDict, SpillList, SpillSet
from deltaregio.projects.models import Partner, Project

# --- the mappings on their own -----------------------------------------------------------------------

KEYS = st.one_of(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), st.tuples(st.text(max_size=2), st.integers(0, 3))
)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), KEYS, st.integers()),
        st.tuples(st.just("add"), KEYS, st.integers()),
        st.tuples(st.just("get"), KEYS),
        st.tuples(st.just("peek"), KEYS),
        st.tuples(st.just("in"), KEYS),
        st.tuples(st.just("del"), KEYS),
        st.tuples(st.just("pop"), KEYS),
        st.tuples(st.just("bump"), KEYS),  # change a value in place, as the planner does
        st.tuples(
            st.just("bump_all"),
        ),  # change every value while iterating, as resolve does
        st.tuples(st.just("delete_while_iterating"), st.integers(0, 3)),
        st.tuples(
            st.just("read"),
        ),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(ops=OPS, capacity=st.integers(2, 5))
def test_a_spill_dict_does_what_a_dict_does(ops: list[tuple[Any, ...]], capacity: int) -> None:
    spill = Spill(capacity)
    try:
        spilled: SpillDict[Any, list[int]] = SpillDict(spill)
        plain: dict[Any, list[int]] = {}
        for op in ops:
            name, *args = op
            if name in {"set", "add"}:
                key, value = args
                if name == "add" and key in plain:
                    continue  # add is for keys known to be new
                getattr(spilled, "add" if name == "add" else "__setitem__")(key, [value])
                plain[key] = [value]
            elif name == "get":
                assert spilled.get(args[0]) == plain.get(args[0])
            elif name == "peek":
                assert spilled.peek(args[0]) == plain.get(args[0])
            elif name == "in":
                assert (args[0] in spilled) == (args[0] in plain)
            elif name == "del":
                if args[0] in plain:
                    del spilled[args[0]]
                    del plain[args[0]]
                else:
                    with pytest.raises(KeyError):
                        del spilled[args[0]]
            elif name == "pop":
                assert spilled.pop(args[0], None) == plain.pop(args[0], None)
            elif name == "bump":
                if args[0] in plain:
                    spilled[args[0]].append(1)
                    plain[args[0]].append(1)
            elif name == "bump_all":
                for value in spilled.values():
                    value.append(2)
                for value in plain.values():
                    value.append(2)
            elif name == "delete_while_iterating":
                every = args[0] + 1
                for n, key in enumerate(list(plain)):
                    if n % every == 0:
                        del plain[key]
                for n, (key, _value) in enumerate(spilled.items()):
                    if n % every == 0:
                        del spilled[key]
            else:
                assert list(spilled.read_only_values()) == list(plain.values())
            assert len(spilled) == len(plain)
        assert list(spilled.items()) == list(plain.items())  # the same order: insertion order
        assert all(key in spilled for key in plain)
    finally:
        spill.close()


def test_a_spill_writes_to_disk_past_its_capacity_and_removes_its_file() -> None:
    spill = Spill(10)
    mapping: SpillDict[str, Planned] = spill.dict()
    for n in range(1000):
        mapping[f"k{n}"] = Planned(kind="funding", key=f"k{n}", values={"amount": Decimal(n)})
    rows: SpillList[int] = SpillList(spill)
    for n in range(100):
        rows.append(n)
    seen: SpillSet = spill.set()
    for n in range(100):
        seen.add(f"row {n}")
    assert mapping.spilled and spill.used
    path = spill._path
    assert os.path.exists(path)
    assert [p.values["amount"] for p in mapping.values()] == [Decimal(n) for n in range(1000)]
    assert list(rows) == list(range(100))
    assert "row 5" in seen and "row 100" not in seen and len(seen) == 100
    spill.close()
    assert not os.path.exists(path)


def test_a_small_plan_never_touches_the_disk() -> None:
    spill = Spill(1000)
    mapping: SpillDict[str, int] = spill.dict()
    for n in range(1000):
        mapping[str(n)] = n
    assert not mapping.spilled and not spill.used
    spill.close()


# --- a whole import, spilled or not ------------------------------------------------------------------


def _database() -> dict[str, Any]:
    """What an import wrote, without the database's ids (they differ from one run to the next)."""
    return {
        "projects": sorted(
            Project.objects.values_list("acronym", "title", "start_date", "end_date", "source_location")
        ),
        "organisations": sorted(Organisation.objects.values_list("name", "slug", "country")),
        "partners": sorted(
            Partner.objects.values_list("project__acronym", "organisation__name", "role", "country")
        ),
        "funding": sorted(
            (
                f.project.acronym,
                str(f.amount),
                f.source_location,
                tuple(sorted(str(p) for p in f.partners.all())),
            )
            for f in FundingContribution.objects.select_related("project").prefetch_related("partners")
        ),
        "records": sorted(ImportedRecord.objects.values_list("kind", "source_key", "owned", "fingerprint")),
        "history": {
            "projects": Project.history.count(),
            "partners": Partner.history.count(),
            "organisations": Organisation.history.count(),
        },
    }


def _import_and_undo(run_import: Callable[..., Report], capacity: int, *steps: dict[str, Any]) -> list[Any]:
    """Run the imports with the given capacity; what they reported and wrote; then undo them."""
    seen: list[Any] = []
    with override_settings(DELTAREGIO_IMPORT_MEMORY_OBJECTS=capacity):
        try:
            with transaction.atomic():
                for step in steps:
                    report = run_import(**step).as_dict()
                    report.pop("seconds")
                    seen.append((report, _database()))
                raise _Undo
        except _Undo:
            pass
    return seen


class _Undo(Exception):
    pass


@pytest.mark.django_db(transaction=False)
def test_an_import_that_spills_reports_and_writes_what_one_in_memory_does(
    run_import: Callable[..., Report], real_file: Callable[..., Path]
) -> None:
    path = real_file("real", "h2020-norway-participations.csv")
    data = path.read_bytes()
    # a second file with values changed in its first 400 rows: updates, and rows it makes invalid (left
    # out with skip_invalid)
    lines = data.decode("utf-8-sig").splitlines()
    changed = "\n".join(lines[:1] + [line.replace(";1", ";2", 1) for line in lines[1:400]]) + "\n"
    steps = (
        {"profile": "h2020-norway", "data": data, "file_name": path.name},
        {
            "profile": "h2020-norway",
            "data": changed.encode(),
            "file_name": "changed.csv",
            "skip_invalid": True,
        },
        {"profile": "h2020-norway", "data": data, "file_name": path.name, "dry_run": True},
    )
    in_memory = _import_and_undo(run_import, 1_000_000, *steps)
    spilled = _import_and_undo(run_import, 2, *steps)
    assert in_memory[0][0]["created"] > 1000  # the file was imported
    assert in_memory[1][0]["updated"] > 0
    for (report_m, db_m), (report_s, db_s) in zip(in_memory, spilled, strict=True):
        assert report_s == report_m
        assert db_s == db_m


@pytest.mark.parametrize(
    ("raw", "says"), [("1", "must be at least 2, not 1"), ("lots", "must be a whole number")]
)
def test_a_bad_memory_limit_is_refused_with_its_name(raw: str, says: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DELTAREGIO_")}
    result = subprocess.run(
        [sys.executable, "-m", "deltaregio", "check-config"],
        capture_output=True,
        text=True,
        env={**clean, "DELTAREGIO_IMPORT_MEMORY_OBJECTS": raw},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert f"DELTAREGIO_IMPORT_MEMORY_OBJECTS {says}" in result.stderr
    assert "Traceback" not in result.stderr
