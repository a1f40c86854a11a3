"""The scan as web pages: one page per dimension (and one for the questions that are not scored),
form fields per question kind, and reading a posted page back into answers. Works without
JavaScript: every question is a fieldset with a legend, every box and button has its label."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from deltaregio.funnel import engine
from deltaregio.funnel.engine import Kind


@dataclass
class Page:
    number: int
    title: str
    description: str
    questions: list[engine.Question]
    complete: bool = False


def pages(spec: engine.QuestionnaireSpec, answers: Mapping[str, Any]) -> list[Page]:
    result: list[Page] = []
    for dimension in spec.dimensions:
        questions = spec.questions_of(dimension.code)
        result.append(
            Page(len(result) + 1, f"{dimension.code} {dimension.name}", str(dimension.description), questions)
        )
    others = spec.questions_of(None)
    if others:
        result.append(Page(len(result) + 1, _("Questions for the intake"), "", others))
    for page in result:
        page.complete = all(q.code in answers or not q.required for q in page.questions)
    return result


@dataclass
class Cell:
    name: str
    value: str
    label: str
    checked: bool
    id: str


@dataclass
class Row:
    number: int
    text: str
    cells: list[Cell]


@dataclass
class Field:
    question: engine.Question
    kind: str
    text: str
    help: str
    options: list[Cell] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    value: str = ""
    errors: list[str] = field(default_factory=list)
    answered: bool = False


def _posted(question: engine.Question, data: QueryDict) -> Any:
    """The posted value of a question, in the shape of a stored answer (None when not answered)."""
    code = question.code
    if question.kind is Kind.MULTI:
        return [_number(v) for v in data.getlist(code)]
    if question.kind is Kind.MULTI_PER_ROW:
        return {c.code: [_number(v) for v in data.getlist(f"{code}__{c.code}")] for c in question.columns}
    if question.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
        values = [data.get(f"{code}__{row.number}") for row in question.options]
        if all(v in (None, "") for v in values):
            return None
        if question.kind is Kind.RATING_PER_ROW:
            return [_number(v) if v not in (None, "") else None for v in values]
        return list(values)
    if question.kind is Kind.SINGLE:
        value = data.get(code)
        return None if value in (None, "") else _number(value)
    value = data.get(code, "")
    return value if value.strip() else None


def _number(value: Any) -> Any:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else text


def read_page(
    spec: engine.QuestionnaireSpec, page: Page, data: QueryDict
) -> tuple[dict[str, Any], list[str], dict[str, list[str]]]:
    """The answers posted for a page: (answers to save, codes to clear, problems per question).
    A per-row question with some rows unanswered is a problem; one with no row answered is cleared."""
    answers: dict[str, Any] = {}
    clear: list[str] = []
    problems: dict[str, list[str]] = {}
    for question in page.questions:
        value = _posted(question, data)
        if value is None:
            clear.append(question.code)
            continue
        if isinstance(value, list) and question.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
            missing = [str(i) for i, v in enumerate(value, start=1) if v in (None, "")]
            if missing:
                problems[question.code] = [
                    _("Answer every row; rows %(rows)s have no answer yet.") % {"rows": ", ".join(missing)}
                ]
                continue
        try:
            answers.update(engine.validate_answers(spec, {question.code: value}, complete=False))
        except engine.AnswersInvalid as exc:
            problems.update(exc.by_question())
    return answers, clear, problems


def fields(
    page: Page, answers: Mapping[str, Any], problems: Mapping[str, list[str]], posted: QueryDict | None = None
) -> list[Field]:
    """Form fields for a page, filled in from the stored answers, or from what was posted when the
    page is shown again with its problems."""
    result = []
    for q in page.questions:
        current = _posted(q, posted) if posted is not None else answers.get(q.code)
        f = Field(
            q,
            q.kind.value,
            str(q.text),
            str(q.help),
            errors=list(problems.get(q.code, [])),
            answered=q.code in answers,
        )
        code = q.code
        if q.kind is Kind.MULTI:
            ticked = set(current or [])
            f.options = [
                Cell(code, str(o.number), str(o.text), o.number in ticked, f"{code}-{o.number}")
                for o in q.options
            ]
        elif q.kind is Kind.MULTI_PER_ROW:
            current = current or {}
            f.columns = [str(c.label) for c in q.columns]
            f.rows = [
                Row(
                    o.number,
                    str(o.text),
                    [
                        Cell(
                            f"{code}__{c.code}",
                            str(o.number),
                            f"{o.text} – {c.label}",
                            o.number in set(current.get(c.code, [])),
                            f"{code}-{c.code}-{o.number}",
                        )
                        for c in q.columns
                    ],
                )
                for o in q.options
            ]
        elif q.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
            assert q.scale is not None
            current = current or []
            f.columns = [str(v.label) for v in q.scale.values]
            f.rows = []
            for i, o in enumerate(q.options):
                chosen = str(current[i]) if i < len(current) and current[i] is not None else None
                f.rows.append(
                    Row(
                        o.number,
                        str(o.text),
                        [
                            Cell(
                                f"{code}__{o.number}",
                                v.code,
                                f"{o.text}: {v.label}",
                                v.code == chosen,
                                f"{code}-{o.number}-{v.code}",
                            )
                            for v in q.scale.values
                        ],
                    )
                )
        elif q.kind is Kind.SINGLE:
            f.options = [
                Cell(code, str(o.number), str(o.text), o.number == current, f"{code}-{o.number}")
                for o in q.options
            ]
        else:
            f.value = current or ""
        result.append(f)
    return result
