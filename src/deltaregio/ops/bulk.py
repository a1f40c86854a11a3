"""Write many rows fast: PostgreSQL's COPY when the database is PostgreSQL, `bulk_create` in batches
otherwise. Rows are dicts keyed by field attribute name (``project_id``); every concrete column gets a
value — the model field's default when the row does not give one — because COPY bypasses Django.

Used by the synthetic portfolio generator and the benchmarks; ids are given by the caller (see
`next_ids`) so related rows can refer to each other before they are written, and PostgreSQL's id
sequences are moved past them afterwards (`reset_sequences`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, connections, models
from django.db.models import Max
from django.utils import timezone
from psycopg.types.json import Jsonb
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)

NOT_PROVIDED = object()


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


class TableWriter:
    """Buffer rows of one table and write them in batches of `batch` rows."""

    def __init__(
        self, model: type[models.Model], *, batch: int = 20_000, numbered_by_database: bool = False
    ) -> None:
        """numbered_by_database: the rows give no id; the database numbers them (its sequence), for
        rows nothing else refers to."""
        self.model = model
        self.batch = batch
        self.fields = [f for f in model._meta.concrete_fields if not (numbered_by_database and f.primary_key)]
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
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
                        values = self._values(row)
                        for i in self.json:
                            values[i] = Jsonb(values[i])
                        copy.write_row(values)
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


# --- model instances: the importer's writer ---------------------------------------------------------


PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _plain_types(field: Any) -> frozenset[type]:
    """The types of value a field hands to PostgreSQL's COPY as they are: what its get_db_prep_save
    would give back unchanged on PostgreSQL (the backend adapts decimals, dates and aware moments as
    they are). Everything else, JSON always, goes through get_db_prep_save."""
    if isinstance(field, models.JSONField):
        return frozenset()
    if isinstance(field, models.DateTimeField):
        return PLAIN  # a moment without a time zone is made aware (with Django's warning) below
    if isinstance(field, models.DateField):
        return PLAIN | {dt.date}
    if isinstance(field, models.DecimalField):
        return PLAIN | {Decimal}
    return PLAIN


def _preparer(fields: list[Any]) -> Any:
    """A function giving a row's database values: what the field's get_db_prep_save gives, called only
    for values that need it (plain strings, numbers and None go to COPY as they are, and so do dates,
    decimals and aware moments in fields of their kind; JSON always goes through it)."""
    real = connections[connection.alias]  # not the proxy: it is asked for every value
    prepared = [(f, _plain_types(f), isinstance(f, models.DateTimeField)) for f in fields]

    def values(raw: list[Any]) -> list[Any]:
        return [
            value
            if type(value) in plain or (moment and type(value) is dt.datetime and value.tzinfo is not None)
            else field.get_db_prep_save(value, real)
            for (field, plain, moment), value in zip(prepared, raw, strict=True)
        ]

    return values


def _reader(fields: list[Any]) -> Any:
    """A function giving a new instance's values as bulk_create saves them: pre_save for the fields
    whose class has one of its own (auto_now moments, files), the attribute for all others — which is
    what Field.pre_save gives, without a call per value."""
    own = [(f.attname, None if type(f).pre_save is models.Field.pre_save else f) for f in fields]

    def values(obj: models.Model) -> list[Any]:
        return [getattr(obj, name) if field is None else field.pre_save(obj, True) for name, field in own]

    return values


def _copy(table: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def create_instances(model: type[M], objs: list[M]) -> list[M]:
    """Insert new model instances as bulk_create does (ids set on them, auto_now fields filled, no
    signals) — with COPY on PostgreSQL: ids are taken from the table's sequence first, in one query."""
    if not objs:
        return objs
    if not is_postgresql():
        return model._default_manager.bulk_create(objs, batch_size=1000)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
    fields = list(meta.concrete_fields)
    prepare, read = _preparer(fields), _reader(fields)
    _copy(meta.db_table, [str(f.column) for f in fields], (prepare(read(obj)) for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def create_instances_with_history(
    model: type[M], objs: list[M], *, user: Any = None, reason: str = ""
) -> list[M]:
    """create_instances, and for each instance its first historical record ("+"), as
    django-simple-history's bulk_create_with_history writes it: the user, the reason and one moment."""
    if not objs:
        return objs
    if not is_postgresql():
        return bulk_create_with_history(
            objs, model, batch_size=1000, default_user=user, default_change_reason=reason
        )
    create_instances(model, objs)
    history = model.history.model  # type: ignore[attr-defined]
    tracked = {f.attname for f in history.tracked_fields}
    now = timezone.now()
    fixed: dict[str, Any] = {
        "history_date": now,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
    }
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    unknown = [f.attname for f in fields if f.attname not in tracked and f.attname not in fixed]
    if unknown:  # pragma: no cover - a history model with fields of its own: the library's way
        raise ValueError(f"{history.__name__} has fields this writer does not fill: {unknown}")
    prepare = _preparer(fields)
    attnames = [f.attname for f in fields]
    _copy(
        history._meta.db_table,
        [str(f.column) for f in fields],
        (prepare([fixed[a] if a in fixed else getattr(obj, a) for a in attnames]) for obj in objs),
    )
    return objs
