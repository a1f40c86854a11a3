"""Open data out: the programme's grants as a 360Giving data package (360Giving Data Standard 1.4).

A grant is a funding contribution that was granted to a published project that is approved, running or
closed, by anyone but the partners themselves (own contributions are not grants). Its recipients are the
partners the contribution is for, or else the project's lead partner(s). Identifiers follow the
standard's org-id conventions where the data allows: an organisation with a known registration number
gets it with its register's prefix (GB-COH-…, GB-CHC-…, BE-BCE_KBO-…, NO-BRC-…, XI-PIC-…, XI-GRID-…);
other organisations, funders and the grants themselves get identifiers under the programme's prefix
(setting DELTAREGIO_360G_PREFIX, default "360G-deltaregio"): 360G-deltaregio-org-<slug>,
360G-deltaregio-funder-<slug>, 360G-deltaregio-grant-<number>.

Issued vouchers join the package when the vouchers app offers them: a function
`deltaregio.vouchers.selectors.vouchers_360giving(*, prefix: str) -> list[dict]` returning grants in
the standard's shape is called when it exists (the hook is `voucher_grants`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections import defaultdict
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify

from deltaregio import __version__
from deltaregio.finance.selectors import contribution_list
from deltaregio.imports.models import ImportedRecord, OrganisationIdentifier
from deltaregio.projects.models import Project, Status, StatusChange
from deltaregio.projects.selectors import project_list
from deltaregio.sources.models import UNIT_FACTOR, Unit

GRANT_STATUSES = (Status.APPROVED, Status.RUNNING, Status.CLOSED)
#: Registers whose numbers are preferred as an organisation's 360Giving identifier, best first.
PREFERRED_SCHEMES = (
    "GB-CHC",
    "GB-COH",
    "GB-SC",
    "GB-NIC",
    "GB-EDU",
    "BE-BCE_KBO",
    "NL-KVK",
    "NO-BRC",
    "XI-PIC",
    "XI-ROR",
    "XI-GRID",
)
STANDARD_VERSION = "1.4"
CHUNK = 500
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def prefix() -> str:
    return str(getattr(settings, "DELTAREGIO_360G_PREFIX", "360G-deltaregio"))


def _org_ids(organisation_ids: set[int]) -> dict[int, str]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for org_id, scheme, number in OrganisationIdentifier.objects.filter(
        organisation_id__in=organisation_ids
    ).values_list("organisation_id", "scheme", "identifier"):
        found[org_id].append((scheme, number))
    result = {}
    for org_id, identifiers in found.items():
        identifiers.sort(
            key=lambda i: (PREFERRED_SCHEMES.index(i[0]) if i[0] in PREFERRED_SCHEMES else 99, i)
        )
        scheme, number = identifiers[0]
        result[org_id] = f"{scheme}-{number}"
    return result


def _funder_ids() -> dict[str, str]:
    """Funders' org-ids known from imports (a 360Giving package names its funders with them)."""
    from deltaregio.funding.models import Funder

    content_type = ContentType.objects.get_for_model(Funder)
    names = dict(Funder.objects.values_list("pk", "name"))
    ids = {}
    for object_id, extra in ImportedRecord.objects.filter(content_type=content_type).values_list(
        "object_id", "extra"
    ):
        if extra.get("org_id") and object_id in names:
            ids[names[object_id]] = extra["org_id"]
    return ids


def _award_dates(project_ids: list[int]) -> dict[int, dt.date]:
    dates: dict[int, dt.date] = {}
    content_type = ContentType.objects.get_for_model(Project)
    for object_id, extra in ImportedRecord.objects.filter(
        content_type=content_type, object_id__in=project_ids, extra__has_key="award_date"
    ).values_list("object_id", "extra"):
        try:
            dates[object_id] = dt.date.fromisoformat(str(extra["award_date"]))
        except ValueError:
            continue
    for project_id, date in (
        StatusChange.objects.filter(project_id__in=project_ids, status=Status.APPROVED, date__isnull=False)
        .order_by("date")
        .values_list("project_id", "date")
    ):
        if date is not None:
            dates.setdefault(project_id, date)
    return dates


def _amount(amount: Decimal, unit: str) -> tuple[float, str] | None:
    """The amount as the standard wants it (a number in a currency): EUR, kEUR, MEUR and BEUR are written
    in euro (multiplied exactly, then written as a number); a currency code stays as it is."""
    if unit in UNIT_FACTOR:
        return float(amount * UNIT_FACTOR[Unit(unit)]), "EUR"
    if len(unit) == 3 and unit.isalpha() and unit.isupper():
        return float(amount), unit
    return None


def giving360_package(*, user: Any = None, issued: dt.date | None = None) -> dict[str, Any]:
    """The 360Giving data package of the programme's grants (what the public may see: published
    projects only)."""
    viewer = user or AnonymousUser()
    projects = {p.pk: p for p in project_list(user=viewer).filter(status__in=GRANT_STATUSES)}
    contributions: list[Any] = []
    ids = sorted(projects)
    for start in range(0, len(ids), CHUNK):  # SQLite refuses very deep prefetch queries
        contributions.extend(
            c
            for c in contribution_list().filter(
                project_id__in=ids[start : start + CHUNK], status="granted", amount__isnull=False
            )
            if c.source_kind != "own"
        )
    org_ids = _org_ids(
        {p.organisation_id for project in projects.values() for p in project.partners.all()}
        | {p.organisation_id for c in contributions for p in c.partners.all()}
    )
    funder_ids = _funder_ids()
    award_dates = _award_dates(list(projects))
    now = timezone.now().replace(microsecond=0).isoformat()
    grants: list[dict[str, Any]] = []
    skipped: dict[str, int] = defaultdict(int)
    for contribution in contributions:
        project = projects[contribution.project_id]
        partners = (
            list(contribution.partners.all())
            or [p for p in project.partners.all() if p.role in ("lead", "coordinator")]
            or list(project.partners.all())
        )
        if not partners:
            skipped["no recipient"] += 1
            continue
        money = _amount(contribution.amount, contribution.unit)
        if money is None:
            skipped["unit"] += 1
            continue
        award = award_dates.get(project.pk) or project.start_date
        if award is None:
            skipped["no award date"] += 1
            continue
        grant: dict[str, Any] = {
            "id": f"{prefix()}-grant-{contribution.pk}",
            "title": project.title or project.acronym,
            "description": project.summary or project.title or project.acronym,
            "currency": money[1],
            "amountAwarded": money[0],
            "awardDate": award.isoformat(),
            "recipientOrganization": [_organisation(p.organisation, org_ids) for p in partners],
            "fundingOrganization": [
                {
                    "id": funder_ids.get(contribution.source)
                    or f"{prefix()}-funder-{slugify(contribution.source)[:60] or 'unknown'}",
                    "name": contribution.source,
                }
            ],
            "dateModified": now,
        }
        if project.start_date:
            planned: dict[str, Any] = {"startDate": project.start_date.isoformat()}
            if project.end_date:
                planned["endDate"] = project.end_date.isoformat()
            grant["plannedDates"] = [planned]
        instrument = contribution.instrument or project.instrument
        if instrument is not None:
            grant["grantProgramme"] = [{"code": instrument.code, "title": instrument.name}]
        if project.website:
            grant["url"] = project.website
        grants.append(grant)
    grants.extend(voucher_grants())
    package: dict[str, Any] = {
        "version": STANDARD_VERSION,
        "title": (
            "Deltaregio – grants of the Flemish–Dutch collaboration on science, technology and innovation"
        ),
        "description": (
            "Funding contributions granted to published projects that are approved, running or closed, "
            f"exported by Deltaregio {__version__}."
        ),
        "issued": (issued or timezone.localdate()).isoformat(),
        "identifier": f"{prefix()}-package",
        "publisher": {"name": "Deltaregio"},
        "license": LICENSE,
        "grants": grants,
    }
    return package


def _organisation(organisation: Any, org_ids: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": org_ids.get(organisation.pk) or f"{prefix()}-org-{organisation.slug}",
        "name": organisation.name,
    }
    if organisation.city:
        data["addressLocality"] = organisation.city
    if organisation.country:
        data["addressCountry"] = str(organisation.country.name)
        data["location"] = [
            {"countryCode": str(organisation.country.code), "name": str(organisation.country.name)}
        ]
    if organisation.website:
        data["url"] = organisation.website
    return data


def voucher_grants() -> list[dict[str, Any]]:
    """Grants for issued vouchers, from the vouchers app when it offers them (see the module's doc)."""
    try:
        module = importlib.import_module("deltaregio.vouchers.selectors")
    except ImportError:
        return []
    hook = getattr(module, "vouchers_360giving", None)
    return list(hook(prefix=prefix())) if callable(hook) else []


def write_360giving(stream: IO[str], *, indent: int | None = 2) -> int:
    """Write the package as JSON to a stream; the number of grants. (`deltaregio export --format 360giving`
    calls this.)"""
    package = giving360_package()
    stream.write(json.dumps(package, ensure_ascii=False, indent=indent))
    stream.write("\n")
    return len(package["grants"])
