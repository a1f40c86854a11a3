"""Writes of the monitoring domain (keyword-only, typed, atomic). A refusal raises MonitoringRefused
with a message in the user's language and the field it is about; nothing is half-saved."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.monitoring import computations
from deltaregio.monitoring.models import (
    Category,
    ClassificationScheme,
    CrosswalkRule,
    Framework,
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    IndicatorUnit,
    Measurement,
    Method,
    Moment,
    MonitoringReport,
    ProjectCategory,
    Selection,
    Target,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
INDICATORS_FILE = DATA_DIR / "indicators.yaml"
CLASSIFICATION_FILE = DATA_DIR / "classification.yaml"


class MonitoringRefused(ValueError):
    def __init__(self, message: str, *, field: str = "", code: str = "invalid", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status


# --- indicators and targets ----------------------------------------------------------------------------


def _check_choice(value: str, choices: Any, name: str) -> None:
    if value not in choices.values:
        raise MonitoringRefused(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": name, "choices": ", ".join(choices.values)},
            field=name,
        )


def _check_indicator(indicator: Indicator) -> None:
    _check_choice(indicator.unit, IndicatorUnit, "unit")
    _check_choice(indicator.kind, IndicatorKind, "kind")
    _check_choice(indicator.level, IndicatorLevel, "level")
    _check_choice(indicator.method, Method, "method")
    _check_choice(indicator.moment, Moment, "moment")
    _check_choice(indicator.framework, Framework, "framework")
    if not indicator.code.strip():
        raise MonitoringRefused(_("An indicator needs a code."), field="code")
    if indicator.method == Method.COMPUTED:
        computation = computations.get(indicator.computation)
        if computation is None:
            raise MonitoringRefused(
                _("There is no computation %(code)r; known are: %(known)s.")
                % {"code": indicator.computation, "known": ", ".join(sorted(computations.REGISTRY))},
                field="computation",
            )
        if computation.unit != indicator.unit:
            raise MonitoringRefused(
                _("The computation %(code)s gives %(unit)s, not %(wanted)s.")
                % {"code": computation.code, "unit": computation.unit, "wanted": indicator.unit},
                field="unit",
            )
    elif indicator.computation:
        raise MonitoringRefused(_("Only a computed indicator names a computation."), field="computation")
    if indicator.period_start and indicator.period_end and indicator.period_end < indicator.period_start:
        raise MonitoringRefused(_("The period ends before it starts."), field="period_end")


INDICATOR_FIELDS = [
    *("name_nl", "name_en", "definition_nl", "definition_en", "framework", "unit", "kind", "level"),
    *("method", "computation", "moment", "period_start", "period_end", "baseline_value", "baseline_year"),
    *("project", "instrument", "theme", "is_published", "order", "source_document", "source_location"),
]


@transaction.atomic
def indicator_save(*, code: str, values: dict[str, Any], user: Any = None) -> Indicator:
    """Create or change an indicator (officers). `values` holds any of INDICATOR_FIELDS."""
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise MonitoringRefused(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    indicator = Indicator.objects.filter(code=code).first() or Indicator(code=code)
    for name, value in values.items():
        setattr(indicator, name, value)
    _check_indicator(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def target_add(
    *,
    indicator: Indicator,
    year: int,
    value: Decimal,
    source_document: str = "",
    source_location: str = "",
    value_text: str = "",
    quote: str = "",
    recurring: bool = False,
    note: str = "",
) -> Target:
    """A target for a year of the indicator's period. A year outside it is refused."""
    years = indicator.years
    if years is None:
        raise MonitoringRefused(
            _("Indicator %(code)s has no period, so no year of it is known; set its period first.")
            % {"code": indicator.code},
            field="year",
        )
    if year not in years:
        raise MonitoringRefused(
            _("%(year)s is not a year of indicator %(code)s, whose period is %(first)s–%(last)s.")
            % {"year": year, "code": indicator.code, "first": years.start, "last": years.stop - 1},
            field="year",
        )
    target, _created = Target.objects.update_or_create(
        indicator=indicator,
        year=year,
        source_document=source_document,
        source_location=source_location,
        defaults={
            "value": value,
            "value_text": value_text,
            "quote": quote,
            "recurring": recurring,
            "note": note,
        },
    )
    return target


# --- measurements -------------------------------------------------------------------------------------


def _unit_label(unit: str) -> str:
    try:
        return str(IndicatorUnit(unit).label)
    except ValueError:
        return unit


def _conflict_text(entered: Measurement, computed: Measurement | None) -> str:
    if computed is None or computed.value == entered.value:
        return ""
    return _("Differs from the value computed from the platform's records: %(value)s on %(date)s.") % {
        "value": computed.value,
        "date": computed.date.isoformat(),
    }


def _computed_for(indicator: Indicator, project: Any, date: dt.date) -> Measurement | None:
    """The computed measurement an entered one is compared with: the same scope, on or before its date,
    or else the first after it."""
    qs = Measurement.objects.filter(indicator=indicator, origin=Method.COMPUTED, project=project)
    return qs.filter(date__lte=date).order_by("-date").first() or qs.order_by("date").first()


@transaction.atomic
def measurement_enter(
    *,
    user: Any,
    indicator: Indicator,
    date: dt.date,
    value: Decimal,
    unit: str,
    project: Any = None,
    source: str = "",
    note: str = "",
) -> Measurement:
    """An entered measurement. Refused: a user who may not enter it (officers for everything, partners
    for their own project), a unit other than the indicator's, a date outside the indicator's period, a
    second measurement for the same moment. One that contradicts a computed value is kept and flagged.
    An indicator of one project is measured for that project."""
    if indicator.project_id is not None:
        if project is None:
            project = indicator.project
        elif project.pk != indicator.project_id:
            raise MonitoringRefused(
                _("Indicator %(code)s is about %(project)s only.")
                % {"code": indicator.code, "project": indicator.project.acronym},  # type: ignore[union-attr]
                field="project",
            )
    if not user.has_perm("monitoring.enter_measurement", project):
        raise MonitoringRefused(
            _("You may not enter measurements for this project.")
            if project is not None
            else _("Only programme officers enter measurements for the whole programme."),
            code="forbidden",
            status=403,
        )
    if not user.has_perm("monitoring.manage_indicator") and indicator.level != IndicatorLevel.PROJECT:
        raise MonitoringRefused(
            _("Indicator %(code)s is measured at %(level)s level; only programme officers enter it.")
            % {"code": indicator.code, "level": indicator.get_level_display()},
            code="forbidden",
            status=403,
        )
    if unit != indicator.unit:
        raise MonitoringRefused(
            _("Indicator %(code)s is measured in %(unit)s; this value is in %(given)s.")
            % {"code": indicator.code, "unit": _unit_label(indicator.unit), "given": _unit_label(unit)},
            field="unit",
        )
    if (indicator.period_start and date < indicator.period_start) or (
        indicator.period_end and date > indicator.period_end
    ):
        raise MonitoringRefused(
            _("%(date)s is outside the period of indicator %(code)s (%(start)s – %(end)s).")
            % {
                "date": date.isoformat(),
                "code": indicator.code,
                "start": indicator.period_start.isoformat() if indicator.period_start else "…",
                "end": indicator.period_end.isoformat() if indicator.period_end else "…",
            },
            field="date",
        )
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MonitoringRefused(_("The value is not a number."), field="value") from exc
    if Measurement.objects.filter(
        indicator=indicator, project=project, date=date, origin=Method.ENTERED
    ).exists():
        raise MonitoringRefused(
            _("Indicator %(code)s already has an entered measurement on %(date)s%(scope)s.")
            % {
                "code": indicator.code,
                "date": date.isoformat(),
                "scope": (_(" for %(project)s") % {"project": project.acronym}) if project else "",
            },
            field="date",
            code="duplicate",
        )
    measurement = Measurement(
        indicator=indicator,
        project=project,
        date=date,
        value=value,
        unit=unit,
        origin=Method.ENTERED,
        note=note,
        entered_by=user if getattr(user, "pk", None) else None,
        source_document=source or _("entered on the platform"),
    )
    measurement.conflict = _conflict_text(measurement, _computed_for(indicator, project, date))
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError as exc:  # a parallel entry won the race
        raise MonitoringRefused(
            _("Indicator %(code)s already has an entered measurement on %(date)s.")
            % {"code": indicator.code, "date": date.isoformat()},
            field="date",
            code="duplicate",
        ) from exc
    return measurement


def _reflag(indicator: Indicator) -> None:
    entered = Measurement.objects.filter(indicator=indicator, origin=Method.ENTERED).select_related("project")
    for measurement in entered:
        text = _conflict_text(measurement, _computed_for(indicator, measurement.project, measurement.date))
        if text != measurement.conflict:
            measurement.conflict = text
            measurement.save(update_fields=["conflict"])


@dataclass
class RecomputeResult:
    computed: dict[str, str] = field(default_factory=dict)
    at: dt.datetime | None = None


def indicators_recompute(*, codes: list[str] | None = None, today: dt.date | None = None) -> RecomputeResult:
    """Compute every computed indicator (or those of `codes`) from the platform's records, store the
    value as today's computed measurement, note when, and flag entered measurements that contradict it."""
    now = timezone.now()
    day = today or timezone.localdate()
    result = RecomputeResult(at=now)
    qs = Indicator.objects.filter(method=Method.COMPUTED).select_related("project")
    if codes:
        qs = qs.filter(code__in=codes)
    for indicator in qs:
        computation = computations.get(indicator.computation)
        if computation is None:
            continue
        value = computation.compute(indicator.project)
        with transaction.atomic():
            current = Measurement.objects.filter(
                indicator=indicator, project=indicator.project, date=day, origin=Method.COMPUTED
            ).first()
            if current is None:
                Measurement.objects.create(
                    indicator=indicator,
                    project=indicator.project,
                    date=day,
                    origin=Method.COMPUTED,
                    value=value,
                    unit=indicator.unit,
                    source_document=f"computed: {computation.code}",
                    source_location=now.isoformat(timespec="seconds"),
                )
            elif current.value != value:
                current.value = value
                current.source_location = now.isoformat(timespec="seconds")
                current.save(update_fields=["value", "source_location"])
            Indicator.objects.filter(pk=indicator.pk).update(last_computed_at=now)
            _reflag(indicator)
        result.computed[indicator.code] = str(value)
    return result


# --- the reference data set -----------------------------------------------------------------------------


@dataclass
class LoadResult:
    indicators_created: int = 0
    indicators_updated: int = 0
    targets: int = 0
    errors: list[str] = field(default_factory=list)


class LoadError(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("; ".join(result.errors))
        self.result = result


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def indicators_load(*, path: Path = INDICATORS_FILE, dry_run: bool = False) -> LoadResult:
    """Load the indicators and targets of the reference data set (all or nothing; twice changes
    nothing). Indicators an officer added on the platform are left alone."""
    from deltaregio.agenda.models import Theme
    from deltaregio.funding.models import Instrument
    from deltaregio.projects.models import Project

    result = LoadResult()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        with transaction.atomic():
            for i, record in enumerate(data.get("indicators") or []):
                where = f"{path.name}, indicators[{i}] ({record.get('code')})"
                try:
                    values: dict[str, Any] = {
                        "name_nl": record["name"],
                        "name_en": record["name_en"],
                        "definition_nl": record.get("definition", ""),
                        "definition_en": record.get("definition_en", ""),
                        "framework": record["framework"],
                        "unit": record["unit"],
                        "kind": record["kind"],
                        "level": record["level"],
                        "method": record.get("method", Method.ENTERED),
                        "computation": record.get("computation", ""),
                        "moment": record["moment"],
                        "period_start": _date(record.get("period_start")),
                        "period_end": _date(record.get("period_end")),
                        "baseline_value": (
                            Decimal(str(record["baseline"])) if record.get("baseline") is not None else None
                        ),
                        "baseline_year": record.get("baseline_year"),
                        "is_published": record.get("published", True),
                        "order": i,
                        "source_document": record.get("document", ""),
                        "source_location": record.get("source", ""),
                        "project": Project.objects.get(acronym=record["project"])
                        if record.get("project")
                        else None,
                        "instrument": Instrument.objects.get(code=record["programme"])
                        if record.get("programme")
                        else None,
                        "theme": Theme.objects.get(code=record["theme"]) if record.get("theme") else None,
                    }
                    existing = Indicator.objects.filter(code=record["code"]).first()
                    changed = existing is None or any(
                        getattr(existing, name) != value for name, value in values.items()
                    )
                    if changed:
                        indicator = indicator_save(code=record["code"], values=values)
                        if existing is None:
                            result.indicators_created += 1
                        else:
                            result.indicators_updated += 1
                    else:
                        indicator = existing  # type: ignore[assignment]
                    for target in record.get("targets") or []:
                        current = Target.objects.filter(
                            indicator=indicator,
                            year=target["year"],
                            source_document=target["document"],
                            source_location=target["source"],
                        ).first()
                        value = Decimal(str(target["value"]))
                        if current and current.value == value and current.quote == target.get("quote", ""):
                            continue
                        target_add(
                            indicator=indicator,
                            year=int(target["year"]),
                            value=value,
                            source_document=target["document"],
                            source_location=target["source"],
                            value_text=target.get("value_text", ""),
                            quote=target.get("quote", ""),
                            recurring=bool(target.get("recurring", False)),
                            note=target.get("note", ""),
                        )
                        result.targets += 1
                except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
                    message = exc.message if isinstance(exc, MonitoringRefused) else repr(exc)
                    result.errors.append(f"{where}: {message}")
                except Exception as exc:  # an unknown project, programme or theme
                    if exc.__class__.__name__ != "DoesNotExist":
                        raise
                    result.errors.append(f"{where}: {exc} (run the reference data set first)")
            if result.errors or dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        result.errors.append(f"{path.name}: {exc}")
    if result.errors:
        raise LoadError(result)
    return result


# --- classification schemes, crosswalks and selections ---------------------------------------------------


@dataclass
class SchemeLoadResult:
    created: int = 0
    unchanged: int = 0
    assignments: int = 0
    rules: int = 0
    selections: int = 0


@transaction.atomic
def scheme_load_csv(*, code: str, name: str, path: Path, source_document: str = "") -> SchemeLoadResult:
    """Load a classification scheme from a CSV file with the columns `code` and `label`; a code's parent
    is the code before its last dot (3.4 is part of 3). Twice changes nothing."""
    result = SchemeLoadResult()
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise MonitoringRefused(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
    if not rows or not {"code", "label"} <= set(rows[0]):
        raise MonitoringRefused(_("The file needs the columns code and label."))
    scheme, _created = ClassificationScheme.objects.update_or_create(
        code=code, defaults={"name": name, "source_document": source_document or path.name}
    )
    known = {c.code: c for c in Category.objects.filter(scheme=scheme)}
    for order, row in enumerate(rows, start=1):
        category_code = (row["code"] or "").strip()
        label = (row["label"] or "").strip()
        if not category_code or not label:
            raise MonitoringRefused(_("Row %(row)s has no code or no label.") % {"row": order + 1})
        parent_code = category_code.rsplit(".", 1)[0] if "." in category_code else ""
        if parent_code and parent_code not in known:
            raise MonitoringRefused(
                _("Row %(row)s: the parent %(parent)s of %(code)s comes later or not at all.")
                % {"row": order + 1, "parent": parent_code, "code": category_code}
            )
        parent = known.get(parent_code) if parent_code else None
        current = known.get(category_code)
        if current and (current.label, current.parent_id, current.order) == (
            label,
            parent.pk if parent else None,
            order,
        ):
            result.unchanged += 1
            continue
        known[category_code], _c = Category.objects.update_or_create(
            scheme=scheme, code=category_code, defaults={"label": label, "parent": parent, "order": order}
        )
        result.created += 1
    classification_apply(result=result)
    return result


def classification_apply(
    *, result: SchemeLoadResult | None = None, path: Path = CLASSIFICATION_FILE
) -> SchemeLoadResult:
    """Apply the shipped classification data to every scheme that is loaded: the reference projects'
    categories, the crosswalk rules for imported data, the saved selections; then classify imported
    projects by the crosswalk. Twice changes nothing."""
    from deltaregio.projects.models import Project

    result = result or SchemeLoadResult()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    with transaction.atomic():
        for scheme_code, block in (data.get("schemes") or {}).items():
            scheme = ClassificationScheme.objects.filter(code=scheme_code).first()
            if scheme is None:
                continue
            categories = {c.code: c for c in Category.objects.filter(scheme=scheme)}
            projects = {
                p.acronym: p for p in Project.objects.filter(acronym__in=list(block.get("projects") or {}))
            }
            document = block.get("document", path.name)
            for acronym, codes in (block.get("projects") or {}).items():
                if acronym not in projects:
                    continue
                for category_code in codes:
                    _obj, created = ProjectCategory.objects.get_or_create(
                        project=projects[acronym],
                        category=categories[str(category_code)],
                        defaults={"source_document": document, "source_location": f"projects.{acronym}"},
                    )
                    result.assignments += int(created)
            for rule in block.get("crosswalks") or []:
                for category_code in rule["categories"]:
                    _rule, created = CrosswalkRule.objects.get_or_create(
                        namespace=rule["namespace"],
                        field=rule["field"],
                        value=str(rule["value"]),
                        category=categories[str(category_code)],
                        defaults={
                            "source_document": document,
                            "source_location": f"crosswalks.{rule['value']}",
                        },
                    )
                    result.rules += int(created)
            for selection in block.get("selections") or []:
                unknown = [c for c in selection["codes"] if str(c) not in categories]
                if unknown:
                    raise MonitoringRefused(
                        _("Selection %(code)s names unknown codes: %(codes)s.")
                        % {"code": selection["code"], "codes": ", ".join(map(str, unknown))}
                    )
                defaults = {
                    "name_nl": selection["name"],
                    "name_en": selection["name_en"],
                    "description_nl": selection.get("description", ""),
                    "description_en": selection.get("description_en", ""),
                    "scheme": scheme,
                    "codes": [str(c) for c in selection["codes"]],
                    "include_subcategories": selection.get("include_subcategories", True),
                }
                current = Selection.objects.filter(code=selection["code"]).first()
                if current is None or any(getattr(current, k) != v for k, v in defaults.items()):
                    Selection.objects.update_or_create(code=selection["code"], defaults=defaults)
                    result.selections += 1
    result.assignments += imports_classify()
    return result


def imports_classify() -> int:
    """Classify the projects imports made by the crosswalk rules (a kept value → categories)."""
    from deltaregio.imports.selectors import imported_records

    made = 0
    rules_by_key: dict[tuple[str, str], list[CrosswalkRule]] = {}
    for rule in CrosswalkRule.objects.all():
        rules_by_key.setdefault((rule.namespace, rule.field), []).append(rule)
    for (namespace, field_name), rules in rules_by_key.items():
        by_value: dict[str, list[CrosswalkRule]] = {}
        for rule in rules:
            by_value.setdefault(rule.value.casefold(), []).append(rule)
        records = imported_records(namespace=namespace, kind="project").values_list("object_id", "extra")
        existing = set(
            ProjectCategory.objects.filter(category__in=[r.category_id for r in rules]).values_list(
                "project_id", "category_id"
            )
        )
        new = []
        for project_id, extra in records:
            value = str((extra or {}).get(field_name) or "").casefold()
            for rule in by_value.get(value, []):
                if (project_id, rule.category_id) in existing:
                    continue
                existing.add((project_id, rule.category_id))
                new.append(
                    ProjectCategory(
                        project_id=project_id,
                        category_id=rule.category_id,
                        source_document=rule.source_document,
                        source_location=f"{namespace}: {field_name} = {rule.value}",
                    )
                )
        ProjectCategory.objects.bulk_create(new, batch_size=1000)
        made += len(new)
    return made


@transaction.atomic
def selection_save(
    *,
    user: Any,
    code: str,
    scheme: ClassificationScheme,
    codes: list[str],
    name_nl: str,
    name_en: str,
    description_nl: str = "",
    description_en: str = "",
    include_subcategories: bool = True,
) -> Selection:
    if not user.has_perm("monitoring.manage_selection"):
        raise MonitoringRefused(_("Only programme officers save selections."), code="forbidden", status=403)
    known = set(Category.objects.filter(scheme=scheme).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        raise MonitoringRefused(
            _("Codes not in %(scheme)s: %(codes)s.")
            % {"scheme": scheme.name, "codes": ", ".join(unknown) or "–"},
            field="codes",
        )
    selection, _created = Selection.objects.update_or_create(
        code=code,
        defaults={
            "scheme": scheme,
            "codes": codes,
            "name_nl": name_nl,
            "name_en": name_en,
            "description_nl": description_nl,
            "description_en": description_en,
            "include_subcategories": include_subcategories,
            "created_by": user,
        },
    )
    return selection


# --- monitoring reports -----------------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *, user: Any, period_start: dt.date, period_end: dt.date, language: str, meeting: str = ""
) -> MonitoringReport:
    """Ask for a monitoring report of a period; it is generated in the background (inline without a
    broker) and kept as it was generated."""
    if not user.has_perm("monitoring.request_report"):
        raise MonitoringRefused(_("Only programme officers generate reports."), code="forbidden", status=403)
    if period_end < period_start:
        raise MonitoringRefused(_("The period ends before it starts."), field="period_end")
    if language not in ("nl", "en"):
        raise MonitoringRefused(_("The language must be nl or en."), field="language")
    from django.utils import translation

    with translation.override(language):
        title = _("Monitoring report %(start)s – %(end)s") % {
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
        }
    report = MonitoringReport.objects.create(
        title=title,
        meeting=meeting,
        period_start=period_start,
        period_end=period_end,
        language=language,
        requested_by=user,
    )
    from deltaregio.monitoring.tasks import generate_report

    report_id = report.pk
    transaction.on_commit(lambda: generate_report.delay(report_id))
    return report


def report_generate(*, report_id: int) -> MonitoringReport:
    from deltaregio.monitoring import reports

    report = MonitoringReport.objects.get(pk=report_id)
    if report.status == MonitoringReport.Status.DONE:
        return report  # kept as generated: never regenerated
    try:
        figures, pdf, xlsx = reports.build(report)
    except Exception as exc:
        MonitoringReport.objects.filter(pk=report_id).update(
            status=MonitoringReport.Status.FAILED, error=repr(exc), finished_at=timezone.now()
        )
        raise
    MonitoringReport.objects.filter(pk=report_id).update(
        status=MonitoringReport.Status.DONE, figures=figures, pdf=pdf, xlsx=xlsx, finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report
