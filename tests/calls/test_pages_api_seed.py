"""Pages, API and the reference calls: who sees what, in Dutch and English, and the seed outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from deltaregio.calls import urls as call_urls
from deltaregio.calls.models import Proposal, Status
from deltaregio.calls.reference import reference_calls_load

from .conftest import World

pytestmark = pytest.mark.django_db


def test_every_page_states_who_may_use_it() -> None:
    for pattern in call_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert getattr(pattern.callback, "permissions_required", None), pattern.name


def test_public_sees_the_call_and_statistics_not_proposals(world: World, client: Client) -> None:
    p = world.submitted_registration()
    code = world.setup.call.code
    for prefix, word in (("", "Statistieken"), ("/en", "Statistics")):
        page = client.get(f"{prefix}/calls/{code}/")
        assert page.status_code == 200
        assert word in page.content.decode()
        assert p.acronym not in page.content.decode()
    assert client.get(f"/en/proposals/{p.pk}/").status_code == 302  # to the login
    assert client.get("/api/v1/proposals/").status_code in (401, 403)
    body = client.get(f"/api/v1/call-setups/{code}/statistics/").json()
    assert body["submitted"] == 1 and body["granted"] == 0


def test_applicant_pages(world: World, client: Client, django_assert_max_num_queries: Any) -> None:
    p = world.registration()
    client.force_login(world.stranger)
    assert client.get(f"/en/proposals/{p.pk}/").status_code == 404
    response = client.post(f"/en/proposals/{p.pk}/edit/", {"summary": "taken over"})
    assert response.status_code == 404
    client.force_login(world.flemish)
    with django_assert_max_num_queries(60):
        page = client.get(f"/en/proposals/{p.pk}/")
    assert page.status_code == 200 and "Pre-submission check" in page.content.decode()
    dutch = client.get(f"/proposals/{p.pk}/").content.decode()
    assert "Controle vóór indiening" in dutch and "Het voorstel heeft geen" not in dutch
    response = client.post(f"/en/proposals/{p.pk}/submit/", follow=True)
    assert "does not yet meet every rule" in response.content.decode()
    assert Proposal.objects.get(pk=p.pk).status == Status.DRAFT


def test_api_lists_only_visible_proposals_and_refuses_bad_scores(world: World, client: Client) -> None:
    full = world.full_submitted()
    from deltaregio.calls import services

    services.eligibility_check(by=world.officer, proposal=full, passed=True)
    a = services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer1)
    client.force_login(world.stranger)
    assert client.get("/api/v1/proposals/").json()["results"] == []
    client.force_login(world.reviewer1)
    assert [r["id"] for r in client.get("/api/v1/proposals/").json()["results"]] == [full.pk]
    bad = client.post(
        f"/api/v1/reviews/{a.pk}/scores/",
        {"scores": [{"criterion": "quality", "value": "8"}], "final": False},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "Quality: 8.00 ligt buiten de schaal 0–5." in str(
        bad.json()["error"]["fields"]
    )  # Dutch by default
    client.force_login(world.other_member)
    refused = client.post(
        "/api/v1/decisions/",
        {"proposal": full.pk, "outcome": "approve", "date": "2027-01-01"},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)


def test_reference_calls_show_their_real_outcomes() -> None:
    reference_calls_load()
    reference_calls_load()  # twice changes nothing
    third = Proposal.objects.filter(setup__call__code="interreg-vl-nl-call-3")
    assert sorted(p.acronym for p in third.filter(step=1, status=Status.PRESELECTED)) == [
        "Biomat on microfluidic chip",
        "Flexlines",
        "Fokus",
        "HELIS Academy",
    ]
    biomat = third.get(step=2, acronym="Biomat on microfluidic chip")
    decision = biomat.decisions.get()
    assert biomat.status == Status.APPROVED and str(decision.date) == "2017-10-23"
    assert decision.body == "Comité van Toezicht Interreg Vlaanderen-Nederland"
    preselection = third.get(step=1, acronym="Flexlines").decisions.get()
    assert preselection.date is None and preselection.date_text == "niet gepubliceerd"  # no date is published
    assert third.get(step=2, acronym="Flexlines").status == Status.DRAFT  # still being reworked
    rule = (
        Proposal.objects.none()
        .model.setup.field.related_model.objects.get(call__code="nxtgen-hightech-ronde-2")
        .rules.get()
    )
    assert rule.kind == "min_application_domains" and rule.params == {"count": 2}


def test_a_two_step_call_says_which_step_its_figures_count(client: Client) -> None:
    reference_calls_load()
    third = client.get("/en/calls/interreg-vl-nl-call-3/").content.decode()
    assert "Counted: the full applications (step 2)." in third  # Biomat's full application was decided
    fourth = client.get("/calls/interreg-vl-nl-call-4/").content.decode()
    assert "Geteld: de projectaanmeldingen (stap 1)" in fourth  # only the announced registration


def test_a_call_known_from_documents_shows_its_published_figures(client: Client) -> None:
    page = client.get("/en/calls/vlaio-icon-pm-2019/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "002_40d31b0bcedf8a9d.txt" in text  # the source is named
    assert "<svg" in text and "<table" in text  # a chart with its table
    listing = client.get("/en/calls/").content.decode()
    assert "/calls/vlaio-icon-pm-2019/" in listing
