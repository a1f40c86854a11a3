"""The importer's first half: read every record, check every value, and plan what would be written.

`plan_import` reads nothing but the file and, in a few bulk queries, what the database already holds
(earlier imports of the same source, organisations, instruments and calls by code). It returns a Plan
— every object to create, update or leave as it is, with the rows it comes from — and a report that
lists every problem with its row (or record) and field. `services.import_file` writes a plan.

Quirks of real data are handled here, each the way a careful data steward would, and counted in the
report: identical duplicate records are skipped; a record whose key repeats with other values is an
error; rows without an organisation name keep their money as a contribution to the whole project;
one organisation in several rows of one project (one row per year, or two participant numbers) is one
partner whose amounts are added up; spellings of one organisation are matched and listed for review.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from deltaregio.imports.fields import Empty, FieldMemo, RowContext, evaluate, key_part
from deltaregio.imports.matching import OrganisationIndex, normalise_name
from deltaregio.imports.profiles import ENTITY_ORDER, FieldSpec, Profile
from deltaregio.imports.readers import Problem, Source, get_value, record_digest
from deltaregio.imports.spill import Spill, SpillDict, SpillList

Progress = Callable[[str, int, int], None]
PERSONAL_COLUMN = re.compile(
    r"(e-?mail|e-?post|phone|telefo|telephone|contact_?name|contactname|gsm|mobile)", re.I
)
MAX_EXAMPLES = 50
ROLE_RANK = {"lead": 0, "coordinator": 1, "partner": 2, "associated": 3}


@dataclass(slots=True)  # a million rows plan millions of these: no __dict__ each
class Planned:
    """One object the import would make or refer to."""

    kind: str
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    locations: list[str] = field(default_factory=list)
    location_count: int = 0
    # (empty ones shared: a million plans hold millions of these, and most never get a second name)
    source_names: frozenset[str] = frozenset()
    # resolution against the database
    object_id: int | None = None
    owned: bool = True
    action: str = ""  # create | update | unchanged | reference
    fingerprint: str = ""
    record_exists: bool = False
    partner_ids: list[str] | tuple[()] = ()  # funding: partner keys it covers

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickled (a large import keeps most of its plan on disk) as the plain tuple of its fields:
        # several times faster than the dataclass's own state functions
        return Planned, (
            self.kind,
            self.key,
            self.values,
            self.extra,
            self.refs,
            self.locations,
            self.location_count,
            self.source_names,
            self.object_id,
            self.owned,
            self.action,
            self.fingerprint,
            self.record_exists,
            self.partner_ids,
        )

    def add_location(self, location: str) -> None:
        self.location_count += 1
        if len(self.locations) < 5:
            self.locations.append(location)

    @property
    def location_text(self) -> str:
        if self.location_count <= 1:
            return self.locations[0] if self.locations else ""
        first = self.locations[0]
        label = first.split(" ")[0]
        numbers = ", ".join(loc.split(" ", 1)[-1] for loc in self.locations)
        more = (
            f" (+{self.location_count - len(self.locations)})"
            if self.location_count > len(self.locations)
            else ""
        )
        return f"{label}s {numbers}{more}"[:255]


@dataclass
class Report:
    profile: str
    file_name: str
    dry_run: bool = False
    skip_invalid: bool = False
    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    rows_duplicate: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    matches: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    conflict_counts: dict[str, int] = field(default_factory=dict)
    personal_fields: list[str] = field(default_factory=list)
    personal_not_stored: list[str] = field(default_factory=list)
    rounded: int = 0
    rounding_reported: list[dict[str, str]] = field(default_factory=list)
    nuts_resolved: dict[str, str] = field(default_factory=dict)
    nuts_unknown: list[str] = field(default_factory=list)
    not_in_file: dict[str, int] = field(default_factory=dict)
    written: bool = False
    state: str = ""
    seconds: float = 0.0
    amount_totals: dict[str, str] = field(default_factory=dict)
    corrections: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def count(self, kind: str, action: str, n: int = 1) -> None:
        self.counts.setdefault(kind, {}).setdefault(action, 0)
        self.counts[kind][action] += n

    def total(self, action: str) -> int:
        return sum(c.get(action, 0) for c in self.counts.values())

    @property
    def organisations_matched(self) -> int:
        return len([m for m in self.matches if m["method"] != "new"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "file_name": self.file_name,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "state": self.state,
            "written": self.written,
            "rows": {
                "read": self.rows_read,
                "valid": self.rows_valid,
                "invalid": self.rows_invalid,
                "duplicate": self.rows_duplicate,
            },
            "created": self.total("create"),
            "updated": self.total("update"),
            "unchanged": self.total("unchanged"),
            "referenced": self.total("reference"),
            "skipped": self.rows_invalid + self.rows_duplicate,
            "organisations_matched": self.organisations_matched,
            "counts": self.counts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "notes": self.notes,
            "matches": self.matches,
            "conflicts": self.conflicts,
            "conflict_counts": self.conflict_counts,
            "personal_fields_stored": self.personal_fields,
            "personal_columns_not_stored": self.personal_not_stored,
            "rounding": {"rounded": self.rounded, "reported": self.rounding_reported},
            "nuts": {"resolved": self.nuts_resolved, "unknown": self.nuts_unknown},
            "not_in_file": self.not_in_file,
            "amount_totals": self.amount_totals,
            "seconds": round(self.seconds, 2),
        }


@dataclass(slots=True)
class PartnerRow:
    project: str
    organisation: str
    values: dict[str, Any]
    location: str


@dataclass
class Plan:
    """What an import would write. Each kind's planned objects, the partner rows and the aliases are
    kept in SpillDicts: in memory while the file is small, the least used of them on disk in a large one
    (spill.py). Whoever makes a Plan closes its spill."""

    profile: Profile
    file_name: str
    spill: Spill = field(default_factory=Spill)
    entities: dict[str, SpillDict[str, Planned]] = field(init=False)
    partner_rows: SpillList[PartnerRow] = field(init=False)
    org_alias: dict[str, str] = field(default_factory=dict)
    partner_alias: SpillDict[tuple[str, tuple[str, Any]], str] = field(init=False)
    # each planned organisation's id once resolved (None: to be made), kept apart from the planned
    # objects: every partner row and every partner written looks its organisation up
    org_ids: dict[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entities = defaultdict(self.spill.dict)
        self.partner_rows = SpillList(self.spill)
        self.partner_alias = self.spill.dict()

    def of(self, kind: str) -> SpillDict[str, Planned]:
        """The planned objects of a kind (an empty mapping, not kept, if the file has none)."""
        return self.entities[kind] if kind in self.entities else SpillDict(self.spill)


def fingerprint(values: dict[str, Any], extra: dict[str, Any], refs: dict[str, Any]) -> str:
    payload = json.dumps([values, extra, refs], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:40]


def planned_fingerprint(planned: Planned) -> str:
    """The fingerprint of what the source says of a planned object, once it is resolved; made when it
    is first asked for (to compare with an earlier import's, or to write its source record) and kept,
    so that a million planned objects do not each hold one from the start."""
    if not planned.fingerprint:
        planned.fingerprint = fingerprint(
            planned.values, planned.extra, {**planned.refs, "partners": planned.partner_ids}
        )
    return planned.fingerprint


def _merge(
    planned: Planned, values: dict[str, Any], specs: dict[str, FieldSpec], report: Report, location: str
) -> None:
    for name, value in values.items():
        old = planned.values.get(name)
        if old is None or old == "":
            planned.values[name] = value
            continue
        if value is None or value == "" or value == old:
            continue
        merge = specs[name].merge if name in specs else "first"
        if merge == "sum" and isinstance(old, Decimal) and isinstance(value, Decimal):
            planned.values[name] = old + value
        elif merge == "min":
            planned.values[name] = min(old, value)
        elif merge == "max":
            planned.values[name] = max(old, value)
        elif merge == "longest" and isinstance(value, str) and len(value) > len(str(old)):
            planned.values[name] = value
        elif merge == "first" and not (planned.kind == "organisation" and name == "name"):
            # (other spellings of an organisation's name are listed with the matches)
            tag = f"{planned.kind}.{name}"
            report.conflict_counts[tag] = report.conflict_counts.get(tag, 0) + 1
            if len(report.conflicts) < MAX_EXAMPLES:
                report.conflicts.append(
                    {
                        "field": tag,
                        "key": planned.key,
                        "kept": str(old),
                        "kept_from": planned.locations[0] if planned.locations else "",
                        "other": str(value),
                        "other_from": location,
                    }
                )


def _entity_key(kind: str, profile: Profile, values: dict[str, Any], ctx: RowContext) -> str | None:
    espec = profile.entities[kind]
    if espec.key:
        parts = [key_part(get_value(ctx.record.values, col)) for col in espec.key]
        if not all(parts):
            return None
        return "|".join(parts)
    if kind == "funder":
        return normalise_name(values["name"]) if values.get("name") else None
    if kind in {"instrument", "call"}:
        return values.get("code")
    if kind == "organisation":
        if values.get("registration"):
            scheme, number = values["registration"]
            return f"reg:{scheme}:{number}"
        return f"name:{normalise_name(values['name'])}" if values.get("name") else None
    if kind == "person":
        return f"{values.get('name', '')}|{values.get('function', '')}" if values.get("name") else None
    return None


def plan_import(
    source: Source,
    profile: Profile,
    *,
    file_name: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    known_projects: set[str] | None = None,
    spill: Spill | None = None,
) -> tuple[Plan, Report]:
    """Check every record of the source against the profile and plan the import.

    known_projects: the project keys earlier imports of this namespace made (for profiles whose
    project is reference_only: a row about a project that was never imported is refused).
    spill: where the plan keeps what does not fit in memory (a new one if not given; the caller closes
    plan.spill)."""
    report = Report(profile=profile.name, file_name=file_name, dry_run=dry_run, skip_invalid=skip_invalid)
    report.personal_fields = profile.personal_fields()
    plan = Plan(profile=profile, file_name=file_name, spill=spill or Spill())
    source.locations = plan.spill.set()
    _personal_columns(source, profile, report)
    seen: SpillDict[str, tuple[str, str]] = plan.spill.dict()
    total = source.expected  # exact for a list of records, the file's lines for a stream
    unnamed_rows = 0
    project_spec = profile.entities.get("project")
    memos: dict[int, FieldMemo] = {}  # per field of the profile, for this import only
    orders = checking_orders(profile)
    index = 0
    for index, record in enumerate(source.each(), start=1):
        source.locations.add(record.location)
        if progress and index % 1000 == 0:
            progress("check", index, max(total, index))
        ctx = RowContext(record, source, report, profile, memos)
        if record.unreadable:
            ctx.errors += 1  # the reader reported this row already (encoding, number of cells)
        if project_spec is not None and project_spec.reference_only:
            project_key = "|".join(key_part(get_value(record.values, col)) for col in project_spec.key)
            if project_key and project_key not in (known_projects or set()):
                ctx.problem(
                    ", ".join(project_spec.key),
                    _(
                        "The project %(key)s has not been imported; import the project file first "
                        "(namespace %(ns)s)."
                    )
                    % {"key": project_key, "ns": profile.namespace},
                )
        key_parts = [key_part(get_value(record.values, col)) for col in profile.record_key]
        if not all(key_parts):
            ctx.problem(
                ", ".join(profile.record_key),
                _("The record has no source identifier (%(cols)s is empty).")
                % {"cols": ", ".join(profile.record_key)},
            )
            report.rows_invalid += 1
            continue
        record_key = "|".join(key_parts)
        canonical = record.digest or record_digest(record.values)  # the same record: the same digest
        first = seen.get(record_key)
        if ctx.errors and first is None:
            seen.add(record_key, (record.location, canonical))
            report.rows_invalid += 1
            # still check every value, so that all problems of the row are listed
            _check_only(profile, ctx, orders)
            continue
        if first is not None:
            first_location, first_canonical = first
            if canonical == first_canonical:
                report.rows_duplicate += 1
                report.problems.append(
                    Problem(
                        record.location,
                        ", ".join(profile.record_key),
                        _("The same record as %(first)s (source identifier %(key)s); skipped.")
                        % {"first": first_location, "key": record_key},
                        "warning",
                    )
                )
            else:
                ctx.problem(
                    ", ".join(profile.record_key),
                    _("The source identifier %(key)s is also used by %(first)s, with other values.")
                    % {"key": record_key, "first": first_location},
                )
                report.rows_invalid += 1
            continue
        seen.add(record_key, (record.location, canonical))
        row_values: dict[str, dict[str, Any]] = {}
        row_extra: dict[str, dict[str, Any]] = {}
        absent: set[str] = set()
        for kind in ENTITY_ORDER:
            espec = profile.entities.get(kind)
            if espec is None:
                continue
            values: dict[str, Any] = {}
            for spec in orders[kind]:
                value = evaluate(spec, kind, ctx, values)
                if value is not Empty:
                    values[spec.name] = value
            extra: dict[str, Any] = {}
            for spec in espec.extra.values():
                value = evaluate(spec, kind, ctx, values)
                if value is not Empty:
                    if isinstance(value, tuple):  # nuts: (name, code)
                        extra[spec.name] = value[0]
                        extra[f"{spec.name}_nuts"] = value[1]
                    else:
                        extra[spec.name] = value
            for name, value in list(values.items()):
                if isinstance(value, tuple) and espec.fields[name].parse == "nuts":
                    values[name] = value[0]
                    extra[f"{name}_nuts"] = value[1]
            missing = [
                name
                for name, spec in espec.fields.items()
                if spec.required and name not in values and not espec.reference_only
            ]
            if espec.reference_only:
                pass
            elif missing:
                if espec.when_missing == "skip":
                    absent.add(kind)
                    continue
                for name in missing:
                    spec = espec.fields[name]
                    ctx.problem(
                        spec.column or spec.template or name,
                        _("%(kind)s.%(field)s: a value is required.") % {"kind": kind, "field": name},
                    )
            row_values[kind] = values
            row_extra[kind] = extra
        if ctx.errors:
            report.rows_invalid += 1
            continue
        report.rows_valid += 1
        if "organisation" in absent:
            unnamed_rows += 1
        _add_row(plan, profile, ctx, record_key, row_values, row_extra, absent, report)
    seen.clear()
    report.rows_read = index
    if progress and index:
        progress("check", index, index)
    # the reader's problems first (the file, its header, then its rows), as when it read them all first
    report.problems[:0] = source.problems
    if unnamed_rows:
        report.notes.append(
            _(
                "%(n)s rows name no organisation: no organisation or partner was made for them; their "
                "amounts were kept as contributions to the whole project, with a note."
            )
            % {"n": unnamed_rows}
        )
    for (where, raw, corrected), (n, locations) in sorted(report.corrections.items()):
        report.notes.append(
            _(
                "%(where)s: %(raw)r was read as %(corrected)r in %(n)s records (%(locations)s), as the "
                "profile says."
            )
            % {"where": where, "raw": raw, "corrected": corrected, "n": n, "locations": ", ".join(locations)}
        )
    if report.rows_duplicate:
        report.notes.append(
            _(
                "%(n)s records were exact copies of an earlier record with the same source identifier; "
                "skipped."
            )
            % {"n": report.rows_duplicate}
        )
    return plan, report


def checking_orders(profile: Profile) -> dict[str, tuple[FieldSpec, ...]]:
    """Each entity's fields in the order they are checked: NUTS names last, as they may be read with
    the country of another field. Made once per import, not for every row."""
    return {
        kind: tuple(sorted(espec.fields.values(), key=lambda s: s.parse == "nuts"))
        for kind, espec in profile.entities.items()
    }


def _check_only(profile: Profile, ctx: RowContext, orders: dict[str, tuple[FieldSpec, ...]]) -> None:
    for kind in ENTITY_ORDER:
        espec = profile.entities.get(kind)
        if espec is None:
            continue
        values: dict[str, Any] = {}
        for spec in orders[kind]:
            value = evaluate(spec, kind, ctx, values)
            if value is not Empty:
                values[spec.name] = value


def _personal_columns(source: Source, profile: Profile, report: Report) -> None:
    mapped = set(profile.columns())
    columns: set[str] = set(source.columns or [])
    if source.columns is None:
        for record in source.records[:200]:
            _collect_paths(record.values, "", columns)
    for column in sorted(columns):
        if PERSONAL_COLUMN.search(column) and column not in mapped:
            report.personal_not_stored.append(column)


def _collect_paths(value: Any, prefix: str, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _collect_paths(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for inner in value[:3]:
            _collect_paths(inner, f"{prefix}[0]", out)
    else:
        out.add(prefix)


def _add_row(
    plan: Plan,
    profile: Profile,
    ctx: RowContext,
    record_key: str,
    row_values: dict[str, dict[str, Any]],
    row_extra: dict[str, dict[str, Any]],
    absent: set[str],
    report: Report,
) -> None:
    location = ctx.record.location
    keys: dict[str, str] = {}
    for kind in ("funder", "instrument", "call", "project", "organisation", "person"):
        if kind not in row_values:
            continue
        key = _entity_key(kind, profile, row_values[kind], ctx)
        if key is None:
            continue
        keys[kind] = key
        planned = plan.entities[kind].get(key)
        if planned is None:
            planned = Planned(kind=kind, key=key)
            plan.entities[kind].add(key, planned)
        refs: dict[str, str] = {
            k: keys[k] for k in ("funder", "instrument", "call") if k in keys and k != kind
        }
        if kind == "instrument" and "funder" in keys:
            refs = {"funder": keys["funder"]}
        elif kind == "call":
            refs = {"instrument": keys["instrument"]} if "instrument" in keys else {}
        elif kind == "project":
            refs = {k: keys[k] for k in ("instrument", "call") if k in keys}
        elif kind == "person":
            refs = {"organisation": keys["organisation"]} if "organisation" in keys else {}
        elif kind == "organisation":
            refs = {}
            if "name" in row_values[kind]:
                name = row_values[kind]["name"]
                if name not in planned.source_names:
                    planned.source_names = planned.source_names | {name}
        for ref_kind, ref_key in refs.items():
            planned.refs.setdefault(ref_kind, ref_key)
        _merge(planned, row_values[kind], profile.entities[kind].fields, report, location)
        for name, value in row_extra.get(kind, {}).items():
            planned.extra.setdefault(name, value)
        planned.add_location(location)
    has_partner = "partner" in row_values and "project" in keys and "organisation" in keys
    if has_partner:
        plan.partner_rows.append(
            PartnerRow(keys["project"], keys["organisation"], row_values["partner"], location)
        )
    if "funding" in row_values and "project" in keys:
        espec = profile.entities["funding"]
        key = _entity_key("funding", profile, row_values["funding"], ctx) or record_key
        planned = plan.entities["funding"].get(key)
        if planned is None:
            planned = Planned(kind="funding", key=key)
            plan.entities["funding"].add(key, planned)
        values = dict(row_values["funding"])
        planned.refs.setdefault("project", keys["project"])
        if "instrument" in keys:
            planned.refs.setdefault("instrument", keys["instrument"])
        if espec.for_partner:
            if "organisation" in keys:
                partner_ref = f"{keys['project']}||{keys['organisation']}"
                if not planned.partner_ids:
                    planned.partner_ids = [partner_ref]
                elif partner_ref not in planned.partner_ids:
                    planned.partner_ids.append(partner_ref)
            elif "organisation" in absent:
                note = _("The source names no organisation for this amount (%(loc)s).") % {"loc": location}
                values["note"] = (values.get("note", "") + " " + note).strip()
        _merge(planned, values, espec.fields, report, location)
        planned.add_location(location)


def resolve_organisation_aliases(plan: Plan, report: Report) -> None:
    """Within the file: an organisation named without a registration number is the one with a number
    and the same normalised name, when there is exactly one."""
    orgs = plan.of("organisation")
    by_name: dict[str, list[str]] = defaultdict(list)
    for key, planned in orgs.items():
        if key.startswith("reg:"):
            by_name[normalise_name(planned.values.get("name", ""))].append(key)
    for key in [key for key in orgs if key.startswith("name:")]:
        candidates = by_name.get(key[5:], [])
        if len(candidates) == 1:
            planned = orgs[key]
            target = orgs[candidates[0]]
            target.source_names |= planned.source_names
            for loc in planned.locations:
                target.add_location(loc)
            plan.org_alias[key] = candidates[0]
            del orgs[key]
            report.matches.append(
                {
                    "source_names": sorted(planned.source_names),
                    "organisation": target.values.get("name", ""),
                    "method": "name",
                    "detail": _("named without a registration number in %(loc)s")
                    % {"loc": planned.location_text},
                    "locations": planned.location_text,
                }
            )


def org_key(plan: Plan, key: str) -> str:
    return plan.org_alias.get(key, key)


def index_from_database(
    organisations: list[tuple[int, str]], identifiers: list[tuple[int, str, str]]
) -> OrganisationIndex:
    index = OrganisationIndex()
    regs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for org_id, scheme, number in identifiers:
        regs[org_id].append((scheme, number))
    for org_id, name in organisations:
        index.add(org_id, name=name, registrations=regs.get(org_id, []))
    return index
