"""The funnel API: questionnaires, the same scoring as the command line, the scan lifecycle through
its private token, results and steps per role, and the public aggregated funnel."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from deltaregio.accounts.models import Role
from deltaregio.funnel.models import Intake, ScanResult

from .conftest import DMA_EXAMPLE, DMA_EXAMPLE_RESULT, CompleteScan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_client(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


def test_the_score_endpoint_gives_exactly_the_published_result(client: Client) -> None:
    response = post(client, "/api/v1/questionnaires/edih-dma-sme/score/", DMA_EXAMPLE)
    assert response.status_code == 200
    assert json.dumps(response.json()) == DMA_EXAMPLE_RESULT


def test_the_score_endpoint_refuses_bad_answers_per_question(client: Client) -> None:
    answers = {**DMA_EXAMPLE, "Q4": [9, 0, 5, 3, 2, 0, 1], "Q7": [2, 5]}
    del answers["Q11"]
    body = error(post(client, "/api/v1/questionnaires/edih-dma-sme/score/", answers), 400, "answers_invalid")
    assert set(body["fields"]) == {"Q4", "Q7", "Q11"}
    assert "Q4, Q7, Q11" in body["message"]
    error(post(client, "/api/v1/questionnaires/nope/score/", DMA_EXAMPLE), 404, "not_found")
    error(
        client.post(
            "/api/v1/questionnaires/edih-dma-sme/score/?version=9", "{}", content_type="application/json"
        ),
        404,
        "not_found",
    )


def test_questionnaires_are_public_with_both_languages(client: Client) -> None:
    listing = client.get("/api/v1/questionnaires/").json()
    assert {q["slug"] for q in listing["results"]} == {"edih-dma-sme", "factory-of-the-future"}
    detail = client.get("/api/v1/questionnaires/edih-dma-sme/").json()
    assert [q["code"] for q in detail["questions"]] == [f"Q{n}" for n in range(1, 12)]
    q7 = detail["questions"][6]
    assert q7["options"][1]["excludes_others"] is True
    assert q7["options"][1]["text"]["en"] == "Data is not collected digitally"
    assert detail["dimensions"][0]["formula"].startswith("(ticked(Q1, invested)")
    error(client.get("/api/v1/questionnaires/edih-dma-sme/", {"colour": "red"}), 400, "unknown_parameter")


def test_a_scan_through_the_api_from_start_to_result(client: Client) -> None:
    started = post(client, "/api/v1/scans/", {"questionnaire": "edih-dma-sme", "language": "en"})
    assert started.status_code == 201
    token = started.json()["token"]
    assert started.json()["missing"] == [f"Q{n}" for n in range(1, 12)]
    half = {k: v for k, v in DMA_EXAMPLE.items() if k in {"Q1", "Q2", "Q3"}}
    saved = client.patch(
        f"/api/v1/scans/{token}/", json.dumps({"answers": half}), content_type="application/json"
    )
    assert saved.status_code == 200 and "Q4" in saved.json()["missing"]
    body = error(
        post(
            client,
            f"/api/v1/scans/{token}/submit/",
            {"company_name": "API Draaierij", "country": "BE", "region": "Limburg", "email": "x@api.example"},
        ),
        400,
        "answers_invalid",
    )
    assert set(body["fields"]) == {"Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11"}
    client.patch(
        f"/api/v1/scans/{token}/", json.dumps({"answers": DMA_EXAMPLE}), content_type="application/json"
    )
    submitted = post(
        client,
        f"/api/v1/scans/{token}/submit/",
        {
            "company_name": "API Draaierij",
            "country": "BE",
            "region": "Limburg",
            "email": "x@api.example",
            "contact_consent": True,
        },
    )
    assert submitted.status_code == 202 and submitted.json()["status"] == "awaiting_verification"
    code = re.search(r"/verify/([^/]+)/", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    error(post(client, f"/api/v1/scans/{token}/verify/", {"code": "wrong"}), 400, "verification_invalid")
    first = post(client, f"/api/v1/scans/{token}/verify/", {"code": code})
    again = post(client, f"/api/v1/scans/{token}/verify/", {"code": code})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert json.dumps(first.json()["result"]) == DMA_EXAMPLE_RESULT
    assert first.json()["bands"]["D5"] == "moderately_advanced"
    assert ScanResult.objects.count() == 1
    assert json.dumps(client.get(f"/api/v1/scans/{token}/result/").json()["result"]) == DMA_EXAMPLE_RESULT


def test_api_refuses_contradictions_and_bad_tokens(client: Client) -> None:
    token = post(client, "/api/v1/scans/", {"questionnaire": "edih-dma-sme"}).json()["token"]
    body = error(
        client.patch(
            f"/api/v1/scans/{token}/",
            json.dumps({"answers": {"Q7": [2, 3]}}),
            content_type="application/json",
        ),
        400,
        "answers_invalid",
    )
    assert "excludes every other option" in body["fields"]["Q7"][0]
    for bad in ("nope", token[:-1] + ("A" if token[-1] != "A" else "B")):
        body = error(client.get(f"/api/v1/scans/{bad}/"), 404, "not_found")
        assert body["message"] == "This link is not valid or has expired."
    error(post(client, "/api/v1/scans/", {"questionnaire": "nope"}), 400, "invalid")


def test_results_and_journeys_are_refused_to_the_public(client: Client, complete_scan: CompleteScan) -> None:
    complete_scan()
    for url in ("/api/v1/results/", "/api/v1/journeys/", "/api/v1/intakes/", "/api/v1/workshops/"):
        assert client.get(url).status_code in (401, 403), url


def test_each_role_sees_only_its_own_results(
    client: Client,
    complete_scan: CompleteScan,
    make_user: Callable[..., User],
    officer: User,
    partner_user: User,
) -> None:
    from deltaregio.directory.models import Organisation
    from deltaregio.funnel import services

    mine, _t = complete_scan(company="Eigen Bedrijf")
    other, _t = complete_scan(company="Ander Bedrijf", consent=False)
    services.journey_assign_partner(journey=other.journey, partner=Organisation.objects.get(name="Sirris"))
    services.journey_assign_partner(journey=mine.journey, partner=Organisation.objects.get(name="Sirris"))
    sme = make_user(Role.SME, organisation="Eigen Bedrijf")

    def companies(user: User) -> set[str]:
        client.force_login(user)
        return {r["company"] for r in client.get("/api/v1/results/").json()["results"]}

    assert companies(sme) == {"Eigen Bedrijf"}
    assert companies(partner_user) == {"Eigen Bedrijf"}  # Ander Bedrijf did not consent
    assert companies(officer) == {"Eigen Bedrijf", "Ander Bedrijf"}
    client.force_login(sme)
    error(client.get(f"/api/v1/results/{other.pk}/"), 404, "not_found")


def test_a_partner_records_an_intake_for_an_assigned_sme_that_consented(
    client: Client, assigned_journey: Any, partner_user: User, other_partner_user: User
) -> None:
    body = {
        "journey": assigned_journey.organisation.slug,
        "partner": "sirris",
        "held_on": "2024-03-05",
        "notes": "Wil lassen automatiseren.",
        "topics": ["manufacturing_technology"],
        "technologies": ["robotisation"],
        "questions": ["Kan een cobot kleine reeksen lassen?"],
    }
    client.force_login(other_partner_user)  # TNO: not assigned
    error(post(client, "/api/v1/intakes/", {**body, "partner": "tno"}), 400, "invalid")
    client.force_login(partner_user)
    error(
        post(client, "/api/v1/intakes/", {**body, "partner": "tno"}), 400, "invalid"
    )  # does not act for TNO
    error(post(client, "/api/v1/intakes/", {**body, "topics": ["gardening"]}), 400, "invalid")
    created = post(client, "/api/v1/intakes/", body)
    assert created.status_code == 201, created.content
    assert created.json()["questions"] == ["Kan een cobot kleine reeksen lassen?"]
    assert Intake.objects.get().recorded_by == partner_user
    assert [i["id"] for i in client.get("/api/v1/intakes/").json()["results"]] == [created.json()["id"]]


def test_steps_workshops_and_plans_through_the_api(
    client: Client, assigned_journey: Any, officer: User
) -> None:
    client.force_login(officer)
    slug = assigned_journey.organisation.slug
    post(
        client,
        "/api/v1/intakes/",
        {"journey": slug, "partner": "sirris", "held_on": "2024-03-05", "questions": ["Vraag A"]},
    )
    workshop = post(
        client,
        "/api/v1/workshops/",
        {
            "title": "Cobots in kleine reeksen",
            "held_on": "2024-05-01",
            "lab": "praktijklab-diepenbeek",
            "places": 1,
            "questions": [],
        },
    )
    assert workshop.status_code == 201, workshop.content
    wid = workshop.json()["id"]
    assert post(client, f"/api/v1/workshops/{wid}/registrations/", {"journey": slug}).status_code == 201
    error(
        post(client, f"/api/v1/workshops/{wid}/registrations/", {"journey": slug}), 400, "already_registered"
    )
    trajectory = post(
        client,
        "/api/v1/trajectories/",
        {
            "journey": slug,
            "lab": "praktijklab-diepenbeek",
            "partner": "sirris",
            "start_date": "2024-06-01",
            "end_date": "2024-05-01",
        },
    )
    error(trajectory, 400, "invalid")
    trajectory = post(
        client,
        "/api/v1/trajectories/",
        {"journey": slug, "lab": "praktijklab-diepenbeek", "partner": "sirris", "start_date": "2024-06-01"},
    )
    assert trajectory.status_code == 201
    plan = post(
        client,
        "/api/v1/implementation-plans/",
        {
            "journey": slug,
            "partner": "sirris",
            "trajectory": trajectory.json()["id"],
            "title": "Cobotcel",
            "situation": "Handmatig lassen.",
            "goals": "Halvering van de doorlooptijd.",
            "actions": [
                {"action": "Cobot aankopen", "owner": "Productieleider", "due": "2024-12-01", "cost": "45000"}
            ],
            "investment": "45000",
        },
    )
    assert plan.status_code == 201, plan.content
    assert plan.json()["investment"] == "45000.00" and plan.json()["status"] == "draft"
    pid = plan.json()["id"]
    assert post(client, f"/api/v1/implementation-plans/{pid}/finalise/", {}).json()["status"] == "final"
    error(post(client, f"/api/v1/implementation-plans/{pid}/finalise/", {}), 400, "plan_already_final")
    journeys = client.get("/api/v1/journeys/").json()["results"]
    assert journeys[0]["stages"] == {"scans": 1, "intakes": 1, "workshops": 1, "trajectories": 1, "plans": 1}


def test_the_funnel_figures_are_public_and_name_no_company(
    client: Client, complete_scan: CompleteScan
) -> None:
    complete_scan(company="Geheime Gieterij")
    response = client.get("/api/v1/funnel/")
    assert response.status_code == 200
    stages = {s["stage"]: s for s in response.json()["stages"]}
    assert stages["scans"]["companies"] == 1
    targets = {(t["value"], t["source"]["document"]) for t in stages["scans"]["targets"]}
    assert {("150.0000", "004_11778272d9654f26.txt"), ("200.0000", "004_11778272d9654f26.txt")} <= targets
    assert [t["value"] for t in stages["intakes"]["targets"]] == ["150.0000"]
    assert "Geheime Gieterij" not in response.content.decode()
    error(client.get("/api/v1/funnel/", {"start": "2024-02-01", "end": "2024-01-01"}), 400, "invalid")
    error(client.get("/api/v1/funnel/", {"band": "average"}), 400, "invalid")
    error(client.get("/api/v1/funnel/", {"partner": "holst-centre"}), 400, "invalid")
