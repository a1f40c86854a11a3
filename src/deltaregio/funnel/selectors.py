"""Reads for the SME funnel: questionnaires and their scoring specs, scans by their private link,
results over time, journeys as each role may see them, the lab catalogue and the funnel figures."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.directory import selectors as directory
from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel import engine
from deltaregio.funnel.models import (
    ContactConsent,
    DimensionScore,
    ImplementationPlan,
    Intake,
    Journey,
    Questionnaire,
    Scan,
    ScanResult,
    SmeQuestion,
    Trajectory,
    Workshop,
    WorkshopRegistration,
)
from deltaregio.sources import selectors as sources

FOKUS_PROJECT = "fokus"
DATA_DIR = Path(__file__).resolve().parent / "data"


class ScanLinkInvalid(Exception):
    """The private link is wrong or has expired (the two are not told apart: nothing is revealed)."""


# --- questionnaires ------------------------------------------------------------------------------


#: Specs by content checksum. A loaded version never changes (a changed file needs a new version),
#: so a spec made once serves every later request of the process.
_SPECS: dict[str, engine.QuestionnaireSpec] = {}
_SPECS_MAX = 64


def questionnaire_spec(questionnaire: Questionnaire) -> engine.QuestionnaireSpec:
    """The scoring spec of a stored questionnaire version, made once per process and version: keyed by
    the stored checksum of its content, so the definition (tens of kilobytes of JSON) is neither read
    nor written out again for every request (scans defer it: `scan_by_token`)."""
    spec = _SPECS.get(questionnaire.checksum)
    if spec is None:
        spec = engine.spec_from_definition(copy.deepcopy(questionnaire.definition))
        if len(_SPECS) >= _SPECS_MAX:
            _SPECS.clear()
        _SPECS[questionnaire.checksum] = spec
    return spec


def questionnaire_list() -> QuerySet[Questionnaire]:
    """The current version of every questionnaire."""
    return Questionnaire.objects.filter(is_current=True).order_by("slug")


def questionnaire_current(*, slug: str) -> Questionnaire:
    return Questionnaire.objects.get(slug=slug, is_current=True)


def questionnaire_version(*, slug: str, version: str | None = None) -> Questionnaire:
    """A questionnaire by name, in the given version or else the current one."""
    if version:
        return Questionnaire.objects.get(slug=slug, version=version)
    return questionnaire_current(slug=slug)


def questionnaire_detail(*, slug: str, version: str | None = None) -> Questionnaire:
    qs = Questionnaire.objects.prefetch_related(
        "dimensions", "bands", "questions__options", "questions__dimension", "advice__dimension"
    )
    if version:
        return qs.get(slug=slug, version=version)
    return qs.get(slug=slug, is_current=True)


# --- scans ---------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scan_by_token(token: str, *, for_update: bool = False) -> Scan:
    """The scan of a private link; ScanLinkInvalid when the link is wrong or expired."""
    if not token or len(token) > 100:
        raise ScanLinkInvalid
    # the questionnaire's definition is only needed to make its spec, once per process
    qs = Scan.objects.select_related("questionnaire").defer("questionnaire__definition")
    if for_update:
        # the scan's row only: with the join, every submission would also lock the questionnaire's
        # one row and wait for all the others
        qs = qs.select_for_update(of=("self",))
    try:
        scan = qs.get(token_hash=token_hash(token))
    except Scan.DoesNotExist as exc:
        raise ScanLinkInvalid from exc
    if scan.expires_at <= timezone.now():
        raise ScanLinkInvalid
    return scan


def result_of_scan(scan: Scan) -> ScanResult | None:
    return (
        ScanResult.objects.select_related("questionnaire", "journey__organisation")
        .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.order_by("order")))
        .filter(scan=scan)
        .first()
    )


def results_for_comparison(result: ScanResult, *, same_email_only: bool) -> list[ScanResult]:
    """The company's results of the same questionnaire up to this one (T0, T1 …), oldest first.
    Through a private link only those verified with the same e-mail address are shown, so a link
    never reveals results someone else submitted for the company."""
    qs = ScanResult.objects.filter(
        journey=result.journey, questionnaire_slug=result.questionnaire_slug, wave__lte=result.wave
    )
    if same_email_only:
        qs = qs.filter(email__iexact=result.email)
    return list(
        qs.select_related("questionnaire")
        .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.order_by("order")))
        .order_by("wave")
    )


def latest_consent(journey: Journey) -> ContactConsent | None:
    return journey.consents.order_by("-recorded_at", "-id").first()


# --- who sees which journey ----------------------------------------------------------------------


def fokus_partner_ids() -> set[int]:
    """The organisations that are partners of the Fokus project."""
    from deltaregio.projects.selectors import project_detail

    try:
        project = project_detail(user=AnonymousUser(), slug=FOKUS_PROJECT)
    except Exception:
        return set()
    return {p.organisation_id for p in project.partners.all()}


def fokus_partners() -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=fokus_partner_ids()).order_by("name")


def partner_organisation_ids(user: Any) -> set[int]:
    """The Fokus partners a lab-partner user acts for (empty for anyone else)."""
    from deltaregio.accounts.rules import is_lab_partner

    if not is_lab_partner(user):
        return set()
    return organisation_ids_for(user) & fokus_partner_ids()


def _latest_consent_given() -> Subquery:
    return Subquery(
        ContactConsent.objects.filter(journey=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("given")[:1]
    )


def _consenting() -> Q:
    """Journeys whose latest consent record says a partner may make contact."""
    return Q(
        pk__in=Journey.objects.annotate(consent=_latest_consent_given()).filter(consent=True).values("pk")
    )


def visible_journeys(user: Any) -> QuerySet[Journey]:
    """Officers: every journey. Lab partners of a Fokus partner: the journeys assigned to their
    organisation whose SME consented to contact. SME users: their own company's journey."""
    qs = Journey.objects.all()
    if is_staff_or_officer(user):
        return qs
    condition = Q(pk__in=[])
    partners = partner_organisation_ids(user)
    if partners:
        condition |= Q(partner_id__in=partners) & _consenting()
    from deltaregio.accounts.rules import is_sme

    if is_sme(user):
        condition |= Q(organisation_id__in=organisation_ids_for(user))
    return qs.filter(condition)


def journey_list(*, user: Any) -> QuerySet[Journey]:
    return (
        visible_journeys(user)
        .select_related("organisation", "partner")
        .annotate(
            result_count=Count("results", distinct=True),
            intake_count=Count("intakes", distinct=True),
            registration_count=Count("registrations", distinct=True),
            trajectory_count=Count("trajectories", distinct=True),
            plan_count=Count("plans", distinct=True),
            consent_given=_latest_consent_given(),
        )
        .order_by("organisation__name")
    )


def journey_detail(*, user: Any, slug: str) -> Journey:
    return (
        visible_journeys(user)
        .select_related("organisation", "partner")
        .prefetch_related(
            Prefetch(
                "results",
                queryset=ScanResult.objects.select_related("questionnaire")
                .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.order_by("order")))
                .order_by("questionnaire_slug", "wave"),
            ),
            Prefetch(
                "intakes", queryset=Intake.objects.select_related("partner").prefetch_related("questions")
            ),
            Prefetch("registrations", queryset=WorkshopRegistration.objects.select_related("workshop__lab")),
            Prefetch("trajectories", queryset=Trajectory.objects.select_related("lab", "partner")),
            Prefetch("plans", queryset=ImplementationPlan.objects.select_related("partner")),
            Prefetch("consents", queryset=ContactConsent.objects.order_by("recorded_at", "id")),
            Prefetch("questions", queryset=SmeQuestion.objects.order_by("id")),
        )
        .get(organisation__slug=slug)
    )


def visible_results(user: Any) -> QuerySet[ScanResult]:
    return (
        ScanResult.objects.filter(journey__in=visible_journeys(user))
        .select_related("journey__organisation", "questionnaire")
        .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.order_by("order")))
        .order_by("-verified_at", "-id")
    )


def intake_list(*, user: Any) -> QuerySet[Intake]:
    return (
        Intake.objects.filter(journey__in=visible_journeys(user))
        .select_related("journey__organisation", "partner")
        .prefetch_related("questions")
        .order_by("-held_on", "-id")
    )


def trajectory_list(*, user: Any) -> QuerySet[Trajectory]:
    return (
        Trajectory.objects.filter(journey__in=visible_journeys(user))
        .select_related("journey__organisation", "partner", "lab")
        .order_by("-start_date", "-id")
    )


def plan_list(*, user: Any) -> QuerySet[ImplementationPlan]:
    return (
        ImplementationPlan.objects.filter(journey__in=visible_journeys(user))
        .select_related("journey__organisation", "partner", "trajectory__lab")
        .order_by("-created_at", "-id")
    )


def plan_detail(*, user: Any, pk: int) -> ImplementationPlan:
    return plan_list(user=user).get(pk=pk)


def workshop_list() -> QuerySet[Workshop]:
    return (
        Workshop.objects.select_related("lab")
        .annotate(registered=Count("registrations", distinct=True))
        # with the company that asked each question: the workshop's page names it
        .prefetch_related(
            Prefetch("questions", queryset=SmeQuestion.objects.select_related("journey__organisation"))
        )
        .order_by("-held_on", "title")
    )


def workshop_detail(*, pk: int) -> Workshop:
    return (
        workshop_list()
        .prefetch_related(
            Prefetch(
                "registrations", queryset=WorkshopRegistration.objects.select_related("journey__organisation")
            )
        )
        .get(pk=pk)
    )


def open_questions(*, user: Any) -> QuerySet[SmeQuestion]:
    """SME questions the user may see, for clustering into a workshop."""
    return (
        SmeQuestion.objects.filter(journey__in=visible_journeys(user))
        .select_related("journey__organisation")
        .order_by("id")
    )


# --- labs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabPlace:
    name: str
    latitude: Decimal
    longitude: Decimal
    lab: Lab | None


@lru_cache(maxsize=1)
def _lab_locations() -> tuple[dict[str, Any], ...]:
    with (DATA_DIR / "labs.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return tuple(data["labs"])


def fokus_labs() -> list[LabPlace]:
    """The practice labs of document 004, with approximate coordinates (funnel/data/labs.yaml),
    joined to their directory records by name."""
    places = _lab_locations()
    labs = {lab.name: lab for lab in directory.lab_list().filter(name__in=[p["name"] for p in places])}
    return [
        LabPlace(p["name"], Decimal(str(p["latitude"])), Decimal(str(p["longitude"])), labs.get(p["name"]))
        for p in places
    ]


def fokus_lab_queryset() -> QuerySet[Lab]:
    """The practice labs of the funnel as a queryset (for choosing one in a form)."""
    return directory.lab_list().filter(name__in=[p["name"] for p in _lab_locations()])


def labs_by_name(names: list[str]) -> dict[str, Lab]:
    return {lab.name: lab for lab in directory.lab_list().filter(name__in=names)}


def organisations_by_name(names: list[str]) -> dict[str, Organisation]:
    return {org.name: org for org in directory.organisation_list().filter(name__in=names)}


# --- the funnel ----------------------------------------------------------------------------------

STAGES = ("scans", "intakes", "workshops", "trajectories", "plans")
TARGET_KEYS = {
    "scans": "fokus-target-smes",
    "intakes": "fokus-funnel-intakes",
    "workshops": "fokus-funnel-workshops",
    "trajectories": "fokus-funnel-trajectories",
    "plans": "fokus-implementation-plans",
}


@dataclass(frozen=True)
class FunnelFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    country: str = ""
    region: str = ""
    partner: Organisation | None = None
    questionnaire: str = ""
    band: str = ""


@dataclass
class FunnelStage:
    key: str
    count: int
    targets: list[Any] = field(default_factory=list)  # sources.Statement records
    conversion: Decimal | None = None  # percent of the previous stage

    @property
    def progress(self) -> list[tuple[Any, Decimal | None]]:
        """Each target with the share of it reached, in percent with one decimal."""
        return [
            (t, (Decimal(self.count) * 100 / t.value).quantize(Decimal("0.1")) if t.value else None)
            for t in self.targets
        ]


def _in_period(prefix: str, flt: FunnelFilter) -> Q:
    q = Q()
    if flt.start:
        q &= Q(**{f"{prefix}__gte": flt.start})
    if flt.end:
        q &= Q(**{f"{prefix}__lte": flt.end})
    return q


def _journeys(flt: FunnelFilter) -> QuerySet[Journey]:
    qs = Journey.objects.all()
    if flt.country:
        qs = qs.filter(organisation__country=flt.country)
    if flt.region:
        qs = qs.filter(organisation__region__iexact=flt.region)
    if flt.partner is not None:
        qs = qs.filter(partner=flt.partner)
    if flt.questionnaire:
        results = ScanResult.objects.filter(questionnaire_slug=flt.questionnaire)
        if flt.band:  # the band of the company's latest result of that questionnaire
            latest = (
                ScanResult.objects.filter(journey=OuterRef("journey"), questionnaire_slug=flt.questionnaire)
                .order_by("-wave")
                .values("wave")[:1]
            )
            results = results.annotate(latest_wave=Subquery(latest)).filter(
                wave=F("latest_wave"), band=flt.band
            )
        qs = qs.filter(pk__in=results.values("journey_id"))
    return qs


def funnel(flt: FunnelFilter) -> list[FunnelStage]:
    """Companies per stage of the funnel (each counted once per stage), with the conversion from the
    stage before and the targets of document 004 as sources.Statement records."""
    journeys = _journeys(flt).values("pk")
    counts = {
        "scans": ScanResult.objects.filter(journey__in=journeys)
        .filter(_in_period("verified_at__date", flt))
        .filter(**({"questionnaire_slug": flt.questionnaire} if flt.questionnaire else {})),
        "intakes": Intake.objects.filter(journey__in=journeys).filter(_in_period("held_on", flt)),
        "workshops": WorkshopRegistration.objects.filter(journey__in=journeys).filter(
            _in_period("workshop__held_on", flt)
        ),
        "trajectories": Trajectory.objects.filter(journey__in=journeys).filter(_in_period("start_date", flt)),
        "plans": ImplementationPlan.objects.filter(
            journey__in=journeys, status=ImplementationPlan.Status.FINAL
        ).filter(_in_period("finalised_on", flt)),
    }
    statements: dict[str, list[Any]] = {}
    for statement in sources.statement_list().filter(key__in=TARGET_KEYS.values()):
        statements.setdefault(statement.key, []).append(statement)
    stages: list[FunnelStage] = []
    for key in STAGES:
        count = counts[key].values("journey_id").distinct().count()
        targets = sorted(
            statements.get(TARGET_KEYS[key], []), key=lambda s: (s.value or 0, s.source_location)
        )
        stage = FunnelStage(key, count, targets)
        if stages and stages[-1].count:
            stage.conversion = (Decimal(count) * 100 / stages[-1].count).quantize(Decimal("0.1"))
        stages.append(stage)
    return stages


def funnel_regions() -> list[tuple[str, str]]:
    """The (country, region) pairs of the companies in the funnel, for the filter."""
    return sorted(
        set(
            Journey.objects.exclude(organisation__region="").values_list(
                "organisation__country", "organisation__region"
            )
        )
    )


def band_choices() -> list[tuple[str, str, str]]:
    """(questionnaire slug, band code, label) of the current questionnaires."""
    choices = []
    for questionnaire in questionnaire_list().prefetch_related("bands"):
        for band in questionnaire.bands.all():
            choices.append((questionnaire.slug, band.code, f"{questionnaire.title}: {band.label}"))
    return choices


def result_json(result: ScanResult) -> dict[str, Any]:
    """A stored result in the published shape (scan-dma.md), from its stored scores: the same as
    `deltaregio scan score` gives for the same answers and questionnaire version."""
    return {
        "questionnaire": result.questionnaire_slug,
        "version": result.questionnaire.version,
        "dimensions": {s.code: float(s.score) for s in result.scores.all()},
        "overall": float(result.overall),
        "band": result.band,
    }


@dataclass(frozen=True)
class JourneySummary:
    """What another domain (the voucher desk) shows of a company's way through the funnel."""

    journey: Journey
    latest_result: ScanResult | None
    results: int
    intakes: int
    workshops: int
    trajectories: int
    plans: int
    assigned_partner: str


def journey_summary_for(*, organisation_id: int) -> JourneySummary | None:
    """The funnel journey of a company, or None when it has none. For users who may see the voucher
    request it sits beside (the voucher rules decide that)."""
    journey = (
        Journey.objects.select_related("partner")
        .annotate(
            n_results=Count("results", distinct=True),
            n_intakes=Count("intakes", distinct=True),
            n_workshops=Count("registrations", distinct=True),
            n_trajectories=Count("trajectories", distinct=True),
            n_plans=Count("plans", distinct=True),
        )
        .filter(organisation_id=organisation_id)
        .first()
    )
    if journey is None:
        return None
    latest = journey.results.order_by("-verified_at", "-id").first()
    return JourneySummary(
        journey=journey,
        latest_result=latest,
        results=journey.n_results,
        intakes=journey.n_intakes,
        workshops=journey.n_workshops,
        trajectories=journey.n_trajectories,
        plans=journey.n_plans,
        assigned_partner=journey.partner.name if journey.partner else "",
    )
