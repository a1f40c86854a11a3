"""The calls of the reference documents (data/calls.yaml): their configuration, committee and the
proposals with the outcomes the documents state, on the dates they state (none where they give none).
Loaded by `deltaregio load-seed` after the reference data set; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from deltaregio.calls.eligibility import validate_rule
from deltaregio.calls.models import (
    Action,
    CallSetup,
    Committee,
    Decision,
    EligibilityRule,
    Proposal,
    ProposalEvent,
    ProposalPartner,
    Status,
)
from deltaregio.funding.models import Call, Instrument
from deltaregio.projects.models import Project

DATA = Path(__file__).parent / "data" / "calls.yaml"


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ReferenceCallsError(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("; ".join(result.errors))
        self.result = result


def _event(
    proposal: Proposal, action: str, frm: str, to: str, spec: dict[str, Any], doc: str, body: str = ""
) -> None:
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=frm,
        to_status=to,
        date=spec.get("date"),
        date_text=spec.get("date_text", "") if not spec.get("date") else "",
        body=body,
        note=spec.get("note", ""),
        source_document=doc,
        source_location=spec.get("source", ""),
    )


def _decision(
    proposal: Proposal, outcome: str, spec: dict[str, Any], doc: str, body: str, meeting: Any = None
) -> None:
    Decision.objects.create(
        proposal=proposal,
        outcome=outcome,
        date=spec.get("date"),
        date_text=spec.get("date_text", "") if not spec.get("date") else "",
        body=body,
        note=spec.get("note", ""),
        source_document=doc,
        source_location=spec.get("source", ""),
    )


def _partners(proposal: Proposal, project: Project) -> None:
    for partner in project.partners.select_related("organisation"):
        role = (
            "lead"
            if partner.role in ("lead", "coordinator")
            else ("associated" if partner.role == "associated" else "partner")
        )
        if role == "lead" and proposal.partners.filter(role="lead").exists():
            role = "partner"
        ProposalPartner.objects.create(proposal=proposal, organisation=partner.organisation, role=role)


@transaction.atomic
def reference_calls_load(*, dry_run: bool = False, path: Path = DATA) -> LoadResult:
    result = LoadResult()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    committees = {}
    for item in data.get("committees", []):
        committees[item["slug"]] = Committee.objects.get_or_create(
            slug=item["slug"], defaults={"name": item["name"]}
        )[0]
    for spec in data.get("setups", []):
        call = Call.objects.filter(code=spec["call"]).first()
        if call is None:
            if not dry_run:  # a dry run of load-seed has not created the calls
                result.errors.append(f"call {spec['call']} is not in the reference data")
            continue
        if CallSetup.objects.filter(call=call).exists():
            continue
        doc, location = spec["source"]["document"], spec["source"]["location"]
        line = (
            Instrument.objects.filter(code=spec["programme_line"]).first()
            if spec.get("programme_line")
            else None
        )
        setup = CallSetup.objects.create(
            call=call,
            steps=spec["steps"],
            committee=committees.get(spec.get("committee", "")),
            programme_line=line,
            is_published=spec.get("published", False),
            note=spec.get("note", ""),
            source_document=doc,
            source_location=location,
        )
        result.created.append(call.code)
        for order, rule in enumerate(spec.get("rules", []), start=1):
            problems = validate_rule(rule["kind"], rule["params"])
            if problems:
                result.errors.append(f"{call.code}: {'; '.join(problems)}")
            EligibilityRule.objects.create(
                setup=setup,
                kind=rule["kind"],
                params=rule["params"],
                order=order,
                source_document=doc,
                source_location=rule.get("source", ""),
            )
        body = setup.committee.name if setup.committee else ""
        for item in spec.get("proposals", []):
            project = Project.objects.filter(acronym=item["project"]).first()
            if project is None:
                result.errors.append(f"{call.code}: project {item['project']} is not in the reference data")
                continue
            reg_spec = item["registration"]
            reg = Proposal.objects.create(
                setup=setup,
                step=1,
                acronym=project.acronym,
                title=project.title,
                summary=project.summary,
                status=Status.DRAFT,
                source_document=doc,
                source_location=reg_spec.get("source", ""),
            )
            reg.themes.set(project.themes.all())
            _partners(reg, project)
            if reg_spec.get("state") == "draft":
                if setup.steps == 1 or "full" not in item:
                    reg.project = project
                    reg.save(update_fields=["project"])
                continue
            _event(reg, Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, reg_spec, doc)
            status = Status.SUBMITTED
            if "preselection" in item:
                pre = item["preselection"]
                # the documents report the preselection, not a separate eligibility check
                _event(reg, Action.PRESELECT, Status.SUBMITTED, Status.PRESELECTED, pre, doc, body)
                _decision(reg, Action.PRESELECT, pre, doc, body)
                status = Status.PRESELECTED
            reg.status = status
            reg.save(update_fields=["status"])
            if "full" in item:
                full_spec = item["full"]
                full = Proposal.objects.create(
                    setup=setup,
                    step=2,
                    registration=reg,
                    acronym=project.acronym,
                    title=project.title,
                    summary=project.summary,
                    status=Status.DRAFT,
                    project=project,
                    source_document=doc,
                    source_location=full_spec.get("source", ""),
                    start_date=project.start_date,
                )
                full.themes.set(project.themes.all())
                _partners(full, project)
                if full_spec["state"] == "approved":
                    # submitted and found eligible before the decision; the document gives no dates for those
                    _event(
                        full,
                        Action.SUBMIT,
                        Status.DRAFT,
                        Status.SUBMITTED,
                        {"date_text": "niet gepubliceerd", "source": full_spec.get("source", "")},
                        doc,
                    )
                    _event(
                        full,
                        Action.PASS_ELIGIBILITY,
                        Status.SUBMITTED,
                        Status.ELIGIBLE,
                        {"date_text": "niet gepubliceerd", "source": full_spec.get("source", "")},
                        doc,
                    )
                    _event(full, Action.APPROVE, Status.ELIGIBLE, Status.APPROVED, full_spec, doc, body)
                    _decision(full, Action.APPROVE, full_spec, doc, body)
                    full.status = Status.APPROVED
                    full.save(update_fields=["status"])
                else:
                    full.summary = f"{project.summary}\n\n{full_spec.get('note', '')}".strip()
                    full.save(update_fields=["summary"])
    if result.errors:
        raise ReferenceCallsError(result)
    if dry_run:
        transaction.set_rollback(True)
    return result


__all__ = ["dt"]
