"""Turn DATABASE_URL into Django's DATABASES entry, with a plain message when it is wrong."""

from __future__ import annotations

from typing import Any

import dj_database_url

from deltaregio.config import ConfigError

SUPPORTED_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def parse_database_url(url: str) -> dict[str, Any]:
    if not url or "://" not in url:
        raise ConfigError(
            f"DATABASE_URL {url!r} is not a database address; "
            "use sqlite:///PATH or postgres://USER@HOST:PORT/NAME"
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SUPPORTED_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL uses the scheme {scheme!r}, which Deltaregio does not support; "
            "use sqlite:///PATH or postgres://USER@HOST:PORT/NAME"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"DATABASE_URL {url!r} cannot be read: {exc}") from exc
    if config["ENGINE"].endswith("sqlite3"):
        if not config.get("NAME"):
            raise ConfigError(
                "DATABASE_URL for SQLite needs a file path, e.g. sqlite:///data/deltaregio.sqlite3"
            )
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    elif not config.get("NAME"):
        raise ConfigError(
            "DATABASE_URL for PostgreSQL needs a database name, e.g. postgres://postgres@127.0.0.1:5432/deltaregio"
        )
    return config
