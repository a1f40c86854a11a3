"""The finance API: budget lines and co-financing lines per permission, bad input refused in the one
error format naming the field, programme amounts for officers, findings, a project's budget and a
programme's plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.accounts.models import Role
from deltaregio.finance.models import BudgetLine, CoFinancingLine, FundingRateLimit, ProgrammeAmount
from deltaregio.funding.models import Instrument

from .conftest import Consortium

pytestmark = pytest.mark.django_db

LINES = "/api/v1/finance/budget-lines/"
CO = "/api/v1/finance/co-financing-lines/"
AMOUNTS = "/api/v1/finance/programme-amounts/"
FINDINGS = "/api/v1/finance/findings/"


def error(response: Any, status: int, code: str, fields: set[str] | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    if fields is not None:
        assert set(body["error"]["fields"]) == fields, body
    return body["error"]  # type: ignore[no-any-return]


def line_body(c: Consortium, **changes: Any) -> dict[str, Any]:
    body = {
        "project": c.project.slug,
        "partner": c.alpha.organisation.slug,
        "work_package": 1,
        "year": 2025,
        "category": "staff",
        "amount": "1234.50",
        "note": "2 maanden ingenieur",
    }
    body.update(changes)
    return body


def test_a_partner_creates_reads_changes_and_removes_its_line(
    consortium: Consortium, login: Any, user_for: Any
) -> None:
    client = login(user_for(consortium.alpha))
    created = client.post(LINES, line_body(consortium), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "1234.50" and body["partner"] == consortium.alpha.organisation.slug
    assert body["source"] == {"document": "API", "location": f"budget line {body['id']}"}
    url = f"{LINES}{body['id']}/"
    assert client.get(url).json()["year"] == 2025
    changed = client.patch(url, {"amount": "99.99"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["amount"] == "99.99"
    assert BudgetLine.objects.get().history.count() == 2
    assert client.get(LINES, {"project": consortium.project.slug}).json()["count"] == 1
    assert client.delete(url).status_code == 204
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"amount": "-10.00"}, "amount", "greater than or equal to 0"),
        ({"amount": "10.123"}, "amount", "2 decimal places"),
        ({"amount": "tien euro"}, "amount", "valid number"),
        ({"amount": 10.125}, "amount", "2 decimal places"),
        ({"year": 2030}, "year", "outside the project"),
        ({"year": "volgend jaar"}, "year", "valid integer"),
        ({"work_package": 7}, "work_package", "no work package 7"),
        ({"partner": "holst-centre"}, "partner", "not a partner of this project"),
        ({"category": "lunch"}, "category", "not a valid choice"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    consortium: Consortium, login: Any, user_for: Any, change: dict[str, Any], field: str, words: str
) -> None:
    client = login(user_for(consortium.alpha))
    response = client.post(LINES, line_body(consortium, **change), content_type="application/json")
    found = error(response, 400, "invalid", {field})
    assert words in " ".join(found["fields"][field])
    assert not BudgetLine.objects.exists()


def test_who_may_write(
    consortium: Consortium, api: Client, login: Any, user_for: Any, officer: Any, make_user: Any
) -> None:
    error(api.post(LINES, line_body(consortium), content_type="application/json"), 401, "not_authenticated")
    beta = login(user_for(consortium.beta))
    error(beta.post(LINES, line_body(consortium), content_type="application/json"), 403, "permission_denied")
    stranger = login(make_user(Role.APPLICANT, organisation="Holst Centre"))
    error(
        stranger.post(LINES, line_body(consortium), content_type="application/json"), 403, "permission_denied"
    )
    line = consortium.line(consortium.alpha)
    error(
        beta.patch(f"{LINES}{line.pk}/", {"amount": "1"}, content_type="application/json"), 404, "not_found"
    )
    lead = login(user_for(consortium.lead))
    assert lead.get(f"{LINES}{line.pk}/").status_code == 200  # the lead sees it ...
    error(
        lead.patch(f"{LINES}{line.pk}/", {"amount": "1"}, content_type="application/json"),
        403,
        "permission_denied",
    )
    consortium.project.status = "running"
    consortium.project.save()
    alpha = login(user_for(consortium.alpha))
    error(
        alpha.patch(f"{LINES}{line.pk}/", {"amount": "1"}, content_type="application/json"),
        403,
        "permission_denied",
    )
    assert (
        login(officer)
        .patch(f"{LINES}{line.pk}/", {"amount": "1"}, content_type="application/json")
        .status_code
        == 200
    )


def test_who_may_read(consortium: Consortium, api: Client, login: Any, user_for: Any, officer: Any) -> None:
    consortium.line(consortium.alpha)
    consortium.line(consortium.beta)
    error(api.get(LINES), 401, "not_authenticated")  # the public sees no lines
    assert login(user_for(consortium.alpha)).get(LINES).json()["count"] == 1
    assert login(user_for(consortium.lead)).get(LINES).json()["count"] == 2
    assert login(officer).get(LINES).json()["count"] == 2


def test_unknown_parameters_and_bad_pages(api: Client, officer: Any, login: Any) -> None:
    officer_client = login(officer)
    error(officer_client.get(LINES, {"colour": "red"}), 400, "unknown_parameter", {"colour"})
    error(officer_client.get(LINES, {"page": "0"}), 400, "invalid", {"page"})
    error(api.get(FINDINGS, {"colour": "red"}), 400, "unknown_parameter", {"colour"})
    error(api.get(AMOUNTS, {"page": "0"}), 400, "invalid", {"page"})


def test_co_financing_lines(consortium: Consortium, login: Any, user_for: Any) -> None:
    client = login(user_for(consortium.alpha))
    erdf = Instrument.objects.get(code="interreg-vl-nl")
    FundingRateLimit.objects.create(instrument=erdf, max_rate=Decimal("50"), source_document="test")
    body = {
        "project": consortium.project.slug,
        "partner": consortium.alpha.organisation.slug,
        "funding_source_kind": "eu_fund",
        "source": "EFRO",
        "instrument": "interreg-vl-nl",
        "rate": "50",
    }
    created = client.post(CO, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["provenance"]["document"] == "API"
    found = error(
        client.post(CO, {**body, "source": "EFRO 2", "rate": "150"}, content_type="application/json"),
        400,
        "invalid",
        {"rate"},
    )
    assert "less than or equal to 100" in found["fields"]["rate"][0]
    error(
        client.post(CO, {**body, "source": "EFRO 3", "rate": "55"}, content_type="application/json"),
        400,
        "invalid",
        {"rate"},
    )
    error(
        client.post(
            CO, {**body, "source": "Eigen", "rate": None, "amount": "-1"}, content_type="application/json"
        ),
        400,
        "invalid",
        {"amount"},
    )
    assert CoFinancingLine.objects.count() == 1


def test_programme_amounts(api: Client, login: Any, officer: Any, applicant: Any) -> None:
    body = {
        "programme": "nxtgen-hightech",
        "kind": "realised",
        "year": 2022,
        "contributor": "companies",
        "amount": "1500000.00",
        "unit": "EUR",
    }
    error(login(applicant).post(AMOUNTS, body, content_type="application/json"), 403, "permission_denied")
    created = login(officer).post(AMOUNTS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert api.get(AMOUNTS, {"programme": "nxtgen-hightech"}).json()["count"] == 1
    error(
        login(officer).post(AMOUNTS, {**body, "amount": "-5"}, content_type="application/json"),
        400,
        "invalid",
        {"amount"},
    )
    assert ProgrammeAmount.objects.count() == 1


def test_findings_endpoint(api: Client) -> None:
    body = api.get(FINDINGS, {"page_size": 100}).json()
    keys = {f["key"] for f in body["results"]}
    assert "same-quantity:nxtgen-budget-zonder-overheid" in keys and "wp-share-sum:fokus" not in keys
    within = api.get(FINDINGS, {"within_rounding": "true", "project": "fokus"}).json()
    assert "wp-share-sum:fokus" in {f["key"] for f in within["results"]}
    finding = api.get(FINDINGS, {"programme": "nxtgen-hightech", "severity": "impossible"}).json()["results"]
    assert [f["key"] for f in finding] == ["table-not-negative:nxtgen-table-6:energie:met-overheid"]
    assert finding[0]["figures"][0]["source"]["document"].startswith("003_")
    error(api.get(FINDINGS, {"project": "bestaat-niet"}), 400, "invalid", {"project"})
    error(api.get(FINDINGS, {"severity": "ernstig"}), 400, "invalid", {"severity"})
    error(api.post(FINDINGS, {}), 401, "not_authenticated")


def test_project_budget_and_programme_plan(
    api: Client, consortium: Consortium, login: Any, user_for: Any
) -> None:
    fokus = api.get("/api/v1/finance/project-budgets/fokus/").json()
    assert fokus["total_cost"] == "4294998.6" and fokus["lines_shown"] == "totals"
    assert [wp["budget"] for wp in fokus["work_packages"]][4] == "2342473.60"
    assert {c["source_kind"] for c in fokus["contributions"]} == {"eu_fund", "own", "government"}
    consortium.line(consortium.alpha, amount="10.00")
    consortium.line(consortium.beta, amount="20.00")
    mine = (
        login(user_for(consortium.alpha))
        .get(f"/api/v1/finance/project-budgets/{consortium.project.slug}/")
        .json()
    )
    assert mine["lines_shown"] == "own" and [a["amount"] for a in mine["amounts"]] == ["10"]
    public = api.get(f"/api/v1/finance/project-budgets/{consortium.project.slug}/").json()
    assert public["lines_shown"] == "none" and public["amounts"] == []
    error(api.get("/api/v1/finance/project-budgets/bestaat-niet/"), 404, "not_found")
    plan = api.get("/api/v1/finance/programme-plans/nxtgen-hightech/").json()
    assert plan["unit"] == "MEUR" and plan["source_table"] == "nxtgen-table-5"
    assert (
        plan["programme_total"]["total"]["text"] == "1.584"
        and plan["programme_total"]["total"]["value"] == "1584"
    )
    companies = next(
        p for p in plan["planned"] if p["scenario"] == "met groeifonds" and p["contributor"] == "companies"
    )
    assert companies["values"]["2022"]["value"] == "47"


def test_list_query_count_does_not_grow(consortium: Consortium, login: Any, officer: Any) -> None:
    client = login(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LINES).status_code == 200
        return len(context.captured_queries)

    consortium.line(consortium.alpha)
    few = count()
    for year in (2024, 2025, 2026):
        consortium.line(consortium.beta, year=year)
        consortium.line(consortium.lead, year=year)
    assert count() == few
