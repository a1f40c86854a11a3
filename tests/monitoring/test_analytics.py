"""Portfolio analytics like the FRIS analysis: the OECD Fields of Science loaded from the standards file,
a saved selection by codes, its share of projects and budget per year and by category, with its
definition beside the result — on the reference set and on the real Horizon 2020 Norway data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from deltaregio.accounts.models import Role
from deltaregio.monitoring import selectors, services
from deltaregio.monitoring.models import Category, ProjectCategory, Selection

from .conftest import FOS, H2020, shared_path

pytestmark = pytest.mark.django_db
EVERYONE = User(is_superuser=True, is_active=True)


def test_scheme_loaded_from_the_file_with_its_hierarchy(fos: Any) -> None:
    assert Category.objects.filter(scheme__code="oecd-fos-2007").count() == 48
    health = Category.objects.get(scheme__code="oecd-fos-2007", code="3.4")
    assert health.label == "Health biotechnology" and health.parent.code == "3"  # type: ignore[union-attr]
    again = services.scheme_load_csv(code="oecd-fos-2007", name="OECD FOS", path=FOS)
    assert again.created == 0 and again.unchanged == 48


def test_load_classification_command_refuses_a_missing_file() -> None:
    with pytest.raises(CommandError, match="no such file") as info:
        call_command("load_classification", "nope.csv")
    assert info.value.returncode == 2


def test_health_selection_on_the_reference_set(fos: Any) -> None:
    selection = Selection.objects.get(code="health-related")
    result = selectors.analysis(selection=selection, source="reference", user=EVERYONE)
    codes = {c.code for c in result.categories}
    assert {"3", "3.1", "3.4", "2.6", "1.6"} <= codes and "2.3" not in codes
    regmed = ProjectCategory.objects.filter(project__acronym="RegMed XB").values_list(
        "category__code", flat=True
    )
    assert set(regmed) == {"3.4", "3.1"}
    assert result.total.selected >= 10
    assert result.total.projects >= result.total.selected
    # the share is computed from the rows, not fixed
    assert result.total.project_share == (
        Decimal(result.total.selected) * 100 / result.total.projects
    ).quantize(Decimal("0.1"))


def test_health_selection_on_real_h2020_data(fos: Any, client: Client) -> None:
    from deltaregio.imports.profiles import load_profile
    from deltaregio.imports.services import import_file

    path = shared_path(H2020)
    report = import_file(data=path.read_bytes(), profile=load_profile("h2020-norway"), file_name=path.name)
    assert not report.errors if hasattr(report, "errors") else True
    made = services.imports_classify()
    assert made > 1000
    selection = Selection.objects.get(code="health-related")
    result = selectors.analysis(selection=selection, source="h2020-norway", user=EVERYONE)
    assert result.total.projects == 1957  # distinct Prosjektnr in the file
    # HEALTH is the only programme part mapped to 3; count the file's distinct HEALTH projects
    import csv

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    health = {r["Prosjektnr"] for r in rows if r["Programkortnavn (H2020)"] == "HEALTH"}
    assert result.total.selected == len(health)
    years = {r.year for r in result.years}
    assert {2015, 2016, 2017, 2018, 2019, 2020} <= years
    assert Decimal(0) < result.total.selected_budget < result.total.budget
    assert result.total.budget_share is not None
    response = client.get("/en/monitoring/analytics/?selection=health-related&source=h2020-norway")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Definition of the selection" in body and "3 Medical and health sciences" in body
    assert f"{len(health)} of 1957 projects" in body.replace("\u00a0", "").replace(",", "")


def test_only_officers_save_selections(fos: Any, make_user: Any) -> None:
    scheme = Selection.objects.get(code="health-related").scheme
    with pytest.raises(services.MonitoringRefused, match="Only programme officers save selections"):
        services.selection_save(
            user=make_user(Role.APPLICANT), code="x", scheme=scheme, codes=["3"], name_nl="x", name_en="x"
        )
    officer = make_user(Role.PROGRAMME_OFFICER)
    with pytest.raises(services.MonitoringRefused, match="Codes not in"):
        services.selection_save(
            user=officer, code="x", scheme=scheme, codes=["9.9"], name_nl="x", name_en="x"
        )
    saved = services.selection_save(
        user=officer,
        code="engineering",
        scheme=scheme,
        codes=["2"],
        name_nl="Techniek",
        name_en="Engineering",
    )
    assert saved.created_by == officer


def test_unknown_data_set_is_refused(client: Client, fos: Any) -> None:
    response = client.get("/en/monitoring/analytics/?source=nope")
    assert response.status_code == 400 and "No data set with this name" in response.content.decode()
