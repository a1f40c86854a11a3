"""The reference data: voucher schemes loaded from data/schemes.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction

from deltaregio.directory.models import Organisation
from deltaregio.projects.models import Project
from deltaregio.vouchers.models import (
    ProviderRule,
    SchemeRound,
    VoucherScheme,
)
from deltaregio.vouchers.services._common import (
    DATA_FILE,
    _history,
)

# --- the reference data: schemes from schemes.yaml -----------------------------------------------------


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SchemeLoadError(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("; ".join(result.errors))
        self.result = result


PUBLISHED_FIELDS = (
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "eligible_services_nl",
    "eligible_services_en",
    "committee_text_nl",
    "committee_text_en",
    "value",
    "covered_share",
    "signing_period_months",
    "completion_period_months",
    "provider_rule",
    "per_company_per_round",
    "per_company_total",
    "warning_days",
)


def _organisation(name: Any, where: str, result: LoadResult) -> Organisation | None:
    if name in (None, ""):
        return None
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        result.errors.append(f"{where}: no organisation named {name!r} (run `deltaregio load-seed` first)")
    return org


def scheme_load(*, path: Path = DATA_FILE, dry_run: bool = False) -> LoadResult:
    """Load the voucher schemes of the reference data set (all or nothing). Loading again updates what
    the source states and never what an officer set: the budget envelope, whether the scheme takes
    requests, rounds and members added on the platform."""
    result = LoadResult()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        result.errors.append(f"{path.name}: cannot be read: {exc}")
        raise SchemeLoadError(result) from exc
    document = str(data.get("document") or "")
    if not document:
        result.errors.append(f"{path.name}: `document` (the source file name) is missing")
    try:
        with transaction.atomic():
            for i, record in enumerate(data.get("schemes") or []):
                _load_scheme(record, document, f"{path.name}, schemes[{i}]", result)
            if result.errors or dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, ValueError, InvalidOperation, TypeError) as exc:
        result.errors.append(f"{path.name}: {exc}")
    if result.errors:
        raise SchemeLoadError(result)
    return result


def _load_scheme(record: dict[str, Any], document: str, where: str, result: LoadResult) -> None:
    code = str(record.get("code") or "")
    if not code:
        result.errors.append(f"{where}: `code` is missing")
        return
    where = f"{where} ({code})"
    project = None
    if record.get("project"):
        project = Project.objects.filter(acronym=record["project"]).first()
        if project is None:
            result.errors.append(
                f"{where}: no project {record['project']!r} (run `deltaregio load-seed` first)"
            )
    desk = _organisation(record.get("desk"), where, result)
    coordinator = _organisation(record.get("coordinator"), where, result)
    values: dict[str, Any] = {
        "name_nl": record.get("name") or "",
        "name_en": record.get("name_en") or "",
        "description_nl": record.get("description") or "",
        "description_en": record.get("description_en") or "",
        "eligible_services_nl": record.get("eligible_services") or "",
        "eligible_services_en": record.get("eligible_services_en") or "",
        "committee_text_nl": record.get("committee_text") or "",
        "committee_text_en": record.get("committee_text_en") or "",
        "value": Decimal(str(record["value"])),
        "covered_share": Decimal(str(record["covered_share"])),
        "signing_period_months": int(record["signing_period_months"]),
        "completion_period_months": record.get("completion_period_months"),
        "provider_rule": record.get("provider_rule") or ProviderRule.PROJECT_PARTNERS,
        "per_company_per_round": int(record.get("per_company_per_round") or 1),
        "per_company_total": record.get("per_company_total"),
        "warning_days": int(record.get("warning_days") or 14),
    }
    if values["provider_rule"] not in ProviderRule.values:
        result.errors.append(f"{where}: provider_rule must be one of {', '.join(ProviderRule.values)}")
    if not values["name_nl"] or not values["eligible_services_nl"]:
        result.errors.append(f"{where}: `name` and `eligible_services` are required")
    if result.errors:
        return
    scheme = VoucherScheme.objects.filter(code=code).first()
    if scheme is None:
        scheme = VoucherScheme(code=code)
        envelope = record.get("budget_envelope")
        scheme.budget_envelope = None if envelope in (None, "") else Decimal(str(envelope))
        result.created.append(code)
    else:
        result.updated.append(code)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.project = project
    scheme.desk = desk
    scheme.coordinator = coordinator
    scheme.source_document = document
    scheme.source_location = str(record.get("source") or "")
    scheme.provenance = {str(k): str(v) for k, v in (record.get("sources") or {}).items()}
    _history(scheme, None, "loaded from the reference data set")
    scheme.full_clean(exclude=["budget_envelope", "committed_total"], validate_constraints=False)
    scheme.save()
    for j, round_record in enumerate(record.get("rounds") or []):
        round_code = str(round_record.get("code") or "")
        if not round_code:
            result.errors.append(f"{where}, rounds[{j}]: `code` is missing")
            continue
        SchemeRound.objects.update_or_create(
            scheme=scheme,
            code=round_code,
            defaults={
                "name": round_record.get("name") or round_code,
                "opens_on": round_record["opens_on"],
                "closes_on": round_record.get("closes_on"),
                "note": round_record.get("note") or "",
                "source_document": document,
                "source_location": str(round_record.get("source") or ""),
            },
        )
