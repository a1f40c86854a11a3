"""Every setting Deltaregio reads from the environment, with its default and a line of help.

`deltaregio check-config` prints this table; settings.py reads its values from here only, so a
setting cannot exist without its documentation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(Exception):
    """A setting has a value Deltaregio cannot use; the message says which and why."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def _list(name: str, raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _at_least_two(name: str, raw: str) -> int:
    value = _int(name, raw)
    if value < 2:
        raise ConfigError(f"{name} must be at least 2, not {value}")
    return value


def _str(name: str, raw: str) -> str:
    return raw


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str, str], Any] = _str
    secret: bool = False

    def raw(self) -> str:
        return os.environ.get(self.name, self.default)

    def value(self) -> Any:
        return self.parse(self.name, self.raw())

    def is_default(self) -> bool:
        return self.name not in os.environ


DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in production

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'deltaregio.sqlite3'}",
        "Database to use: sqlite:///PATH for the embedded default, "
        "postgres://USER@HOST:PORT/NAME for PostgreSQL.",
    ),
    Setting("DELTAREGIO_DEBUG", "true", "Show debug pages on errors. Must be false in production.", _bool),
    Setting(
        "DELTAREGIO_PRODUCTION",
        "false",
        "Production mode (make serve-production): refuses to start with debug on or the default secret key.",
        _bool,
    ),
    Setting(
        "DELTAREGIO_SECRET_KEY",
        DEFAULT_SECRET_KEY,
        "Key for signing sessions and tokens. Set a long random value in production.",
        secret=True,
    ),
    Setting(
        "DELTAREGIO_ALLOWED_HOSTS",
        "127.0.0.1,localhost,testserver",
        "Comma-separated host names this server answers to.",
        _list,
    ),
    Setting(
        "DELTAREGIO_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (scheme://host) trusted for form posts behind a proxy.",
        _list,
    ),
    Setting("DELTAREGIO_TIME_ZONE", "Europe/Brussels", "Time zone for dates and close moments."),
    Setting("DELTAREGIO_LANGUAGE", "nl", "Default interface language (nl or en)."),
    Setting(
        "DELTAREGIO_STATIC_ROOT",
        str(PROJECT_ROOT / "data" / "static"),
        "Folder that `deltaregio collectstatic` fills for production serving.",
    ),
    Setting("DELTAREGIO_PAGE_SIZE", "50", "Default number of items per API page.", _int),
    Setting("DELTAREGIO_MAX_PAGE_SIZE", "500", "Largest page size an API client may ask for.", _int),
    Setting(
        "DELTAREGIO_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed logins from one user and address before the account is locked for a while.",
        _int,
    ),
    Setting("DELTAREGIO_EMAIL_BACKEND", "console", "Where e-mail goes: console, smtp or memory.", _str),
    Setting("DELTAREGIO_LOG_LEVEL", "INFO", "Log level for the deltaregio loggers."),
    Setting(
        "DELTAREGIO_IMPORT_MAX_BYTES",
        str(200 * 1024 * 1024),
        "Largest file an import accepts, in bytes; a larger one is refused with a clear message.",
        _int,
    ),
    Setting(
        "DELTAREGIO_IMPORT_BACKGROUND_BYTES",
        str(2 * 1024 * 1024),
        "Uploaded imports larger than this (bytes) run as a background task.",
        _int,
    ),
    Setting(
        "DELTAREGIO_IMPORT_MEMORY_OBJECTS",
        "5000",
        "Planned objects of each kind an import keeps in memory; the rest wait in a temporary file.",
        _at_least_two,
    ),
    Setting(
        "DELTAREGIO_360G_PREFIX",
        "360G-deltaregio",
        "Prefix of the 360Giving grant identifiers this platform publishes.",
    ),
    Setting(
        "DELTAREGIO_WEB_WORKERS",
        "0",
        "Application server (gunicorn) worker processes in production; 0: two per CPU core plus one.",
        _int,
    ),
    Setting(
        "DELTAREGIO_WEB_BIND",
        "127.0.0.1:8000",
        "Address the production application server listens on (behind the load balancer or proxy).",
    ),
    Setting(
        "DELTAREGIO_HTTPS",
        "false",
        "Served over HTTPS (behind a proxy that sets X-Forwarded-Proto): secure cookies, HSTS.",
        _bool,
    ),
    Setting(
        "DELTAREGIO_COUNT_CACHE_SECONDS",
        "300",
        "How long the count of a large list (pages and API) is kept in the cache; 0: count every time.",
        _int,
    ),
    Setting(
        "DELTAREGIO_COUNT_CACHE_MIN",
        "10000",
        "Lists with fewer rows than this are always counted afresh.",
        _int,
    ),
    Setting(
        "DELTAREGIO_PAGE_CACHE_SECONDS",
        "0",
        "How long whole public responses (project and organisation pages and lists, their API) are kept "
        "for visitors who are not logged in; 0: rendered every time. Any change of a record makes them "
        "stale at once (ops/pagecache.py). serve-production uses 60.",
        _int,
    ),
    Setting(
        "DELTAREGIO_FRAGMENT_CACHE_SECONDS",
        "0",
        "How long rendered list tables (e.g. the project list) are kept; 0: rendered every time. "
        "Any change of a record makes them stale at once. serve-production uses 300.",
        _int,
    ),
    Setting(
        "DELTAREGIO_CACHE_URL",
        "",
        "Shared cache of all application servers, e.g. redis://127.0.0.1:6379/2. Empty: one per process.",
    ),
    Setting(
        "CELERY_BROKER_URL",
        "",
        "Task queue broker, e.g. redis://127.0.0.1:6379/0. Empty: background work runs inline (eager), "
        "as in the embedded default.",
    ),
    Setting(
        "CELERY_RESULT_BACKEND",
        "",
        "Where task results are kept, e.g. redis://127.0.0.1:6379/1. Empty: the broker's default or none.",
    ),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}

MIN_SECRET_KEY_LENGTH = 32


def check_production(*, debug: bool, production: bool, secret_key: str) -> None:
    """Refuse settings that must never serve the public: debug pages in production mode, and the
    development secret key (or a short one) whenever debug is off. One line says what to change."""
    if production and debug:
        raise ConfigError(
            "DELTAREGIO_PRODUCTION is true but DELTAREGIO_DEBUG is on; set DELTAREGIO_DEBUG=false"
        )
    if production or not debug:
        if secret_key == DEFAULT_SECRET_KEY:
            raise ConfigError(
                "DELTAREGIO_SECRET_KEY is the development default; set a long random value in production"
            )
        if len(secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"DELTAREGIO_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters; "
                "set a long random value in production"
            )


def get(name: str) -> Any:
    return BY_NAME[name].value()


def describe() -> list[dict[str, str]]:
    """The settings as rows for `check-config`: name, effective value (secrets hidden), default, help."""
    rows = []
    for setting in SETTINGS:
        raw = setting.raw()
        shown = "(set, hidden)" if setting.secret and not setting.is_default() else raw
        rows.append(
            {
                "name": setting.name,
                "value": shown,
                "source": "default" if setting.is_default() else "environment",
                "help": setting.help,
            }
        )
    return rows
