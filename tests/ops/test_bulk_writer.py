"""The importer's COPY writer (ops/bulk.py) writes the same rows and history as Django's bulk_create
with django-simple-history (on SQLite it is that; on PostgreSQL it is COPY)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from simple_history.utils import bulk_create_with_history

from deltaregio.accounts.models import Role
from deltaregio.finance.models import FundingContribution
from deltaregio.imports.models import ImportedRecord
from deltaregio.ops.bulk import create_instances, create_instances_with_history
from deltaregio.projects.models import Project

pytestmark = pytest.mark.django_db

TRACKED = ["acronym", "slug", "title", "start_date", "total_cost", "status", "is_public"]


def projects(tag: str) -> list[Project]:
    return [
        Project(
            acronym=f"{tag}{n}",
            slug=f"{tag.lower()}-{n}",
            title=f"Project {tag} {n}",
            start_date=dt.date(2020, 1, n + 1),
            total_cost=Decimal("1234.56") * n,
        )
        for n in range(1, 4)
    ]


def described(objs: list[Project]) -> list[dict[str, Any]]:
    rows = []
    for obj in objs:
        stored = Project.objects.values(*TRACKED).get(pk=obj.pk)
        history = obj.history.get()  # type: ignore[attr-defined]
        rows.append({
            "stored": {k: v for k, v in stored.items() if k not in {"acronym", "slug", "title"}},
            "history": {k: getattr(history, k) for k in TRACKED if k not in {"acronym", "slug", "title"}},
            "type": history.history_type, "user": history.history_user_id,
            "reason": history.history_change_reason, "same_id": history.id == obj.pk,
        })  # fmt: skip
    return rows


def test_the_copy_writer_writes_what_bulk_create_with_history_writes(make_user: Callable[..., User]) -> None:
    user = make_user(Role.PROGRAMME_OFFICER)
    mine = create_instances_with_history(Project, projects("COPY"), user=user, reason="import test")
    theirs = bulk_create_with_history(
        projects("ORM"), Project, default_user=user, default_change_reason="import test"
    )
    assert all(p.pk and not p._state.adding for p in mine)
    assert described(mine) == described(theirs)
    assert described(mine)[0]["type"] == "+" and described(mine)[0]["user"] == user.pk
    assert Project.objects.get(pk=mine[1].pk).title == "Project COPY 2"
    # the sequence moved on: the ORM's next project gets a new id
    assert Project.objects.create(acronym="AFTER", slug="after", title="After").pk > max(p.pk for p in mine)


def test_json_and_foreign_keys_are_written_as_the_orm_writes_them() -> None:
    project = create_instances(Project, [Project(acronym="JSONX", slug="jsonx", title="J")])[0]
    contribution = create_instances(
        FundingContribution, [FundingContribution(project_id=project.pk, amount=Decimal("10.50"))]
    )[0]
    from django.contrib.contenttypes.models import ContentType

    record = create_instances(ImportedRecord, [ImportedRecord(
        namespace="test", kind="project", source_key="k1", object_id=project.pk,
        content_type=ContentType.objects.get_for_model(Project), extra={"text": "a", "n": 2, "s": "x"},
    )])[0]  # fmt: skip
    assert FundingContribution.objects.get(pk=contribution.pk).project_id == project.pk
    assert FundingContribution.objects.get(pk=contribution.pk).amount == Decimal("10.50")
    assert ImportedRecord.objects.get(pk=record.pk).extra == {"text": "a", "n": 2, "s": "x"}


def test_rows_numbered_by_the_database_keep_their_json_and_moments() -> None:
    """TableWriter without ids (the importer's source records): the database numbers the rows, JSON
    is stored as JSON (on PostgreSQL it goes through COPY as jsonb), moments as given."""
    from django.contrib.contenttypes.models import ContentType

    from deltaregio.ops.bulk import TableWriter

    moment = dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)
    writer = TableWriter(ImportedRecord, batch=2, numbered_by_database=True)
    kind = ContentType.objects.get_for_model(Project)
    for n in range(3):  # two batches: one written by add(), one by flush()
        writer.add({"namespace": "rows", "kind": "project", "source_key": f"r{n}", "object_id": n + 1,
                    "content_type_id": kind.pk, "extra": {"n": n, "name": "Gent é"},
                    "fingerprint": f"fp{n}", "first_imported_at": moment})  # fmt: skip
    assert ImportedRecord.objects.filter(namespace="rows").count() == 2
    writer.flush()
    records = list(ImportedRecord.objects.filter(namespace="rows").order_by("source_key"))
    assert [r.extra for r in records] == [{"n": n, "name": "Gent é"} for n in range(3)]
    assert [r.fingerprint for r in records] == ["fp0", "fp1", "fp2"]
    assert all(r.pk for r in records) and len({r.pk for r in records}) == 3
    # a moment for each (bulk_create on SQLite fills auto_now_add fields itself; COPY keeps the row's)
    assert all(r.first_imported_at is not None for r in records) and {r.owned for r in records} == {True}
    # the sequence numbered them: the ORM's next record gets a new id
    after = ImportedRecord.objects.create(namespace="rows", kind="project", source_key="after", object_id=9,
                                          content_type=kind)  # fmt: skip
    assert after.pk > max(r.pk for r in records)
