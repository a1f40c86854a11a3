"""Production mode refuses unsafe settings with one line; the health endpoint tells the truth."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from deltaregio import config
from deltaregio.config import DEFAULT_SECRET_KEY, ConfigError, check_production

GOOD_KEY = "k" * 50


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DELTAREGIO_")}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("debug", "production", "key", "says"),
    [
        (False, False, DEFAULT_SECRET_KEY, "development default"),
        (False, True, DEFAULT_SECRET_KEY, "development default"),
        (True, True, GOOD_KEY, "DELTAREGIO_DEBUG is on"),
        (False, True, "short", "shorter than 32"),
    ],
)
def test_unsafe_production_settings_are_refused(debug: bool, production: bool, key: str, says: str):
    with pytest.raises(ConfigError, match=says):
        check_production(debug=debug, production=production, secret_key=key)


def test_safe_settings_and_development_pass():
    check_production(debug=False, production=True, secret_key=GOOD_KEY)
    check_production(debug=True, production=False, secret_key=DEFAULT_SECRET_KEY)


def test_the_cli_refuses_debug_off_with_the_default_key_in_one_line():
    result = run("-m", "deltaregio", "check-config", env={"DELTAREGIO_DEBUG": "false"})
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "deltaregio: configuration error: DELTAREGIO_SECRET_KEY is the development default"
    )
    assert "Traceback" not in result.stderr


def test_the_application_server_entry_point_refuses_debug_in_production():
    env = {"DELTAREGIO_PRODUCTION": "true", "DELTAREGIO_SECRET_KEY": GOOD_KEY}  # debug left on
    result = run("-c", "import deltaregio.wsgi", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "deltaregio: configuration error: DELTAREGIO_PRODUCTION is true but DELTAREGIO_DEBUG is on; "
        "set DELTAREGIO_DEBUG=false"
    )


def test_production_settings_load_and_use_the_manifest_storage():
    env = {"DELTAREGIO_PRODUCTION": "true", "DELTAREGIO_DEBUG": "false", "DELTAREGIO_SECRET_KEY": GOOD_KEY}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['staticfiles']['BACKEND'], settings.DEBUG)"
    )
    result = run("-c", code, env={**env, "DJANGO_SETTINGS_MODULE": "deltaregio.settings"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["whitenoise.storage.CompressedManifestStaticFilesStorage", "False"]


def test_serve_production_needs_production_settings():
    result = run("-m", "deltaregio", "serve-production", env={})
    assert result.returncode != 0
    assert "DELTAREGIO_PRODUCTION=true" in result.stderr


def test_production_is_documented_in_check_config():
    names = {row["name"] for row in config.describe()}
    assert {"DELTAREGIO_PRODUCTION", "DELTAREGIO_WEB_WORKERS", "DELTAREGIO_WEB_BIND"} <= names


# --- health ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_is_public_and_ok_when_the_database_answers_and_tasks_run_inline(client: Client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "inline"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_down(client: Client, monkeypatch: Any):
    from django.db import connections

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "down"
    assert "refused" not in response.content.decode()  # no internals


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(client: Client, settings: Any, monkeypatch: Any):
    from deltaregio.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")  # nothing listens on port 9
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "down", "database": "ok", "queue": "down"}
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_health_refuses_writes(client: Client):
    assert client.post("/health/").status_code == 405
