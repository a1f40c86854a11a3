"""Indicators as data: the reference set, the documents' targets with their sources, computed values
with the moment they were computed, contradictions flagged, and each kind of bad input refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from deltaregio.accounts.models import Role
from deltaregio.monitoring import computations, services
from deltaregio.monitoring.models import Indicator, Measurement, Method, Target
from deltaregio.projects.models import Partner, Project

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

pytestmark = pytest.mark.django_db


def test_reference_set_has_the_interreg_and_document_002_indicators() -> None:
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {"RCO87", "RCR84", "RCR03"} <= codes
    doc002 = Indicator.objects.filter(framework="doc002")
    assert doc002.count() == 6
    assert all(i.source_document == "002_40d31b0bcedf8a9d.txt" for i in doc002)
    rco87 = Indicator.objects.get(code="RCO87")
    assert rco87.method == Method.COMPUTED and rco87.kind == "output" and rco87.definition_en


@pytest.mark.parametrize(
    ("code", "values"),
    [
        ("FOKUS-SME", [Decimal(150), Decimal(150), Decimal(200)]),
        ("FOKUS-PLANS", [Decimal(35)]),
        ("REGMED-RESEARCHERS", [Decimal(500)]),
        ("REGMED-BUDGET", [Decimal(250)]),
        ("NXTGEN-EARNINGS", [Decimal("3.6"), Decimal("3.6")]),
    ],
)
def test_the_documents_targets_are_loaded_with_their_sources(code: str, values: list[Decimal]) -> None:
    targets = list(Target.objects.filter(indicator__code=code).order_by("value", "source_location"))
    assert sorted(t.value for t in targets) == values
    for target in targets:
        assert target.source_document and target.source_location and target.quote


def test_each_quoted_target_stands_on_the_cited_lines() -> None:
    """The quotation of every target is in its source document on the lines it cites."""
    import re

    if not SEEDS.exists():
        pytest.skip("the source documents are not beside the repository")
    wrong = []
    for target in Target.objects.all():
        lines = (SEEDS / target.source_document).read_text(encoding="utf-8").splitlines()
        numbers = [int(n) for n in re.findall(r"\d+", target.source_location.split("lines")[-1])]
        first, last = numbers[0], numbers[-1]
        text = " ".join(" ".join(lines[first - 1 : last]).replace("\t", " ").split())
        quote = " ".join(target.quote.replace("’", "'").split())
        if quote not in text.replace("’", "'"):
            wrong.append((target.indicator.code, target.source_document, target.source_location))
    assert wrong == []


def test_the_fokus_sme_target_disagreement_is_shown(client: Any) -> None:
    response = client.get("/en/monitoring/indicators/FOKUS-SME/")
    body = response.content.decode()
    assert "150" in body and "200" in body
    assert "The documents disagree on this target" in body


def test_loading_twice_changes_nothing() -> None:
    before = (Indicator.history.count(), Target.history.count(), Target.objects.count())
    result = services.indicators_load()
    assert (result.indicators_created, result.indicators_updated, result.targets) == (0, 0, 0)
    assert (Indicator.history.count(), Target.history.count(), Target.objects.count()) == before


def test_computed_indicators_follow_the_records_and_say_when() -> None:
    indicator = Indicator.objects.get(code="PLAT-ORGS")
    before = Decimal(computations.get("organisations-participating").compute(None))  # type: ignore[union-attr]
    project = Project.objects.create(acronym="NEWX", slug="newx", title="New cross-border project")
    from deltaregio.directory.models import Organisation

    a = Organisation.objects.create(name="Nieuw BV", slug="nieuw-bv", kind="sme", country="NL")
    b = Organisation.objects.create(name="Nieuw NV", slug="nieuw-nv", kind="company", country="BE")
    Partner.objects.create(project=project, organisation=a, country="NL")
    Partner.objects.create(project=project, organisation=b, country="BE")
    from deltaregio.monitoring.tasks import recompute_indicators

    computed = recompute_indicators.delay(["PLAT-ORGS", "RCO87"]).get()
    assert Decimal(computed["PLAT-ORGS"]) == before + 2
    indicator.refresh_from_db()
    assert indicator.last_computed_at is not None
    latest = Measurement.objects.filter(indicator=indicator, origin=Method.COMPUTED).latest("date")
    assert latest.value == before + 2


def test_an_entered_value_contradicting_the_computed_one_is_flagged(officer: Any) -> None:
    indicator = Indicator.objects.get(code="PLAT-ORGS")
    computed = Measurement.objects.filter(indicator=indicator, origin=Method.COMPUTED).latest("date")
    same = services.measurement_enter(
        user=officer,
        indicator=indicator,
        date=computed.date - dt.timedelta(days=0),
        value=computed.value,
        unit="count",
        source="annual report",
    )
    assert same.conflict == ""
    other = services.measurement_enter(
        user=officer,
        indicator=indicator,
        date=computed.date + dt.timedelta(days=1),
        value=computed.value + 5,
        unit="count",
    )
    assert "Differs from the value computed" in other.conflict


# --- bad input --------------------------------------------------------------------------------------


def test_wrong_unit_is_refused(officer: Any) -> None:
    indicator = Indicator.objects.get(code="REGMED-BUDGET")
    with pytest.raises(services.MonitoringRefused, match="measured in million euro; this value is in euro"):
        services.measurement_enter(
            user=officer, indicator=indicator, date=dt.date(2020, 1, 1), value=Decimal(4_000_000), unit="EUR"
        )
    assert not Measurement.objects.filter(indicator=indicator).exists()


def test_date_outside_the_period_is_refused(officer: Any) -> None:
    indicator = Indicator.objects.get(code="FOKUS-SME")
    with pytest.raises(services.MonitoringRefused, match="outside the period of indicator FOKUS-SME") as info:
        services.measurement_enter(
            user=officer, indicator=indicator, date=dt.date(2024, 1, 1), value=Decimal(10), unit="count"
        )
    assert info.value.field == "date"


def test_target_for_an_unknown_year_is_refused() -> None:
    indicator = Indicator.objects.get(code="REGMED-RESEARCHERS")
    with pytest.raises(
        services.MonitoringRefused, match="2031 is not a year of indicator REGMED-RESEARCHERS"
    ):
        services.target_add(indicator=indicator, year=2031, value=Decimal(600))
    assert not Target.objects.filter(indicator=indicator, year=2031).exists()


def test_duplicate_measurement_for_the_same_moment_is_refused(officer: Any) -> None:
    indicator = Indicator.objects.get(code="D002-PATENTS")
    services.measurement_enter(
        user=officer, indicator=indicator, date=dt.date(2022, 12, 31), value=Decimal(3), unit="count"
    )
    with pytest.raises(services.MonitoringRefused, match="already has an entered measurement on 2022-12-31"):
        services.measurement_enter(
            user=officer, indicator=indicator, date=dt.date(2022, 12, 31), value=Decimal(4), unit="count"
        )
    assert Measurement.objects.filter(indicator=indicator).count() == 1


def test_unknown_computation_is_refused() -> None:
    with pytest.raises(services.MonitoringRefused, match="There is no computation 'nope'"):
        services.indicator_save(
            code="X1",
            values={
                "name_nl": "x",
                "name_en": "x",
                "framework": "platform",
                "unit": "count",
                "kind": "output",
                "level": "programme",
                "method": "computed",
                "computation": "nope",
                "moment": "continuous",
            },
        )
    assert not Indicator.objects.filter(code="X1").exists()


# --- permissions ------------------------------------------------------------------------------------


def test_a_partner_enters_for_its_own_project_only(make_user: Any) -> None:
    fokus = Project.objects.get(acronym="Fokus")
    organisation = Partner.objects.filter(project=fokus).select_related("organisation").first().organisation  # type: ignore[union-attr]
    partner = make_user(Role.APPLICANT, organisation=organisation.name)
    indicator = Indicator.objects.get(code="RCR03")
    made = services.measurement_enter(
        user=partner,
        indicator=indicator,
        date=dt.date(2021, 4, 30),
        value=Decimal(12),
        unit="count",
        project=fokus,
    )
    assert made.entered_by == partner and made.project == fokus
    other = Project.objects.exclude(partners__organisation=organisation).first()
    with pytest.raises(
        services.MonitoringRefused, match="You may not enter measurements for this project"
    ) as info:
        services.measurement_enter(
            user=partner,
            indicator=indicator,
            date=dt.date(2021, 4, 30),
            value=Decimal(1),
            unit="count",
            project=other,
        )
    assert info.value.status == 403
    with pytest.raises(services.MonitoringRefused, match="Only programme officers"):
        services.measurement_enter(
            user=partner,
            indicator=Indicator.objects.get(code="D002-JOBS"),
            date=dt.date(2022, 1, 1),
            value=Decimal(1),
            unit="persons",
        )


def test_only_officers_define_indicators(make_user: Any, officer: Any) -> None:
    assert officer.has_perm("monitoring.manage_indicator")
    for role in (Role.APPLICANT, Role.COMMITTEE_MEMBER, Role.SME, None):
        assert not make_user(role).has_perm("monitoring.manage_indicator")


def test_the_public_does_not_see_an_unpublished_indicator(client: Any) -> None:
    Indicator.objects.filter(code="D002-JOBS").update(is_published=False)
    assert client.get("/en/monitoring/indicators/D002-JOBS/").status_code == 404
    response = client.get("/api/v1/monitoring-indicators/")
    assert "D002-JOBS" not in response.content.decode()


def test_an_indicator_of_one_project_is_measured_for_that_project(officer: Any) -> None:
    indicator = Indicator.objects.get(code="REGMED-RESEARCHERS")
    with pytest.raises(services.MonitoringRefused, match="is about RegMed XB only"):
        services.measurement_enter(
            user=officer,
            indicator=indicator,
            date=dt.date(2020, 1, 1),
            value=Decimal(40),
            unit="persons",
            project=Project.objects.get(acronym="Fokus"),
        )
    made = services.measurement_enter(
        user=officer, indicator=indicator, date=dt.date(2020, 1, 1), value=Decimal(40), unit="persons"
    )
    assert made.project == indicator.project
