"""A real Celery worker on the local Redis: tasks travel through the broker, run in another process and
their results come back — no eager mode, no mocks.

Skipped with a reason when Redis is not reachable, unless DELTAREGIO_REQUIRE_REDIS=1 (CI sets it).
The broker is DELTAREGIO_TEST_REDIS_URL (default: Redis database 3 on 127.0.0.1), results go to the
next database number; each test run uses its own queue name so no other worker takes its tasks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.db import connection
from django.test import Client

REDIS_URL = os.environ.get("DELTAREGIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
SAMPLES = Path(__file__).resolve().parents[1] / "imports" / "samples"


def _result_url() -> str:
    base, _, number = REDIS_URL.rpartition("/")
    return f"{base}/{int(number or 0) + 1}"


@pytest.fixture(scope="module")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("DELTAREGIO_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (DELTAREGIO_REQUIRE_REDIS=1): {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def _database_url() -> str | None:
    """The address of the test database for the worker, when another process can reach it."""
    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        return None  # the SQLite test database lives in this process's memory
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker(redis_url: str, transactional_db: Any) -> Iterator[tuple[Celery, str]]:
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": _result_url(),
        "DJANGO_SETTINGS_MODULE": "deltaregio.settings",
    }
    database = _database_url()
    if database:
        env["DATABASE_URL"] = database
    bin_dir = Path(sys.executable).parent
    process = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "deltaregio",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = Celery("deltaregio-test", broker=redis_url, backend=_result_url())
    try:
        yield client, queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        client.close()


def test_a_task_runs_in_a_worker_process_and_its_result_comes_back(worker: tuple[Celery, str]):
    client, queue = worker
    token = uuid.uuid4().hex
    result = client.send_task("ops.ping", args=[token], queue=queue).get(timeout=60)
    assert result["token"] == token
    assert result["pid"] != os.getpid()


def test_tasks_are_each_run_once(worker: tuple[Celery, str]):
    client, queue = worker
    tokens = [uuid.uuid4().hex for _ in range(20)]
    results = [client.send_task("ops.ping", args=[t], queue=queue) for t in tokens]
    answered = [r.get(timeout=60)["token"] for r in results]
    assert answered == tokens


def test_an_import_runs_in_the_worker_and_its_report_is_stored(worker: tuple[Celery, str]):
    if _database_url() is None:
        pytest.skip("the worker cannot reach the in-memory SQLite test database; runs on PostgreSQL")
    from deltaregio.imports.models import ImportRun
    from deltaregio.imports.profiles import load_profile
    from deltaregio.imports.services import import_run_create

    client, queue = worker
    data = (SAMPLES / "cordis-project.csv").read_bytes()
    run = import_run_create(
        profile=load_profile("cordis-projects"), file_name="cordis-project.csv", data=data, user=None
    )
    state = client.send_task("imports.run_import", args=[run.pk], queue=queue).get(timeout=120)
    run.refresh_from_db()
    assert state == run.state == ImportRun.State.DONE
    assert run.report["rows"]["read"] > 0 and run.report["created"] > 0
    assert run.content is None


def test_health_reports_the_real_queue(
    redis_url: str, db: Any, client: Client, settings: Any, monkeypatch: Any
):
    from deltaregio.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "broker_url", redis_url)
    response = client.get("/health/")
    assert response.status_code == 200, response.content
    assert response.json()["queue"] == "ok"
