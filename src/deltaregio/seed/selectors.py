"""The whole data set as one JSON-ready document (`deltaregio export --format json`).

Stable: every list is ordered by a natural key, amounts are decimal strings, dates ISO 8601, and every
record carries its source (document file name and location). Described in docs/data-model.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from deltaregio import __version__
from deltaregio.agenda import selectors as agenda
from deltaregio.directory import selectors as directory
from deltaregio.finance import selectors as finance
from deltaregio.funding import selectors as funding
from deltaregio.projects import selectors as projects
from deltaregio.sources import selectors as sources

FORMAT_VERSION = "1"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _decimal(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def _date(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _source(obj: Any) -> dict[str, str]:
    return {"document": obj.source_document, "location": obj.source_location}


def _org_name(org: Any) -> str | None:
    return None if org is None else str(org.name)


def data_set_export(*, user: Any) -> dict[str, Any]:
    """Everything the user may see (the CLI exports as a superuser: everything)."""
    return {
        "format": "deltaregio-export",
        "format_version": FORMAT_VERSION,
        "deltaregio_version": __version__,
        "documents": [
            {
                "file_name": d.file_name,
                "title": d.title,
                "kind": d.kind,
                "publisher": d.publisher,
                "published_on": _date(d.published_on),
                "published_text": d.published_text,
            }
            for d in sources.document_list()
        ],
        "organisations": [
            {
                "name": o.name,
                "short_name": o.short_name,
                "slug": o.slug,
                "kind": o.kind,
                "country": str(o.country) or None,
                "region": o.region,
                "city": o.city,
                "website": o.website,
                "parent": _org_name(o.parent),
                "source": _source(o),
            }
            for o in directory.organisation_list()
        ],
        "people": [
            {
                "name": p.name,
                "function": p.function,
                "organisation": _org_name(p.organisation),
                "source": _source(p),
            }
            for p in directory.person_list()
        ],
        "labs": [
            {
                "name": lab.name,
                "slug": lab.slug,
                "kind": lab.kind,
                "operator": _org_name(lab.operator),
                "city": lab.city,
                "country": str(lab.country) or None,
                "area_m2": _decimal(lab.area_m2),
                "area_text": lab.area_text,
                "technologies": lab.technologies,
                "source": _source(lab),
            }
            for lab in directory.lab_list()
        ],
        "themes": [_theme(t) for t in agenda.theme_list()],
        "summits": [
            {
                "number": s.number,
                "date": _date(s.date),
                "place": s.place,
                "title": s.title_nl,
                "title_en": s.title_en,
                "participants": s.participants,
                "theme_of_summit": s.theme_of_summit,
                "final_declaration": s.final_declaration,
                "decisions": [
                    {"text": d.text_nl, "text_en": d.text_en, "source": _source(d)} for d in s.decisions.all()
                ],
                "themes_added": sorted(t.code for t in s.themes_added.all()),
                "source": _source(s),
            }
            for s in agenda.summit_list()
        ],
        "declarations": [
            {
                "date": _date(d.date),
                "title": d.title,
                "signatories": d.signatories,
                "domains": d.domains,
                "summary": d.summary,
                "renews": _date(d.renews.date) if d.renews else None,
                "source": _source(d),
            }
            for d in agenda.declaration_list()
        ],
        "events": [
            {
                "code": e.code,
                "date": _date(e.date),
                "date_precision": e.date_precision,
                "kind": e.kind,
                "title": e.title_nl,
                "title_en": e.title_en,
                "description": e.description,
                "summit": e.summit.number if e.summit else None,
                "source": _source(e),
            }
            for e in agenda.event_list()
        ],
        "stakeholder_groups": [
            {
                "name": g.name,
                "founded_on": _date(g.founded_on),
                "founded_precision": g.founded_precision,
                "founded_text": g.founded_text,
                "mandate": g.mandate,
                "themes": sorted(t.code for t in g.themes.all()),
                "members": [
                    {
                        "organisation": _org_name(m.organisation),
                        "person": m.person.name if m.person else None,
                        "role": m.role,
                        "source": _source(m),
                    }
                    for m in sorted(g.memberships.all(), key=lambda m: (m.role, m.pk))
                ],
                "source": _source(g),
            }
            for g in agenda.stakeholder_group_list()
        ],
        "funders": [
            {
                "name": f.name,
                "slug": f.slug,
                "level": f.level,
                "country": str(f.country) or None,
                "organisation": _org_name(f.organisation),
                "source": _source(f),
            }
            for f in funding.funder_list()
        ],
        "instruments": [
            {
                "code": i.code,
                "name": i.name,
                "short_name": i.short_name,
                "kind": i.kind,
                "funder": i.funder.name if i.funder else None,
                "parent": i.parent.code if i.parent else None,
                "description": i.description,
                "period_text": i.period_text,
                "source": _source(i),
            }
            for i in funding.instrument_list()
        ],
        "calls": [_call(c) for c in funding.call_list()],
        "application_domains": [
            {"programme": d.programme.code, "code": d.code, "name": d.name, "source": _source(d)}
            for d in funding.application_domain_list()
        ],
        "key_technologies": [
            {
                "programme": k.programme.code,
                "code": k.code,
                "name": k.name,
                "application_domains": sorted(d.code for d in k.application_domains.all()),
                "source": _source(k),
            }
            for k in funding.key_technology_list()
        ],
        "projects": [
            _project(p)
            for p in projects.project_list(user=user).prefetch_related(
                "work_packages",
                "milestones",
                "status_history",
                "funding__partners__organisation",
                "funding__instrument",
            )
        ],
        "budget_tables": [_budget_table(t) for t in finance.budget_table_list()],
        "statements": [
            {
                "key": s.key,
                "subject": s.subject,
                "value": _decimal(s.value),
                "value_text": s.value_text,
                "unit": s.unit,
                "quote": s.quote,
                "source": _source(s),
            }
            for s in sources.statement_list()
        ],
        "disagreements": [
            {
                "key": d.key,
                "subject": d.subject,
                "within_rounding": d.within_rounding,
                "statements": [
                    {"value": _decimal(s.value), "value_text": s.value_text, "source": _source(s)}
                    for s in d.statements
                ],
            }
            for d in sources.disagreements()
        ],
    }


def _theme(t: Any) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name_nl,
        "name_en": t.name_en,
        "description": t.description_nl,
        "order": t.order,
        "added_on": _date(t.added_on),
        "added_at_summit": t.added_at.number if t.added_at else None,
        "removed_on": _date(t.removed_on),
        "source": _source(t),
        "subdomains": [
            {"code": s.code, "name": s.name_nl, "name_en": s.name_en, "source": _source(s)}
            for s in t.subdomains.order_by("order", "code")
        ],
        "agenda_items": [
            {"code": i.code, "kind": i.kind, "text": i.text_nl, "status": i.status, "source": _source(i)}
            for i in t.items.order_by("kind", "order", "code")
        ],
    }


def _call(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "instrument": c.instrument.code,
        "name": c.name,
        "kind": c.kind,
        "year": c.year,
        "opens_at": _date(c.opens_at),
        "closes_at": _date(c.closes_at),
        "budget": _money(c.budget),
        "budget_unit": c.budget_unit,
        "budget_approximate": c.budget_approximate,
        "source": _source(c),
        "statistics": [
            {
                "scope": s.scope,
                "submitted_count": s.submitted_count,
                "submitted_cost": _money(s.submitted_cost),
                "requested_amount": _money(s.requested_amount),
                "granted_count": s.granted_count,
                "granted_amount": _money(s.granted_amount),
                "unit": s.unit,
                "approximate": s.approximate,
                "participants": s.participants,
                "note": s.note,
                "source": _source(s),
            }
            for s in c.statistics.all()
        ],
    }


def _project(p: Any) -> dict[str, Any]:
    return {
        "acronym": p.acronym,
        "slug": p.slug,
        "title": p.title,
        "summary": p.summary,
        "status": p.status,
        "themes": sorted(t.code for t in p.themes.all()),
        "instrument": p.instrument.code if p.instrument else None,
        "call": p.call.code if p.call else None,
        "start_date": _date(p.start_date),
        "end_date": _date(p.end_date),
        "total_cost": _money(p.total_cost),
        "cost_unit": p.cost_unit,
        "trl": p.trl,
        "is_public": p.is_public,
        "source": _source(p),
        "partners": [
            {
                "organisation": pa.organisation.name,
                "role": pa.role,
                "country": str(pa.country) or None,
                "source": _source(pa),
            }
            for pa in p.partners.all()
        ],
        "work_packages": [
            {
                "number": w.number,
                "title": w.title,
                "budget": _money(w.budget),
                "share": _money(w.share),
                "start_date": _date(w.start_date),
                "end_date": _date(w.end_date),
                "source": _source(w),
            }
            for w in sorted(p.work_packages.all(), key=lambda w: w.number)
        ],
        "milestones": [
            {"title": m.title, "due_date": _date(m.due_date), "target": m.target, "source": _source(m)}
            for m in sorted(p.milestones.all(), key=lambda m: m.pk)
        ],
        "funding": [
            {
                "source": f.source,
                "source_kind": f.source_kind,
                "instrument": f.instrument.code if f.instrument else None,
                "amount": _money(f.amount),
                "unit": f.unit,
                "share": _money(f.share),
                "basis": f.basis,
                "basis_amount": _money(f.basis_amount),
                "status": f.status,
                "partners": sorted(pa.organisation.name for pa in f.partners.all()),
                "provenance": _source(f),
            }
            for f in sorted(p.funding.all(), key=lambda f: f.source)
        ],
        "status_history": [
            {
                "status": s.status,
                "date": _date(s.date),
                "date_text": s.date_text,
                "kind": s.kind,
                "body": s.body,
                "note": s.note,
                "source": _source(s),
            }
            for s in sorted(p.status_history.all(), key=lambda s: s.pk)
        ],
    }


def _budget_table(t: Any) -> dict[str, Any]:
    return {
        "code": t.code,
        "title": t.title,
        "programme": t.programme.code if t.programme else None,
        "unit": t.unit,
        "rounded_to": _decimal(t.rounded_to),
        "columns": t.columns,
        "note": t.note,
        "source": _source(t),
        "rows": [
            {
                "key": r["key"],
                "label": r["label"],
                "group": r["group"],
                "is_total": r["is_total"],
                "values": {
                    k: {"value": _decimal(c.value), "text": c.value_text} for k, c in r["cells"].items()
                },
            }
            for r in finance.budget_table_grid(t)
        ],
    }
