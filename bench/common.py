"""Shared helpers of the benchmarks: databases with a synthetic portfolio, a production-like server,
a bounded load generator, and the result format (figures, ratio against a reference measured in the
same run, goal, verdict) written to bench/results/NAME.json.

Only 127.0.0.1 is ever loaded; every load is bounded in requests and seconds.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PARTICIPATIONS = int(os.environ.get("BENCH_PARTICIPATIONS", "1000000"))
SMALL = int(os.environ.get("BENCH_SMALL_PARTICIPATIONS", "10000"))
SEED = 1
SECRET = "bench-" + "k" * 40  # a throw-away key for the local benchmark server only


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def env_for(name: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DELTAREGIO_", "CELERY_"))}
    env.update(
        DATABASE_URL=database_url(name),
        DELTAREGIO_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="deltaregio.settings",
        **extra,
    )
    return env


def deltaregio(name: str, *args: str, **extra: str) -> str:
    result = subprocess.run(  # noqa: S603
        [str(BIN / "deltaregio"), *args],
        env=env_for(name, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"deltaregio {' '.join(args)} failed on {name}:\n{result.stderr[-2000:]}")
    return result.stdout


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(
        database_url("postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    )


def participations_in(name: str) -> int | None:
    try:
        with psycopg.connect(database_url(name).replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM projects_partner WHERE source_document = 'synthetic portfolio'"
            ).fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        return None


def portfolio_database(participations: int) -> str:
    """A database `bench_N` holding the reference data and a synthetic portfolio of N participations
    (seed 1). Kept between runs: it is rebuilt only when missing or of another size."""
    name = f"bench_{participations}"
    if participations_in(name) == participations:
        say(f"database {name}: present with {participations:,} participations")
        return name
    say(f"database {name}: building (migrate, reference data, {participations:,} participations)")
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    deltaregio(name, "migrate", "--noinput")
    deltaregio(name, "load-seed")
    started = time.monotonic()
    out = deltaregio(name, "generate", "--participations", str(participations), "--seed", str(SEED))
    say(f"  {out.strip()} — {time.monotonic() - started:.0f} s")
    return name


def say(message: str) -> None:
    print(message, flush=True)


# --- results ---------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    measured: float
    reference: float | None
    ratio: float | None
    goal: str
    met: bool
    unit: str = ""
    note: str = ""


@dataclass
class Result:
    benchmark: str
    participations: int
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def check(self, check: Check) -> None:
        self.checks.append(check)
        ratio = f"ratio {check.ratio:.2f}" if check.ratio is not None else ""
        reference = (
            f" vs reference {check.reference:,.3f} {check.unit}" if check.reference is not None else ""
        )
        verdict = "MET" if check.met else "MISSED"
        say(
            f"  {check.name}: {check.measured:,.3f} {check.unit}{reference} {ratio} — "
            f"goal {check.goal}: {verdict}" + (f" ({check.note})" if check.note else "")
        )

    def write(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.benchmark}.json"
        data = {
            "benchmark": self.benchmark,
            "participations": self.participations,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.system(),
            },
            "figures": self.figures,
            "checks": [check.__dict__ for check in self.checks],
            "all_met": all(check.met for check in self.checks),
        }
        path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        return path


def median_time(action: Callable[[], Any], *, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# --- a production-like server and a bounded load --------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(
    name: str, *, workers: int = 5, extra_urls: bool = True, extra: dict[str, str] | None = None
) -> Iterator[int]:
    """gunicorn with the production configuration (debug off, manifest static files, sync workers) on
    a free port of 127.0.0.1; the benchmark's reference view is added by bench.urls."""
    port = free_port()
    static = ROOT / "bench" / ".static"
    settings = dict(
        DELTAREGIO_PRODUCTION="true",
        DELTAREGIO_DEBUG="false",
        DELTAREGIO_SECRET_KEY=SECRET,
        DELTAREGIO_WEB_BIND=f"127.0.0.1:{port}",
        DELTAREGIO_WEB_WORKERS=str(workers),
        DELTAREGIO_STATIC_ROOT=str(static),
        DELTAREGIO_LOGIN_FAILURE_LIMIT="100000",
        # as make serve-production: rendered list tables kept, one cache shared by the workers (Redis)
        DELTAREGIO_FRAGMENT_CACHE_SECONDS="300",
        DELTAREGIO_PAGE_CACHE_SECONDS="60",
        DELTAREGIO_CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/4"),
        PYTHONPATH=str(ROOT),
    )
    settings.update(extra or {})
    env = env_for(name, **settings)
    if not (static / "staticfiles.json").exists():
        subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "deltaregio"), "collectstatic", "--noinput"], env=env, check=True, capture_output=True
        )
    command = [
        str(BIN / "gunicorn"),
        "-c",
        "python:deltaregio.gunicorn_config",
        "--access-logfile",
        "/dev/null",
    ]
    if extra_urls:
        command += ["--env", "DJANGO_SETTINGS_MODULE=bench.settings"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    break
            if process.poll() is not None:
                raise SystemExit(
                    "the benchmark server stopped: "
                    + (process.stderr.read().decode()[-2000:] if process.stderr else "")
                )
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(
    port: int,
    paths: list[str],
    *,
    clients: int,
    seconds: float = 10.0,
    max_requests: int = 20_000,
    method: str = "GET",
    body: Callable[[int], tuple[str, bytes, dict[str, str]]] | None = None,
) -> Load:
    """`clients` threads with keep-alive connections to 127.0.0.1:`port`, each asking the paths in
    turn, until `seconds` pass or `max_requests` are made. `body(i)` gives (path, bytes, headers) for
    POST requests."""
    lock = threading.Lock()
    counter = {"n": 0, "errors": 0}
    statuses: dict[int, int] = {}
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = index
        while time.monotonic() < stop_at:
            with lock:
                if counter["n"] >= max_requests:
                    return
                counter["n"] += 1
                number = counter["n"]
            try:
                if body is not None:
                    path, data, headers = body(number)
                    conn.request(method, path, body=data, headers=headers)
                else:
                    conn.request("GET", paths[i % len(paths)])
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status >= 400:
                        counter["errors"] += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    counter["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(counter["n"], time.monotonic() - started, counter["errors"], statuses)
