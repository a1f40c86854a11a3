"""Questionnaires are versioned data: loading is idempotent, a changed file under a known version is
refused, a new version becomes current, and a stored result keeps the version it was scored with."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from deltaregio.directory import selectors as directory
from deltaregio.funnel import engine, selectors, services
from deltaregio.funnel.models import Questionnaire, ScanResult

from .conftest import QUESTIONNAIRES, CompleteScan

pytestmark = pytest.mark.django_db


def test_the_shipped_questionnaires_are_loaded_after_migrate() -> None:
    current = {(q.slug, q.version) for q in selectors.questionnaire_list()}
    assert current == {("edih-dma-sme", "1.0"), ("factory-of-the-future", "1.0")}
    dma = selectors.questionnaire_detail(slug="edih-dma-sme")
    assert dma.questions.count() == 11 and dma.dimensions.count() == 6 and dma.bands.count() == 4
    q7 = dma.questions.get(code="Q7")
    assert list(q7.options.filter(excludes_others=True).values_list("number", flat=True)) == [2]
    assert q7.text_en.startswith("How does your company manage its data")
    assert q7.text_nl.startswith("Hoe beheert uw bedrijf")


def test_every_lab_and_organisation_the_advice_names_is_in_the_directory() -> None:
    for questionnaire in selectors.questionnaire_list():
        spec = selectors.questionnaire_spec(questionnaire)
        labs = {n for a in spec.advice for n in a.labs}
        organisations = {n for a in spec.advice for n in a.organisations}
        assert labs <= set(selectors.labs_by_name(sorted(labs))), labs
        assert organisations <= set(selectors.organisations_by_name(sorted(organisations))), organisations
    assert {p.name for p in selectors.fokus_labs() if p.lab is not None} == {
        "Fieldlab Flexibel Manufacturing Eindhoven",
        "Praktijklab Diepenbeek",
        "OMC Turnhout",
        "Praktijklab KU Leuven Campus Brugge",
    }
    assert directory.lab_list().filter(name="Praktijklab Diepenbeek").get().area_m2 == 300


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(QUESTIONNAIRES / "edih-dma-sme-1.0.yaml", folder)
    return folder


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_changed_questionnaire_under_a_loaded_version_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "edih-dma-sme-1.0.yaml", lambda d: d["questions"][0]["text"].update(en="Edited"))
    before = Questionnaire.objects.count()
    with pytest.raises(engine.DefinitionError, match="already loaded with other content"):
        services.questionnaires_load(directory=folder)
    assert Questionnaire.objects.count() == before


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "x.yaml").write_text("slug: x\nslug: y\n", encoding="utf-8")
    with pytest.raises(engine.DefinitionError, match="given twice"):
        services.questionnaires_load(directory=folder)


def test_a_new_version_becomes_current_and_old_results_do_not_change(
    tmp_path: Path, complete_scan: CompleteScan
) -> None:
    old_result, _token = complete_scan()
    old_json = selectors.result_json(old_result)
    folder = _copy(tmp_path)
    new_file = folder / "edih-dma-sme-1.1.yaml"
    shutil.move(folder / "edih-dma-sme-1.0.yaml", new_file)

    def change(data: dict[str, Any]) -> None:
        data["version"] = "1.1"
        data["dimensions"][0]["score"] = (
            "(ticked(Q1, invested) + ticked(Q1, planned) + ticked(Q2)) * 10 / 3 * 0 + ticked(Q2) * 10"
        )

    _edit(new_file, change)
    outcomes = services.questionnaires_load(directory=folder)
    assert [(o.version, o.created) for o in outcomes] == [("1.1", True)]
    assert selectors.questionnaire_current(slug="edih-dma-sme").version == "1.1"
    # the stored result keeps version 1.0 and its scores
    stored = ScanResult.objects.get(pk=old_result.pk)
    assert stored.questionnaire.version == "1.0"
    assert selectors.result_json(stored) == old_json
    # a new scan of the same answers is scored with 1.1: D1 = 3 ticks × 10 = 30
    new_result, _token = complete_scan()
    assert new_result.questionnaire.version == "1.1"
    assert selectors.result_json(new_result)["dimensions"]["D1"] == 30.0
    assert new_result.wave == 1 and old_result.wave == 0  # T0 and T1 of the same company
