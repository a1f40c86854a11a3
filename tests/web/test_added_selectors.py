"""The selectors the web interface added: theme figures and the search functions."""

from __future__ import annotations

import pytest

from deltaregio.agenda.models import Theme
from deltaregio.agenda.selectors import theme_figures, theme_money, theme_search
from deltaregio.directory.selectors import lab_search, organisation_search
from deltaregio.funding.selectors import call_search, instrument_search
from deltaregio.projects.models import Project
from deltaregio.projects.selectors import project_search, visible_projects

pytestmark = pytest.mark.django_db


def test_theme_figures_agree_with_theme_money_and_the_project_count() -> None:
    figures = theme_figures(projects=Project.objects.all())
    for theme in Theme.objects.all():
        expected_money = theme_money(theme)
        expected_count = theme.projects.count()
        got = figures.get(theme.pk)
        if expected_count == 0:
            assert got is None
        else:
            assert got is not None
            assert got.money == expected_money, theme.code
            assert got.project_count == expected_count, theme.code


def test_theme_figures_count_only_the_given_projects(django_user_model: type) -> None:
    from django.contrib.auth.models import AnonymousUser

    fof = Theme.objects.get(code="factories-of-the-future")
    Project.objects.filter(slug="fokus").update(is_public=False)
    figures = theme_figures(projects=visible_projects(AnonymousUser()))
    assert fof.pk not in figures or "EUR" not in figures[fof.pk].money


def test_search_functions_are_case_insensitive_contains() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert [t.code for t in theme_search("FOTON")] == ["photonics"]
    assert "Fokus" in [p.acronym for p in project_search("fokus", user=AnonymousUser())]
    assert "Sirris" in [o.name for o in organisation_search("sirr")]
    assert "OMC Turnhout" in [lab.name for lab in lab_search("TURNHOUT")]
    assert "interreg-vl-nl" in [i.code for i in instrument_search("Interreg Vlaanderen")]
    assert call_search("projectoproep").exists()
