"""Mapping profiles: which source field fills which field of our organisations, projects, partners,
calls, instruments, funders, funding contributions and people, and how the values are read.

A profile is a YAML file (docs/imports.md describes the format). Profiles for known sources are
versioned in imports/profiles/; an officer may upload another one. `load_profile` reads and checks a
profile and refuses it with every problem listed; nothing is imported with a profile that is not valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")

FORMATS = ("csv", "json", "xlsx")
PARSERS = (
    "text",
    "money",
    "decimal",
    "integer",
    "percent",
    "date",
    "datetime",
    "boolean",
    "country",
    "nuts",
    "org_id",
    "slug",
    "url",
    "email",
    "year",
)
MERGES = ("first", "min", "max", "sum", "longest")


@dataclass(frozen=True)
class Target:
    """A field of one of our models the importer may fill: its parser, length and whether it is
    required, and whether it holds personal data."""

    parse: str = "text"
    max_length: int | None = None
    required: bool = False
    choices: tuple[str, ...] = ()
    personal: bool = False


ORG_KINDS = ("company", "sme", "knowledge", "government", "cluster", "network", "other")
UNITS = ("EUR", "kEUR", "MEUR", "BEUR")

TARGETS: dict[str, dict[str, Target]] = {
    "funder": {
        "name": Target(max_length=255, required=True),
        "country": Target(parse="country"),
        "level": Target(choices=("eu", "national", "regional", "provincial", "private"), required=True),
        "registration": Target(parse="org_id"),
    },
    "instrument": {
        "code": Target(parse="slug", max_length=60, required=True),
        "name": Target(max_length=255, required=True),
        "short_name": Target(max_length=60),
        "kind": Target(
            choices=("programme", "programme_line", "fund", "grant_scheme", "fellowship", "other"),
            required=True,
        ),
        "parent": Target(parse="slug", max_length=60),
        "description": Target(),
        "period_text": Target(max_length=100),
        "website": Target(parse="url", max_length=200),
    },
    "call": {
        "code": Target(parse="slug", max_length=80, required=True),
        "name": Target(max_length=255, required=True),
        "kind": Target(choices=("one_step", "two_step", "tender_round", "continuous", "unknown")),
        "year": Target(parse="year"),
        "opens_at": Target(parse="datetime"),
        "closes_at": Target(parse="datetime"),
        "budget": Target(parse="money"),
        "budget_unit": Target(choices=UNITS),
        "description": Target(),
    },
    "project": {
        "acronym": Target(max_length=60, required=True),
        "title": Target(max_length=300, required=True),
        "summary": Target(),
        "status": Target(
            choices=(
                "idea",
                "registered",
                "preselected",
                "not_preselected",
                "submitted",
                "in_revision",
                "approved",
                "rejected",
                "running",
                "closed",
                "withdrawn",
            )
        ),
        "start_date": Target(parse="date"),
        "end_date": Target(parse="date"),
        "total_cost": Target(parse="money"),
        "cost_unit": Target(max_length=5),
        "trl": Target(max_length=20),
        "website": Target(parse="url", max_length=200),
        "is_public": Target(parse="boolean"),
    },
    "organisation": {
        "name": Target(max_length=255, required=True),
        "short_name": Target(max_length=60),
        "kind": Target(choices=ORG_KINDS),
        "country": Target(parse="country"),
        "region": Target(max_length=120),
        "city": Target(max_length=120),
        "website": Target(parse="url", max_length=200),
        "description": Target(),
        "registration": Target(parse="org_id"),
    },
    "partner": {
        "role": Target(choices=("lead", "coordinator", "partner", "associated")),
        "country": Target(parse="country"),
    },
    "funding": {
        "source": Target(max_length=200, required=True),
        "source_kind": Target(choices=("eu_fund", "government", "own", "other"), required=True),
        "amount": Target(parse="money"),
        "unit": Target(max_length=5),
        "share": Target(parse="percent"),
        "basis": Target(max_length=300),
        "basis_amount": Target(parse="money"),
        "status": Target(choices=("granted", "requested", "planned")),
        "note": Target(),
    },
    "person": {
        "name": Target(max_length=200, required=True, personal=True),
        "function": Target(max_length=255),
        "email": Target(parse="email", max_length=254, personal=True),
        "phone": Target(personal=True),
    },
}

#: Entities a row may describe, in the order they are resolved (each may refer to those before it).
ENTITY_ORDER = ("funder", "instrument", "call", "project", "organisation", "partner", "funding", "person")


class ProfileError(ValueError):
    """A profile that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldSpec:
    """How one field is filled: from a column (or JSON path), a fixed value or a template; then read
    with a parser, translated with a code map or patterns, and merged across rows."""

    name: str
    column: str | None = None
    value: Any = None
    template: str | None = None
    parse: str = "text"
    map: dict[str, Any] | None = None
    map_ignore_case: bool = True
    patterns: tuple[tuple[re.Pattern[str], Any], ...] = ()
    default: Any = None
    required: bool = False
    empty: tuple[str, ...] = ()
    merge: str = "first"
    on_invalid: str = "error"
    formats: tuple[str, ...] = ()
    scheme: str | None = None
    fraction: bool = False
    shorten: bool = False
    personal: bool = False
    country: str | None = None  # for nuts: the country the region names belong to (a code or a field)
    corrections: dict[str, Any] | None = None  # source values replaced before reading (each use reported)

    def columns(self) -> list[str]:
        cols: list[str] = []
        if self.column:
            cols.append(self.column)
        if self.template:
            cols.extend(TEMPLATE_FIELD.findall(self.template))
        return cols


TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class EntitySpec:
    kind: str
    fields: dict[str, FieldSpec]
    key: tuple[str, ...] = ()
    extra: dict[str, FieldSpec] = field(default_factory=dict)
    reference_only: bool = False
    when_missing: str = "error"  # error | skip: a row without this entity's required values
    for_partner: bool = False  # funding: the contribution covers the row's partner
    end_before_start: str = "error"  # project: error | drop_end (keep the start, leave the end empty)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    description: str
    format: str
    namespace: str
    record_key: tuple[str, ...]
    entities: dict[str, EntitySpec]
    encoding: str = "utf-8"
    delimiter: str = ","
    records: str = ""
    sheet: str | None = None
    decimal: str = "auto"
    document: str = ""
    record_label: str = "row"
    text: str = ""
    shipped: bool = False

    def columns(self) -> list[str]:
        """Every column (or JSON path) the profile reads, in profile order."""
        seen: dict[str, None] = dict.fromkeys(self.record_key)
        for entity in self.entities.values():
            for col in entity.key:
                seen.setdefault(col, None)
            for spec in [*entity.fields.values(), *entity.extra.values()]:
                for col in spec.columns():
                    seen.setdefault(col, None)
                if spec.country and spec.country not in entity.fields and len(spec.country) != 2:
                    seen.setdefault(spec.country, None)
        return list(seen)

    def required_columns(self) -> list[str]:
        """The columns without which no record can be imported: the keys and required fields."""
        cols: dict[str, None] = dict.fromkeys(self.record_key)
        for entity in self.entities.values():
            cols.update(dict.fromkeys(entity.key))
            if entity.when_missing == "skip":
                continue
            for spec in entity.fields.values():
                if spec.required and spec.default is None:
                    cols.update(dict.fromkeys(spec.columns()))
        return list(cols)

    def personal_fields(self) -> list[str]:
        return [
            f"{kind}.{name}"
            for kind, entity in self.entities.items()
            for name, spec in entity.fields.items()
            if TARGETS[kind][name].personal
        ]


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _field(kind: str, name: str, raw: Any, problems: list[str], *, extra: bool = False) -> FieldSpec | None:
    where = f"{kind}.{name}"
    if not extra and name not in TARGETS[kind]:
        problems.append(
            _("%(where)s: %(kind)s has no field %(name)s (fields: %(fields)s).")
            % {"where": where, "kind": kind, "name": name, "fields": ", ".join(TARGETS[kind])}
        )
        return None
    target = TARGETS[kind].get(name, Target())
    if not isinstance(raw, dict):
        raw = {"column": raw} if isinstance(raw, str) else {"value": raw}
    known = set(FieldSpec.__dataclass_fields__) - {"name"}
    for key in raw:
        if key not in known:
            problems.append(_("%(where)s: unknown option %(key)s.") % {"where": where, "key": key})
    sources = [k for k in ("column", "value", "template") if raw.get(k) is not None]
    if len(sources) != 1:
        problems.append(_("%(where)s: give exactly one of column, value or template.") % {"where": where})
        return None
    parse = str(raw.get("parse", target.parse))
    if parse not in PARSERS:
        problems.append(
            _("%(where)s: unknown parser %(parse)s (one of %(parsers)s).")
            % {"where": where, "parse": parse, "parsers": ", ".join(PARSERS)}
        )
    merge = str(raw.get("merge", "first"))
    if merge not in MERGES:
        problems.append(
            _("%(where)s: merge must be one of %(merges)s.") % {"where": where, "merges": ", ".join(MERGES)}
        )
    mapping = raw.get("map")
    if mapping is not None and not isinstance(mapping, dict):
        problems.append(_("%(where)s: map must be a mapping of source values to ours.") % {"where": where})
        mapping = None
    patterns: list[tuple[re.Pattern[str], Any]] = []
    for item in raw.get("patterns") or []:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            problems.append(
                _("%(where)s: each pattern is a pair [regular expression, value].") % {"where": where}
            )
            continue
        try:
            patterns.append((re.compile(str(item[0]), re.I), item[1]))
        except re.error as exc:
            problems.append(
                _("%(where)s: invalid pattern %(p)r: %(e)s") % {"where": where, "p": item[0], "e": exc}
            )
    if (
        target.choices
        and mapping is None
        and not patterns
        and raw.get("value") is None
        and not raw.get("template")
    ):
        # a column with our codes directly is allowed, checked per value
        pass
    if target.personal and not raw.get("personal"):
        problems.append(
            _(
                "%(where)s holds personal data: the profile must say so explicitly with personal: true, "
                "or not map it."
            )
            % {"where": where}
        )
    if kind == "person" and name == "phone":
        problems.append(
            _("%(where)s: the directory keeps no phone numbers; leave it out.") % {"where": where}
        )
    on_invalid = str(raw.get("on_invalid", "error"))
    if on_invalid not in {"error", "warn"}:
        problems.append(_("%(where)s: on_invalid must be error or warn.") % {"where": where})
    if parse == "nuts" and not raw.get("country"):
        problems.append(
            _("%(where)s: a NUTS field needs country (a code such as SE, or a field).") % {"where": where}
        )
    return FieldSpec(
        name=name,
        column=str(raw["column"]) if raw.get("column") is not None else None,
        value=raw.get("value"),
        template=str(raw["template"]) if raw.get("template") is not None else None,
        parse=parse,
        map={str(k): v for k, v in mapping.items()} if mapping else None,
        map_ignore_case=bool(raw.get("map_ignore_case", True)),
        patterns=tuple(patterns),
        default=raw.get("default"),
        required=bool(raw.get("required", target.required)),
        empty=_as_list(raw.get("empty")),
        merge=merge,
        on_invalid=on_invalid,
        formats=_as_list(raw.get("formats")),
        scheme=str(raw["scheme"]) if raw.get("scheme") else None,
        fraction=bool(raw.get("fraction", False)),
        shorten=bool(raw.get("shorten", False)),
        personal=bool(raw.get("personal", False)),
        country=str(raw["country"]) if raw.get("country") else None,
        corrections={str(k): v for k, v in raw["corrections"].items()}
        if isinstance(raw.get("corrections"), dict)
        else None,
    )


def profile_from_dict(data: Any, *, text: str = "", shipped: bool = False) -> Profile:
    """A profile from its YAML content, or ProfileError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProfileError([_("A profile is a YAML mapping with name, source, record_key and entities.")])
    name = str(data.get("name", ""))
    if not NAME.match(name):
        problems.append(_("name: use 2-80 lower-case letters, digits and hyphens (e.g. h2020-norway)."))
    source = data.get("source") or {}
    if not isinstance(source, dict):
        problems.append(_("source: a mapping with format and its options."))
        source = {}
    fmt = str(source.get("format", ""))
    if fmt not in FORMATS:
        problems.append(_("source.format must be one of %(formats)s.") % {"formats": ", ".join(FORMATS)})
    encoding = str(source.get("encoding", "utf-8"))
    try:
        "".encode(encoding)
    except LookupError:
        problems.append(_("source.encoding: unknown encoding %(e)s.") % {"e": encoding})
    delimiter = str(source.get("delimiter", ","))
    if fmt == "csv" and len(delimiter) != 1:
        problems.append(_("source.delimiter must be one character."))
    decimal = str((data.get("numbers") or {}).get("decimal", "auto"))
    if decimal not in {"auto", ",", "."}:
        problems.append(_("numbers.decimal must be auto, ',' or '.'."))
    record_key = _as_list(data.get("record_key"))
    if not record_key:
        problems.append(_("record_key: the field(s) that identify a record in the source are required."))
    raw_entities = data.get("entities") or {}
    if not isinstance(raw_entities, dict) or not raw_entities:
        problems.append(_("entities: map at least one of %(kinds)s.") % {"kinds": ", ".join(ENTITY_ORDER)})
        raw_entities = {}
    entities: dict[str, EntitySpec] = {}
    for kind in raw_entities:
        if kind not in TARGETS:
            problems.append(
                _("entities.%(kind)s: unknown entity (one of %(kinds)s).")
                % {"kind": kind, "kinds": ", ".join(ENTITY_ORDER)}
            )
    for kind in ENTITY_ORDER:
        raw = raw_entities.get(kind)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(_("entities.%(kind)s must be a mapping.") % {"kind": kind})
            continue
        fields: dict[str, FieldSpec] = {}
        for fname, fraw in (raw.get("fields") or {}).items():
            spec = _field(kind, str(fname), fraw, problems)
            if spec is not None:
                fields[str(fname)] = spec
        extra: dict[str, FieldSpec] = {}
        for fname, fraw in (raw.get("extra") or {}).items():
            spec = _field(kind, str(fname), fraw, problems, extra=True)
            if spec is not None:
                extra[str(fname)] = spec
        reference_only = bool(raw.get("reference_only", False))
        if not reference_only:
            for tname, target in TARGETS[kind].items():
                if target.required and tname not in fields:
                    problems.append(
                        _("entities.%(kind)s: the required field %(field)s is not mapped.")
                        % {"kind": kind, "field": tname}
                    )
        key = _as_list(raw.get("key"))
        if kind in {"project"} and not key:
            problems.append(_("entities.project.key: the field(s) that identify a project are required."))
        if str(raw.get("end_before_start", "error")) not in {"error", "drop_end"}:
            problems.append(
                _("entities.%(kind)s.end_before_start must be error or drop_end.") % {"kind": kind}
            )
        when_missing = str(raw.get("when_missing", "error"))
        if when_missing not in {"error", "skip"}:
            problems.append(_("entities.%(kind)s.when_missing must be error or skip.") % {"kind": kind})
        entities[kind] = EntitySpec(
            kind=kind,
            fields=fields,
            key=key,
            extra=extra,
            reference_only=reference_only,
            when_missing=when_missing,
            for_partner=bool(raw.get("for_partner", False)),
            end_before_start=str(raw.get("end_before_start", "error")),
        )
    if "partner" in entities and not {"project", "organisation"} <= set(entities):
        problems.append(_("entities.partner needs project and organisation in the same profile."))
    if "funding" in entities and "project" not in entities:
        problems.append(_("entities.funding needs project in the same profile."))
    if "call" in entities and "instrument" not in entities:
        problems.append(_("entities.call needs instrument in the same profile."))
    if problems:
        raise ProfileError(problems)
    label = str(data.get("record_label") or ("record" if fmt == "json" else "row"))
    return Profile(
        name=name,
        title=str(data.get("title", name)),
        description=str(data.get("description", "")),
        format=fmt,
        namespace=str(data.get("namespace") or name),
        record_key=record_key,
        entities=entities,
        encoding=encoding,
        delimiter=delimiter,
        records=str(source.get("records") or ""),
        sheet=str(source["sheet"]) if source.get("sheet") else None,
        decimal=decimal,
        document=str(data.get("document") or ""),
        record_label=label,
        text=text,
        shipped=shipped,
    )


def profile_from_text(text: str, *, shipped: bool = False) -> Profile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError([_("The profile is not valid YAML: %(error)s") % {"error": exc}]) from exc
    return profile_from_dict(data, text=text, shipped=shipped)


def shipped_profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.yaml"))


def load_profile(name: str) -> Profile:
    """A profile shipped with Deltaregio, by name; ProfileError when there is none or it is invalid."""
    if not NAME.match(name) or not (PROFILE_DIR / f"{name}.yaml").is_file():
        raise ProfileError(
            [
                _("There is no profile %(name)s. Profiles: %(names)s.")
                % {"name": name, "names": ", ".join(shipped_profile_names())}
            ]
        )
    text = (PROFILE_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    return profile_from_text(text, shipped=True)


def shipped_profiles() -> list[Profile]:
    return [load_profile(name) for name in shipped_profile_names()]
