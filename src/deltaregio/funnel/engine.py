"""The scan engine: a questionnaire as data, the validation of answers, and scoring.

A questionnaire is defined in a YAML file (see docs/funnel.md): dimensions with a scoring formula,
questions of six kinds, bands and advice, texts in Dutch and English. This module turns such a
definition into an immutable `QuestionnaireSpec`, checks answers against it and scores them. It
does not touch the database, so the command line, the API and the web flow score through the same
code, and a stored result can be scored again from the definition it was stored with.

Arithmetic is exact: scores are computed as fractions (no float, no intermediate rounding) and
reported as Decimal rounded half-up to two decimals; a band is chosen on the score rounded half-up
to a whole number.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

LANGUAGES = ("nl", "en")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class Kind(StrEnum):
    MULTI = "multi"  # tick any; answer: [option numbers]
    MULTI_PER_ROW = "multi_per_row"  # tick any per row in columns; answer: {column: [row numbers]}
    RATING_PER_ROW = "rating_per_row"  # a rating per row on a numeric scale; answer: [values]
    CHOICE_PER_ROW = "choice_per_row"  # a labelled choice per row (No/Partially/Yes); answer: [codes]
    SINGLE = "single"  # one option; answer: option number
    TEXT = "text"  # free text, never scored; answer: string


ROW_KINDS = (Kind.MULTI_PER_ROW, Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW)


class DefinitionError(Exception):
    """A questionnaire definition that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the answers, for one question."""

    question: str
    code: str  # missing, unknown_question, wrong_type, out_of_range, duplicate, wrong_length, excluding
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


class AnswersInvalid(Exception):
    """The answers cannot be scored; `problems` names every question that is wrong or missing."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    def by_question(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.question, []).append(problem.message)
        return grouped


@dataclass(frozen=True)
class Text:
    """A text in Dutch and English."""

    nl: str
    en: str

    def get(self, language: str | None = None) -> str:
        language = (language or get_language() or "nl")[:2]
        return self.en if language == "en" and self.en else self.nl

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class ScaleValue:
    code: str  # what an answer gives: "3" on a rating scale, "partially" on a choice scale
    value: Fraction
    label: Text


@dataclass(frozen=True)
class Scale:
    name: str
    kind: str  # "rating" (answers are numbers) or "choice" (answers are codes)
    values: tuple[ScaleValue, ...]

    @property
    def minimum(self) -> Fraction:
        return min(v.value for v in self.values)

    @property
    def maximum(self) -> Fraction:
        return max(v.value for v in self.values)

    def value_of(self, answer: Any) -> Fraction | None:
        key = str(answer)
        for item in self.values:
            if item.code == key:
                return item.value
        return None


@dataclass(frozen=True)
class Option:
    number: int  # from 1, in the order of the questionnaire
    text: Text
    points: Fraction = Fraction(1)
    excludes_others: bool = False


@dataclass(frozen=True)
class Column:
    code: str
    label: Text


@dataclass(frozen=True)
class Question:
    code: str
    kind: Kind
    text: Text
    dimension: str | None = None
    help: Text = Text("", "")
    options: tuple[Option, ...] = ()  # the options, or the rows of a per-row question
    columns: tuple[Column, ...] = ()
    scale: Scale | None = None
    required: bool = True

    @property
    def is_scored(self) -> bool:
        return self.kind is not Kind.TEXT and self.dimension is not None


@dataclass(frozen=True)
class Dimension:
    code: str
    name: Text
    description: Text
    formula: str


@dataclass(frozen=True)
class Band:
    code: str
    label: Text
    low: int
    high: int


@dataclass(frozen=True)
class Advice:
    dimension: str | None  # None: advice on the overall score
    bands: tuple[str, ...]
    text: Text
    labs: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionnaireSpec:
    slug: str
    version: str
    title: Text
    description: Text
    source: Text
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]
    advice: tuple[Advice, ...]
    definition: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    def questions_of(self, dimension: str | None) -> list[Question]:
        return [q for q in self.questions if q.dimension == dimension]

    def band_for(self, score: Fraction) -> Band:
        whole = int(round_half_up(score, 0))
        for band in self.bands:
            if band.low <= whole <= band.high:
                return band
        raise ValueError(f"no band for {whole}")  # cannot happen: bands cover 0..100 (checked on load)

    def advice_for(self, dimension: str | None, band: str) -> list[Advice]:
        return [a for a in self.advice if a.dimension == dimension and band in a.bands]

    @property
    def checksum(self) -> str:
        return definition_checksum(self.definition)


def definition_checksum(definition: Mapping[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- reading a definition ------------------------------------------------------------------------


def _text(value: Any, where: str, *, required: bool = True) -> Text:
    if value is None and not required:
        return Text("", "")
    if not isinstance(value, Mapping) or set(value) - set(LANGUAGES):
        raise DefinitionError(f"{where}: expected a mapping with the keys nl and en")
    nl, en = value.get("nl", ""), value.get("en", "")
    if not isinstance(nl, str) or not isinstance(en, str):
        raise DefinitionError(f"{where}: texts must be strings")
    if required and (not nl.strip() or not en.strip()):
        raise DefinitionError(f"{where}: both the Dutch (nl) and the English (en) text are required")
    return Text(nl.strip(), en.strip())


def _fraction(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise DefinitionError(f"{where}: expected a number")
    try:
        return Fraction(str(value))
    except ValueError as exc:
        raise DefinitionError(f"{where}: {value!r} is not a number") from exc


def _keys(data: Mapping[str, Any], where: str, allowed: set[str], required: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise DefinitionError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    missing = required - set(data)
    if missing:
        raise DefinitionError(f"{where}: missing key(s) {', '.join(sorted(missing))}")


def _scales(data: Any) -> dict[str, Scale]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise DefinitionError("scales: expected a mapping of scale name to scale")
    scales = {}
    for name, raw in data.items():
        where = f"scales.{name}"
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"{where}: expected a mapping with kind and values")
        _keys(raw, where, {"kind", "values"}, {"kind", "values"})
        kind = raw["kind"]
        if kind not in {"rating", "choice"}:
            raise DefinitionError(f"{where}.kind: must be rating or choice")
        values = []
        for i, item in enumerate(raw["values"] or []):
            at = f"{where}.values[{i}]"
            if not isinstance(item, Mapping):
                raise DefinitionError(f"{at}: expected a mapping")
            if kind == "rating":
                _keys(item, at, {"value", "label"}, {"value", "label"})
                if isinstance(item["value"], bool) or not isinstance(item["value"], int):
                    raise DefinitionError(f"{at}.value: a rating is a whole number")
                code = str(item["value"])
            else:
                _keys(item, at, {"code", "value", "label"}, {"code", "value", "label"})
                code = item["code"]
                if not isinstance(code, str) or not code:
                    raise DefinitionError(f"{at}.code: expected a text (quote yes and no in YAML)")
            values.append(
                ScaleValue(code, _fraction(item["value"], f"{at}.value"), _text(item["label"], f"{at}.label"))
            )
        if len(values) < 2 or len({v.code for v in values}) != len(values):
            raise DefinitionError(f"{where}: a scale needs at least two values with different codes")
        scales[str(name)] = Scale(str(name), kind, tuple(values))
    return scales


def _question(raw: Any, index: int, scales: dict[str, Scale], dimensions: set[str]) -> Question:
    where = f"questions[{index}]"
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: expected a mapping")
    _keys(
        raw,
        where,
        {"code", "kind", "dimension", "text", "help", "options", "rows", "columns", "scale", "required"},
        {"code", "kind", "text"},
    )
    code = raw["code"]
    if not isinstance(code, str) or not CODE.match(code):
        raise DefinitionError(f"{where}.code: a code starts with a letter and has letters, digits or _")
    where = f"question {code}"
    try:
        kind = Kind(raw["kind"])
    except ValueError as exc:
        raise DefinitionError(f"{where}: unknown kind {raw['kind']!r}") from exc
    dimension = raw.get("dimension")
    if dimension is not None and dimension not in dimensions:
        raise DefinitionError(f"{where}: unknown dimension {dimension!r}")
    if kind is Kind.TEXT and dimension is not None:
        raise DefinitionError(f"{where}: a free-text question is never scored and has no dimension")
    items_key = "rows" if kind in ROW_KINDS else "options"
    other_key = "options" if items_key == "rows" else "rows"
    if other_key in raw:
        raise DefinitionError(f"{where}: a {kind.value} question has {items_key}, not {other_key}")
    options: list[Option] = []
    for i, item in enumerate(raw.get(items_key) or [], start=1):
        at = f"{where}.{items_key}[{i}]"
        if isinstance(item, Mapping) and "text" in item:
            _keys(item, at, {"text", "points", "excludes_others"}, {"text"})
            points = _fraction(item.get("points", 1), f"{at}.points")
            if points < 0:
                raise DefinitionError(f"{at}.points: must not be negative")
            excludes = bool(item.get("excludes_others", False))
            if excludes and kind is not Kind.MULTI:
                raise DefinitionError(f"{at}: only a tick-any question has options that exclude others")
            options.append(Option(i, _text(item["text"], f"{at}.text"), points, excludes))
        else:
            options.append(Option(i, _text(item, at)))
    if kind is Kind.TEXT:
        if options:
            raise DefinitionError(f"{where}: a free-text question has no options")
    elif not options:
        raise DefinitionError(f"{where}: needs at least one item in {items_key}")
    if kind is Kind.SINGLE and len(options) < 2:
        raise DefinitionError(f"{where}: a single-choice question needs at least two options")
    columns: list[Column] = []
    if kind is Kind.MULTI_PER_ROW:
        for i, col in enumerate(raw.get("columns") or []):
            at = f"{where}.columns[{i}]"
            if not isinstance(col, Mapping):
                raise DefinitionError(f"{at}: expected a mapping with code and label")
            _keys(col, at, {"code", "label"}, {"code", "label"})
            if not isinstance(col["code"], str) or not CODE.match(col["code"]):
                raise DefinitionError(f"{at}.code: expected a code")
            columns.append(Column(col["code"], _text(col["label"], f"{at}.label")))
        if not columns or len({c.code for c in columns}) != len(columns):
            raise DefinitionError(f"{where}: needs columns with different codes")
    elif "columns" in raw:
        raise DefinitionError(f"{where}: only a multi_per_row question has columns")
    scale = None
    if kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
        name = raw.get("scale")
        if name not in scales:
            raise DefinitionError(f"{where}: unknown scale {name!r}")
        scale = scales[name]
        wanted = "rating" if kind is Kind.RATING_PER_ROW else "choice"
        if scale.kind != wanted:
            raise DefinitionError(f"{where}: a {kind.value} question needs a {wanted} scale")
    elif "scale" in raw:
        raise DefinitionError(f"{where}: only a per-row rating or choice question has a scale")
    required = raw.get("required", kind is not Kind.TEXT)
    if not isinstance(required, bool):
        raise DefinitionError(f"{where}.required: true or false")
    return Question(
        code=code,
        kind=kind,
        text=_text(raw["text"], f"{where}.text"),
        dimension=dimension,
        help=_text(raw.get("help"), f"{where}.help", required=False),
        options=tuple(options),
        columns=tuple(columns),
        scale=scale,
        required=required,
    )


def spec_from_definition(data: Any) -> QuestionnaireSpec:
    """Read and check a questionnaire definition (the parsed YAML). Raises DefinitionError."""
    if not isinstance(data, Mapping):
        raise DefinitionError("a questionnaire definition is a mapping")
    _keys(
        data,
        "questionnaire",
        {
            "slug",
            "version",
            "title",
            "description",
            "source",
            "scales",
            "dimensions",
            "questions",
            "overall",
            "bands",
            "advice",
        },
        {"slug", "version", "title", "dimensions", "questions", "bands"},
    )
    slug, version = data["slug"], data["version"]
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise DefinitionError("slug: lower-case letters, digits and hyphens")
    if not isinstance(version, str) or not version.strip() or len(version) > 20:
        raise DefinitionError('version: a quoted text of at most 20 characters, e.g. "1.0"')
    if data.get("overall", "mean") != "mean":
        raise DefinitionError("overall: only 'mean' (the plain mean of the dimension scores) is supported")
    scales = _scales(data.get("scales"))
    raw_dimensions = data["dimensions"] or []
    dimension_codes: list[str] = []
    for i, raw in enumerate(raw_dimensions):
        if (
            not isinstance(raw, Mapping)
            or not isinstance(raw.get("code"), str)
            or not CODE.match(raw["code"])
        ):
            raise DefinitionError(f"dimensions[{i}]: needs a code")
        dimension_codes.append(raw["code"])
    if not dimension_codes or len(set(dimension_codes)) != len(dimension_codes):
        raise DefinitionError("dimensions: at least one, with different codes")
    questions = tuple(
        _question(raw, i, scales, set(dimension_codes)) for i, raw in enumerate(data["questions"] or [])
    )
    codes = [q.code for q in questions]
    if not questions or len(set(codes)) != len(codes):
        raise DefinitionError("questions: at least one, with different codes")
    by_code = {q.code: q for q in questions}
    dimensions = []
    for raw in raw_dimensions:
        where = f"dimension {raw['code']}"
        _keys(raw, where, {"code", "name", "description", "score"}, {"code", "name", "score"})
        formula = raw["score"]
        if not isinstance(formula, str):
            raise DefinitionError(f"{where}.score: a formula as text")
        used = _check_formula(formula, by_code, where)
        strangers = [c for c in used if by_code[c].dimension != raw["code"]]
        if strangers:
            raise DefinitionError(
                f"{where}.score: uses {', '.join(strangers)}, which belong to another dimension"
            )
        dimensions.append(
            Dimension(
                raw["code"],
                _text(raw["name"], f"{where}.name"),
                _text(raw.get("description"), f"{where}.description", required=False),
                formula,
            )
        )
    unused = [
        q.code for q in questions if q.is_scored and not any(q.code in _names(d.formula) for d in dimensions)
    ]
    if unused:
        raise DefinitionError(
            f"questions {', '.join(unused)} have a dimension but its formula does not use them"
        )
    bands = []
    for i, raw in enumerate(data["bands"] or []):
        where = f"bands[{i}]"
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"{where}: expected a mapping")
        _keys(raw, where, {"code", "label", "min", "max"}, {"code", "label", "min", "max"})
        if not all(isinstance(raw[k], int) and not isinstance(raw[k], bool) for k in ("min", "max")):
            raise DefinitionError(f"{where}: min and max are whole numbers")
        bands.append(Band(str(raw["code"]), _text(raw["label"], f"{where}.label"), raw["min"], raw["max"]))
    expected_low = 0
    for band in bands:
        if band.low != expected_low or band.high < band.low:
            raise DefinitionError("bands: must cover 0 to 100 in order, without gaps or overlaps")
        expected_low = band.high + 1
    if expected_low != 101 or len({b.code for b in bands}) != len(bands):
        raise DefinitionError("bands: must cover 0 to 100 in order, with different codes")
    band_codes = {b.code for b in bands}
    advice = []
    for i, raw in enumerate(data.get("advice") or []):
        where = f"advice[{i}]"
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"{where}: expected a mapping")
        _keys(raw, where, {"dimension", "bands", "text", "labs", "organisations"}, {"bands", "text"})
        dim = raw.get("dimension")
        if dim is not None and dim not in dimension_codes:
            raise DefinitionError(f"{where}: unknown dimension {dim!r}")
        advice_bands = tuple(raw["bands"] or [])
        if not advice_bands or set(advice_bands) - band_codes:
            raise DefinitionError(f"{where}.bands: one or more of {', '.join(sorted(band_codes))}")
        names = {}
        for key in ("labs", "organisations"):
            value = raw.get(key) or []
            if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
                raise DefinitionError(f"{where}.{key}: a list of names")
            names[key] = tuple(value)
        advice.append(
            Advice(
                dim, advice_bands, _text(raw["text"], f"{where}.text"), names["labs"], names["organisations"]
            )
        )
    spec = QuestionnaireSpec(
        slug=slug,
        version=version.strip(),
        title=_text(data["title"], "title"),
        description=_text(data.get("description"), "description", required=False),
        source=_text(data.get("source"), "source", required=False),
        dimensions=tuple(dimensions),
        questions=questions,
        bands=tuple(bands),
        advice=tuple(advice),
        definition=json.loads(json.dumps(data)),
    )
    _check_bounds(spec)
    return spec


# --- formulas ------------------------------------------------------------------------------------
#
# A dimension's score is an arithmetic formula (+ - * / and parentheses, numbers) over these
# functions of its questions:
#   ticked(Q)        tick-any: the points of the ticked options (1 each unless the option says
#                    otherwise; an option with points 0 counts nothing); per-row ticks: all ticks
#   ticked(Q, col)   per-row ticks: the rows ticked in column `col`
#   options(Q)       the number of options or rows of Q
#   mean(Q)          per-row rating or choice: the mean of the rows' values
#   norm(Q)          any scored question on 0..1: its points, ticks or mean divided by its maximum

FUNCTIONS = {"ticked", "options", "mean", "norm"}


def _names(formula: str) -> set[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        return set()
    return {
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name)
    }


def _check_formula(formula: str, questions: Mapping[str, Question], where: str) -> list[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise DefinitionError(f"{where}.score: not a formula ({exc.msg})") from exc
    used: list[str] = []

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            check(node.body)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            check(node.left)
            check(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            check(node.operand)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            name = node.func.id
            if node.keywords or not node.args or not isinstance(node.args[0], ast.Name):
                raise DefinitionError(f"{where}.score: {name}() takes a question code")
            code = node.args[0].id
            if code not in questions:
                raise DefinitionError(f"{where}.score: unknown question {code}")
            question = questions[code]
            if not question.is_scored:
                raise DefinitionError(f"{where}.score: {code} is not a scored question")
            max_args = 2 if name == "ticked" and question.kind is Kind.MULTI_PER_ROW else 1
            if len(node.args) > max_args:
                raise DefinitionError(f"{where}.score: too many arguments to {name}({code})")
            if len(node.args) == 2:
                column = _column_name(node.args[1])
                if column not in {c.code for c in question.columns}:
                    raise DefinitionError(f"{where}.score: {code} has no column {column!r}")
            if name == "ticked" and question.kind not in (Kind.MULTI, Kind.MULTI_PER_ROW):
                raise DefinitionError(
                    f"{where}.score: ticked() needs a tick question, {code} is {question.kind}"
                )
            if name == "mean" and question.kind not in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
                raise DefinitionError(
                    f"{where}.score: mean() needs a per-row rating or choice, {code} is not"
                )
            used.append(code)
        else:
            raise DefinitionError(
                f"{where}.score: only numbers, + - * / and {', '.join(sorted(FUNCTIONS))}()"
            )

    check(tree)
    if not used:
        raise DefinitionError(f"{where}.score: the formula uses no question")
    return used


def _column_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _question_value(question: Question, function: str, answer: Any, column: str | None) -> Fraction:
    if function == "options":
        return Fraction(len(question.options))
    kind = question.kind
    if kind is Kind.MULTI:
        ticked = sum((question.options[n - 1].points for n in answer), Fraction(0))
        if function == "ticked":
            return ticked
        return ticked / sum((o.points for o in question.options if not o.excludes_others), Fraction(0))
    if kind is Kind.MULTI_PER_ROW:
        columns = [column] if column else [c.code for c in question.columns]
        ticked = sum((question.options[n - 1].points for c in columns for n in answer[c]), Fraction(0))
        if function == "ticked":
            return ticked
        return ticked / (sum((o.points for o in question.options), Fraction(0)) * len(question.columns))
    if kind is Kind.SINGLE:
        best = max(o.points for o in question.options)
        return question.options[answer - 1].points / best  # norm
    assert question.scale is not None
    values = [question.scale.value_of(v) for v in answer]
    mean = sum((v for v in values if v is not None), Fraction(0)) / len(values)
    if function == "mean":
        return mean
    low, high = question.scale.minimum, question.scale.maximum
    return (mean - low) / (high - low)  # norm


def evaluate(formula: str, spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> Fraction:
    """The value of a (checked) formula for complete, valid answers."""
    tree = ast.parse(formula, mode="eval")

    def value(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.BinOp):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            return left / right
        if isinstance(node, ast.UnaryOp):
            operand = value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant):
            return Fraction(str(node.value))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        assert isinstance(node.args[0], ast.Name)
        question = spec.question(node.args[0].id)
        column = _column_name(node.args[1]) if len(node.args) == 2 else None
        return _question_value(question, node.func.id, answers.get(question.code), column)

    return value(tree)


# --- answers -------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _option_numbers(question: Question, raw: Any, label: str = "") -> tuple[list[int], list[Problem]]:
    where = f" ({label})" if label else ""
    code = question.code
    if not isinstance(raw, list):
        return [], [
            Problem(code, "wrong_type", _("expected a list of option numbers%(where)s") % {"where": where})
        ]
    problems = []
    numbers: list[int] = []
    count = len(question.options)
    for item in raw:
        if not _is_int(item):
            problems.append(
                Problem(
                    code,
                    "wrong_type",
                    _("%(item)r is not an option number%(where)s") % {"item": item, "where": where},
                )
            )
        elif not 1 <= item <= count:
            problems.append(
                Problem(
                    code,
                    "out_of_range",
                    _("option %(n)d is out of range: the options are numbered 1 to %(count)d%(where)s")
                    % {"n": item, "count": count, "where": where},
                )
            )
        elif item in numbers:
            problems.append(
                Problem(
                    code, "duplicate", _("option %(n)d is given twice%(where)s") % {"n": item, "where": where}
                )
            )
        else:
            numbers.append(item)
    return sorted(numbers), problems


def _validate_answer(question: Question, raw: Any) -> tuple[Any, list[Problem]]:
    code = question.code
    kind = question.kind
    if kind is Kind.MULTI:
        numbers, problems = _option_numbers(question, raw)
        exclusive = [n for n in numbers if question.options[n - 1].excludes_others]
        if exclusive and len(numbers) > 1:
            problems.append(
                Problem(
                    code,
                    "excluding",
                    _("option %(n)d (“%(text)s”) excludes every other option, but others are ticked too")
                    % {"n": exclusive[0], "text": question.options[exclusive[0] - 1].text.get()},
                )
            )
        return numbers, problems
    if kind is Kind.MULTI_PER_ROW:
        expected = [c.code for c in question.columns]
        if not isinstance(raw, Mapping):
            return None, [
                Problem(
                    code,
                    "wrong_type",
                    _("expected an object with the keys %(keys)s") % {"keys": ", ".join(expected)},
                )
            ]
        problems = []
        unknown = sorted(set(raw) - set(expected))
        missing = [c for c in expected if c not in raw]
        if unknown:
            problems.append(
                Problem(
                    code,
                    "wrong_type",
                    _("unknown column(s): %(keys)s") % {"keys": ", ".join(map(str, unknown))},
                )
            )
        if missing:
            problems.append(
                Problem(code, "missing", _("missing column(s): %(keys)s") % {"keys": ", ".join(missing)})
            )
        normalized = {}
        for column in expected:
            if column in raw:
                numbers, found = _option_numbers(question, raw[column], column)
                normalized[column] = numbers
                problems.extend(found)
        return normalized, problems
    if kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
        assert question.scale is not None
        rows = len(question.options)
        if not isinstance(raw, list):
            return None, [
                Problem(code, "wrong_type", _("expected a list of %(n)d answers, one per row") % {"n": rows})
            ]
        problems = []
        if len(raw) != rows:
            problems.append(
                Problem(
                    code,
                    "wrong_length",
                    _("expected %(n)d answers, one per row, got %(got)d") % {"n": rows, "got": len(raw)},
                )
            )
        allowed = ", ".join(v.code for v in question.scale.values)
        for i, item in enumerate(raw, start=1):
            valid_type = _is_int(item) if kind is Kind.RATING_PER_ROW else isinstance(item, str)
            if not valid_type or question.scale.value_of(item) is None:
                problems.append(
                    Problem(
                        code,
                        "out_of_range",
                        _("row %(row)d: %(item)r is not one of %(allowed)s")
                        % {"row": i, "item": item, "allowed": allowed},
                    )
                )
        return list(raw), problems
    if kind is Kind.SINGLE:
        count = len(question.options)
        if not _is_int(raw):
            return None, [Problem(code, "wrong_type", _("expected one option number"))]
        if not 1 <= raw <= count:
            return None, [
                Problem(
                    code,
                    "out_of_range",
                    _("option %(n)d is out of range: the options are numbered 1 to %(count)d")
                    % {"n": raw, "count": count},
                )
            ]
        return raw, []
    if not isinstance(raw, str):
        return None, [Problem(code, "wrong_type", _("expected a text"))]
    if len(raw) > 4000:
        return None, [Problem(code, "out_of_range", _("at most 4000 characters"))]
    return raw.strip(), []


def missing_questions(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> list[str]:
    """The required questions that have no answer, in questionnaire order."""
    return [q.code for q in spec.questions if q.required and q.code not in answers]


def validate_answers(spec: QuestionnaireSpec, raw: Any, *, complete: bool) -> dict[str, Any]:
    """Check answers and return them normalised (option numbers sorted). With complete=True every
    required question must be answered. Raises AnswersInvalid naming every wrong or missing question."""
    if not isinstance(raw, Mapping):
        raise AnswersInvalid([Problem("answers", "wrong_type", _("expected an object keyed by question"))])
    problems: list[Problem] = []
    known = {q.code for q in spec.questions}
    for code in raw:
        if code not in known:
            problems.append(
                Problem(str(code), "unknown_question", _("there is no such question in this questionnaire"))
            )
    normalized: dict[str, Any] = {}
    for question in spec.questions:
        if question.code not in raw:
            if complete and question.required:
                problems.append(Problem(question.code, "missing", _("this question is not answered")))
            continue
        value, found = _validate_answer(question, raw[question.code])
        problems.extend(found)
        if not found:
            normalized[question.code] = value
    if problems:
        order = {q.code: i for i, q in enumerate(spec.questions)}
        problems.sort(key=lambda p: order.get(p.question, len(order)))
        raise AnswersInvalid(problems)
    return normalized


# --- scoring -------------------------------------------------------------------------------------


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round exactly, halves away from zero (scores are never negative): 28.865 → 28.87."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


@dataclass(frozen=True)
class DimensionScore:
    code: str
    value: Fraction
    band: Band

    @property
    def reported(self) -> Decimal:
        return round_half_up(self.value)


@dataclass(frozen=True)
class Score:
    spec: QuestionnaireSpec
    answers: Mapping[str, Any]
    dimensions: tuple[DimensionScore, ...]
    overall: Fraction
    band: Band

    @property
    def overall_reported(self) -> Decimal:
        return round_half_up(self.overall)

    def as_json(self) -> dict[str, Any]:
        """The published result shape (scan-dma.md): scores as numbers with at most two decimals."""
        return {
            "questionnaire": self.spec.slug,
            "version": self.spec.version,
            "dimensions": {d.code: float(d.reported) for d in self.dimensions},
            "overall": float(self.overall_reported),
            "band": self.band.code,
        }


def score(spec: QuestionnaireSpec, raw_answers: Any) -> Score:
    """Score complete answers. Raises AnswersInvalid naming every wrong or missing question."""
    answers = validate_answers(spec, raw_answers, complete=True)
    return _score_valid(spec, answers)


def _score_valid(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> Score:
    dimensions = []
    for dimension in spec.dimensions:
        value = evaluate(dimension.formula, spec, answers)
        dimensions.append(DimensionScore(dimension.code, value, spec.band_for(value)))
    overall = sum((d.value for d in dimensions), Fraction(0)) / len(dimensions)
    return Score(spec, dict(answers), tuple(dimensions), overall, spec.band_for(overall))


def extreme_answers(spec: QuestionnaireSpec, *, high: bool) -> dict[str, Any]:
    """The lowest- or highest-scoring complete answers (used to check formulas stay within 0..100)."""
    answers: dict[str, Any] = {}
    for q in spec.questions:
        if q.kind is Kind.MULTI:
            answers[q.code] = [o.number for o in q.options if not o.excludes_others] if high else []
        elif q.kind is Kind.MULTI_PER_ROW:
            answers[q.code] = {c.code: [o.number for o in q.options] if high else [] for c in q.columns}
        elif q.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
            assert q.scale is not None
            pick = max if high else min
            best = pick(q.scale.values, key=lambda v: v.value)
            code: Any = int(best.code) if q.scale.kind == "rating" else best.code
            answers[q.code] = [code] * len(q.options)
        elif q.kind is Kind.SINGLE:
            pick = max if high else min
            answers[q.code] = pick(q.options, key=lambda o: o.points).number
        else:
            answers[q.code] = ""
    return answers


def _check_bounds(spec: QuestionnaireSpec) -> None:
    low_answers = extreme_answers(spec, high=False)
    high_answers = extreme_answers(spec, high=True)
    for dimension in spec.dimensions:
        low = evaluate(dimension.formula, spec, low_answers)
        high = evaluate(dimension.formula, spec, high_answers)
        if not (0 <= low <= high <= 100):
            raise DefinitionError(
                f"dimension {dimension.code}: the formula must give 0..100 "
                f"(lowest answers give {float(low):g}, highest {float(high):g})"
            )


def describe_answers(
    spec: QuestionnaireSpec, answers: Mapping[str, Any], language: str | None = None
) -> list[tuple[Question, list[str]]]:
    """The answers in words, per question in order (for the result page and the PDF)."""
    described = []
    for q in spec.questions:
        if q.code not in answers:
            continue
        value = answers[q.code]
        lines: list[str] = []
        if q.kind is Kind.MULTI:
            lines = [q.options[n - 1].text.get(language) for n in value]
        elif q.kind is Kind.MULTI_PER_ROW:
            for column in q.columns:
                for n in value.get(column.code, []):
                    lines.append(f"{q.options[n - 1].text.get(language)} — {column.label.get(language)}")
        elif q.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
            assert q.scale is not None
            labels = {v.code: v.label.get(language) for v in q.scale.values}
            lines = [
                f"{row.text.get(language)}: {labels.get(str(v), str(v))}"
                for row, v in zip(q.options, value, strict=False)
            ]
        elif q.kind is Kind.SINGLE:
            lines = [q.options[value - 1].text.get(language)]
        elif value:
            lines = [str(value)]
        described.append((q, lines))
    return described
