"""Load the reference data set into the database.

All or nothing: every record is validated and compared with what the database holds. A record that
is missing is created; one that is present with the same values is left alone (so loading twice
changes nothing); one that is present with other values is a conflict. When there is any error or
conflict, the transaction is rolled back and the report explains each one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.text import slugify

from deltaregio.agenda.models import (
    AgendaItem,
    DeclarationOfIntent,
    Event,
    StakeholderGroup,
    StakeholderMembership,
    Subdomain,
    Summit,
    SummitDecision,
    Theme,
)
from deltaregio.directory.models import Lab, Organisation, Person
from deltaregio.finance.models import BudgetCell, BudgetTable, FundingContribution
from deltaregio.funding.models import (
    ApplicationDomain,
    Call,
    CallStatistic,
    Funder,
    Instrument,
    KeyTechnology,
)
from deltaregio.projects.models import Milestone, Partner, Project, StatusChange, WorkPackage
from deltaregio.seed.reader import DATA_DIR, DataSet, Record, read_data_set
from deltaregio.sources.models import SourceDocument, Statement


@dataclass(frozen=True)
class Conflict:
    model: str
    key: str
    field: str
    in_database: Any
    in_seed: Any
    where: str

    def __str__(self) -> str:
        return (
            f"{self.model} {self.key}: {self.field} is {self.in_database!r} in the database "
            f"but {self.in_seed!r} in {self.where}"
        )


@dataclass(frozen=True)
class SeedError:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[SeedError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.errors


class SeedLoadError(Exception):
    def __init__(self, report: LoadReport) -> None:
        self.report = report
        super().__init__(
            f"{len(report.errors)} error(s), {len(report.conflicts)} conflict(s); nothing was changed"
        )


class _Rollback(Exception):
    pass


def seed_load(*, data_dir: Path = DATA_DIR, dry_run: bool = False) -> LoadReport:
    """Load the data set. Raises SeedLoadError (and changes nothing) on any error or conflict."""
    data_set = read_data_set(data_dir)
    report = LoadReport()
    try:
        with transaction.atomic(), translation.override("nl"):
            _Loader(data_set, report).run()
            if not report.ok or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if not report.ok:
        raise SeedLoadError(report)
    return report


# --- value parsing -------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise ValueError(f"{value!r} must be written as a quoted string to stay exact")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc


def _published_number(text: str) -> Decimal | None:
    """A figure as printed in a Dutch table: '1.273' is 1273, '9,54' is 9.54, '-' or '' is empty."""
    cleaned = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if cleaned in {"", "-", "–"}:
        return None
    cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a published number") from exc


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} needs a UTC offset, e.g. +01:00")
    return parsed


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "code") and value.__class__.__name__ == "Country":
        return value.code or ""
    if isinstance(value, Decimal):
        return value.normalize()
    return value


class _Loader:
    def __init__(self, data_set: DataSet, report: LoadReport) -> None:
        self.data = data_set
        self.report = report

    # --- generic upsert ---------------------------------------------------------------------------

    def upsert(
        self,
        model: type[models.Model],
        key: dict[str, Any],
        values: dict[str, Any],
        where: str,
        m2m: Mapping[str, Sequence[models.Model]] | None = None,
    ) -> models.Model | None:
        label = model._meta.verbose_name
        key_text = ", ".join(f"{k}={_comparable(v)}" for k, v in key.items())
        instance = model._default_manager.filter(**key).first()
        if instance is None:
            instance = model(**key, **values)
            try:
                instance.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self.error(where, f"{label} {key_text}: {_messages(exc)}")
                return None
            try:
                with transaction.atomic():
                    instance.save()
            except Exception as exc:  # a database constraint refused the row
                self.error(where, f"{label} {key_text}: refused by the database: {exc}")
                return None
            for name, objects in (m2m or {}).items():
                getattr(instance, name).set(objects)
            self.report.created[model.__name__] += 1
            return instance
        changed = False
        for name, value in values.items():
            current = getattr(instance, name)
            if _comparable(current) != _comparable(value):
                self.report.conflicts.append(
                    Conflict(model.__name__, key_text, name, _comparable(current), _comparable(value), where)
                )
                changed = True
        for name, objects in (m2m or {}).items():
            current_ids = set(getattr(instance, name).values_list("pk", flat=True))
            seed_ids = {obj.pk for obj in objects}
            if current_ids != seed_ids:
                self.report.conflicts.append(
                    Conflict(model.__name__, key_text, name, sorted(current_ids), sorted(seed_ids), where)
                )
                changed = True
        if not changed:
            self.report.unchanged[model.__name__] += 1
        return instance

    def error(self, where: str, message: str) -> None:
        self.report.errors.append(SeedError(where, message))

    def source(self, record: Record, data: dict[str, Any] | None = None) -> dict[str, str]:
        location = (data if data is not None else record.data).get("source", "")
        if not location:
            self.error(record.where(), "every record needs a 'source' (where in the document)")
        return {"source_document": record.document, "source_location": str(location)}

    def lookup(self, model: type[models.Model], record: Record, **key: Any) -> Any:
        if any(v is None or v == "" for v in key.values()):
            return None
        found = model._default_manager.filter(**key).first()
        if found is None:
            self.error(
                record.where(), f"refers to {model._meta.verbose_name} {key} which is not in the data set"
            )
        return found

    # --- the sections, in dependency order --------------------------------------------------------

    def run(self) -> None:
        steps = [
            self.documents,
            self.organisations,
            self.people,
            self.labs,
            self.funders,
            self.instruments,
            self.summits,
            self.themes,
            self.subdomains,
            self.agenda_items,
            self.declarations,
            self.events,
            self.stakeholder_groups,
            self.calls,
            self.application_domains,
            self.key_technologies,
            self.projects,
            self.budget_tables,
            self.statements,
        ]
        for step in steps:
            step()

    def guarded(self, record: Record, func: Any) -> None:
        try:
            func(record)
        except (ValueError, TypeError, KeyError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            self.error(record.where(), detail)

    def each(self, section: str, func: Any) -> None:
        for record in self.data.records[section]:
            self.guarded(record, func)

    def documents(self) -> None:
        for doc in self.data.documents:
            self.upsert(
                SourceDocument,
                {"file_name": doc["file_name"]},
                {
                    "title": doc["title"],
                    "kind": doc["kind"],
                    "publisher": doc.get("publisher", ""),
                    "published_on": _date(doc.get("published_on")),
                    "published_text": doc.get("published_text", ""),
                    "summary": doc.get("summary", ""),
                },
                "documents.yaml",
            )

    def organisations(self) -> None:
        records = self.unique(self.data.records["organisations"], "name", "organisation")
        for record in _parents_first(records, "name", "parent"):
            self.guarded(record, self._organisation)

    def unique(self, records: list[Record], key: str, label: str) -> list[Record]:
        """Records whose key is defined once; a second definition is an error (never silently merged)."""
        seen: dict[Any, str] = {}
        kept = []
        for record in records:
            value = record.data.get(key)
            if value in seen:
                self.error(record.where(), f"{label} {value!r} is defined twice (also in {seen[value]})")
                continue
            seen[value] = record.where()
            kept.append(record)
        return kept

    def _organisation(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Organisation,
            {"name": d["name"]},
            {
                "short_name": d.get("short_name") or "",
                "slug": d.get("slug") or slugify(d.get("short_name") or d["name"])[:80],
                "kind": d.get("kind", "other"),
                "country": d.get("country") or "",
                "region": d.get("region") or "",
                "city": d.get("city") or "",
                "website": d.get("website") or "",
                "description": d.get("description") or "",
                "parent": self.lookup(Organisation, record, name=d.get("parent")),
                **self.source(record),
            },
            record.where(),
        )

    def people(self) -> None:
        self.each("people", self._person)

    def _person(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Person,
            {"name": d["name"], "function": d.get("function") or ""},
            {
                "organisation": self.lookup(Organisation, record, name=d.get("organisation")),
                **self.source(record),
            },
            record.where(),
        )

    def labs(self) -> None:
        self.each("labs", self._lab)

    def _lab(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Lab,
            {"name": d["name"]},
            {
                "slug": d.get("slug") or slugify(d["name"])[:80],
                "kind": d.get("kind", "practice_lab"),
                "operator": self.lookup(Organisation, record, name=d.get("operator")),
                "city": d.get("city") or "",
                "country": d.get("country") or "",
                "area_m2": _decimal(d.get("area_m2")),
                "area_text": d.get("area_text") or "",
                "technologies": list(d.get("technologies") or []),
                "description": d.get("description") or "",
                **self.source(record),
            },
            record.where(),
        )

    def funders(self) -> None:
        self.each("funders", self._funder)

    def _funder(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Funder,
            {"name": d["name"]},
            {
                "slug": d.get("slug") or slugify(d["name"])[:80],
                "organisation": self.lookup(Organisation, record, name=d.get("organisation")),
                "country": d.get("country") or "",
                "level": d["level"],
                **self.source(record),
            },
            record.where(),
        )

    def instruments(self) -> None:
        records = self.unique(self.data.records["instruments"], "code", "instrument")
        for record in _parents_first(records, "code", "parent"):
            self.guarded(record, self._instrument)

    def _instrument(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Instrument,
            {"code": d["code"]},
            {
                "name": d["name"],
                "short_name": d.get("short_name") or "",
                "kind": d["kind"],
                "funder": self.lookup(Funder, record, name=d.get("funder")),
                "parent": self.lookup(Instrument, record, code=d.get("parent")),
                "description": d.get("description") or "",
                "period_text": d.get("period_text") or "",
                "website": d.get("website") or "",
                **self.source(record),
            },
            record.where(),
        )

    def summits(self) -> None:
        self.each("summits", self._summit)

    def _summit(self, record: Record) -> None:
        d = record.data
        summit = self.upsert(
            Summit,
            {"number": d["number"]},
            {
                "date": _date(d["date"]),
                "place": d["place"],
                "title_nl": d["title"],
                "title_en": d.get("title_en") or "",
                "participants": d.get("participants") or "",
                "theme_of_summit": d.get("theme_of_summit") or "",
                "final_declaration": d.get("final_declaration") or "",
                **self.source(record),
            },
            record.where(),
        )
        if summit is None:
            return
        for order, decision in enumerate(d.get("decisions") or [], start=1):
            self.upsert(
                SummitDecision,
                {"summit": summit, "order": order},
                {
                    "text_nl": decision["text"],
                    "text_en": decision.get("text_en") or "",
                    "source_document": record.document,
                    "source_location": str(decision.get("source") or d.get("source", "")),
                },
                f"{record.where()} decisions[{order - 1}]",
            )

    def themes(self) -> None:
        self.each("themes", self._theme)

    def _theme(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Theme,
            {"code": d["code"]},
            {
                "name_nl": d["name"],
                "name_en": d.get("name_en") or "",
                "description_nl": d.get("description") or "",
                "description_en": d.get("description_en") or "",
                "order": d.get("order", 0),
                "added_on": _date(d["added_on"]),
                "added_at": self.lookup(Summit, record, number=d.get("added_at")),
                "removed_on": _date(d.get("removed_on")),
                **self.source(record),
            },
            record.where(),
        )

    def subdomains(self) -> None:
        self.each("subdomains", self._subdomain)

    def _subdomain(self, record: Record) -> None:
        d = record.data
        theme = self.lookup(Theme, record, code=d["theme"])
        if theme is None:
            return
        self.upsert(
            Subdomain,
            {"theme": theme, "code": d["code"]},
            {
                "name_nl": d["name"],
                "name_en": d.get("name_en") or "",
                "description_nl": d.get("description") or "",
                "description_en": d.get("description_en") or "",
                "order": d.get("order", 0),
                **self.source(record),
            },
            record.where(),
        )

    def agenda_items(self) -> None:
        self.each("agenda_items", self._agenda_item)

    def _agenda_item(self, record: Record) -> None:
        d = record.data
        theme = self.lookup(Theme, record, code=d["theme"])
        if theme is None:
            return
        self.upsert(
            AgendaItem,
            {"theme": theme, "code": d["code"]},
            {
                "kind": d["kind"],
                "text_nl": d["text"],
                "text_en": d.get("text_en") or "",
                "status": d.get("status", "unknown"),
                "order": d.get("order", 0),
                **self.source(record),
            },
            record.where(),
        )

    def declarations(self) -> None:
        self.each("declarations", self._declaration)

    def _declaration(self, record: Record) -> None:
        d = record.data
        renews = d.get("renews")
        self.upsert(
            DeclarationOfIntent,
            {"date": _date(d["date"])},
            {
                "title": d["title"],
                "signatories": d.get("signatories") or "",
                "domains": list(d.get("domains") or []),
                "summary": d.get("summary") or "",
                "renews": self.lookup(DeclarationOfIntent, record, date=_date(renews)) if renews else None,
                **self.source(record),
            },
            record.where(),
        )

    def events(self) -> None:
        self.each("events", self._event)

    def _event(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Event,
            {"code": d["code"]},
            {
                "date": _date(d["date"]),
                "date_precision": d.get("date_precision", "day"),
                "kind": d["kind"],
                "title_nl": d["title"],
                "title_en": d.get("title_en") or "",
                "description": d.get("description") or "",
                "summit": self.lookup(Summit, record, number=d.get("summit")),
                **self.source(record),
            },
            record.where(),
        )

    def stakeholder_groups(self) -> None:
        self.each("stakeholder_groups", self._stakeholder_group)

    def _stakeholder_group(self, record: Record) -> None:
        d = record.data
        themes = [t for t in (self.lookup(Theme, record, code=c) for c in d.get("themes") or []) if t]
        group = self.upsert(
            StakeholderGroup,
            {"name": d["name"]},
            {
                "founded_on": _date(d.get("founded_on")),
                "founded_precision": d.get("founded_precision", "day"),
                "founded_text": d.get("founded_text") or "",
                "mandate": d.get("mandate") or "",
                **self.source(record),
            },
            record.where(),
            m2m={"themes": themes},
        )
        if group is None:
            return
        for index, member in enumerate(d.get("members") or []):
            organisation = self.lookup(Organisation, record, name=member.get("organisation"))
            person = self.lookup(Person, record, name=member.get("person"))
            if organisation is None and person is None:
                self.error(f"{record.where()} members[{index}]", "a member needs an organisation or a person")
                continue
            self.upsert(
                StakeholderMembership,
                {"group": group, "organisation": organisation, "person": person},
                {
                    "role": member.get("role") or "",
                    **self.source(record, member if "source" in member else None),
                },
                f"{record.where()} members[{index}]",
            )

    def calls(self) -> None:
        self.each("calls", self._call)

    def _call(self, record: Record) -> None:
        d = record.data
        instrument = self.lookup(Instrument, record, code=d["instrument"])
        if instrument is None:
            return
        call = self.upsert(
            Call,
            {"code": d["code"]},
            {
                "instrument": instrument,
                "name": d["name"],
                "kind": d.get("kind", "unknown"),
                "year": d.get("year"),
                "opens_at": _datetime(d.get("opens_at")),
                "closes_at": _datetime(d.get("closes_at")),
                "budget": _decimal(d.get("budget")),
                "budget_unit": d.get("budget_unit", "EUR"),
                "budget_approximate": bool(d.get("budget_approximate", False)),
                "description": d.get("description") or "",
                **self.source(record),
            },
            record.where(),
        )
        if call is None:
            return
        for index, stat in enumerate(d.get("statistics") or []):
            where = f"{record.where()} statistics[{index}]"
            self.upsert(
                CallStatistic,
                {
                    "call": call,
                    "scope": stat.get("scope", "all"),
                    "source_document": record.document,
                    "source_location": str(stat.get("source", "")),
                },
                {
                    "submitted_count": stat.get("submitted_count"),
                    "submitted_cost": _decimal(stat.get("submitted_cost")),
                    "requested_amount": _decimal(stat.get("requested_amount")),
                    "granted_count": stat.get("granted_count"),
                    "granted_amount": _decimal(stat.get("granted_amount")),
                    "unit": stat.get("unit", "MEUR"),
                    "approximate": bool(stat.get("approximate", False)),
                    "participants": stat.get("participants") or "",
                    "note": stat.get("note") or "",
                },
                where,
            )
            if not stat.get("source"):
                self.error(where, "every record needs a 'source' (where in the document)")

    def application_domains(self) -> None:
        self.each("application_domains", self._application_domain)

    def _application_domain(self, record: Record) -> None:
        d = record.data
        programme = self.lookup(Instrument, record, code=d["programme"])
        if programme is None:
            return
        self.upsert(
            ApplicationDomain,
            {"programme": programme, "code": d["code"]},
            {
                "name": d["name"],
                "description": d.get("description") or "",
                "order": d.get("order", 0),
                **self.source(record),
            },
            record.where(),
        )

    def key_technologies(self) -> None:
        self.each("key_technologies", self._key_technology)

    def _key_technology(self, record: Record) -> None:
        d = record.data
        programme = self.lookup(Instrument, record, code=d["programme"])
        if programme is None:
            return
        domains = [
            x
            for x in (
                self.lookup(ApplicationDomain, record, programme=programme, code=c)
                for c in d.get("application_domains") or []
            )
            if x
        ]
        self.upsert(
            KeyTechnology,
            {"programme": programme, "code": d["code"]},
            {
                "name": d["name"],
                "description": d.get("description") or "",
                "order": d.get("order", 0),
                **self.source(record),
            },
            record.where(),
            m2m={"application_domains": domains},
        )

    def projects(self) -> None:
        records = self.data.records["projects"]
        base = [r for r in records if not r.data.get("extend")]
        seen: dict[str, str] = {}
        for record in base:
            acronym = record.data.get("acronym", "")
            if acronym in seen:
                self.error(
                    record.where(),
                    f"project {acronym!r} is defined twice (also in {seen[acronym]}); "
                    "use 'extend: true' to add to a project defined elsewhere",
                )
                continue
            seen[acronym] = record.where()
            self.guarded(record, self._project)
        for record in records:
            self.guarded(record, self._project_parts)

    def _project(self, record: Record) -> None:
        d = record.data
        themes = [t for t in (self.lookup(Theme, record, code=c) for c in d.get("themes") or []) if t]
        self.upsert(
            Project,
            {"acronym": d["acronym"]},
            {
                "slug": d.get("slug") or slugify(d["acronym"])[:80],
                "title": d["title"],
                "summary": d.get("summary") or "",
                "instrument": self.lookup(Instrument, record, code=d.get("instrument")),
                "call": self.lookup(Call, record, code=d.get("call")),
                "status": d.get("status", "idea"),
                "start_date": _date(d.get("start_date")),
                "end_date": _date(d.get("end_date")),
                "total_cost": _decimal(d.get("total_cost")),
                "cost_unit": d.get("cost_unit", "EUR"),
                "trl": str(d.get("trl") or ""),
                "website": d.get("website") or "",
                "is_public": bool(d.get("is_public", True)),
                **self.source(record),
            },
            record.where(),
            m2m={"themes": themes},
        )

    def _project_parts(self, record: Record) -> None:
        d = record.data
        project = Project.objects.filter(acronym=d["acronym"]).first()
        if project is None:
            if d.get("extend"):
                self.error(record.where(), f"extends project {d['acronym']!r}, which is not defined anywhere")
            return
        where = record.where()
        partners: dict[str, Partner] = {
            p.organisation.name: p for p in project.partners.select_related("organisation")
        }
        for i, item in enumerate(d.get("partners") or []):
            organisation = self.lookup(Organisation, record, name=item["organisation"])
            if organisation is None:
                continue
            partner = self.upsert(
                Partner,
                {"project": project, "organisation": organisation},
                {
                    "role": item.get("role", "partner"),
                    "country": item.get("country") or organisation.country or "",
                    **self.source(record, item if "source" in item else d),
                },
                f"{where} partners[{i}]",
            )
            if isinstance(partner, Partner):
                partners[organisation.name] = partner
        for i, item in enumerate(d.get("work_packages") or []):
            self.upsert(
                WorkPackage,
                {"project": project, "number": item["number"]},
                {
                    "title": item["title"],
                    "budget": _decimal(item.get("budget")),
                    "share": _decimal(item.get("share")),
                    "start_date": _date(item.get("start_date")),
                    "end_date": _date(item.get("end_date")),
                    "description": item.get("description") or "",
                    **self.source(record, item),
                },
                f"{where} work_packages[{i}]",
            )
        for i, item in enumerate(d.get("milestones") or []):
            wp_number = item.get("work_package")
            self.upsert(
                Milestone,
                {"project": project, "title": item["title"]},
                {
                    "work_package": self.lookup(WorkPackage, record, project=project, number=wp_number)
                    if wp_number
                    else None,
                    "due_date": _date(item.get("due_date")),
                    "target": str(item.get("target") or ""),
                    **self.source(record, item),
                },
                f"{where} milestones[{i}]",
            )
        for i, item in enumerate(d.get("status_history") or []):
            self.upsert(
                StatusChange,
                {
                    "project": project,
                    "status": item["status"],
                    "date": _date(item.get("date")),
                    "kind": item.get("kind", "actual"),
                    "source_document": record.document,
                    "source_location": str(item.get("source", "")),
                },
                {
                    "date_text": item.get("date_text") or "",
                    "body": item.get("body") or "",
                    "note": item.get("note") or "",
                },
                f"{where} status_history[{i}]",
            )
        for i, item in enumerate(d.get("funding") or []):
            named = []
            for name in item.get("partners") or []:
                if name in partners:
                    named.append(partners[name])
                else:
                    self.error(f"{where} funding[{i}]", f"{name!r} is not a partner of {project.acronym}")
            self.upsert(
                FundingContribution,
                {"project": project, "source": item["source_name"]},
                {
                    "source_kind": item["source_kind"],
                    "instrument": self.lookup(Instrument, record, code=item.get("instrument")),
                    "amount": _decimal(item.get("amount")),
                    "unit": item.get("unit", "EUR"),
                    "share": _decimal(item.get("share")),
                    "basis": item.get("basis") or "",
                    "basis_amount": _decimal(item.get("basis_amount")),
                    "status": item.get("status", "granted"),
                    "note": item.get("note") or "",
                    **self.source(record, item),
                },
                f"{where} funding[{i}]",
                m2m={"partners": named},
            )

    def budget_tables(self) -> None:
        self.each("budget_tables", self._budget_table)

    def _budget_table(self, record: Record) -> None:
        d = record.data
        columns = [{"key": str(c["key"]), "label": str(c.get("label", c["key"]))} for c in d["columns"]]
        table = self.upsert(
            BudgetTable,
            {"code": d["code"]},
            {
                "title": d["title"],
                "programme": self.lookup(Instrument, record, code=d.get("programme")),
                "unit": d["unit"],
                "rounded_to": _decimal(d.get("rounded_to", "1")),
                "columns": columns,
                "note": d.get("note") or "",
                **self.source(record),
            },
            record.where(),
        )
        if table is None:
            return
        column_keys = [c["key"] for c in columns]
        for order, row in enumerate(d.get("rows") or [], start=1):
            values = {str(k): v for k, v in (row.get("values") or {}).items()}
            unknown = set(values) - set(column_keys)
            if unknown:
                self.error(f"{record.where()} rows[{order - 1}]", f"unknown column(s) {sorted(unknown)}")
                continue
            for column in column_keys:
                if column not in values:
                    continue
                text = "" if values[column] is None else str(values[column])
                self.upsert(
                    BudgetCell,
                    {"table": table, "row_key": row["key"], "column_key": column},
                    {
                        "row_order": order,
                        "row_label": row.get("label", row["key"]),
                        "row_group": row.get("group") or "",
                        "value": _published_number(text),
                        "value_text": text,
                        "is_total": bool(row.get("is_total", False)),
                    },
                    f"{record.where()} rows[{order - 1}]",
                )

    def statements(self) -> None:
        self.each("statements", self._statement)

    def _statement(self, record: Record) -> None:
        d = record.data
        self.upsert(
            Statement,
            {
                "key": d["key"],
                "source_document": record.document,
                "source_location": str(d.get("source", "")),
            },
            {
                "subject": d["subject"],
                "value": _decimal(d.get("value")),
                "value_text": str(d["value_text"]),
                "unit": d.get("unit") or "",
                "quote": d.get("quote") or "",
            },
            record.where(),
        )
        if not d.get("source"):
            self.error(record.where(), "every record needs a 'source' (where in the document)")


def _parents_first(records: list[Record], key: str, parent: str) -> list[Record]:
    """Order records so that a record's parent (named by key) comes before it."""
    by_key = {r.data.get(key): r for r in records}
    ordered: list[Record] = []
    done: set[Any] = set()

    def visit(record: Record, trail: tuple[Any, ...] = ()) -> None:
        ident = record.data.get(key)
        if ident in done or ident in trail:
            return
        parent_key = record.data.get(parent)
        if parent_key in by_key:
            visit(by_key[parent_key], (*trail, ident))
        done.add(ident)
        ordered.append(record)

    for record in records:
        visit(record)
    return ordered


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.message_dict.items()
        )
    return " ".join(str(m) for m in exc.messages)
