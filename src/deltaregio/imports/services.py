"""Writes of the imports domain: importing a file with a profile, and recording import runs.

`import_file` reads and checks the whole file first (engine.plan_import), resolves every record against
what the database holds (earlier imports of the same source by source identifier, organisations by
registration number and normalised name, instruments and calls by code), and then writes everything in
one transaction — or nothing: not when any record is invalid (unless skip_invalid), not in a dry run.
The writing is imports/writer.py: COPY on PostgreSQL, audited with django-simple-history (the user and
the profile and file as the reason of the change).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections import defaultdict
from collections.abc import Iterator, MutableSet
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.directory.models import Organisation
from deltaregio.funding.models import Call, Funder, Instrument
from deltaregio.imports.engine import (
    ROLE_RANK,
    PartnerRow,
    Plan,
    Planned,
    Progress,
    Report,
    index_from_database,
    org_key,
    plan_import,
    planned_fingerprint,
    resolve_organisation_aliases,
)
from deltaregio.imports.matching import normalise_name
from deltaregio.imports.models import ImportedRecord, ImportRun, OrganisationIdentifier
from deltaregio.imports.profiles import Profile
from deltaregio.imports.readers import Problem, read_source
from deltaregio.imports.spill import Spill, SpillDict, SpillList
from deltaregio.imports.writer import CHUNK, Writer, in_chunks
from deltaregio.ops.pagination import bump_data_version
from deltaregio.projects.models import Partner

# --- resolving a plan against the database -----------------------------------------------------------


class Resolution:
    """What the database holds for a plan, read in a few bulk queries."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        ns = plan.profile.namespace
        # (in the plan's spill: a namespace may hold millions of records from earlier imports)
        self.records: SpillDict[tuple[str, str], tuple[int, int, bool, str]] = plan.spill.dict()
        for pk, kind, key, object_id, owned, fp in (
            ImportedRecord.objects.filter(namespace=ns)
            .values_list("pk", "kind", "source_key", "object_id", "owned", "fingerprint")
            .iterator(chunk_size=CHUNK)
        ):
            self.records[(kind, key)] = (pk, object_id, owned, fp)

    def record(self, kind: str, key: str) -> tuple[int, int, bool, str] | None:
        return self.records.peek((kind, key))


def known_project_keys(namespace: str) -> set[str]:
    return set(
        ImportedRecord.objects.filter(namespace=namespace, kind="project").values_list(
            "source_key", flat=True
        )
    )


def _set_action(planned: Planned, res: Resolution, report: Report) -> None:
    """create / update / unchanged / reference for an object found (or not) by its source identifier."""
    record = res.record(planned.kind, planned.key)
    if record is not None:
        _pk, object_id, owned, fp = record
        planned.object_id, planned.owned, planned.record_exists = object_id, owned, True
        if not owned:
            planned.action = "reference"
        elif fp == planned_fingerprint(planned):
            planned.action = "unchanged"
        else:
            planned.action = "update"
    elif planned.object_id is not None:
        planned.owned = False
        planned.action = "reference"
    else:
        planned.action = "create"
    report.count(planned.kind, planned.action)


def resolve(plan: Plan, report: Report) -> Resolution:
    res = Resolution(plan)
    # funders by name, instruments and calls by code: existing ones are referred to, never changed
    funders = plan.of("funder")
    if funders:
        existing = {normalise_name(n): pk for pk, n in Funder.objects.values_list("pk", "name")}
        for planned in funders.values():
            if res.record("funder", planned.key) is None:
                planned.object_id = existing.get(planned.key)
            _set_action(planned, res, report)
    for kind, model in (("instrument", Instrument), ("call", Call)):
        planned_all = plan.of(kind)
        if not planned_all:
            continue
        existing = dict(model.objects.filter(code__in=list(planned_all)).values_list("code", "pk"))
        for planned in planned_all.values():
            if res.record(kind, planned.key) is None:
                planned.object_id = existing.get(planned.key)
            _set_action(planned, res, report)
    instruments = plan.of("instrument")
    parents = {p.values.get("parent") for p in instruments.read_only_values() if p.values.get("parent")}
    if parents:
        found = set(Instrument.objects.filter(code__in=parents).values_list("code", flat=True)) | set(
            instruments
        )
        for planned in instruments.read_only_values():
            parent = planned.values.get("parent")
            if parent and parent not in found:
                report.problems.append(
                    Problem(
                        planned.locations[0],
                        "instrument.parent",
                        _("There is no instrument with the code %(code)s.") % {"code": parent},
                    )
                )
    for planned in plan.of("project").values():
        if plan.profile.entities["project"].reference_only:
            record = res.record("project", planned.key)
            if record is not None:
                planned.object_id, planned.owned, planned.record_exists = record[1], False, True
                planned.action = "reference"
                report.count("project", "reference")
            continue
        _check_project(planned, report, plan.profile.entities["project"].end_before_start)
        _set_action(planned, res, report)
    _resolve_organisations(plan, res, report)
    _resolve_partners(plan, res, report)
    for kind in ("funding", "person"):
        for planned in plan.of(kind).values():
            if kind == "funding":
                planned.partner_ids = sorted({plan_partner_key(plan, ref) for ref in planned.partner_ids})
            if kind == "person" and "organisation" in planned.refs:
                planned.refs["organisation"] = org_key(plan, planned.refs["organisation"])
            _set_action(planned, res, report)
    _not_in_file(plan, res, report)
    _amount_totals(plan, report)
    return res


def _check_project(planned: Planned, report: Report, end_before_start: str) -> None:
    start, end = planned.values.get("start_date"), planned.values.get("end_date")
    if start and end and end < start:
        message = _("The project %(key)s ends (%(end)s) before it starts (%(start)s).") % {
            "key": planned.key,
            "end": end,
            "start": start,
        }
        if end_before_start == "drop_end":
            del planned.values["end_date"]
            message += " " + _("The end date was left empty for review (as the profile says).")
            report.problems.append(Problem(planned.location_text, "project.end_date", message, "warning"))
        else:
            report.problems.append(Problem(planned.locations[0], "project.end_date", message))


def _resolve_organisations(plan: Plan, res: Resolution, report: Report) -> None:
    orgs = plan.of("organisation")
    if not orgs:
        return
    resolve_organisation_aliases(plan, report)
    index = index_from_database(
        list(Organisation.objects.values_list("pk", "name")),
        list(OrganisationIdentifier.objects.values_list("organisation_id", "scheme", "identifier")),
    )
    # those with a registration number first, then by where they first appear; by key, so that the
    # planned objects themselves are read one at a time (a large file has too many to hold at once)
    ordered = [
        key
        for _reg, _location, _n, key in sorted(
            (not key.startswith("reg:"), p.locations[0] if p.locations else "", n, key)
            for n, (key, p) in enumerate(orgs.items())
        )
    ]
    spelling_merges = 0
    for key in ordered:
        planned = orgs[key]
        name = planned.values.get("name", "")
        registration = planned.values.get("registration")
        record = res.record("organisation", planned.key)
        method, detail = "", ""
        if record is None:
            found, method, ambiguous = index.find(name=name, registration=registration)
            if isinstance(found, int):
                planned.object_id = found
                detail = (
                    _("registration number %(scheme)s %(number)s")
                    % {"scheme": registration[0], "number": registration[1]}
                    if method == "registration" and registration
                    else _("same normalised name")
                )
                if method == "name" and name == _existing_name(planned):
                    method, detail = "exact", _("same name")
            elif isinstance(found, str) and found.startswith("plan:") and found[5:] in orgs:
                # the same organisation as one planned earlier in this file (e.g. two registers)
                target = orgs[found[5:]]
                target.source_names |= planned.source_names
                for loc in planned.locations:
                    target.add_location(loc)
                plan.org_alias[planned.key] = target.key
                del orgs[planned.key]
                report.matches.append(
                    {
                        "source_names": sorted(planned.source_names | target.source_names),
                        "organisation": target.values.get("name", ""),
                        "method": "name",
                        "detail": _("same normalised name"),
                        "locations": planned.location_text,
                    }
                )
                continue
            if ambiguous:
                report.problems.append(
                    Problem(
                        planned.locations[0],
                        "organisation.name",
                        _(
                            "%(name)s could be any of %(n)s organisations with the same name; a new "
                            "organisation "
                            "was planned. Review and merge by hand if needed."
                        )
                        % {"name": name, "n": len(ambiguous)},
                        "warning",
                    )
                )
        _set_action(planned, res, report)
        # later organisations of the file may match this one
        identity: object = planned.object_id if planned.object_id is not None else f"plan:{planned.key}"
        index.add(identity, name=name, registrations=[registration] if registration else [])
        names = sorted(planned.source_names)
        if len(names) > 1:
            spelling_merges += 1
        if method or len(names) > 1:
            report.matches.append(
                {
                    "source_names": names,
                    "organisation": _existing_name(planned) if method else name,
                    "method": method or "spellings",
                    "detail": detail or _("%(n)s spellings in the file") % {"n": len(names)},
                    "locations": planned.location_text,
                }
            )
    plan.org_ids = {key: p.object_id for key, p in orgs.read_only_items()}
    if spelling_merges:
        report.notes.append(
            _(
                "%(n)s organisations appear under more than one spelling in the file; each is one "
                "organisation "
                "(the first spelling is kept). They are listed under the matches for review."
            )
            % {"n": spelling_merges}
        )


_NAMES: dict[int, str] = {}


def _existing_name(planned: Planned) -> str:
    if planned.object_id is None:
        return str(planned.values.get("name", ""))
    if planned.object_id not in _NAMES:
        _NAMES.clear() if len(_NAMES) > 100_000 else None
        _NAMES[planned.object_id] = (
            Organisation.objects.filter(pk=planned.object_id).values_list("name", flat=True).first() or ""
        )
    return _NAMES[planned.object_id]


def _org_identity(plan: Plan, key: str) -> tuple[str, Any]:
    target = org_key(plan, key)
    if target not in plan.org_ids:
        return ("missing", key)
    object_id = plan.org_ids[target]
    return ("db", object_id) if object_id is not None else ("new", target)


def plan_partner_key(plan: Plan, ref: str) -> str:
    project, _sep, organisation = ref.partition("||")
    return plan.partner_alias.peek((project, _org_identity(plan, organisation)), ref)


def _resolve_partners(plan: Plan, res: Resolution, report: Report) -> None:
    plan.partner_alias = plan.spill.dict()
    if not plan.partner_rows:
        return
    groups: SpillDict[tuple[str, tuple[str, Any]], list[PartnerRow]] = plan.spill.dict()
    for row in plan.partner_rows:
        group_key = (row.project, _org_identity(plan, row.organisation))
        group = groups.get(group_key)
        if group is None:
            groups[group_key] = [row]
        else:
            group.append(row)
    plan.partner_rows = SpillList(plan.spill)  # grouped: the rows live on in the groups
    partners: SpillDict[str, Planned] = plan.spill.dict()
    several_rows = 0
    role_conflicts = 0
    for (project_key, identity), rows in groups.read_only_items():  # in the order of the file
        first = rows[0]
        key = f"{project_key}||{org_key(plan, first.organisation)}"
        planned = Planned(kind="partner", key=key)
        planned.refs = {"project": project_key, "organisation": org_key(plan, first.organisation)}
        roles = []
        for row in rows:
            planned.add_location(row.location)
            for name, value in row.values.items():
                planned.values.setdefault(name, value)
            if row.values.get("role"):
                roles.append(row.values["role"])
        if len({*roles}) > 1:
            role_conflicts += 1
            planned.values["role"] = min(roles, key=lambda r: ROLE_RANK.get(r, 9))
        if len(rows) > 1:
            several_rows += 1
        partners[key] = planned
        plan.partner_alias.add((project_key, identity), key)  # (one per group)
    groups.clear()
    plan.entities["partner"] = partners
    if several_rows:
        report.notes.append(
            _(
                "%(n)s partners appear in several rows of one project (one row per year, several participant "
                "numbers, or two spellings of one organisation): each is one partner; their amounts are kept "
                "per row or added up as the profile says."
            )
            % {"n": several_rows}
        )
    if role_conflicts:
        report.notes.append(
            _("%(n)s of them have different roles in different rows; the leading role was kept.")
            % {"n": role_conflicts}
        )
    # partners that exist already (made by hand, or by an earlier import under another key)
    project_ids = {p.object_id for p in plan.of("project").read_only_values() if p.object_id is not None}
    existing: dict[tuple[int, int], int] = {}
    for chunk in in_chunks(sorted(project_ids)):
        for pk, project_id, organisation_id in Partner.objects.filter(project_id__in=chunk).values_list(
            "pk", "project_id", "organisation_id"
        ):
            existing[(project_id, organisation_id)] = pk
    for planned in partners.values():
        project = plan.entities["project"].peek(planned.refs["project"])
        organisation = plan.entities["organisation"].peek(planned.refs["organisation"])
        if (
            res.record("partner", planned.key) is None
            and project is not None
            and organisation is not None
            and project.object_id is not None
            and organisation.object_id is not None
        ):
            planned.object_id = existing.get((project.object_id, organisation.object_id))
        _set_action(planned, res, report)


def _not_in_file(plan: Plan, res: Resolution, report: Report) -> None:
    if plan.profile.entities.get("project") and plan.profile.entities["project"].reference_only:
        return
    for (kind, key), _record in res.records.items():
        if kind in plan.entities and key not in plan.entities[kind] and kind != "partner":
            report.not_in_file[kind] = report.not_in_file.get(kind, 0) + 1
    if report.not_in_file:
        report.notes.append(
            _(
                "Records imported earlier from this source that are not in this file were left as they "
                "were: %(list)s."
            )
            % {"list": ", ".join(f"{kind} {n}" for kind, n in sorted(report.not_in_file.items()))}
        )


def _amount_totals(plan: Plan, report: Report) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for planned in plan.of("funding").read_only_values():
        if planned.values.get("amount") is not None:
            totals[f"funding.amount {planned.values.get('unit', 'EUR')}"] += planned.values["amount"]
    for planned in plan.of("project").read_only_values():
        if planned.values.get("total_cost") is not None:
            totals[f"project.total_cost {planned.values.get('cost_unit', 'EUR')}"] += planned.values[
                "total_cost"
            ]
    report.amount_totals = {k: str(v) for k, v in sorted(totals.items())}


# --- writing a plan ---------------------------------------------------------------------------------


# --- the service -----------------------------------------------------------------------------------


def _fatal(report: Report, locations: MutableSet[str]) -> list[Problem]:
    """Errors that are not about one record (the file, the header, a missing column): skip_invalid
    cannot skip them."""
    return [p for p in report.errors if p.location not in locations]


def _drop_invalid(plan: Plan, report: Report) -> None:
    """With skip_invalid: leave out projects that failed a check after merging (an end before the
    start), and what hangs on them: their partners and contributions. Once resolved, what they would
    have been (created, updated…) is taken off the report's counts, which say what was written."""
    bad = {p.location for p in report.errors}
    projects = plan.of("project")
    dropped = {key for key, planned in projects.items() if planned.locations and planned.locations[0] in bad}
    if not dropped:
        return
    gone = [projects.pop(key) for key in dropped]
    if plan.partner_rows:
        kept: SpillList[PartnerRow] = SpillList(plan.spill)
        for row in plan.partner_rows:
            if row.project not in dropped:
                kept.append(row)
        plan.partner_rows = kept
    for kind in ("partner", "funding"):
        entities = plan.of(kind)
        for key in [k for k, p in entities.items() if p.refs.get("project") in dropped]:
            gone.append(entities.pop(key))
    resolved = False
    for planned in gone:
        if planned.kind == "project":  # its rows are skipped now, as invalid ones
            report.rows_valid -= planned.location_count
            report.rows_invalid += planned.location_count
        if planned.action:
            resolved = True
            report.count(planned.kind, planned.action, -1)
            if not report.counts[planned.kind][planned.action]:
                del report.counts[planned.kind][planned.action]
            if not report.counts[planned.kind]:
                del report.counts[planned.kind]
    if resolved:
        _amount_totals(plan, report)  # of what is written


@contextlib.contextmanager  # also a decorator (contextlib.ContextDecorator)
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector, off while an import builds millions of objects: each of its full
    passes walks every one of them, and the import makes no garbage cycles worth collecting early.
    What it has is collected once at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_without_cycle_collection()
@transaction.atomic
def import_file(
    *,
    data: bytes | IO[bytes],
    profile: Profile,
    file_name: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    user: Any = None,
    run: ImportRun | None = None,
    progress: Progress | None = None,
) -> Report:
    """Import a file with a profile; the report says what was (or, in a dry run, would be) done.

    Everything is checked first and every problem listed with its row (or record) and field. Nothing is
    written in a dry run, nor when a record is invalid — unless skip_invalid, which leaves out the
    invalid records (listed in the report) and writes the others. The write is one transaction."""
    started = time.monotonic()
    spill = Spill()  # what does not fit in memory: in a temporary file, removed at the end
    try:
        source = read_source(data, profile, streaming=True)
        known = known_project_keys(profile.namespace) if profile.entities.get("project") else set()
        plan, report = plan_import(
            source,
            profile,
            file_name=file_name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            known_projects=known,
            spill=spill,
        )
        record_locations = source.locations
        source.records = []  # planned: the records themselves are not needed any more
        if not _fatal(report, record_locations):
            if skip_invalid:
                _drop_invalid(plan, report)
            resolve(plan, report)
            if skip_invalid:
                _drop_invalid(plan, report)
        errors = report.errors
        refused = (
            bool(_fatal(report, record_locations))
            or (bool(errors) and not skip_invalid)
            or report.rows_valid == 0
        )
        if refused:
            report.state = "refused"
        elif dry_run:
            report.state = "checked"
        else:
            Writer(plan, report, user=user, run=run, progress=progress).write()
            report.written = True
            bump_data_version()  # bulk writes send no signals: cached list counts are stale now
            report.state = "done"
            if skip_invalid and report.rows_invalid:
                report.notes.append(
                    _("%(n)s invalid records were skipped, as asked (they are listed with their problems).")
                    % {"n": report.rows_invalid}
                )
        report.seconds = time.monotonic() - started
        return report
    finally:
        spill.close()


def import_run_create(
    *,
    profile: Profile,
    file_name: str,
    data: bytes,
    user: Any,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportRun:
    """Record an import to be run (in the background when the file is large)."""
    return ImportRun.objects.create(
        profile_name=profile.name,
        profile_text="" if profile.shipped else profile.text,
        file_name=file_name[:255],
        file_size=len(data),
        content=data,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        created_by=user if getattr(user, "pk", None) else None,
    )


def import_run_execute(*, run_id: int) -> ImportRun:
    """Run a recorded import: its report is saved on the run, and the file's content removed."""
    from deltaregio.imports.profiles import ProfileError, load_profile, profile_from_text

    run = ImportRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING)
    last = {"percent": -1}

    def progress(phase: str, done: int, total: int) -> None:
        percent = int(done * 50 / max(total, 1)) + (50 if phase == "write" else 0)
        if percent != last["percent"] and percent % 5 == 0:
            last["percent"] = percent
            ImportRun.objects.filter(pk=run.pk).update(progress=min(percent, 100))

    try:
        profile = profile_from_text(run.profile_text) if run.profile_text else load_profile(run.profile_name)
        report = import_file(
            data=bytes(run.content or b""),
            profile=profile,
            file_name=run.file_name,
            dry_run=run.dry_run,
            skip_invalid=run.skip_invalid,
            user=run.created_by,
            run=run,
            progress=progress,
        )
        run.report = report.as_dict()
        run.state = ImportRun.State.DONE if report.state in {"done", "checked"} else ImportRun.State.REFUSED
    except ProfileError as exc:
        run.report = {
            "errors": [
                {"location": "profile", "field": "", "message": m, "severity": "error"} for m in exc.problems
            ]
        }
        run.state = ImportRun.State.REFUSED
    except Exception as exc:
        run.report = {"errors": [{"location": "", "field": "", "message": str(exc), "severity": "error"}]}
        run.state = ImportRun.State.FAILED
        run.content = None
        run.finished_at = timezone.now()
        run.save(update_fields=["report", "state", "content", "finished_at"])
        raise
    run.content = None
    run.progress = 100
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "state", "content", "progress", "finished_at"])
    return run
