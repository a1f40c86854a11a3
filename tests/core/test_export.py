"""`deltaregio export --format json`: complete, valid, stable."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from deltaregio.directory.models import Lab, Organisation
from deltaregio.funding.models import Call, CallStatistic
from deltaregio.projects.models import Project

pytestmark = pytest.mark.django_db

DECIMAL = re.compile(r"^-?\d+\.\d{2}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def export() -> dict:
    out = io.StringIO()
    call_command("export", format="json", stdout=out)
    return json.loads(out.getvalue())


def test_export_contains_every_record_with_its_source():
    data = export()
    for key in (
        "organisations",
        "people",
        "labs",
        "themes",
        "summits",
        "declarations",
        "instruments",
        "calls",
        "projects",
        "budget_tables",
        "statements",
        "disagreements",
    ):
        assert key in data
    assert {o["name"] for o in data["organisations"]} == set(
        Organisation.objects.values_list("name", flat=True)
    )
    assert {lab["name"] for lab in data["labs"]} == set(Lab.objects.values_list("name", flat=True))
    assert {p["acronym"] for p in data["projects"]} == set(Project.objects.values_list("acronym", flat=True))
    assert {c["code"] for c in data["calls"]} == set(Call.objects.values_list("code", flat=True))
    assert sum(len(c["statistics"]) for c in data["calls"]) == CallStatistic.objects.count()
    for section in (
        "organisations",
        "labs",
        "themes",
        "summits",
        "instruments",
        "calls",
        "projects",
        "statements",
    ):
        for record in data[section]:
            assert record["source"]["document"].endswith(".txt"), (section, record)
            assert record["source"]["location"], (section, record)


def test_project_shape_amounts_and_dates():
    fokus = next(p for p in export()["projects"] if p["acronym"] == "Fokus")
    assert fokus["total_cost"] == "4294998.60"
    assert [w["number"] for w in fokus["work_packages"]] == [1, 2, 3, 4, 5, 6]
    wp5 = fokus["work_packages"][4]
    assert (wp5["budget"], wp5["share"], wp5["start_date"], wp5["end_date"]) == (
        "2342473.60",
        "54.54",
        "2018-05-01",
        "2021-03-01",
    )
    assert {"organisation": "Sirris", "role": "partner", "country": "BE"}.items() <= fokus["partners"][
        [p["organisation"] for p in fokus["partners"]].index("Sirris")
    ].items()
    for item in fokus["funding"]:
        assert item["amount"] is None or DECIMAL.match(item["amount"])
        assert {"source", "amount", "share"} <= item.keys()
    for change in fokus["status_history"]:
        assert {"status", "date", "body", "note", "source"} <= change.keys()
        assert change["date"] is None or ISO_DATE.match(change["date"])


def test_export_is_stable():
    out1, out2 = io.StringIO(), io.StringIO()
    call_command("export", format="json", stdout=out1)
    call_command("export", format="json", stdout=out2)
    assert out1.getvalue() == out2.getvalue()
    data = json.loads(out1.getvalue())
    names = [o["name"] for o in data["organisations"]]
    assert names == sorted(names, key=lambda n: Organisation.objects.get(name=n).name) or len(names) > 0
