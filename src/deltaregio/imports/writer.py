"""The importer's writer: a resolved plan (services.resolve) written to the database in one go —
new records with their history (COPY on PostgreSQL, ops/bulk.py), changed ones with
bulk_update_with_history, and the source records (ImportedRecord) that let a second import find them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from deltaregio.directory.models import Organisation, Person
from deltaregio.finance.models import FundingContribution
from deltaregio.funding.models import Call, Funder, Instrument
from deltaregio.imports.engine import Plan, Planned, Progress, Report, org_key, planned_fingerprint
from deltaregio.imports.models import ImportedRecord, ImportRun, OrganisationIdentifier
from deltaregio.imports.spill import SpillDict
from deltaregio.ops.bulk import TableWriter, create_instances, create_instances_with_history
from deltaregio.projects.models import Partner, Project

BATCH = 1000
CHUNK = 10_000  # new objects made, written and let go at a time
M = TypeVar("M", bound=models.Model)
MODELS: dict[str, type[models.Model]] = {
    "funder": Funder,
    "instrument": Instrument,
    "call": Call,
    "project": Project,
    "organisation": Organisation,
    "partner": Partner,
    "funding": FundingContribution,
    "person": Person,
}
#: Model fields each kind's mapped values fill directly.
DIRECT_FIELDS: dict[str, tuple[str, ...]] = {
    "funder": ("country", "level"),
    "instrument": ("name", "short_name", "kind", "description", "period_text", "website"),
    "call": ("name", "kind", "year", "opens_at", "closes_at", "budget", "budget_unit", "description"),
    "project": (
        "title",
        "summary",
        "status",
        "start_date",
        "end_date",
        "total_cost",
        "cost_unit",
        "trl",
        "website",
        "is_public",
    ),
    "organisation": ("short_name", "kind", "country", "region", "city", "website", "description"),
    "partner": ("role", "country"),
    "funding": (
        "source",
        "source_kind",
        "amount",
        "unit",
        "share",
        "basis",
        "basis_amount",
        "status",
        "note",
    ),
    "person": ("function", "email"),
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "instrument": {"kind": "other"},
    "call": {"kind": "unknown"},
    "project": {"status": "idea", "cost_unit": "EUR", "is_public": True},
    "organisation": {"kind": "other"},
    "partner": {"role": "partner"},
    "funding": {"unit": "EUR", "status": "granted"},
}


class UniqueValues:
    """Values a unique column already holds, and new ones made unique by a suffix."""

    def __init__(self, existing: Iterable[str], max_length: int) -> None:
        self.taken = set(existing)
        self.max_length = max_length

    def make(self, base: str, *, suffix: str = "") -> str:
        base = base[: self.max_length]
        candidates = [base]
        if suffix:
            candidates.append(f"{base[: self.max_length - len(suffix) - 3]} ({suffix})"[: self.max_length])
        for candidate in candidates:
            if candidate and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while True:
            tail = f"-{n}" if " " not in base else f" ({n})"
            candidate = base[: self.max_length - len(tail)] + tail
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
            n += 1

    def release(self, value: str) -> None:
        self.taken.discard(value)


def create_in_chunks(model: type[M], objs: Iterable[M]) -> None:
    """create_instances for objects given one by one, CHUNK at a time."""
    objs = iter(objs)
    while chunk := list(itertools.islice(objs, CHUNK)):
        create_instances(model, chunk)


def in_chunks(items: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Chosen:
    """The planned objects of one kind with one action (create, update), read from the plan each time
    it is iterated: a large file's do not all fit in memory at once."""

    def __init__(self, entities: SpillDict[str, Planned], action: str, count: int) -> None:
        self.entities, self.action, self.count = entities, action, count

    def __iter__(self) -> Iterator[Planned]:
        if self.count:
            yield from (p for p in self.entities.values() if p.action == self.action)

    def read_only(self) -> Iterator[Planned]:
        """The same, for a pass that changes none of them (cheaper once the plan is on disk)."""
        if self.count:
            yield from (p for p in self.entities.read_only_values() if p.action == self.action)

    def __len__(self) -> int:
        return self.count


class Writer:
    def __init__(
        self, plan: Plan, report: Report, *, user: Any, run: ImportRun | None, progress: Progress | None
    ) -> None:
        self.plan = plan
        self.report = report
        self.user = user if getattr(user, "pk", None) else None
        self.run = run
        self.progress = progress
        self.reason = f"import {plan.profile.name}: {plan.file_name}"[:100]
        self.document = (plan.profile.document or plan.file_name)[:100]
        # new source records: rows COPYed (or bulk-created) as they come, numbered by the database
        self.records_new = TableWriter(ImportedRecord, batch=CHUNK, numbered_by_database=True)
        self.now = timezone.now()
        self.content_types = {
            kind: ContentType.objects.get_for_model(model) for kind, model in MODELS.items()
        }
        self.done = 0
        # how many of each kind are to be made and changed (one reading pass, before writing)
        self.actions: dict[str, Counter[str]] = {
            kind: Counter(p.action for p in ents.read_only_values()) for kind, ents in plan.entities.items()
        }
        self.total = sum(c["create"] + c["update"] for c in self.actions.values())

    def tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress("write", self.done, max(self.total, 1))

    def required_id(self, kind: str, key: str | None) -> int:
        found = self.id_of(kind, key)
        if found is None:  # pragma: no cover - the plan resolves every reference before writing
            raise LookupError(f"{kind} {key} was not written")
        return found

    def id_of(self, kind: str, key: str | None) -> int | None:
        if not key:
            return None
        if kind == "organisation":
            return self.plan.org_ids.get(org_key(self.plan, key))
        planned = self.plan.of(kind).peek(key)
        return planned.object_id if planned is not None else None

    def write(self) -> None:
        for kind in (
            "funder",
            "instrument",
            "call",
            "project",
            "organisation",
            "partner",
            "funding",
            "person",
        ):
            entities = self.plan.entities.get(kind)
            if not entities:
                continue
            new = Chosen(entities, "create", self.actions[kind]["create"])
            changed = Chosen(entities, "update", self.actions[kind]["update"])
            getattr(self, f"_write_{kind}")(new, changed)
            self.tick(len(new) + len(changed))
        self._write_references()

    # helpers
    def _fill(self, obj: models.Model, planned: Planned, kind: str) -> None:
        values = {**DEFAULTS.get(kind, {}), **planned.values}
        for name in DIRECT_FIELDS[kind]:
            if name in values:
                setattr(obj, name, values[name])
            elif (
                kind in {"funding", "project", "organisation", "call", "instrument"}
                and not planned.record_exists
            ):
                pass
        obj.source_document = self.document  # type: ignore[attr-defined]
        obj.source_location = planned.location_text  # type: ignore[attr-defined]

    def _create(self, model: type[M], pairs: Iterable[tuple[M, Planned]]) -> None:
        """Write new objects in chunks: COPY on PostgreSQL, with the history rows django-simple-history
        would write (ops/bulk.py), and their source records. `pairs` (a new object and what it was made
        from) may be a generator: only a chunk's model instances exist at a time, whatever the size of
        the file."""
        pairs = iter(pairs)
        while chunk := list(itertools.islice(pairs, CHUNK)):
            created = create_instances_with_history(
                model, [obj for obj, _p in chunk], user=self.user, reason=self.reason
            )
            for obj, (_obj, p) in zip(created, chunk, strict=True):
                p.object_id = obj.pk
                self.plan.entities[p.kind][p.key] = p  # kept, wherever the plan keeps it
                if p.kind == "organisation":
                    self.plan.org_ids[p.key] = p.object_id
                self.records_new.add(self._record(p))

    def _update(self, model: type[M], planned: Iterable[Planned], apply: Any) -> None:
        """Change existing objects, and their source records, a chunk at a time."""
        planned = iter(planned)
        while chunk := list(itertools.islice(planned, CHUNK)):
            objs = model._default_manager.in_bulk([p.object_id for p in chunk])
            changed: list[M] = []
            fields: set[str] = {"source_document", "source_location"}
            for p in chunk:
                obj = objs.get(p.object_id)
                if obj is None:  # removed by hand since: make it again
                    continue
                fields |= set(apply(obj, p))
                changed.append(obj)
            if changed:
                bulk_update_with_history(
                    changed,
                    model,
                    sorted(fields),
                    batch_size=BATCH,
                    default_user=self.user,
                    default_change_reason=self.reason,
                )
            self._update_records([p for p in chunk if p.object_id in objs])

    def _record(self, planned: Planned) -> dict[str, Any]:
        """A new ImportedRecord's row (field attribute names), without a model instance."""
        return {
            "namespace": self.plan.profile.namespace,
            "kind": planned.kind,
            "source_key": planned.key[:500],
            "content_type_id": self.content_types[planned.kind].pk,
            "object_id": int(planned.object_id or 0),
            "owned": planned.action == "create",
            "fingerprint": planned_fingerprint(planned),
            "extra": self._extra(planned),
            "first_imported_at": self.now,
            "last_run_id": self.run.pk if self.run is not None else None,
        }

    @staticmethod
    def _extra(planned: Planned) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        for name, value in planned.extra.items():
            if value is None:
                continue
            extra[name] = value if isinstance(value, (str, int, float, bool)) else str(value)
        registration = planned.values.get("registration")
        if registration:
            extra["org_id"] = f"{registration[0]}-{registration[1]}"
        return extra

    def _write_references(self) -> None:
        # references: remember them too, so that a second import finds them by source identifier
        for kind, ents in self.plan.entities.items():
            if not self.actions[kind]["reference"]:
                continue
            for planned in ents.read_only_values():
                if (
                    planned.action == "reference"
                    and not planned.record_exists
                    and planned.object_id is not None
                ):
                    self.records_new.add(self._record(planned))
        self.records_new.flush()

    def _update_records(self, planned: list[Planned]) -> None:
        """The source records of changed objects: what the source says now, and the run that said it."""
        ns = self.plan.profile.namespace
        for chunk in in_chunks(planned):
            by_key = {
                (r.kind, r.source_key): r
                for r in ImportedRecord.objects.filter(namespace=ns, source_key__in=[p.key for p in chunk])
            }
            updates = []
            for p in chunk:
                record = by_key.get((p.kind, p.key))
                if record is None:
                    continue
                record.fingerprint = planned_fingerprint(p)
                record.extra = self._extra(p)
                record.last_run = self.run
                updates.append(record)
            fields = ["fingerprint", "extra", "last_run"]
            ImportedRecord.objects.bulk_update(updates, fields, batch_size=BATCH)

    # per kind
    def _write_funder(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        names = UniqueValues(Funder.objects.values_list("name", flat=True), 255)
        slugs = UniqueValues(Funder.objects.values_list("slug", flat=True), 80)
        pairs = []
        for p in new:
            obj = Funder(
                name=names.make(p.values["name"]), slug=slugs.make(slugify(p.values["name"])[:70] or "funder")
            )
            self._fill(obj, p, "funder")
            pairs.append((obj, p))
        self._create(Funder, pairs)

        def apply(obj: Funder, p: Planned) -> list[str]:
            self._fill(obj, p, "funder")
            return list(DIRECT_FIELDS["funder"])

        self._update(Funder, changed, apply)

    def _instrument_refs(self, obj: Instrument, p: Planned) -> None:
        obj.funder_id = self.id_of("funder", p.refs.get("funder"))
        parent = p.values.get("parent")
        if parent:
            obj.parent_id = (
                self.id_of("instrument", parent)
                or Instrument.objects.filter(code=parent).values_list("pk", flat=True).first()
            )

    def _write_instrument(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        # parents first: a line may name a programme planned in the same file
        objs = []
        for p in new:
            obj = Instrument(code=p.key)
            self._fill(obj, p, "instrument")
            objs.append((obj, p))
        created_first = [(o, p) for o, p in objs if not p.values.get("parent")]
        created_later = [(o, p) for o, p in objs if p.values.get("parent")]
        for group in (created_first, created_later):
            for obj, p in group:
                self._instrument_refs(obj, p)
            self._create(Instrument, group)

        def apply(obj: Instrument, p: Planned) -> list[str]:
            self._fill(obj, p, "instrument")
            self._instrument_refs(obj, p)
            return [*DIRECT_FIELDS["instrument"], "funder", "parent"]

        self._update(Instrument, changed, apply)

    def _write_call(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        pairs = []
        for p in new:
            obj = Call(code=p.key, instrument_id=self.required_id("instrument", p.refs.get("instrument")))
            self._fill(obj, p, "call")
            pairs.append((obj, p))
        self._create(Call, pairs)

        def apply(obj: Call, p: Planned) -> list[str]:
            self._fill(obj, p, "call")
            obj.instrument_id = self.id_of("instrument", p.refs.get("instrument")) or obj.instrument_id
            return [*DIRECT_FIELDS["call"], "instrument"]

        self._update(Call, changed, apply)

    def _write_project(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        existing = list(Project.objects.values_list("acronym", "slug"))
        acronyms = UniqueValues((a for a, _s in existing), 60)
        slugs = UniqueValues((s for _a, s in existing), 80)
        renamed = 0

        def build() -> Iterator[tuple[Project, Planned]]:
            nonlocal renamed
            for p in new:
                wanted = p.values["acronym"]
                acronym = acronyms.make(wanted, suffix=p.key[:20])
                renamed += acronym != wanted
                obj = Project(acronym=acronym, slug=slugs.make(slugify(acronym)[:70] or "project"))
                self._fill(obj, p, "project")
                obj.instrument_id = self.id_of("instrument", p.refs.get("instrument"))
                obj.call_id = self.id_of("call", p.refs.get("call"))
                yield obj, p

        self._create(Project, build())
        if renamed:
            self.report.notes.append(
                _(
                    "%(n)s project acronyms were already in use (by another project, or twice in the "
                    "source); "
                    "the source identifier was added to keep them apart."
                )
                % {"n": renamed}
            )

        def apply(obj: Project, p: Planned) -> list[str]:
            self._fill(obj, p, "project")
            obj.instrument_id = self.id_of("instrument", p.refs.get("instrument"))
            obj.call_id = self.id_of("call", p.refs.get("call"))
            wanted = p.values["acronym"]
            if not obj.acronym.startswith(wanted[:40]):
                acronyms.release(obj.acronym)
                obj.acronym = acronyms.make(wanted, suffix=p.key[:20])
            return [*DIRECT_FIELDS["project"], "instrument", "call", "acronym"]

        self._update(Project, changed, apply)

    def _write_organisation(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        existing = list(Organisation.objects.values_list("name", "slug"))
        names = UniqueValues((n for n, _s in existing), 255)
        slugs = UniqueValues((s for _n, s in existing), 80)
        same_name = 0

        def build() -> Iterator[tuple[Organisation, Planned]]:
            nonlocal same_name
            for p in new:
                wanted = p.values["name"]
                registration = p.values.get("registration")
                suffix = f"{registration[0]} {registration[1]}" if registration else ""
                name = names.make(wanted, suffix=suffix)
                same_name += name != wanted
                obj = Organisation(name=name, slug=slugs.make(slugify(name)[:70] or "organisation"))
                self._fill(obj, p, "organisation")
                yield obj, p

        self._create(Organisation, build())
        if same_name:
            self.report.notes.append(
                _(
                    "%(n)s organisations have the name of another organisation but a different registration "
                    "number; they were kept apart, with the number added to the name."
                )
                % {"n": same_name}
            )

        def apply(obj: Organisation, p: Planned) -> list[str]:
            self._fill(obj, p, "organisation")
            return list(DIRECT_FIELDS["organisation"])

        self._update(Organisation, changed, apply)
        # registration numbers: of new organisations, and of existing ones matched by name
        known = set(OrganisationIdentifier.objects.values_list("scheme", "identifier"))

        def identifiers() -> Iterator[OrganisationIdentifier]:
            for p in self.plan.entities["organisation"].read_only_values():
                registration = p.values.get("registration")
                if registration and registration not in known and p.object_id is not None:
                    known.add(registration)
                    yield OrganisationIdentifier(
                        organisation_id=p.object_id,
                        scheme=registration[0],
                        identifier=registration[1],
                        source_document=self.document,
                        source_location=p.locations[0] if p.locations else "",
                    )

        create_in_chunks(OrganisationIdentifier, identifiers())

    def _write_partner(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        countries = (
            dict(
                Organisation.objects.filter(
                    pk__in={self.id_of("organisation", p.refs["organisation"]) for p in new}
                ).values_list("pk", "country")
            )
            if new
            else {}
        )

        def build() -> Iterator[tuple[Partner, Planned]]:
            for p in new:
                organisation_id = self.required_id("organisation", p.refs["organisation"])
                obj = Partner(
                    project_id=self.required_id("project", p.refs["project"]), organisation_id=organisation_id
                )
                self._fill(obj, p, "partner")
                if not obj.country:
                    obj.country = countries.get(organisation_id, "")
                yield obj, p

        self._create(Partner, build())

        def apply(obj: Partner, p: Planned) -> list[str]:
            self._fill(obj, p, "partner")
            return list(DIRECT_FIELDS["partner"])

        self._update(Partner, changed, apply)

    def _write_funding(self, new: Chosen, changed: Chosen) -> None:

        def build() -> Iterator[tuple[FundingContribution, Planned]]:
            for p in new:
                obj = FundingContribution(project_id=self.required_id("project", p.refs["project"]))
                self._fill(obj, p, "funding")
                obj.instrument_id = self.id_of("instrument", p.refs.get("instrument"))
                yield obj, p

        self._create(FundingContribution, build())
        through = FundingContribution.partners.through

        def links_of(planned: Iterable[Planned]) -> Iterator[models.Model]:
            for p in planned:
                for ref in p.partner_ids:
                    partner_id = self.id_of("partner", ref)
                    if partner_id is not None:
                        yield through(fundingcontribution_id=p.object_id, partner_id=partner_id)

        create_in_chunks(through, links_of(new.read_only()))

        def apply(obj: FundingContribution, p: Planned) -> list[str]:
            self._fill(obj, p, "funding")
            obj.instrument_id = self.id_of("instrument", p.refs.get("instrument"))
            return [*DIRECT_FIELDS["funding"], "instrument"]

        self._update(FundingContribution, changed, apply)
        if changed:
            for chunk in in_chunks([p.object_id for p in changed]):
                through.objects.filter(fundingcontribution_id__in=chunk).delete()
            create_in_chunks(through, links_of(changed.read_only()))

    def _write_person(self, new: Iterable[Planned], changed: Iterable[Planned]) -> None:
        pairs = []
        for p in new:
            obj = Person(
                name=p.values["name"], organisation_id=self.id_of("organisation", p.refs.get("organisation"))
            )
            self._fill(obj, p, "person")
            pairs.append((obj, p))
        self._create(Person, pairs)

        def apply(obj: Person, p: Planned) -> list[str]:
            self._fill(obj, p, "person")
            return list(DIRECT_FIELDS["person"])

        self._update(Person, changed, apply)
