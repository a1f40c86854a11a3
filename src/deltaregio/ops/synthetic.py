"""The distributions a synthetic portfolio follows, read from the real published data sets.

Where the data sets are beside the repository (`shared/data/real/`, or DELTAREGIO_REAL_DATA), the
generator draws from their empirical distributions (resampling with replacement):

| what | from |
|---|---|
| partners per project | H2020 Norway (participants per project), Interreg Sweden (organisations) |
| amount per participation (EUR) | H2020 Norway "Innvilget beløp organisasjon EUR"; Interreg "partnerbudget" |
| funding rate (share of the cost funded) | ERDF Flanders "PERCENTAGE" |
| start year, duration in months | the three data sets' start and end dates |
| organisation reuse | distinct organisations ÷ participations in H2020 Norway and Interreg Sweden |

Without the files, FALLBACK is used: a few summary numbers computed once from the same files (on
2026-12-03, with `deltaregio generate --show-distributions`) — never the data itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from deltaregio.config import PROJECT_ROOT

H2020 = "h2020-norway-participations.csv"
ERDF = "erdf-flanders-2007-2013.json"
INTERREG = "interreg-sweden-partners-2021-2027.json"


@dataclass
class Distributions:
    partners_per_project: list[int]
    amounts: list[int]  # whole euro per participation
    funding_rates: list[float]  # 0 < rate <= 1
    start_years: list[int]
    durations_months: list[int]
    new_organisation_share: float  # chance that a participation brings an organisation not seen before
    provenance: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        def quantiles(values: list[int] | list[float]) -> list[float]:
            ordered = sorted(values)
            return [float(ordered[int(q * (len(ordered) - 1))]) for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)]

        return {
            "provenance": self.provenance,
            "partners_per_project": dict(sorted(Counter(self.partners_per_project).items())),
            "amount_quantiles_10_25_50_75_90_99": quantiles(self.amounts),
            "funding_rate_quantiles": quantiles(self.funding_rates),
            "start_years": dict(sorted(Counter(self.start_years).items())),
            "duration_quantiles": quantiles(self.durations_months),
            "new_organisation_share": round(self.new_organisation_share, 3),
        }


# Summary numbers of the three data sets (see the module's docstring), used when the files are absent:
# partner-count histogram, amount and rate quantiles, start-year range and duration quantiles.
FALLBACK = Distributions(
    partners_per_project=[1] * 1714
    + [2] * 460
    + [3] * 184
    + [4] * 90
    + [5] * 48
    + [6] * 19
    + [7] * 8
    + [8] * 12
    + [9] * 3
    + [10] * 3
    + [11] * 1,
    amounts=[50_000, 131_673, 255_562, 515_903, 1_007_949, 2_677_020],  # deciles 10/25/50/75/90/99
    funding_rates=[0.27, 0.35, 0.4, 0.4, 0.4, 0.4],
    # start years, one entry per ten projects of the three data sets
    start_years=[2007]
    + [2008] * 10
    + [2009] * 7
    + [2010] * 10
    + [2011] * 16
    + [2012] * 2
    + [2015] * 24
    + [2016] * 24
    + [2017] * 22
    + [2018] * 26
    + [2019] * 36
    + [2020] * 31
    + [2021] * 29
    + [2022] * 10
    + [2023] * 22
    + [2024] * 15
    + [2025] * 14,
    durations_months=[24, 24, 36, 48, 60, 72],
    new_organisation_share=0.311,
    provenance=["fallback summary numbers (ops/synthetic.py)"],
)


def real_data_dir() -> Path:
    configured = os.environ.get("DELTAREGIO_REAL_DATA")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "data" / "real"


def _euro(raw: Any) -> int | None:
    text = str(raw).replace("€", "").replace(" ", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value > 0 else None


def _date(raw: str) -> dt.date | None:
    text = (raw or "").strip()[:10]
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _months(start: dt.date | None, end: dt.date | None) -> int | None:
    if start is None or end is None or end <= start:
        return None
    return max(1, round((end - start).days / 30.44))


def load(directory: Path | None = None) -> Distributions:
    """The distributions of the real data sets in `directory`, or FALLBACK when none is there."""
    directory = directory or real_data_dir()
    partners: list[int] = []
    amounts: list[int] = []
    rates: list[float] = []
    years: list[int] = []
    durations: list[int] = []
    participations = organisations = 0
    provenance: list[str] = []

    h2020 = directory / H2020
    if h2020.exists():
        rows = list(csv.DictReader(io.StringIO(h2020.read_text(encoding="utf-8")), delimiter=";"))
        per_project: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            per_project[row["Prosjektnr"]].add(row["Deltakernr"])
            amount = _euro(row["Innvilget beløp organisasjon EUR"])
            if amount:
                amounts.append(amount)
        seen: set[str] = set()
        for row in rows:
            if row["Prosjektnr"] in seen:
                continue
            seen.add(row["Prosjektnr"])
            start = _date(row["Kontrakt startdato"])
            if start:
                years.append(start.year)
            if row["Varighet måneder"].strip().isdigit():
                durations.append(int(row["Varighet måneder"]))
        partners += [len(v) for v in per_project.values()]
        participations += len(rows)
        organisations += len({row["Organisasjonsnummer"] or row["Organisasjonsnavn"] for row in rows})
        provenance.append(H2020)

    interreg = directory / INTERREG
    if interreg.exists():
        records = json.loads(interreg.read_text(encoding="utf-8"))
        per_project_org: dict[str, set[str]] = defaultdict(set)
        budgets: dict[tuple[str, str], int] = defaultdict(int)
        spans: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        for record in records:
            project, org = str(record.get("projektnamn")), str(record.get("organisationsnamn") or "")
            per_project_org[project].add(org)
            budgets[(project, org)] += _euro(record.get("partnerbudget")) or 0
            spans[project] = (_date(str(record.get("startdatum"))), _date(str(record.get("slutdatum"))))
        partners += [len(v) for v in per_project_org.values()]
        amounts += [v for v in budgets.values() if v > 0]
        for start, end in spans.values():
            if start:
                years.append(start.year)
            months = _months(start, end)
            if months:
                durations.append(months)
        participations += len(budgets)
        organisations += len({str(r.get("organisationsnamn")) for r in records})
        provenance.append(INTERREG)

    erdf = directory / ERDF
    if erdf.exists():
        for record in json.loads(erdf.read_text(encoding="utf-8")):
            rate = record.get("PERCENTAGE")
            if isinstance(rate, int | float) and 0 < rate <= 1:
                rates.append(float(rate))
            start = _date(str(record.get("STARTDATUM_PROJECT") or ""))
            end = _date(str(record.get("EINDDATUM_PROJECT") or ""))
            if start:
                years.append(start.year)
            months = _months(start, end)
            if months:
                durations.append(months)
        provenance.append(ERDF)

    if not partners or not amounts:
        return FALLBACK
    return Distributions(
        partners_per_project=partners,
        amounts=amounts,
        funding_rates=rates or FALLBACK.funding_rates,
        start_years=years or FALLBACK.start_years,
        durations_months=durations or FALLBACK.durations_months,
        new_organisation_share=organisations / participations if participations else 0.31,
        provenance=provenance,
    )
