"""Reading one field of one record as a profile says: its raw value (a column, a fixed value or a
template), code maps and patterns, the parser, the checks against the target model's field — every
problem reported on the record's row and field. What a field gave for a raw value is remembered for
the rest of the import where reading it left no trace in the report (FieldMemo).

engine.plan_import calls `evaluate` for every field of every record."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from deltaregio.imports import parsers
from deltaregio.imports.codes import nuts_code, parse_country, parse_org_id
from deltaregio.imports.profiles import TARGETS, FieldSpec, Profile
from deltaregio.imports.readers import MISSING, Problem, Source, SourceRecord, get_value

if TYPE_CHECKING:
    from deltaregio.imports.engine import Report

CURRENCY = re.compile(r"^[A-Z]{3}$")
UNITS = {"EUR", "kEUR", "MEUR", "BEUR"}


class Empty:
    """No value (distinct from None so that 'absent' and 'parsed to nothing' stay apart)."""


def key_part(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class FieldMemo:
    """The values one field gave for the raw values seen so far in this import, kept only where reading
    the value said nothing: no problem, no rounding, no correction. Most columns repeat a few values
    (codes, dates, countries, organisations), and reading one is the costly part of a row's check.

    A column whose values hardly repeat (amounts) stops being remembered after MEMO_TRIAL values; any
    column stops growing at MEMO_LIMIT values, so the memory stays bounded whatever the file's size."""

    __slots__ = ("enabled", "hits", "values")

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}
        self.hits = 0
        self.enabled = True

    def keep(self, key: Any, value: Any) -> None:
        size = len(self.values)
        if size == MEMO_TRIAL and self.hits < size:  # fewer repeats than values: not worth keeping
            self.enabled = False
            self.values = {}
        elif size < MEMO_LIMIT:
            self.values[key] = value


MEMO_TRIAL = 10_000
MEMO_LIMIT = 100_000
_NOT_KEPT = object()


class RowContext:
    """Values of one record while it is being checked."""

    __slots__ = ("errors", "memos", "profile", "record", "report", "source")

    def __init__(
        self,
        record: SourceRecord,
        source: Source,
        report: Report,
        profile: Profile,
        memos: dict[int, FieldMemo] | None = None,
    ) -> None:
        self.record = record
        self.source = source
        self.report = report
        self.profile = profile
        self.errors = 0
        self.memos = memos

    def problem(self, column: str, message: str, severity: str = "error") -> None:
        if severity == "error":
            self.errors += 1
        self.report.problems.append(Problem(self.record.location, column, message, severity))


def _raw_value(spec: FieldSpec, ctx: RowContext) -> Any:
    values = ctx.record.values
    if spec.value is not None:
        return spec.value
    if spec.template is not None:
        parts: list[str] = []
        any_value = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal any_value
            value = get_value(values, match.group(1))
            text = key_part(value)
            if text and text.lower() not in _empty_texts(spec.empty):
                any_value = True
            parts.append(text)
            return text

        result = parsers.clean_text(re.sub(r"\{([^{}]+)\}", substitute, spec.template))
        return result if any_value else Empty
    value = get_value(values, spec.column or "")
    return Empty if value is MISSING else value


def _map_value(spec: FieldSpec, raw: Any, ctx: RowContext, where: str) -> Any:
    if spec.map is None and not spec.patterns:
        return raw
    text = parsers.clean_text(raw) if not isinstance(raw, (int, float, Decimal)) else str(raw)
    if spec.map is not None:
        if text in spec.map:
            return spec.map[text]
        if spec.map_ignore_case:
            lowered = {k.lower(): v for k, v in spec.map.items()}
            if text.lower() in lowered:
                return lowered[text.lower()]
    for pattern, value in spec.patterns:
        if pattern.search(text):
            return value
    if spec.default is not None:
        return spec.default
    known = ", ".join(list(spec.map or {})[:12])
    ctx.problem(
        spec.column or spec.name,
        _("%(where)s: %(value)r is not in the profile's code list%(known)s.")
        % {"where": where, "value": text, "known": f" ({known})" if known else ""},
        spec.on_invalid if spec.on_invalid == "warn" else "error",
    )
    return Empty


def _aware(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _parse(spec: FieldSpec, kind: str, value: Any, ctx: RowContext, entity_values: dict[str, Any]) -> Any:
    decimal = ctx.profile.decimal
    parse = spec.parse
    formats = list(spec.formats) or None
    if parse == "text":
        return parsers.clean_text(value)
    if parse == "money":
        money = parsers.parse_money(value, decimal=decimal)
        if money.rounding:
            ctx.report.rounded += 1
            if money.rounding_reported and len(ctx.report.rounding_reported) < 500:
                ctx.report.rounding_reported.append(
                    {
                        "location": ctx.record.location,
                        "field": spec.column or spec.name,
                        "value": str(value),
                        "rounded": str(money.amount),
                    }
                )
            if money.rounding_reported:
                ctx.problem(
                    spec.column or spec.name,
                    _("%(value)s was rounded to %(rounded)s: more than a tenth of a cent.")
                    % {"value": value, "rounded": money.amount},
                    "warning",
                )
        return money.amount
    if parse == "decimal":
        return parsers.parse_decimal(value, decimal=decimal)
    if parse == "integer":
        return parsers.parse_integer(value, decimal=decimal)
    if parse == "year":
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year
        year = (
            parsers.parse_integer(value, decimal=decimal)
            if not isinstance(value, str) or value.strip().isdigit()
            else None
        )
        if year is None:
            year = parsers.parse_date(value, formats=formats).year
        if not 1900 <= year <= 2200:
            raise parsers.ParseError(_("%(value)r is not a plausible year.") % {"value": value})
        return year
    if parse == "percent":
        return parsers.parse_percent(value, decimal=decimal, fraction=spec.fraction)
    if parse == "date":
        return parsers.parse_date(value, formats=formats)
    if parse == "datetime":
        return _aware(parsers.parse_datetime(value, formats=formats))
    if parse == "boolean":
        return parsers.parse_boolean(value)
    if parse == "country":
        return parse_country(value)
    if parse == "org_id":
        text = parsers.clean_text(value)
        if spec.scheme:
            number = re.sub(r"[\s.\-/]", "", text)
            country = spec.scheme.split("-")[0]
            if len(country) == 2 and number.upper().startswith(country) and not number[2:3].isalpha():
                number = number[2:]
            if not number:
                raise parsers.ParseError(_("%(value)r is not a registration number.") % {"value": value})
            return (spec.scheme, number)
        return parse_org_id(text)
    if parse == "slug":
        slug = slugify(str(value))
        if not slug:
            raise parsers.ParseError(_("%(value)r gives no code (letters and digits).") % {"value": value})
        return slug
    if parse == "url":
        text = parsers.clean_text(value)
        if text.lower().startswith("www."):
            text = "http://" + text
        try:
            URLValidator()(text)
        except ValidationError as exc:
            raise parsers.ParseError(_("%(value)r is not a web address.") % {"value": value}) from exc
        return text
    if parse == "email":
        text = parsers.clean_text(value)
        try:
            EmailValidator()(text)
        except ValidationError as exc:
            raise parsers.ParseError(_("%(value)r is not an e-mail address.") % {"value": value}) from exc
        return text
    if parse == "nuts":
        name = parsers.clean_text(value)
        country = spec.country or ""
        if len(country) != 2:
            country = str(entity_values.get(country) or "")
        code = nuts_code(name, country=country)
        if code:
            ctx.report.nuts_resolved[name] = code
        elif name not in ctx.report.nuts_unknown and len(ctx.report.nuts_unknown) < 200:
            ctx.report.nuts_unknown.append(name)
        return (name, code)
    raise parsers.ParseError(f"unknown parser {parse}")  # pragma: no cover - profiles are checked


@functools.cache
def _empty_texts(empty: tuple[str, ...]) -> frozenset[str]:
    return frozenset(e.lower() for e in empty)


def _memo_key(spec: FieldSpec, ctx: RowContext) -> Any:
    """The raw value the field's value depends on alone, or _NOT_KEPT when it depends on more or
    leaves a trace in the report that a remembered value would skip: a template of several columns, a
    formula cell of a spreadsheet, a correction (each is counted with its place), a NUTS name (the
    report keeps the code each name was read as), or a raw value that cannot be a key (a list or
    object of a JSON record)."""
    if spec.template is not None or spec.parse == "nuts" or ctx.source.formula_cells:
        return _NOT_KEPT
    raw = spec.value if spec.value is not None else get_value(ctx.record.values, spec.column or "")
    if raw is MISSING or raw is None:
        return raw
    if spec.corrections and str(raw).strip() in spec.corrections:
        return _NOT_KEPT
    if spec.value is not None:
        return MISSING  # a fixed value: one key
    kind = type(raw)
    if kind is str:
        return raw
    if kind is int or kind is bool:
        return (kind, raw)  # 1, 1.0 and True may read differently
    if kind is float:
        return (kind, repr(raw))  # and so may 0.0 and -0.0, which are equal
    return _NOT_KEPT


def evaluate(spec: FieldSpec, kind: str, ctx: RowContext, entity_values: dict[str, Any]) -> Any:
    """The value of one field for the current record, or Empty; problems go to the report."""
    memos = ctx.memos
    if memos is None:
        return _evaluate(spec, kind, ctx, entity_values)
    memo = memos.get(id(spec))
    if memo is None:
        memo = memos[id(spec)] = FieldMemo()
    if not memo.enabled:
        return _evaluate(spec, kind, ctx, entity_values)
    key = _memo_key(spec, ctx)
    if key is _NOT_KEPT:
        return _evaluate(spec, kind, ctx, entity_values)
    value = memo.values.get(key, _NOT_KEPT)
    if value is not _NOT_KEPT:
        memo.hits += 1
        return value
    report = ctx.report
    problems, rounded, errors = len(report.problems), report.rounded, ctx.errors
    value = _evaluate(spec, kind, ctx, entity_values)
    if len(report.problems) == problems and report.rounded == rounded and ctx.errors == errors:
        memo.keep(key, value)
    return value


def _evaluate(spec: FieldSpec, kind: str, ctx: RowContext, entity_values: dict[str, Any]) -> Any:
    where = f"{kind}.{spec.name}"
    column = spec.column or (spec.template or spec.name)
    raw = _raw_value(spec, ctx)
    formula_cells = ctx.source.formula_cells
    if isinstance(raw, str):
        if (formula_cells and (ctx.record.number, spec.column) in formula_cells) or (
            spec.value is None and parsers.looks_like_formula(raw)
        ):
            ctx.problem(
                column,
                _(
                    "%(where)s: %(value)r would run as a formula in a spreadsheet (it starts with =, +, -, "
                    "@); "
                    "such values are refused."
                )
                % {"where": where, "value": raw[:60]},
            )
            return Empty
        raw = raw.strip()
        if not raw or (spec.empty and raw.lower() in _empty_texts(spec.empty)):
            raw = Empty
    elif raw is None:
        raw = Empty
    elif spec.column and formula_cells and (ctx.record.number, spec.column) in formula_cells:
        ctx.problem(
            column, _("%(where)s: the cell holds a formula; enter the value instead.") % {"where": where}
        )
        return Empty
    if raw is Empty:
        if spec.default is not None:
            return spec.default
        return Empty
    if spec.corrections and str(raw) in spec.corrections:
        corrected = spec.corrections[str(raw)]
        tally = ctx.report.corrections.setdefault((where, str(raw), str(corrected)), [0, []])
        tally[0] += 1
        if len(tally[1]) < 10:
            tally[1].append(ctx.record.location)
        raw = corrected
    mapped = _map_value(spec, raw, ctx, where)
    if mapped is Empty or mapped is None:
        return Empty
    target = TARGETS.get(kind, {}).get(spec.name)
    try:
        value = _parse(spec, kind, mapped, ctx, entity_values)
    except parsers.ParseError as exc:
        ctx.problem(column, f"{where}: {exc}", "warning" if spec.on_invalid == "warn" else "error")
        return Empty
    if target is not None:
        if target.parse == "money" and isinstance(value, Decimal) and value < 0:
            ctx.problem(
                column,
                _("%(where)s: %(value)s is negative; amounts may not be negative.")
                % {"where": where, "value": value},
            )
            return Empty
        if target.choices and value not in target.choices:
            ctx.problem(
                column,
                _("%(where)s: %(value)r is not one of %(choices)s; add it to the profile's map.")
                % {"where": where, "value": value, "choices": ", ".join(target.choices)},
            )
            return Empty
        if (
            spec.name in {"unit", "cost_unit", "budget_unit"}
            and value not in UNITS
            and not CURRENCY.match(str(value))
        ):
            ctx.problem(
                column,
                _("%(where)s: %(value)r is not a unit (EUR, kEUR, MEUR, BEUR) or currency code.")
                % {"where": where, "value": value},
            )
            return Empty
        if target.max_length and isinstance(value, str) and len(value) > target.max_length:
            if spec.shorten and spec.parse == "slug":
                value = value[: target.max_length].rstrip("-")
            elif spec.shorten:
                value = value[: target.max_length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-–") + "…"
            else:
                ctx.problem(
                    column,
                    _("%(where)s: the value has %(n)s characters; at most %(max)s fit.")
                    % {"where": where, "n": len(value), "max": target.max_length},
                )
                return Empty
    return value
