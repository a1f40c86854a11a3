"""The synthetic portfolio: deterministic for a seed, shaped like the real data sets, clear refusals."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.ops import synthetic
from deltaregio.ops.services import DOCUMENT, GenerateError, portfolio_generate
from deltaregio.projects.models import Partner, Project, WorkPackage

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def fingerprint(seed: int) -> list[tuple[Any, ...]]:
    projects = Project.objects.filter(source_document=DOCUMENT, acronym__startswith=f"S{seed}-")
    return [
        (
            p.acronym,
            p.title,
            p.total_cost,
            p.start_date,
            p.end_date,
            p.instrument_id,
            tuple(sorted(p.themes.values_list("code", flat=True))),
            tuple(p.partners.order_by("pk").values_list("organisation__name", "role", "country")),
            tuple(
                FundingContribution.objects.filter(project=p).order_by("pk").values_list("amount", flat=True)
            ),
        )
        for p in projects.order_by("acronym")
    ]


def generate_and_forget(seed: int, n: int) -> list[tuple[Any, ...]]:
    try:
        with transaction.atomic():
            portfolio_generate(participations=n, seed=seed, scans=0)
            result = fingerprint(seed)
            raise Rollback
    except Rollback:
        pass
    return result


def test_the_same_seed_gives_the_same_portfolio_and_another_seed_another():
    first = generate_and_forget(11, 300)
    again = generate_and_forget(11, 300)
    other = generate_and_forget(12, 300)
    assert first and first == again
    assert [row[1:] for row in other] != [row[1:] for row in first]


def test_counts_and_links_are_whole():
    report = portfolio_generate(participations=500, seed=3, scans=0)
    partners = Partner.objects.filter(source_document=DOCUMENT)
    assert report.participations == partners.count() == 500
    assert report.projects == Project.objects.filter(source_document=DOCUMENT).count()
    # every participation has its contribution, linked to it; every project its work packages
    assert FundingContribution.objects.filter(source_document=DOCUMENT, partners__isnull=False).count() == 500
    assert not Project.objects.filter(source_document=DOCUMENT, work_packages__isnull=True).exists()
    assert WorkPackage.objects.filter(source_document=DOCUMENT).count() == report.work_packages
    # organisations are reused, as in the real data: fewer organisations than participations
    assert report.organisations == Organisation.objects.filter(source_document=DOCUMENT).count()
    assert report.organisations < 500
    busiest = partners.values("organisation").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None and busiest["n"] > 1
    # the ids written by COPY / bulk_create leave the sequences usable
    Organisation.objects.create(name="After the generator", slug="after-the-generator")


def test_distributions_follow_the_real_data_sets():
    dist = synthetic.load()
    portfolio_generate(participations=3000, seed=5, scans=0, distributions=dist)
    projects = Project.objects.filter(source_document=DOCUMENT)
    sizes = list(projects.annotate(n=Count("partners")).values_list("n", flat=True))
    assert statistics.mean(sizes) == pytest.approx(statistics.mean(dist.partners_per_project), rel=0.15)
    assert Counter(sizes).most_common(1)[0][0] == Counter(dist.partners_per_project).most_common(1)[0][0]
    amounts = sorted(
        FundingContribution.objects.filter(source_document=DOCUMENT).values_list("amount", flat=True)
    )
    real_median = statistics.median(dist.amounts)
    assert float(statistics.median(amounts)) == pytest.approx(real_median, rel=0.25)
    years = set(projects.values_list("start_date__year", flat=True))
    assert years <= set(dist.start_years)
    for project in projects.filter(end_date__isnull=False)[:200]:
        assert project.end_date > project.start_date


def test_the_real_files_are_read_when_present():
    dist = synthetic.load()
    if dist.provenance == synthetic.FALLBACK.provenance:
        if os.environ.get("DELTAREGIO_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("shared data missing (DELTAREGIO_REQUIRE_SHARED_DATA=1)")
        pytest.skip("shared data not beside the repository: the fallback numbers are used")
    assert synthetic.H2020 in dist.provenance and synthetic.INTERREG in dist.provenance
    assert len(dist.partners_per_project) > 2000


def test_the_fallback_is_used_without_files(tmp_path: Any):
    assert synthetic.load(tmp_path) is synthetic.FALLBACK


def test_a_seed_is_generated_once():
    portfolio_generate(participations=20, seed=9, scans=0)
    with pytest.raises(GenerateError, match="seed 9 is already"):
        portfolio_generate(participations=20, seed=9, scans=0)


def test_scans_go_through_the_funnel_services():
    report = portfolio_generate(participations=20, seed=21, scans=2)
    assert report.scans == 2
    assert Organisation.objects.filter(name__startswith="S21 Maakbedrijf", kind="sme").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--participations", "0"], "--participations must be at least 1"),
        (
            ["--participations", "many"],
            "argument --participations: must be a whole number such as 1000000, not 'many'",
        ),
        ([], "--participations N is required"),
        (["--participations", "10", "--scans", "-1"], "--scans must not be negative"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], message: str):
    result = subprocess.run(
        [sys.executable, "-m", "deltaregio", "generate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ,
    )
    assert result.returncode == 2
    assert message in result.stderr
