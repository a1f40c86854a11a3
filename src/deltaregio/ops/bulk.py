"""Write many rows fast: PostgreSQL's COPY when the database is PostgreSQL, `bulk_create` in batches
otherwise. Rows are dicts keyed by field attribute name (``project_id``); every concrete column gets a
value — the model field's default when the row does not give one — because COPY bypasses Django.

Used by the synthetic portfolio generator and the benchmarks; ids are given by the caller (see
`next_ids`) so related rows can refer to each other before they are written, and PostgreSQL's id
sequences are moved past them afterwards (`reset_sequences`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.db.models import Max

NOT_PROVIDED = object()


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


class TableWriter:
    """Buffer rows of one table and write them in batches of `batch` rows."""

    def __init__(self, model: type[models.Model], *, batch: int = 20_000) -> None:
        self.model = model
        self.batch = batch
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.defaults: dict[str, Any] = {}
        for field in self.fields:
            if field.has_default():
                self.defaults[field.attname] = field.get_default()
            elif field.null:
                self.defaults[field.attname] = None
            elif isinstance(field, models.CharField | models.TextField):
                self.defaults[field.attname] = ""
        self.buffer: list[Mapping[str, Any]] = []
        self.written = 0

    def add(self, row: Mapping[str, Any]) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.batch:
            self.flush()

    def extend(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def _values(self, row: Mapping[str, Any]) -> list[Any]:
        values = []
        for attname in self.attnames:
            value = row.get(attname, NOT_PROVIDED)
            if value is NOT_PROVIDED:
                value = self.defaults.get(attname)
            values.append(value)
        return values

    def flush(self) -> None:
        if not self.buffer:
            return
        if is_postgresql():
            table = connection.ops.quote_name(str(self.model._meta.db_table))
            columns = ", ".join(connection.ops.quote_name(str(c)) for c in self.columns)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor: COPY … FROM STDIN
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.buffer:
                        copy.write_row(self._values(row))
        else:
            objects = [
                self.model(**dict(zip(self.attnames, self._values(row), strict=True))) for row in self.buffer
            ]
            self.model._default_manager.bulk_create(objects, batch_size=1000)
        self.written += len(self.buffer)
        self.buffer = []


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids written with explicit values."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            pk = model._meta.pk
            assert pk is not None
            column, name = connection.ops.quote_name(str(pk.column)), connection.ops.quote_name(str(table))
            top = f"COALESCE((SELECT MAX({column}) FROM {name}), 1)"  # noqa: S608 - names from the model
            sql = f"SELECT setval(pg_get_serial_sequence(%s, %s), {top})"
            cursor.execute(sql, [table, pk.column])


def analyze(models_: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum would get there later)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
