"""Mappings that keep at most a bounded number of their values in memory and the rest on disk.

An import of a million participation rows plans millions of objects (projects, organisations,
partners, contributions, the records seen so far). Held as Python objects they take gigabytes; here
each kind of them lives in a `SpillDict`: an ordinary dict while it is small, and once it grows past
its capacity the values used least recently are pickled into a temporary SQLite file (Python's own
`sqlite3`, one table per mapping) and read back when they are asked for. What it keeps in memory is
the same whatever the size of the file.

A SpillDict behaves as a dict (tests/imports/test_spill.py runs the same random operations on both):
iteration is in insertion order, assigning to a key that exists keeps its place. A value taken with
`[]`, `get` or while iterating may be changed in place as long as it is in use: it is written back
when it is moved out, so a change is never lost. `peek` and the `read_only_*` iterations are for
reading only: they spare the disk the write, and a change to what they give may be lost. Values must
be picklable; keys are str, int or tuples of them. The file is removed when the Spill is closed
(decision 0051).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping, MutableSet
from typing import Any, Generic, TypeVar

from django.conf import settings

K = TypeVar("K")
V = TypeVar("V")

PAGE = 1000  # values read from disk at a time while iterating (at most half the capacity)


def default_capacity() -> int:
    """Values each mapping keeps in memory: DELTAREGIO_IMPORT_MEMORY_OBJECTS (5,000 by default)."""
    return int(getattr(settings, "DELTAREGIO_IMPORT_MEMORY_OBJECTS", 5_000))


class Spill:
    """The temporary SQLite file of one import, made when a mapping first overflows; removed by close."""

    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = max(capacity if capacity is not None else default_capacity(), 2)
        self._db: sqlite3.Connection | None = None
        self._path = ""
        self._tables = 0

    def table(self, *, keys_only: bool = False) -> tuple[sqlite3.Connection, str]:
        if self._db is None:
            handle, self._path = tempfile.mkstemp(prefix="deltaregio-import-", suffix=".sqlite3")
            os.close(handle)
            self._db = sqlite3.connect(self._path, isolation_level=None)
            # scratch data of one process: no journal, no fsync, a small page cache (memory stays flat)
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("PRAGMA cache_size = -16000")
            self._db.execute("PRAGMA temp_store = FILE")
        self._tables += 1
        name = f"spill_{self._tables}"
        if keys_only:
            self._db.execute(f"CREATE TABLE {name} (k TEXT PRIMARY KEY) WITHOUT ROWID")
        else:  # numbered in insertion order (the rowid); found by key through the unique index
            self._db.execute(
                f"CREATE TABLE {name} (seq INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v BLOB NOT NULL)"
            )
        return self._db, name

    @property
    def used(self) -> bool:
        return self._db is not None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            os.unlink(self._path)

    def dict(self) -> SpillDict[Any, Any]:
        return SpillDict(self)

    def set(self) -> SpillSet:
        return SpillSet(self)


def _key(key: Any) -> str:
    return key if isinstance(key, str) else "\x00" + repr(key)


NEW, CLEAN, DIRTY = 0, 1, 2  # a value in memory: not on disk yet, as on disk, or maybe changed since
BUCKETS = 1 << 23  # bits of the filter of the keys on disk (1 MB): most look-ups of a new key skip the disk


class SpillDict(MutableMapping[K, V], Generic[K, V]):
    def __init__(self, spill: Spill) -> None:
        self._spill = spill
        self._capacity = spill.capacity
        self._page = max(1, min(PAGE, self._capacity // 2))
        # in memory: key -> [insertion number, value, state]; in order of last use once spilled
        self._mem: OrderedDict[K, list[Any]] = OrderedDict()
        self._db: sqlite3.Connection | None = None
        self._table = ""
        self._on_disk = bytearray()  # a bit per hash bucket of the keys written to disk
        self._next = 0
        self._len = 0

    # --- on disk ---
    def _maybe_on_disk(self, key: Any) -> bool:
        if self._db is None:
            return False
        bucket = hash(key) & (BUCKETS - 1)
        return bool(self._on_disk[bucket >> 3] & (1 << (bucket & 7)))

    def _load(self, key: K, state: int) -> list[Any] | None:
        if not self._maybe_on_disk(key):
            return None
        assert self._db is not None
        row = self._db.execute(f"SELECT seq, v FROM {self._table} WHERE k = ?", (_key(key),)).fetchone()  # noqa: S608
        if row is None:
            return None
        return [row[0], pickle.loads(row[1])[1], state]  # noqa: S301 - our own file of this process

    def _write(self, entries: list[tuple[K, list[Any]]]) -> None:
        if self._db is None:
            self._db, self._table = self._spill.table()
            self._on_disk = bytearray(BUCKETS // 8)
        new, changed = [], []
        for key, (seq, value, state) in entries:
            if state == CLEAN:
                continue  # the disk has it as it is
            blob = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
            if state == NEW:
                new.append((seq, _key(key), blob))
                bucket = hash(key) & (BUCKETS - 1)
                self._on_disk[bucket >> 3] |= 1 << (bucket & 7)
            else:
                changed.append((blob, seq))
        if new:
            self._db.executemany(f"INSERT INTO {self._table} (seq, k, v) VALUES (?, ?, ?)", new)  # noqa: S608
        if changed:
            self._db.executemany(f"UPDATE {self._table} SET v = ? WHERE seq = ?", changed)  # noqa: S608

    def _make_room(self) -> None:
        if len(self._mem) <= self._capacity:
            return
        out = max(len(self._mem) - self._capacity, self._capacity // 10)  # in batches: fewer round trips
        self._write([self._mem.popitem(last=False) for _ in range(min(out, len(self._mem)))])

    def _remember(self, key: K, entry: list[Any]) -> None:
        self._mem[key] = entry
        if self._db is not None:
            self._mem.move_to_end(key)
        self._make_room()

    def _entry(self, key: K, state: int) -> list[Any] | None:
        """The entry of a key, brought into memory; marked as maybe changed if state is DIRTY."""
        entry = self._mem.get(key)
        if entry is not None:
            if self._db is not None:
                self._mem.move_to_end(key)
            if state == DIRTY and entry[2] == CLEAN:
                entry[2] = DIRTY
            return entry
        entry = self._load(key, state)
        if entry is not None:
            self._remember(key, entry)
        return entry

    def flush(self) -> None:
        """Write every value held in memory to disk (only once the mapping has spilled)."""
        if self._db is not None and self._mem:
            self._write(list(self._mem.items()))
            self._mem.clear()

    @property
    def spilled(self) -> bool:
        return self._db is not None

    # --- the mapping ---
    def __getitem__(self, key: K) -> V:
        """The value, which the caller may change in place (it is written back when moved out)."""
        entry = self._entry(key, DIRTY)
        if entry is None:
            raise KeyError(key)
        return entry[1]

    def peek(self, key: K, default: Any = None) -> Any:
        """The value, for reading only: a change to it may be lost. Cheaper than get() on disk."""
        entry = self._entry(key, CLEAN)
        return default if entry is None else entry[1]

    def add(self, key: K, value: V) -> None:
        """Set a key the caller knows is not there yet (it just failed to get it): no look-up on disk."""
        self._len += 1
        self._next += 1
        self._remember(key, [self._next, value, NEW])

    def __setitem__(self, key: K, value: V) -> None:
        entry = self._mem.get(key)
        if entry is not None:
            entry[1] = value
            if entry[2] == CLEAN:
                entry[2] = DIRTY
            if self._db is not None:
                self._mem.move_to_end(key)
            return
        seq = None
        if self._maybe_on_disk(key):  # replaced: its number is needed, not its old value
            assert self._db is not None
            row = self._db.execute(f"SELECT seq FROM {self._table} WHERE k = ?", (_key(key),)).fetchone()  # noqa: S608
            seq = row[0] if row is not None else None
        if seq is None:
            self.add(key, value)
        else:
            self._remember(key, [seq, value, DIRTY])

    def __delitem__(self, key: K) -> None:
        found = self._mem.pop(key, None) is not None
        if self._maybe_on_disk(key):
            assert self._db is not None
            cursor = self._db.execute(f"DELETE FROM {self._table} WHERE k = ?", (_key(key),))  # noqa: S608
            found = found or cursor.rowcount > 0
        if not found:
            raise KeyError(key)
        self._len -= 1

    def __contains__(self, key: object) -> bool:
        if key in self._mem:
            return True
        if not self._maybe_on_disk(key):
            return False
        assert self._db is not None
        query = f"SELECT 1 FROM {self._table} WHERE k = ?"  # noqa: S608
        return self._db.execute(query, (_key(key),)).fetchone() is not None

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        for key, _value in self.read_only_items():
            yield key

    def _pages(self) -> Iterator[tuple[int, K, V]]:
        """Every entry on disk in insertion order, after writing out those in memory."""
        self.flush()
        assert self._db is not None
        last = 0
        while True:
            rows = self._db.execute(
                f"SELECT seq, v FROM {self._table} WHERE seq > ? ORDER BY seq LIMIT {self._page}",  # noqa: S608
                (last,),
            ).fetchall()
            if not rows:
                return
            for seq, blob in rows:
                last = seq
                key, value = pickle.loads(blob)  # noqa: S301 - our own file of this process
                yield seq, key, value

    def items(self) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """In insertion order. Each value passes through memory (and is written back), so it may be
        changed while it is being iterated; keys may even be deleted."""
        if self._db is None:
            for key in list(self._mem):  # (a copy of the keys: deleting while iterating is allowed)
                entry = self._mem.get(key)
                if entry is not None:
                    yield key, entry[1]
            return
        for seq, key, value in self._pages():
            entry = self._mem.get(key)
            if entry is None:
                entry = [seq, value, DIRTY]
                self._remember(key, entry)
            elif entry[0] != seq:  # deleted and set again since: it comes later, with its new number
                continue
            else:
                entry[2] = DIRTY if entry[2] == CLEAN else entry[2]
            yield key, entry[1]

    def read_only_items(self) -> Iterator[tuple[K, V]]:
        """In insertion order, for reading only: values read from disk are not kept (nor written back),
        so a change to one may be lost. Cheaper than items() for a pass that changes nothing."""
        if self._db is None:
            yield from ((key, entry[1]) for key, entry in list(self._mem.items()))
            return
        for seq, key, value in self._pages():
            entry = self._mem.get(key)
            if entry is None:
                yield key, value
            elif entry[0] == seq:  # (else deleted and set again since: it comes later)
                yield key, entry[1]

    def read_only_values(self) -> Iterator[V]:
        for item in self.read_only_items():
            yield item[1]

    def values(self) -> Iterator[V]:  # type: ignore[override]
        for item in self.items():
            yield item[1]

    def keys(self) -> Iterator[K]:  # type: ignore[override]
        return iter(self)

    def clear(self) -> None:
        self._mem.clear()
        if self._db is not None:
            self._db.execute(f"DELETE FROM {self._table}")  # noqa: S608
            self._on_disk = bytearray(BUCKETS // 8)
        self._len = 0

    def get(self, key: K, default: Any = None) -> Any:
        """As dict.get; the value may be changed in place (see peek for reading only)."""
        entry = self._entry(key, DIRTY)
        return default if entry is None else entry[1]

    def pop(self, key: K, *default: Any) -> Any:
        entry = self._entry(key, CLEAN)
        if entry is None:
            if default:
                return default[0]
            raise KeyError(key)
        del self[key]
        return entry[1]


class SpillList(Generic[V]):
    """A list that is appended to and read in order, kept in a SpillDict."""

    def __init__(self, spill: Spill) -> None:
        self._items: SpillDict[int, V] = SpillDict(spill)

    def append(self, value: V) -> None:
        self._items.add(len(self._items), value)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return len(self._items) > 0

    def __iter__(self) -> Iterator[V]:
        return self._items.read_only_values()


class SpillSet(MutableSet[str]):
    """A set of strings that keeps at most `capacity` of them in memory: the rest are written to disk
    in batches (insert only: adding is as cheap as to a set)."""

    def __init__(self, spill: Spill) -> None:
        self._spill = spill
        self._mem: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._table = ""

    def add(self, value: str) -> None:
        self._mem.add(value)
        if len(self._mem) > self._spill.capacity:
            if self._db is None:
                self._db, self._table = self._spill.table(keys_only=True)
            query = f"INSERT OR IGNORE INTO {self._table} (k) VALUES (?)"  # noqa: S608
            self._db.executemany(query, ((v,) for v in self._mem))
            self._mem.clear()

    def discard(self, value: str) -> None:
        self._mem.discard(value)
        if self._db is not None:
            self._db.execute(f"DELETE FROM {self._table} WHERE k = ?", (value,))  # noqa: S608

    def __contains__(self, value: object) -> bool:
        if value in self._mem:
            return True
        if self._db is None:
            return False
        query = f"SELECT 1 FROM {self._table} WHERE k = ?"  # noqa: S608
        return self._db.execute(query, (value,)).fetchone() is not None

    def __len__(self) -> int:
        if self._db is None:
            return len(self._mem)
        on_disk = self._db.execute(f"SELECT k FROM {self._table}")  # noqa: S608
        return len(self._mem) + sum(1 for (k,) in on_disk if k not in self._mem)

    def __iter__(self) -> Iterator[str]:
        yield from list(self._mem)
        if self._db is not None:
            for (k,) in self._db.execute(f"SELECT k FROM {self._table}").fetchall():  # noqa: S608
                if k not in self._mem:
                    yield k
