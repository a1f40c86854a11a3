"""The import page and its reports (officers only), the list exports with filters and escaping, the
PDFs in Dutch and English, and the command line."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from deltaregio.accounts.models import Role
from deltaregio.directory.models import Organisation
from deltaregio.imports.models import ImportRun
from deltaregio.projects.models import Project

from .conftest import SAMPLES

GOOD = "nr;acronym;title\n1;ALPHA;Alpha\n"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_import_page_is_for_programme_officers_only(
    client: Client, make_user: Callable[..., User]
) -> None:
    url = reverse("imports:start")
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    login(client, make_user(Role.APPLICANT, organisation="Holst Centre"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("imports:run_list")).status_code == 403
    run = ImportRun.objects.create(profile_name="h2020-norway", file_name="x.csv")
    assert client.get(reverse("imports:run_detail", args=[run.pk])).status_code == 403
    login(client, make_user(Role.PROGRAMME_OFFICER))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_an_officer_checks_a_file_then_imports_it(client: Client, officer: User) -> None:
    login(client, officer)
    sample = (SAMPLES / "cordis-project.csv").read_bytes()
    before = Project.objects.count()
    response = client.post(
        reverse("imports:start"),
        {"profile": "cordis-projects", "file": SimpleUploadedFile("project.csv", sample), "dry_run": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was written" in response.content.decode() or "Er is niets" in response.content.decode()
    assert Project.objects.count() == before
    run = ImportRun.objects.latest("created_at")
    assert run.state == "done" and run.dry_run and run.content is None and run.created_by == officer
    assert run.report["created"] > 0
    response = client.post(
        reverse("imports:start"),
        {"profile": "cordis-projects", "file": SimpleUploadedFile("project.csv", sample)},
        follow=True,
    )
    assert response.status_code == 200
    assert Project.objects.count() == before + 3


@pytest.mark.django_db
def test_a_refused_file_shows_every_problem(client: Client, officer: User) -> None:
    login(client, officer)
    broken = (SAMPLES / "cordis-project.csv").read_text(encoding="utf-8").replace("2021-01-01", "2021-13-01")
    response = client.post(
        reverse("imports:start"),
        {"profile": "cordis-projects", "file": SimpleUploadedFile("project.csv", broken.encode())},
        follow=True,
    )
    page = response.content.decode()
    assert "row 2" in page and "startDate" in page
    assert ImportRun.objects.latest("created_at").state == "refused"


@pytest.mark.django_db
@override_settings(DELTAREGIO_IMPORT_BACKGROUND_BYTES=10)
def test_a_large_file_runs_as_a_background_task(client: Client, officer: User) -> None:
    login(client, officer)
    sample = (SAMPLES / "cordis-project.csv").read_bytes()
    response = client.post(
        reverse("imports:start"),
        {"profile": "cordis-projects", "file": SimpleUploadedFile("project.csv", sample), "dry_run": "on"},
    )
    run = ImportRun.objects.latest("created_at")
    assert response["Location"].endswith(reverse("imports:run_detail", args=[run.pk]))
    assert run.state == "done"  # the task ran inline (no broker in tests)


@pytest.mark.django_db
def test_the_form_refuses_a_bad_uploaded_profile(client: Client, officer: User) -> None:
    login(client, officer)
    response = client.post(
        reverse("imports:start"),
        {
            "profile_file": SimpleUploadedFile("p.yaml", b"name: x\nsource: {format: pdf}\n"),
            "file": SimpleUploadedFile("a.csv", GOOD.encode()),
        },
    )
    assert response.status_code == 400
    assert "source.format" in response.content.decode()


def rows_of_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.django_db
def test_exported_cells_never_run_as_formulas(client: Client) -> None:
    Organisation.objects.create(
        name='=HYPERLINK("http://evil")', slug="evil", city="@SUM(A1)", short_name="+1+1"
    )
    xlsx = client.get(reverse("imports:export_organisations", args=["xlsx"]), {"q": "HYPERLINK"})
    assert xlsx.status_code == 200
    rows = rows_of_xlsx(xlsx.content)
    assert rows[1][0] == '\'=HYPERLINK("http://evil")' and rows[1][1] == "'+1+1" and rows[1][5] == "'@SUM(A1)"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    text = client.get(
        reverse("imports:export_organisations", args=["csv"]), {"q": "HYPERLINK"}
    ).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0].startswith("'=") and row[5] == "'@SUM(A1)"


@pytest.mark.django_db
def test_project_export_applies_the_filters_and_visibility(client: Client, officer: User) -> None:
    hidden = Project.objects.create(
        acronym="HIDDEN", slug="hidden", title="Unpublished", is_public=False, status="running"
    )
    public = list(Project.objects.filter(is_public=True).values_list("acronym", flat=True))
    rows = rows_of_xlsx(client.get(reverse("imports:export_projects", args=["xlsx"])).content)
    assert sorted(r[0] for r in rows[1:]) == sorted(public)
    running = client.get(
        reverse("imports:export_projects", args=["csv"]), {"status": "running"}
    ).content.decode("utf-8-sig")
    acronyms = {r[0] for r in list(csv.reader(io.StringIO(running)))[1:]}
    assert acronyms == set(
        Project.objects.filter(is_public=True, status="running").values_list("acronym", flat=True)
    )
    assert (
        client.get(reverse("imports:export_projects", args=["csv"]), {"status": "nonsense"}).status_code
        == 400
    )
    login(client, officer)
    rows = rows_of_xlsx(client.get(reverse("imports:export_projects", args=["xlsx"])).content)
    assert hidden.acronym in {r[0] for r in rows}


@pytest.mark.django_db
def test_call_export(client: Client) -> None:
    rows = rows_of_xlsx(client.get(reverse("imports:export_calls", args=["xlsx"]), {"year": 2019}).content)
    assert rows[0][0] in {"Code"} and all(r[4] == 2019 for r in rows[1:])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdfs_in_dutch_and_english_embed_a_font(client: Client, language: str) -> None:
    project = Project.objects.filter(is_public=True, partners__isnull=False).first()
    assert project is not None
    sheet = client.get(reverse("imports:project_sheet", args=[project.slug]), {"lang": language})
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert b"SourceSans" in sheet.content  # the TrueType font is embedded
    report = client.get(reverse("imports:programme_report"), {"lang": language})
    assert report.status_code == 200 and report.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_pdf_of_an_unpublished_project_is_not_found(client: Client) -> None:
    Project.objects.create(acronym="SECRET", slug="secret", title="Secret", is_public=False)
    assert client.get(reverse("imports:project_sheet", args=["secret"])).status_code == 404


@pytest.mark.django_db
def test_the_360giving_download_is_public(client: Client) -> None:
    response = client.get(reverse("imports:giving360"))
    assert response.status_code == 200 and response.json()["grants"]


@pytest.mark.django_db
def test_the_command_reports_and_exits_with_status(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    call_command(
        "importdata",
        "--profile",
        "cordis-projects",
        str(SAMPLES / "cordis-project.csv"),
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "Dry run: the file is valid; nothing was written." in text
    assert "Rows read: 3" in text and "organisations matched" in text
    assert "checking [" in capsys.readouterr().err  # the progress bar
    with pytest.raises(CommandError) as refused:
        call_command(
            "importdata",
            "--profile",
            "cordis-organisations",
            str(SAMPLES / "cordis-organization.csv"),
            stdout=io.StringIO(),
        )
    assert refused.value.returncode == 1
    with pytest.raises(CommandError) as unknown:
        call_command("importdata", "--profile", "nonsense", str(SAMPLES / "cordis-project.csv"))
    assert unknown.value.returncode == 2


def test_every_view_of_the_app_declares_who_may_use_it() -> None:
    from django.urls import URLPattern

    from deltaregio.imports import urls

    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert getattr(pattern.callback, "permissions_required", None), pattern.name
        assert pattern.callback.__doc__, pattern.name
