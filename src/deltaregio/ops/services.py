"""Writes of the operations domain: the synthetic portfolio for benchmarks and demonstrations.

`portfolio_generate` writes projects, organisations, partners (participations), work packages,
funding contributions (budgets) and calls straight into their tables — COPY on PostgreSQL,
`bulk_create` elsewhere — because a million participations through the per-record services would take
hours; decision 0020 explains why this one writer bypasses the domain services and history. Scans and
vouchers are few and go through the funnel's and the vouchers' own services, as a company's would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.test.utils import override_settings
from django.utils import timezone

from deltaregio.agenda.models import Theme
from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.funding.models import Call, Instrument
from deltaregio.ops import bulk, synthetic
from deltaregio.ops.pagination import bump_data_version
from deltaregio.projects.models import Partner, Project, Status, WorkPackage

DOCUMENT = "synthetic portfolio"
COUNTRIES = (("BE", 40), ("NL", 40), ("DE", 6), ("FR", 4), ("NO", 5), ("SE", 5))
KINDS = (
    (Organisation.Kind.SME, 35),
    (Organisation.Kind.COMPANY, 20),
    (Organisation.Kind.KNOWLEDGE, 25),
    (Organisation.Kind.GOVERNMENT, 10),
    (Organisation.Kind.CLUSTER, 5),
    (Organisation.Kind.OTHER, 5),
)
WORDS = (
    "Photonics",
    "Hydrogen",
    "Circular",
    "Digital",
    "Twin",
    "Robotics",
    "Sensor",
    "Battery",
    "Cobot",
    "Composite",
    "Biobased",
    "Smart",
    "Grid",
    "Factory",
    "Health",
    "Water",
    "Quantum",
    "Chip",
    "Lab",
    "Data",
    "Coating",
    "Laser",
    "Motion",
    "Vision",
    "Polymer",
    "Energy",
    "Food",
)
WP_TITLES = ("Management", "Research", "Development", "Demonstration", "Validation", "Dissemination")


class GenerateError(Exception):
    """The portfolio cannot be generated as asked; the message says why."""


@dataclass
class GenerateReport:
    seed: int
    participations: int = 0
    projects: int = 0
    organisations: int = 0
    work_packages: int = 0
    contributions: int = 0
    calls: int = 0
    scans: int = 0
    vouchers: int = 0
    vouchers_refused: dict[str, int] = field(default_factory=dict)
    distributions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def portfolio_generate(
    *,
    participations: int,
    seed: int = 1,
    scans: int | None = None,
    distributions: synthetic.Distributions | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Add a synthetic portfolio of about `participations` partners in projects (exactly that many),
    deterministic for `seed`: the same seed on the same reference data gives the same rows.

    Needs the reference data (themes, instruments); refuses a seed that was generated already."""
    if participations < 1:
        raise GenerateError("--participations must be at least 1")
    if participations > 20_000_000:
        raise GenerateError("--participations must be at most 20,000,000")
    prefix = f"S{seed}"
    if Project.objects.filter(acronym__startswith=f"{prefix}-", source_document=DOCUMENT).exists():
        raise GenerateError(
            f"a synthetic portfolio with seed {seed} is already in the database; use another seed"
        )
    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    instruments = list(Instrument.objects.order_by("pk").values_list("pk", "code", "short_name", "name"))
    if not themes or not instruments:
        raise GenerateError("the reference data is missing: run `deltaregio load-seed` first")
    dist = distributions or synthetic.load()
    report = GenerateReport(seed=seed, distributions=list(dist.provenance))
    rng = random.Random(seed)
    say = progress or (lambda message: None)

    with transaction.atomic():
        _write_portfolio(
            participations=participations, prefix=prefix, dist=dist, rng=rng, themes=themes,
            instruments=instruments, report=report, say=say,
        )  # fmt: skip
    count = scans if scans is not None else min(200, max(1, participations // 5000))
    if count:
        say(f"scans and voucher requests through the services: {count}")
        _scans_and_vouchers(count=count, rng=rng, prefix=prefix, report=report)
    return report


def _write_portfolio(
    *,
    participations: int,
    prefix: str,
    dist: synthetic.Distributions,
    rng: random.Random,
    themes: list[int],
    instruments: list[tuple[int, str, str, str]],
    report: GenerateReport,
    say: Callable[[str], None],
) -> None:
    models_: list[type[Model]] = [Project, Organisation, Partner, WorkPackage, FundingContribution, Call]
    ids: dict[type[Model], int] = {model: bulk.next_id(model) for model in models_}
    ids[Project.themes.through] = bulk.next_id(Project.themes.through)
    ids[FundingContribution.partners.through] = bulk.next_id(FundingContribution.partners.through)
    writers: dict[type[Model], bulk.TableWriter] = {model: bulk.TableWriter(model) for model in ids}
    calls: dict[tuple[int, int], int] = {}
    org_of_participation: list[int] = []  # preferential attachment: busy organisations get busier
    org_country: dict[int, str] = {}
    first_org = ids[Organisation]
    done = 0
    number = 0
    today = timezone.localdate()
    while done < participations:
        number += 1
        size = min(rng.choice(dist.partners_per_project), participations - done)
        instrument_id, code, short_name, name = rng.choice(instruments)
        start = dt.date(rng.choice(dist.start_years), rng.randint(1, 12), 1)
        end = _add_months(start, rng.choice(dist.durations_months))
        call_key = (instrument_id, start.year)
        if call_key not in calls:
            calls[call_key] = call_id = ids[Call]
            ids[Call] += 1
            writers[Call].add(
                {
                    "id": call_id,
                    "code": f"{prefix.lower()}-{code}-{start.year}"[:80],
                    "instrument_id": instrument_id,
                    "name": f"{short_name or name} {start.year} (synthetic)"[:255],
                    "year": start.year,
                    "source_document": DOCUMENT,
                }
            )
        status = Status.CLOSED if end < today else Status.RUNNING if start <= today else Status.APPROVED
        project_id = ids[Project]
        ids[Project] += 1
        organisations: list[int] = []
        while len(organisations) < size:
            if not org_of_participation or rng.random() < dist.new_organisation_share:
                org_id = ids[Organisation]
                ids[Organisation] += 1
                country = _weighted(rng, COUNTRIES)
                org_country[org_id] = country
                index = org_id - first_org + 1
                writers[Organisation].add(
                    {
                        "id": org_id,
                        "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {prefix}-{index:07d}",
                        "slug": f"{prefix.lower()}-org-{index:07d}",
                        "kind": _weighted(rng, KINDS),
                        "country": country,
                        "source_document": DOCUMENT,
                    }
                )
            else:
                org_id = rng.choice(org_of_participation)
            if org_id not in organisations:
                organisations.append(org_id)
        amounts = [_money(rng.choice(dist.amounts) * rng.uniform(0.9, 1.1)) for _ in organisations]
        rate = rng.choice(dist.funding_rates)
        total = (sum(amounts, Decimal(0)) / Decimal(str(rate))).quantize(Decimal("1"))
        acronym = f"{prefix}-{number:07d}"
        writers[Project].add(
            {
                "id": project_id,
                "acronym": acronym,
                "slug": acronym.lower(),
                "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WP_TITLES).lower()} {number}",
                "instrument_id": instrument_id,
                "call_id": calls[call_key],
                "status": status,
                "start_date": start,
                "end_date": end,
                "total_cost": total,
                "is_public": rng.random() < 0.95,
                "source_document": DOCUMENT,
                "source_location": f"seed {prefix[1:]}, project {number}",
            }
        )
        for theme_id in rng.sample(themes, k=1 if rng.random() < 0.7 else min(2, len(themes))):
            writers[Project.themes.through].add(
                {"id": ids[Project.themes.through], "project_id": project_id, "theme_id": theme_id}
            )
            ids[Project.themes.through] += 1
        for position, (org_id, amount) in enumerate(zip(organisations, amounts, strict=True)):
            partner_id = ids[Partner]
            ids[Partner] += 1
            writers[Partner].add(
                {
                    "id": partner_id,
                    "project_id": project_id,
                    "organisation_id": org_id,
                    "role": Partner.Role.COORDINATOR if position == 0 else Partner.Role.PARTNER,
                    "country": org_country.get(org_id, ""),
                    "source_document": DOCUMENT,
                }
            )
            contribution_id = ids[FundingContribution]
            ids[FundingContribution] += 1
            writers[FundingContribution].add(
                {
                    "id": contribution_id,
                    "project_id": project_id,
                    "source": (short_name or name)[:200],
                    "source_kind": FundingContribution.SourceKind.GOVERNMENT,
                    "instrument_id": instrument_id,
                    "amount": amount,
                    "share": Decimal(str(round(rate * 100, 2))),
                    "source_document": DOCUMENT,
                }
            )
            writers[FundingContribution.partners.through].add(
                {
                    "id": ids[FundingContribution.partners.through],
                    "fundingcontribution_id": contribution_id,
                    "partner_id": partner_id,
                }
            )
            ids[FundingContribution.partners.through] += 1
            org_of_participation.append(org_id)
        packages = min(2 + size // 2, len(WP_TITLES))
        weights = [rng.uniform(0.5, 1.5) for _ in range(packages)]
        for wp in range(packages):
            writers[WorkPackage].add(
                {
                    "id": ids[WorkPackage],
                    "project_id": project_id,
                    "number": wp + 1,
                    "title": WP_TITLES[wp],
                    "budget": (total * Decimal(weights[wp] / sum(weights))).quantize(Decimal("0.01")),
                    "source_document": DOCUMENT,
                }
            )
            ids[WorkPackage] += 1
        done += size
        if number % 50_000 == 0:
            say(f"{done:,} participations in {number:,} projects")
    # Parents before children: organisations and calls, then projects, then what refers to them.
    for model in (Organisation, Call, Project, Project.themes.through, Partner, FundingContribution,
                  FundingContribution.partners.through, WorkPackage):  # fmt: skip
        writers[model].flush()
    bulk.reset_sequences(writers)
    bulk.analyze(writers)
    bump_data_version()  # COPY sends no signals: cached list counts are stale now
    report.participations = writers[Partner].written
    report.projects = writers[Project].written
    report.organisations = writers[Organisation].written
    report.work_packages = writers[WorkPackage].written
    report.contributions = writers[FundingContribution].written
    report.calls = writers[Call].written


def _scans_and_vouchers(*, count: int, rng: random.Random, prefix: str, report: GenerateReport) -> None:
    """Completed readiness scans of synthetic SMEs, and a voucher request for each where a round is
    open — through the funnel's and vouchers' services, so every rule they enforce holds."""
    from deltaregio.funnel import engine
    from deltaregio.funnel import selectors as funnel_selectors
    from deltaregio.funnel import services as funnel_services
    from deltaregio.vouchers import selectors as voucher_selectors
    from deltaregio.vouchers import services as voucher_services

    try:
        questionnaire = funnel_selectors.questionnaire_current(slug="edih-dma-sme")
    except Exception as exc:  # no questionnaire loaded: no scans, said in the report
        report.vouchers_refused["no questionnaire"] = count
        del exc
        return
    spec = funnel_selectors.questionnaire_spec(questionnaire)
    low, high = engine.extreme_answers(spec, high=False), engine.extreme_answers(spec, high=True)
    scheme = next(
        (s for s in voucher_selectors.scheme_list() if voucher_selectors.scheme_open_round(scheme=s)), None
    )
    providers = (
        list(voucher_selectors.eligible_providers(scheme=scheme).order_by("pk")[:20]) if scheme else []
    )
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for n in range(1, count + 1):
            answers = {key: (high if rng.random() < 0.5 else low)[key] for key in low}
            _scan, token = funnel_services.scan_start(questionnaire=questionnaire, language="nl")
            funnel_services.scan_save_answers(token=token, answers=answers)
            codes: list[str] = []
            company = f"{prefix} Maakbedrijf {n:05d} BV"
            funnel_services.scan_submit(
                token=token, company_name=company, country=rng.choice(["BE", "NL"]), region="",
                email=f"scan{n}@{prefix.lower()}.example", contact_consent=True, language="nl",
                verify_url=codes.append,  # type: ignore[arg-type]
            )  # fmt: skip
            result = funnel_services.scan_verify(token=token, code=codes[-1])
            report.scans += 1
            if scheme is None or not providers:
                report.vouchers_refused["no open round"] = report.vouchers_refused.get("no open round", 0) + 1
                continue
            try:
                voucher_services.voucher_request(
                    scheme=scheme, sme=result.journey.organisation, provider=rng.choice(providers),
                    service_description="Synthetic request: digital readiness follow-up", by=None,
                    scan_reference=token[:12],
                )  # fmt: skip
                report.vouchers += 1
            except voucher_services.VoucherRefused as exc:
                key = getattr(exc, "code", type(exc).__name__)
                report.vouchers_refused[key] = report.vouchers_refused.get(key, 0) + 1
