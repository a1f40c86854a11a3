"""The loader: idempotent, all-or-nothing, and it explains conflicts and bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deltaregio.agenda.models import Theme
from deltaregio.directory.models import Lab, Organisation
from deltaregio.seed.reader import DATA_DIR, SeedFileError
from deltaregio.seed.selectors import data_set_export
from deltaregio.seed.services import SeedLoadError, seed_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _everything(admin_user):
    return data_set_export(user=admin_user)


def test_loading_twice_changes_nothing(admin_user):
    before = _everything(admin_user)
    report = seed_load()
    assert sum(report.created.values()) == 0
    assert sum(report.unchanged.values()) > 800
    assert _everything(admin_user) == before


def test_a_conflict_is_explained_and_nothing_changes():
    theme = Theme.objects.get(code="photonics")
    theme.name_nl = "Licht"
    theme.save()
    Lab.objects.filter(name="Praktijklab Diepenbeek").delete()  # would be re-created by a successful load
    with pytest.raises(SeedLoadError) as info:
        seed_load()
    conflicts = info.value.report.conflicts
    assert any(c.model == "Theme" and c.field == "name_nl" and c.in_database == "Licht" for c in conflicts)
    assert "Licht" in str(conflicts[0]) and "Fotonica" in str(conflicts[0])
    assert not Lab.objects.filter(name="Praktijklab Diepenbeek").exists()
    assert Theme.objects.get(code="photonics").name_nl == "Licht"


def test_the_command_reports_conflicts_and_fails():
    Theme.objects.filter(code="hydrogen").update(order=99)
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("load_seed")


def test_dry_run_writes_nothing():
    Lab.objects.filter(name="OMC Turnhout").delete()
    report = seed_load(dry_run=True)
    assert report.created["Lab"] == 1
    assert not Lab.objects.filter(name="OMC Turnhout").exists()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_reference_is_an_error_with_its_place(data_copy: Path):
    Lab.objects.filter(name="OMC Turnhout").delete()
    _edit(
        data_copy / "004.yaml", "operator: Open Manufacturing Campus,", "operator: Open Manufacturing Kampus,"
    )
    with pytest.raises(SeedLoadError) as info:
        seed_load(data_dir=data_copy)
    messages = [str(e) for e in info.value.report.errors]
    assert any("004.yaml labs[2]" in m and "Open Manufacturing Kampus" in m for m in messages)
    assert not Lab.objects.filter(name="OMC Turnhout").exists()


def test_an_unquoted_amount_is_refused_because_it_would_not_stay_exact(data_copy: Path):
    _edit(data_copy / "004.yaml", 'budget: "430732.00"', "budget: 430732.00")
    with pytest.raises(SeedLoadError) as info:
        seed_load(data_dir=data_copy)
    assert any("quoted string" in str(e) for e in info.value.report.errors)


def test_a_record_without_source_is_refused(data_copy: Path):
    _edit(data_copy / "004.yaml", ', source: "WP 5, line 198"}', "}")
    with pytest.raises(SeedLoadError) as info:
        seed_load(data_dir=data_copy)
    assert any("needs a 'source'" in str(e) for e in info.value.report.errors)


def test_a_duplicate_definition_is_refused_not_merged(data_copy: Path):
    text = (data_copy / "000.yaml").read_text(encoding="utf-8")
    (data_copy / "000.yaml").write_text(
        text.replace(
            "organisations:\n", "organisations:\n  - {name: Sirris, kind: knowledge, source: x}\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(SeedLoadError) as info:
        seed_load(data_dir=data_copy)
    assert any("'Sirris' is defined twice" in str(e) for e in info.value.report.errors)


def test_invalid_yaml_names_the_file(data_copy: Path):
    (data_copy / "001.yaml").write_text("document: [unclosed", encoding="utf-8")
    with pytest.raises(SeedFileError, match=r"001\.yaml"):
        seed_load(data_dir=data_copy)


def test_an_invalid_date_names_the_file(data_copy: Path):
    _edit(
        data_copy / "001.yaml",
        "    order: 8\n    added_on: 2020-11-04",
        "    order: 8\n    added_on: 2020-13-04",
    )
    with pytest.raises(SeedFileError, match=r"001\.yaml.*month must be in 1\.\.12"):
        seed_load(data_dir=data_copy)


def test_an_invalid_choice_is_reported_with_record_and_field(data_copy: Path):
    Organisation.objects.filter(name="Made Different").delete()
    _edit(
        data_copy / "004.yaml",
        "{name: Made Different, kind: network,",
        "{name: Made Different, kind: spaceship,",
    )
    with pytest.raises(SeedLoadError) as info:
        seed_load(data_dir=data_copy)
    assert any(
        "organisations[10] Made Different" in str(e) and "kind" in str(e) and "spaceship" in str(e)
        for e in info.value.report.errors
    )


def test_a_key_given_twice_in_one_record_is_refused(data_copy: Path):
    _edit(
        data_copy / "004.yaml",
        "{source_name: Hermesfonds,",
        "{source: Hermesfonds, source_name: Hermesfonds,",
    )
    with pytest.raises(SeedFileError, match="appears twice"):
        seed_load(data_dir=data_copy)
