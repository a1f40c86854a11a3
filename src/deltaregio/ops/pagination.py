"""A paginator whose count of a large list is kept in the cache.

Counting a list of hundreds of thousands of rows (`SELECT COUNT(*)`) is the one query of a list page
whose time grows with the data: PostgreSQL reads every visible row. Lists whose count reaches
DELTAREGIO_COUNT_CACHE_MIN rows keep it in Django's cache for DELTAREGIO_COUNT_CACHE_SECONDS; a
smaller count is always counted afresh (it is cheap, and every test sees exact figures).

The cached count is exact: its key holds the query (SQL and parameters) and the data version, which
any save, delete or many-to-many change of a record moves on (ops/apps.py); bulk writers that bypass
signals (imports, the generator) move it themselves with `bump_data_version()`. In the worst case —
another process's write not yet seen by a cache that is not shared — a count is at most
DELTAREGIO_COUNT_CACHE_SECONDS old. Set DELTAREGIO_COUNT_CACHE_SECONDS=0 to count every time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.utils.functional import cached_property

VERSION_KEY = "deltaregio:data-version"


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


#: Records no cached count, fragment or page shows: their saves leave the version alone. A scan in
#: progress is saved three times by its SME (start, answers, submit) and is on no list; its result,
#: the company and the journey, made at verification, do move the version on.
UNLISTED = frozenset({"sessions.session", "funnel.scan"})


def bump_data_version(sender: Any = None, **_: Any) -> None:
    """Every cached count is stale from now on (a signal receiver, or called after bulk writes)."""
    meta = getattr(sender, "_meta", None)
    if meta is not None and meta.label_lower in UNLISTED:
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet
        cache.add(VERSION_KEY, 2, timeout=None)


def _count_key(object_list: Any) -> str | None:
    query = getattr(object_list, "query", None)
    if query is None:
        return None
    try:
        sql, params = query.sql_with_params()
    except (EmptyResultSet, FullResultSet, DatabaseError, ValueError, TypeError):
        # a query that matches nothing (`pk__in=[]`) or cannot be written out: count it directly
        return None
    digest = hashlib.sha256(f"{object_list.db}|{sql}|{params!r}".encode()).hexdigest()
    return f"deltaregio:count:{data_version()}:{digest}"


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        seconds = settings.DELTAREGIO_COUNT_CACHE_SECONDS
        key = _count_key(self.object_list) if seconds > 0 else None
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                return int(cached)
        value = int(super().count)
        if key is not None and value >= settings.DELTAREGIO_COUNT_CACHE_MIN:
            cache.set(key, value, timeout=seconds)
        return value


def fragment_cache(request: Any) -> dict[str, Any]:
    """What a template's `{% cache %}` block of a list varies on: how long (0: not kept), the data
    version (any change of a record makes the fragment stale at once) and whose view it is (the public,
    or one user: lists depend on what a user may see)."""
    user = getattr(request, "user", None)
    scope = f"user-{user.pk}" if user is not None and user.is_authenticated else "public"
    return {
        "seconds": settings.DELTAREGIO_FRAGMENT_CACHE_SECONDS,
        "version": data_version() if settings.DELTAREGIO_FRAGMENT_CACHE_SECONDS > 0 else 0,
        "scope": scope,
    }
