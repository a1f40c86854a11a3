"""The scan engine: the DMA example gives exactly its published result; every kind of bad answer is
refused naming the question; scoring is exact and rounds half-up; a broken definition is refused."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import yaml

from deltaregio.funnel import engine

from .conftest import DMA_EXAMPLE, DMA_EXAMPLE_RESULT, QUESTIONNAIRES


def test_the_dma_example_gives_exactly_the_published_result(dma_spec: engine.QuestionnaireSpec) -> None:
    result = engine.score(dma_spec, DMA_EXAMPLE)
    assert json.dumps(result.as_json()) == DMA_EXAMPLE_RESULT
    # the overall is the mean of the unrounded dimension scores (the rounded ones give 28.86)
    assert result.overall == sum((d.value for d in result.dimensions), Fraction(0)) / 6
    assert sum(d.reported for d in result.dimensions) / 6 < Decimal("28.865")
    assert result.overall_reported == Decimal("28.87")


def test_the_dma_has_the_structure_of_scan_dma_md(dma_spec: engine.QuestionnaireSpec) -> None:
    shape = {q.code: (q.dimension, q.kind.value, len(q.options)) for q in dma_spec.questions}
    assert shape == {
        "Q1": ("D1", "multi_per_row", 10),
        "Q2": ("D1", "multi", 10),
        "Q3": ("D2", "multi", 10),
        "Q4": ("D2", "rating_per_row", 7),
        "Q5": ("D3", "multi", 7),
        "Q6": ("D3", "multi", 8),
        "Q7": ("D4", "multi", 8),
        "Q8": ("D4", "multi", 6),
        "Q9": ("D5", "rating_per_row", 5),
        "Q10": ("D6", "multi", 10),
        "Q11": ("D6", "choice_per_row", 5),
    }
    q7 = dma_spec.question("Q7")
    assert [o.number for o in q7.options if o.excludes_others] == [2]
    assert "not collected digitally" in q7.options[1].text.en
    assert [v.code for v in dma_spec.question("Q4").scale.values] == ["0", "1", "2", "3", "4", "5"]  # type: ignore[union-attr]
    assert [(b.code, b.low, b.high) for b in dma_spec.bands] == [
        ("basic", 0, 25),
        ("average", 26, 50),
        ("moderately_advanced", 51, 75),
        ("advanced", 76, 100),
    ]
    for question in dma_spec.questions:  # texts in both languages, and not the same text twice
        assert question.text.nl and question.text.en and question.text.nl != question.text.en
        assert all(o.text.nl and o.text.en for o in question.options)


def bad(answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(answers)
    for code, value in changes.items():
        if value is None:
            del changed[code]
        else:
            changed[code] = value
    return changed


@pytest.mark.parametrize(
    ("changes", "question", "code", "words"),
    [
        ({"Q5": None}, "Q5", "missing", "not answered"),
        ({"Q2": [1, 11]}, "Q2", "out_of_range", "out of range"),
        ({"Q2": [0]}, "Q2", "out_of_range", "1 to 10"),
        ({"Q3": [2, 2]}, "Q3", "duplicate", "twice"),
        ({"Q4": [0, 0, 6, 3, 2, 0, 1]}, "Q4", "out_of_range", "row 3"),
        ({"Q4": [0, 0, -1, 3, 2, 0, 1]}, "Q4", "out_of_range", "row 3"),
        ({"Q4": [0, 0, 5, 3, 2, 0]}, "Q4", "wrong_length", "expected 7"),
        ({"Q9": [1, 3, 0, 4, 5, 5]}, "Q9", "wrong_length", "expected 5"),
        ({"Q4": [0, 0, 2.5, 3, 2, 0, 1]}, "Q4", "out_of_range", "row 3"),
        ({"Q4": [True, 0, 2, 3, 2, 0, 1]}, "Q4", "out_of_range", "row 1"),
        ({"Q11": ["yes", "maybe", "no", "no", "no"]}, "Q11", "out_of_range", "maybe"),
        ({"Q7": [2, 3]}, "Q7", "excluding", "excludes every other option"),
        ({"Q1": {"invested": [1]}}, "Q1", "missing", "planned"),
        ({"Q1": {"invested": [1], "planned": [], "later": []}}, "Q1", "wrong_type", "later"),
        ({"Q1": [1, 2]}, "Q1", "wrong_type", "invested, planned"),
        ({"Q2": "1,2"}, "Q2", "wrong_type", "list"),
        ({"Q12": [1]}, "Q12", "unknown_question", "no such question"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(
    dma_spec: engine.QuestionnaireSpec, changes: dict[str, Any], question: str, code: str, words: str
) -> None:
    with pytest.raises(engine.AnswersInvalid) as caught:
        engine.score(dma_spec, bad(DMA_EXAMPLE, **changes))
    problems = [p for p in caught.value.problems if p.question == question]
    assert problems, caught.value.problems
    assert any(p.code == code and words in p.message for p in problems), problems
    assert all(str(p).startswith(f"{p.question}: ") for p in caught.value.problems)


def test_an_incomplete_scan_names_every_missing_question(dma_spec: engine.QuestionnaireSpec) -> None:
    with pytest.raises(engine.AnswersInvalid) as caught:
        engine.score(dma_spec, {"Q1": DMA_EXAMPLE["Q1"], "Q4": DMA_EXAMPLE["Q4"]})
    assert [p.question for p in caught.value.problems] == [
        "Q2",
        "Q3",
        "Q5",
        "Q6",
        "Q7",
        "Q8",
        "Q9",
        "Q10",
        "Q11",
    ]
    assert engine.missing_questions(dma_spec, {"Q1": {}}) == [f"Q{n}" for n in range(2, 12)]


def test_the_excluding_option_alone_scores_zero_for_its_question(dma_spec: engine.QuestionnaireSpec) -> None:
    with_data = engine.score(dma_spec, DMA_EXAMPLE)
    without = engine.score(dma_spec, bad(DMA_EXAMPLE, Q7=[2]))
    d4 = {d.code: d.reported for d in without.dimensions}["D4"]
    assert d4 == Decimal("8.33")  # 5 × (0 + 10 × 1/6)
    assert {d.code: d.reported for d in with_data.dimensions}["D4"] == Decimal("20.83")


def test_rounding_is_half_up_and_exact() -> None:
    assert engine.round_half_up(Fraction(28865, 1000)) == Decimal("28.87")  # float rounding would give 28.86
    assert engine.round_half_up(Fraction(2005, 1000)) == Decimal("2.01")
    assert engine.round_half_up(Fraction(1, 3)) == Decimal("0.33")
    assert engine.round_half_up(Fraction(51, 2), 0) == Decimal("26")  # 25.5 → 26
    assert str(engine.round_half_up(Fraction(20))) == "20.00"


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "basic"),
        ("25.49", "basic"),
        ("25.5", "average"),
        (50, "average"),
        ("50.5", "moderately_advanced"),
        ("75.49", "moderately_advanced"),
        ("75.5", "advanced"),
        (100, "advanced"),
    ],
)
def test_bands_are_chosen_on_the_score_rounded_half_up(
    dma_spec: engine.QuestionnaireSpec, score: Any, band: str
) -> None:
    assert dma_spec.band_for(Fraction(str(score))).code == band


def test_extreme_answers_score_0_and_the_maximum(
    dma_spec: engine.QuestionnaireSpec, fof_spec: engine.QuestionnaireSpec
) -> None:
    for spec in (dma_spec, fof_spec):
        low = engine.score(spec, engine.extreme_answers(spec, high=False))
        high = engine.score(spec, engine.extreme_answers(spec, high=True))
        assert {float(d.reported) for d in low.dimensions} == {0.0}
        assert (low.band.code, high.band.code) == (spec.bands[0].code, spec.bands[-1].code)
        maxima = {d.code: float(d.reported) for d in high.dimensions}
        if spec is fof_spec:
            assert set(maxima.values()) == {100.0}
        else:  # Q7's option 2 excludes the others, so D4 tops out at 5 × (10 × 7/8 + 10) = 93.75
            assert maxima == {"D1": 100.0, "D2": 100.0, "D3": 100.0, "D4": 93.75, "D5": 100.0, "D6": 100.0}


def test_the_factory_of_the_future_scan_follows_the_seven_transformations(
    fof_spec: engine.QuestionnaireSpec,
) -> None:
    assert [d.name.en for d in fof_spec.dimensions] == [
        "World-class manufacturing technologies",
        "End-to-end engineering",
        "Digital factory",
        "Human-centred production",
        "Production network",
        "Eco-production",
        "Smart production systems",
    ]
    kinds = {q.kind.value for q in fof_spec.questions}
    assert kinds == {"single", "multi", "rating_per_row", "choice_per_row", "text"}
    # advice for every dimension in every band
    for dimension in fof_spec.dimensions:
        for band in fof_spec.bands:
            assert fof_spec.advice_for(dimension.code, band.code), (dimension.code, band.code)
    # unscored questions are optional and never change the score
    base = engine.extreme_answers(fof_spec, high=True)
    with_text = {**base, "F16": "Onze lasrobot staat te vaak stil.", "F15": [1, 4]}
    assert engine.score(fof_spec, with_text).as_json() == engine.score(fof_spec, base).as_json()


def _definition() -> dict[str, Any]:
    with (QUESTIONNAIRES / "edih-dma-sme-1.0.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["bands"].pop(1), "cover 0 to 100"),
        (lambda d: d["dimensions"][0].update(score="ticked(Q3) * 2"), "belong to another dimension"),
        (lambda d: d["dimensions"][0].update(score="ticked(Q99)"), "unknown question Q99"),
        (lambda d: d["dimensions"][0].update(score="__import__('os')"), "only numbers"),
        (lambda d: d["dimensions"][1].update(score="100 * ticked(Q3) + 0 * mean(Q4)"), "must give 0..100"),
        (lambda d: d["dimensions"][1].update(score="mean(Q3) + mean(Q4)"), r"mean\(\) needs"),
        (lambda d: d["questions"][0]["rows"][0].pop("en"), "English"),
        (lambda d: d["questions"][3].update(scale="missing-scale"), "unknown scale"),
        (lambda d: d["scales"]["no-partially-yes"]["values"][0].update(code=False), "quote yes and no"),
        (
            lambda d: d["questions"][1]["options"].__setitem__(
                0, {"text": {"nl": "a", "en": "b"}, "excludes_others": True, "points": -1}
            ),
            "negative",
        ),
        (lambda d: d.update(version=1.0), "version"),
        (lambda d: d["advice"][0].update(bands=["excellent"]), "bands"),
    ],
)
def test_a_broken_definition_is_refused_with_where_and_why(change: Any, message: str) -> None:
    definition = _definition()
    change(definition)
    with pytest.raises(engine.DefinitionError, match=message):
        engine.spec_from_definition(definition)


def test_the_checksum_changes_with_the_content() -> None:
    one = engine.spec_from_definition(_definition())
    changed = _definition()
    changed["questions"][0]["text"]["en"] += " (changed)"
    assert engine.spec_from_definition(changed).checksum != one.checksum
    assert engine.spec_from_definition(_definition()).checksum == one.checksum
