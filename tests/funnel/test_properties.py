"""Properties of the scoring, for any valid answers (hypothesis): every dimension is within 0..100,
ticking one more box or raising a rating never lowers a score, and the overall is the plain mean of
the unrounded dimension scores with its band."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltaregio.funnel import engine
from deltaregio.funnel.engine import Kind

from .conftest import QUESTIONNAIRES


def _spec(name: str) -> engine.QuestionnaireSpec:
    from deltaregio.funnel.services import questionnaire_read

    return questionnaire_read(QUESTIONNAIRES / name)


SPECS = {name: _spec(name) for name in ("edih-dma-sme-1.0.yaml", "factory-of-the-future-1.0.yaml")}


def answer_strategy(question: engine.Question) -> st.SearchStrategy[Any]:
    numbers = [o.number for o in question.options]
    if question.kind is Kind.MULTI:
        exclusive = [o.number for o in question.options if o.excludes_others]
        normal = [n for n in numbers if n not in exclusive]
        lists = st.lists(st.sampled_from(normal), unique=True).map(sorted)
        return st.one_of(lists, st.sampled_from([[n] for n in exclusive])) if exclusive else lists
    if question.kind is Kind.MULTI_PER_ROW:
        return st.fixed_dictionaries(
            {c.code: st.lists(st.sampled_from(numbers), unique=True).map(sorted) for c in question.columns}
        )
    if question.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
        assert question.scale is not None
        values = [int(v.code) if question.scale.kind == "rating" else v.code for v in question.scale.values]
        return st.lists(st.sampled_from(values), min_size=len(numbers), max_size=len(numbers))
    if question.kind is Kind.SINGLE:
        return st.sampled_from(numbers)
    return st.text(max_size=50)


def answers_strategy(spec: engine.QuestionnaireSpec) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({q.code: answer_strategy(q) for q in spec.questions})


def improved(
    spec: engine.QuestionnaireSpec, answers: dict[str, Any], data: st.DataObject
) -> dict[str, Any] | None:
    """The answers with one more box ticked, or one rating, choice or single option raised."""
    question = data.draw(st.sampled_from([q for q in spec.questions if q.is_scored]))
    value = answers[question.code]
    better: Any
    if question.kind is Kind.MULTI:
        free = [o.number for o in question.options if o.number not in value and not o.excludes_others]
        if not free or any(question.options[n - 1].excludes_others for n in value):
            return None
        better = sorted([*value, data.draw(st.sampled_from(free))])
    elif question.kind is Kind.MULTI_PER_ROW:
        column = data.draw(st.sampled_from([c.code for c in question.columns]))
        free = [o.number for o in question.options if o.number not in value[column]]
        if not free:
            return None
        better = {**value, column: sorted([*value[column], data.draw(st.sampled_from(free))])}
    elif question.kind in (Kind.RATING_PER_ROW, Kind.CHOICE_PER_ROW):
        assert question.scale is not None
        row = data.draw(st.integers(0, len(value) - 1))
        current = question.scale.value_of(value[row])
        higher = [v for v in question.scale.values if v.value > current]  # type: ignore[operator]
        if not higher:
            return None
        pick = data.draw(st.sampled_from(higher))
        better = list(value)
        better[row] = int(pick.code) if question.scale.kind == "rating" else pick.code
    else:
        current_points = question.options[value - 1].points
        higher = [o.number for o in question.options if o.points > current_points]
        if not higher:
            return None
        better = data.draw(st.sampled_from(higher))
    return {**answers, question.code: better}


@pytest.mark.parametrize("name", SPECS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_dimension_is_within_0_and_100(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    result = engine.score(spec, data.draw(answers_strategy(spec)))
    for dimension in result.dimensions:
        assert 0 <= dimension.value <= 100
        assert 0 <= dimension.reported <= 100
        assert dimension.band == spec.band_for(dimension.value)
    assert result.overall == sum((d.value for d in result.dimensions), Fraction(0)) / len(result.dimensions)
    assert result.band.low <= int(engine.round_half_up(result.overall, 0)) <= result.band.high


@pytest.mark.parametrize("name", SPECS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_more_ticks_or_higher_ratings_never_lower_a_score(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    answers = data.draw(answers_strategy(spec))
    better = improved(spec, answers, data)
    if better is None:
        return
    before = engine.score(spec, answers)
    after = engine.score(spec, better)
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert new.value >= old.value, (old.code, answers, better)
    assert after.overall >= before.overall
    assert any(new.value > old.value for old, new in zip(before.dimensions, after.dimensions, strict=True))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_scoring_does_not_depend_on_the_order_of_ticks(data: st.DataObject) -> None:
    spec = SPECS["edih-dma-sme-1.0.yaml"]
    answers = data.draw(answers_strategy(spec))
    shuffled = {
        code: (
            data.draw(st.permutations(value))
            if isinstance(value, list) and code in {"Q2", "Q3", "Q5", "Q6", "Q8", "Q10"}
            else value
        )
        for code, value in answers.items()
    }
    assert engine.score(spec, shuffled).as_json() == engine.score(spec, answers).as_json()
