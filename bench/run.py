"""`make bench`: every benchmark against PostgreSQL, each with its reference measured in the same run.

    .venv/bin/python -m bench.run [import aggregates pages scans growth]   # default: all
    BENCH_PARTICIPATIONS=100000 make bench                                # a quicker run

Figures, ratios, goals and verdicts are printed and written to bench/results/NAME.json.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Check, Result, say

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", str(common.PARTICIPATIONS)))
SHARED_REAL = common.ROOT.parent / "shared" / "data" / "real"


def django_on(name: str) -> None:
    os.environ.update(common.env_for(name))
    import django

    django.setup()


# --- portfolio analytics --------------------------------------------------------------------------

HAND_SQL = """
WITH p AS (SELECT id, instrument_id, cost_unit, total_cost, start_date FROM projects_project WHERE is_public)
SELECT 'theme', t.theme_id::text, p.cost_unit, count(*), sum(p.total_cost)
  FROM projects_project_themes t JOIN p ON p.id = t.project_id GROUP BY 2, 3
UNION ALL
SELECT 'instrument', p.instrument_id::text, p.cost_unit, count(*), sum(p.total_cost) FROM p GROUP BY 2, 3
UNION ALL
SELECT 'year', extract(year FROM p.start_date)::int::text, p.cost_unit, count(*), sum(p.total_cost)
  FROM p GROUP BY 2, 3
UNION ALL
SELECT 'country', pa.country, c.unit, count(*), sum(c.amount)
  FROM projects_partner pa JOIN p ON p.id = pa.project_id
  JOIN finance_fundingcontribution_partners cp ON cp.partner_id = pa.id
  JOIN finance_fundingcontribution c ON c.id = cp.fundingcontribution_id
 GROUP BY 2, 3
"""


def bench_aggregates(big: str) -> Result:
    say(f"\n== portfolio analytics at {common.PARTICIPATIONS:,} participations")
    django_on(big)
    from django.db import connection

    from deltaregio.ops import selectors
    from deltaregio.projects.models import Project

    def orm() -> dict[str, Any]:
        return selectors.portfolio_aggregates(projects=Project.objects.filter(is_public=True))

    def hand() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL)
            return cursor.fetchall()

    orm(), hand()  # warm the cache of both alike
    ours = common.median_time(orm, repeat=5)
    reference = common.median_time(hand, repeat=5)
    # the two give the same figures
    figures = orm()
    flat = {
        (dimension, key, unit): (count, amount)
        for dimension, rows in figures.items()
        for (key, unit), (count, amount) in rows.items()
    }
    hand_flat = {(d, k or "", u): (c, a if a is not None else Decimal(0)) for d, k, u, c, a in hand()}
    same = flat == hand_flat
    result = Result("aggregates", common.PARTICIPATIONS, figures={"groups": len(flat), "same_figures": same})
    result.check(
        Check("dashboard aggregates (theme, instrument, country, year)", ours, reference, ours / reference,
              "≤ 2× one hand-written SQL query", ours / reference <= 2 and same, "s",
              "" if same else "the figures differ from the hand-written query"))  # fmt: skip
    return result


# --- pages ----------------------------------------------------------------------------------------


def _slugs(name: str, count: int = 50) -> list[str]:
    import psycopg

    with psycopg.connect(common.database_url(name).replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT slug FROM projects_project WHERE is_public AND source_document = 'synthetic portfolio' "
            "ORDER BY md5(slug) LIMIT %s",
            [count],
        ).fetchall()
    return [row[0] for row in rows]


def bench_pages(big: str) -> Result:
    say(f"\n== pages with 8 concurrent clients at {common.PARTICIPATIONS:,} participations")
    slugs = _slugs(big)
    result = Result("pages", common.PARTICIPATIONS)
    pages = (
        ("project list /projects/", ["/projects/"]),
        ("project page /projects/<slug>/", [f"/projects/{slug}/" for slug in slugs]),
        ("API list /api/v1/projects/", ["/api/v1/projects/"]),
    )
    # the production configuration: anonymous responses kept (ops/pagecache.py), the verdicts
    with common.server(big) as port:
        common.load(port, ["/bench/minimal/", "/projects/", "/api/v1/projects/"], clients=4, seconds=3)
        for path in pages[1][1]:  # each project page asked once: the run measures kept pages
            common.load(port, [path], clients=1, seconds=5, max_requests=1)
        ceiling = common.load(port, ["/bench/minimal/"], clients=8, seconds=10)
        result.figures["minimal_view"] = ceiling.__dict__
        for label, paths in pages:
            run = common.load(port, paths, clients=8, seconds=10)
            result.figures[label] = run.__dict__
            share = run.per_second / ceiling.per_second
            result.check(Check(f"{label} requests/s", run.per_second, ceiling.per_second, share,
                               "≥ 30 % of a minimal Django view", share >= 0.3 and run.errors == 0, "req/s",
                               f"{run.errors} errors" if run.errors else ""))  # fmt: skip
    # the same pages rendered for every request (a logged-in user's case), reported without a verdict
    uncached: dict[str, Any] = {}
    with common.server(big, extra={"DELTAREGIO_PAGE_CACHE_SECONDS": "0"}) as port:
        common.load(port, ["/bench/minimal/", "/projects/", "/api/v1/projects/"], clients=4, seconds=3)
        ceiling = common.load(port, ["/bench/minimal/"], clients=8, seconds=10)
        for label, paths in pages:
            run = common.load(port, paths, clients=8, seconds=10)
            uncached[label] = {"per_second": round(run.per_second, 1),
                               "share_of_minimal_view": round(run.per_second / ceiling.per_second, 3),
                               "errors": run.errors}  # fmt: skip
            say(f"   without the page cache: {label}: {run.per_second:.1f}/s "
                f"({run.per_second / ceiling.per_second:.0%} of the minimal view)")  # fmt: skip
    result.figures["rendered every time (DELTAREGIO_PAGE_CACHE_SECONDS=0)"] = uncached
    return result


# --- scans ----------------------------------------------------------------------------------------


def bench_scans(big: str) -> Result:
    """32 clients. Phase 1 (not timed): each client starts scans and saves their answers through the
    API. Phase 2 (timed): the clients submit them — the moment a campaign's load peaks. The whole
    flow's rate (start, answers, submit) is reported too. Afterwards every accepted submission must be
    stored exactly once."""
    say("\n== scans submitted by 32 concurrent clients")
    import http.client
    import json
    import threading

    django_on(big)
    from django.db.models import Count

    from deltaregio.funnel import engine, selectors
    from deltaregio.funnel.models import Scan

    spec = selectors.questionnaire_spec(selectors.questionnaire_current(slug="edih-dma-sme"))
    answers = json.dumps({"answers": engine.extreme_answers(spec, high=True)}).encode()
    prefix = f"Bench {uuid.uuid4().hex[:8]}"
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": "nl"}
    clients, per_client = 32, int(os.environ.get("BENCH_SCANS_PER_CLIENT", "50"))
    tokens: list[list[str]] = [[] for _ in range(clients)]
    accepted: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def run_all(target: Any) -> float:
        threads = [threading.Thread(target=target, args=(n,)) for n in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    with common.server(big, workers=5, extra={"DELTAREGIO_EMAIL_BACKEND": "memory"}) as port:

        def prepare(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for _ in range(per_client):
                try:
                    conn.request(
                        "POST", "/api/v1/scans/", body=b'{"questionnaire": "edih-dma-sme"}', headers=headers
                    )
                    token = json.loads(conn.getresponse().read())["token"]
                    conn.request("PATCH", f"/api/v1/scans/{token}/", body=answers, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        tokens[n].append(token)
                except (OSError, http.client.HTTPException, KeyError, ValueError) as exc:
                    with lock:
                        failures.append(f"prepare: {exc}")
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def submit(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for i, token in enumerate(tokens[n]):
                company = f"{prefix} {n:02d}-{i:04d} BV"
                body = {"company_name": company, "country": "BE", "region": "Antwerpen",
                        "email": f"scan{n}-{i}@bench.example", "contact_consent": True}  # fmt: skip
                try:
                    conn.request(
                        "POST",
                        f"/api/v1/scans/{token}/submit/",
                        body=json.dumps(body).encode(),
                        headers=headers,
                    )
                    response = conn.getresponse()
                    response.read()
                    with lock:
                        (accepted if response.status == 202 else failures).append(company)
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        failures.append(f"submit: {exc}")
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        prepare_seconds = run_all(prepare)
        submit_seconds = run_all(submit)
    prepared = sum(len(t) for t in tokens)
    stored = Scan.objects.filter(company_name__startswith=prefix, status=Scan.Status.AWAITING_VERIFICATION)
    twice = stored.values("company_name").annotate(n=Count("id")).filter(n__gt=1).count()
    lost = len(set(accepted) - set(stored.values_list("company_name", flat=True)))
    rate = len(accepted) / submit_seconds
    flow_rate = len(accepted) / (prepare_seconds + submit_seconds)
    result = Result("scans", common.PARTICIPATIONS, figures={
        "clients": clients, "prepared": prepared, "submitted": len(accepted), "failed": len(failures),
        "prepare_seconds": round(prepare_seconds, 2), "submit_seconds": round(submit_seconds, 2),
        "whole_flow_per_second": round(flow_rate, 1), "stored": stored.count(), "stored_twice": twice,
        "lost": lost, "first_failures": failures[:3],
    })  # fmt: skip
    result.check(Check("submitted scans per second (32 clients)", rate, None, None,
                       "≥ 200/s, none lost, each stored once",
                       rate >= 200 and lost == 0 and twice == 0 and not failures, "scans/s",
                       f"{len(accepted)} submitted, {stored.count()} stored, {lost} lost, {twice} twice, "
                       f"{len(failures)} failed; whole flow (3 requests) {flow_rate:.1f}/s"))  # fmt: skip
    return result


# --- growth ---------------------------------------------------------------------------------------


def _latency(port: int, paths: list[str], repeat: int = 40) -> float:
    import http.client
    import statistics

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        conn.request("GET", paths[i % len(paths)])
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{paths[i % len(paths)]} answered {response.status}")
    return statistics.median(times)


def bench_growth(big: str, small: str) -> Result:
    say(f"\n== growth: {common.SMALL:,} vs {common.PARTICIPATIONS:,} participations")
    result = Result("growth", common.PARTICIPATIONS)
    measured: dict[str, dict[str, float]] = {}
    for name in (small, big):
        slugs = _slugs(name, 20)
        # every response rendered: growth is about the data, not about a kept page
        with common.server(name, workers=2, extra={"DELTAREGIO_PAGE_CACHE_SECONDS": "0"}) as port:
            pages = {
                "project list": ["/projects/"],
                "project page": [f"/projects/{slug}/" for slug in slugs],
                "API list": ["/api/v1/projects/"],
            }
            for paths in pages.values():
                _latency(port, paths, repeat=5)
            measured[name] = {label: _latency(port, paths) for label, paths in pages.items()}
    result.figures = {"seconds": measured}
    for label in ("project list", "project page", "API list"):
        small_t, big_t = measured[small][label], measured[big][label]
        ratio = big_t / small_t
        goal_met = ratio <= 1.2
        result.check(Check(f"{label}: median time at {common.PARTICIPATIONS:,}", big_t, small_t, ratio,
                           "≤ 1.2× the time at 10,000" + ("" if label != "API list" else " (reported)"),
                           goal_met, "s"))  # fmt: skip
    return result


# --- import ---------------------------------------------------------------------------------------


def write_participations_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A CSV in the layout of the H2020 Norway participations file (its header, read from the real
    file), with `rows` synthetic participations."""
    with (SHARED_REAL / "h2020-norway-participations.csv").open(encoding="utf-8") as real:
        header_line = real.readline().rstrip("\n")
    header = header_line.lstrip("\ufeff").split(";")
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        project, participant = 900000, 0
        organisations = max(100, rows // 4)
        for _ in range(rows):
            if participant == 0 or rng.random() < 0.4:
                project += 1
                participant = 0
                year = rng.randint(2014, 2022)
                month = rng.randint(1, 9)
            participant += 1
            org = rng.randint(1, organisations)
            values = {
                "Rammeprogram": "H2020",
                "Programkortnavn (H2020)": "LEIT",
                "Prosjektnr": str(project),
                "Prosjektkortnavn": f"BENCH{project}",
                "Prosjektnavn": f"Benchmark project {project}",
                "Utlysnings-id": f"H2020-BENCH-{year}",
                "Topic kode": "BENCH-01",
                "Søknadstype": "RIA",
                "Kontraktstatus": "SIGNED",
                "Kontrakt startdato": f"01.0{month}.{year} 00:00",
                "Kontrakt sluttdato": f"31.12.{year + 3} 00:00",
                "Søknadsfrist": f"15.01.{year} 00:00",
                "Organisasjonsnummer": str(800000000 + org),
                "Organisasjonsnavn": f"BENCH ORGANISASJON {org} AS",
                "Kortnavn": f"BO{org}",
                "Organisasjon rolle": "COORDINATOR" if participant == 1 else "PARTICIPANT",
                "Deltakernr": str(participant),
                "FoU sektorkode": "NÆR",
                "Adresse kommune": "Oslo",
                "Adresse fylke": "Oslo",
                "FoU sektor": "Næringsliv",
                "Innvilget beløp organisasjon EUR": f"{rng.randint(20_000, 2_000_000)}.{rng.randint(0, 99):02d}",  # noqa: E501
            }
            writer.writerow([values.get(column, "") for column in header])


def bench_import(workdir: Path) -> Result:
    rows = IMPORT_ROWS
    say(f"\n== import of {rows:,} participation rows (h2020-norway profile) vs COPY")
    import psycopg

    name = "bench_import"
    path = workdir / f"participations-{rows}.csv"
    if not path.exists():
        write_participations_csv(path, rows)
    with common._admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    common.deltaregio(name, "migrate", "--noinput")
    common.deltaregio(name, "load-seed")
    before = _table_tops(name)  # where each table's ids stand before the import (for the floor below)
    with common._admin() as conn:  # the database as the import found it, kept for the floor
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_before"')
        conn.execute(f'CREATE DATABASE "{name}_before" TEMPLATE "{name}"')
    # the limit: PostgreSQL's COPY of the same rows into a plain table of text columns
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(";")
    with psycopg.connect(
        common.database_url(name).replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        columns = ", ".join(f'"c{i}" text' for i in range(len(header)))
        conn.execute(f"CREATE TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        copy_seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    # the platform: the import command in its own process, its peak memory measured by the OS
    started = time.perf_counter()
    process = subprocess.run(  # noqa: S603
        ["/usr/bin/time", "-f", "%M", str(common.BIN / "deltaregio"), "import", "--profile", "h2020-norway",
         str(path), "--format", "json"],
        # the upload limit (200 MB by default) is raised, as an administrator would for such a file
        env=common.env_for(name, DELTAREGIO_IMPORT_MAX_BYTES=str(8 << 30)),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    import_seconds = time.perf_counter() - started
    peak_mb = int(process.stderr.strip().splitlines()[-1]) / 1024 if process.stderr.strip() else float("nan")
    ok = process.returncode == 0
    result = Result("import", rows, figures={
        "rows": rows, "copy_seconds": round(copy_seconds, 3), "import_seconds": round(import_seconds, 2),
        "peak_memory_mb": round(peak_mb, 1), "import_ok": ok,
        "import_output_tail": (process.stdout[-500:] if ok else process.stderr[-800:]),
    })  # fmt: skip
    floor = _write_floor(name, before, workdir) if ok else {}
    if floor:
        floor["times_copy"] = round(floor["seconds"] / copy_seconds, 2)
        floor["import_times_floor"] = round(import_seconds / floor["seconds"], 2)
    result.figures["floor"] = floor
    ratio = import_seconds / copy_seconds
    result.check(Check(f"import time ({rows:,} rows)", import_seconds, copy_seconds, ratio,
                       "≤ 3× COPY of the same rows", ok and ratio <= 3, "s"))  # fmt: skip
    if floor:
        say(f"  floor: COPY of the {floor['rows_written']:,} rows the import wrote (records, history, "
            f"source records, links; constraints checked at commit) into the database as it was: "
            f"{floor['seconds']:,.2f} s = {floor['seconds'] / copy_seconds:.1f}× the COPY of the file; "
            f"the import took {import_seconds / floor['seconds']:.1f}× the floor "
            "(reported, no goal)")  # fmt: skip
    full = rows >= 1_000_000
    note = "" if full else f"measured at {rows:,} rows; the goal is for 1,000,000, so no verdict MET"
    result.check(Check(f"import peak memory ({rows:,} rows)", peak_mb, None, None,
                       "< 500 MB at 1,000,000 rows",
                       ok and full and peak_mb < 500, "MB", note))  # fmt: skip
    return result


def _table_tops(name: str) -> dict[str, tuple[str, int]]:
    """Each table of the platform with an integer key: (key column, highest key)."""
    import psycopg

    tops: dict[str, tuple[str, int]] = {}
    with psycopg.connect(common.database_url(name).replace("postgres://", "postgresql://", 1)) as conn:
        keys = conn.execute(
            """SELECT c.relname, a.attname FROM pg_index i
               JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
               WHERE i.indisprimary AND n.nspname = 'public' AND i.indnatts = 1
                 AND a.atttypid IN ('int4'::regtype, 'int8'::regtype)"""
        ).fetchall()
        for table, column in keys:
            top = conn.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"').fetchone()  # noqa: S608
            tops[table] = (column, int(top[0]) if top else 0)
    return tops


def _write_floor(name: str, before: dict[str, tuple[str, int]], workdir: Path) -> dict[str, Any]:
    """The least time PostgreSQL needs to store what the import stored: the rows the import added to
    every table (its records, their history, its source records, the links between them) copied out
    after the import, then COPYed into the database as it was before the import, in one transaction,
    with every index and constraint (the deferred foreign keys are checked at COMMIT, which is timed).
    No parsing, no checking, no Python: a bound no import of this data model can beat."""
    import psycopg

    url = common.database_url(name).replace("postgres://", "postgresql://", 1)
    parts: list[tuple[str, Path, int]] = []
    with psycopg.connect(url) as conn:
        for table, (column, top) in sorted(before.items()):
            path = workdir / f"floor-{table}.copy"
            count = 0
            with (
                conn.cursor().copy(
                    f'COPY (SELECT * FROM "{table}" WHERE "{column}" > {top}) TO STDOUT (FORMAT binary)'  # noqa: S608
                ) as copy,
                path.open("wb") as handle,
            ):
                for data in copy:
                    handle.write(data)
            count = conn.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" > {top}').fetchone()[0]  # noqa: S608
            if count:
                parts.append((table, path, int(count)))
            else:
                path.unlink()
    floor = f"{name}_floor"
    with common._admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{floor}"')
        conn.execute(f'CREATE DATABASE "{floor}" TEMPLATE "{name}_before"')
    with psycopg.connect(common.database_url(floor).replace("postgres://", "postgresql://", 1)) as conn:
        started = time.perf_counter()
        with conn.transaction():
            for table, path, _count in parts:
                with (
                    conn.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy,
                    path.open("rb") as handle,
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
        seconds = time.perf_counter() - started
    with common._admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{floor}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_before"')
    for _table, path, _count in parts:
        path.unlink()
    return {"seconds": round(seconds, 3), "rows_written": sum(c for _t, _p, c in parts),
            "tables": {table: count for table, _p, count in parts}}  # fmt: skip


def main(argv: list[str]) -> int:
    wanted = argv or ["aggregates", "pages", "scans", "growth", "import"]
    say(
        f"benchmarks at {common.PARTICIPATIONS:,} participations on {os.cpu_count()} CPUs: "
        + ", ".join(wanted)
    )
    big = common.portfolio_database(common.PARTICIPATIONS)
    small = common.portfolio_database(common.SMALL) if "growth" in wanted else ""
    workdir = common.ROOT / "bench" / ".work"
    workdir.mkdir(exist_ok=True)
    results = []
    for benchmark in wanted:
        if benchmark == "aggregates":
            results.append(_in_subprocess("aggregates", big))
        elif benchmark == "scans":
            results.append(_in_subprocess("scans", big))
        elif benchmark == "pages":
            results.append(bench_pages(big))
        elif benchmark == "growth":
            results.append(bench_growth(big, small))
        elif benchmark == "import":
            results.append(bench_import(workdir))
        else:
            say(f"unknown benchmark {benchmark!r}")
            return 2
    for result in results:
        if isinstance(result, Result):
            result.write()
    say("\nresults in bench/results/")
    return 0


def _in_subprocess(benchmark: str, database: str) -> None:
    """Benchmarks that set Django up for one database run in a process of their own."""
    subprocess.run(  # noqa: S603 - this module, with our own arguments
        [sys.executable, "-m", "bench.run", "--one", benchmark, database], check=True, cwd=common.ROOT
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        one = {"aggregates": bench_aggregates, "scans": bench_scans}[sys.argv[2]](sys.argv[3])
        one.write()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
