"""The 360Giving export validates offline against the official schema in shared/data/standards
(format checks included: date-time and uri are checked here, as jsonschema needs extra packages for
them); the importer reads the package it writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from deltaregio.imports.engine import Report
from deltaregio.imports.opendata import giving360_package
from deltaregio.projects.models import Project

from .conftest import shared_path

PACKAGE_REF = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def validator() -> Draft202012Validator:
    folder = shared_path("standards", "360giving")
    grant = json.loads((folder / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((folder / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # the schemas name their dialect with http://, which referencing does not detect: say it
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(grant["$id"], resource), (PACKAGE_REF, resource)])
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        if not DATE_TIME.fullmatch(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    @checker.checks("uri", raises=ValueError)
    def uri(value: Any) -> bool:
        if isinstance(value, str) and not (
            urlparse(value).scheme and (urlparse(value).netloc or urlparse(value).path)
        ):
            raise ValueError(f"{value!r} is not a URI")
        return True

    return Draft202012Validator(package, registry=registry, format_checker=checker)


def errors_of(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(document)]


@pytest.mark.django_db
def test_the_seed_programme_exports_as_a_valid_360giving_package() -> None:
    package = giving360_package()
    assert package["grants"], "the reference data has granted contributions to approved projects"
    assert errors_of(package) == []
    ids = [g["id"] for g in package["grants"]]
    assert len(ids) == len(set(ids))
    assert all(g["id"].startswith("360G-deltaregio-grant-") for g in package["grants"])


@pytest.mark.django_db
def test_imported_data_exports_with_org_id_identifiers(
    run_import: Callable[..., Report], real_file: Callable[..., Path]
) -> None:
    path = real_file("real", "360giving", "power-to-change.json")
    run_import("360giving", path)
    stream = io.StringIO()
    call_command("export_360giving", stdout=stream)
    package = json.loads(stream.getvalue())
    assert errors_of(package) == []
    recipients = {o["id"] for g in package["grants"] for o in g["recipientOrganization"]}
    assert "GB-COH-IP28755R" in recipients  # Hyde Park Source, with its company number
    assert any(g["currency"] == "GBP" for g in package["grants"])  # amounts keep their currency
    assert any(o["id"] == "GB-CHC-1159982" for g in package["grants"] for o in g["fundingOrganization"])


def test_the_validator_can_fail() -> None:
    wrong = {
        "grants": [
            {
                "id": "x",
                "title": "t",
                "description": "d",
                "currency": "EUR",
                "amountAwarded": "12",
                "awardDate": "05/06/2014",
                "recipientOrganization": [{"id": "a", "name": "b"}],
                "fundingOrganization": [{"id": "c", "name": "d"}],
                "url": "not a uri",
            }
        ]
    }
    messages = " ".join(errors_of(wrong))
    assert "'12' is not of type 'number'" in messages
    assert "05/06/2014" in messages


@pytest.mark.django_db
def test_the_importer_reads_the_package_the_export_writes(run_import: Callable[..., Report]) -> None:
    package = giving360_package()
    data = json.dumps(package).encode()
    before = Project.objects.count()
    report = run_import("360giving", data, file_name="deltaregio-360giving.json", dry_run=True)
    assert report.state == "checked", report.as_dict()["errors"]
    assert report.rows_read == len(package["grants"])
    assert report.counts["project"]["create"] == len(package["grants"])
    assert Project.objects.count() == before
