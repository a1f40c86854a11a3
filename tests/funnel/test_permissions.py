"""Who may use which funnel page: every page says who; an SME sees its own journey, a partner the
SMEs assigned to it that consented to contact, officers all; the funnel figures are public and name
no company."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern

from deltaregio.accounts.models import Role
from deltaregio.directory.models import Organisation
from deltaregio.funnel import services

from .conftest import CompleteScan
from .webflow import text_of

pytestmark = pytest.mark.django_db


def test_every_funnel_view_declares_who_may_use_it() -> None:
    from deltaregio.funnel import urls

    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert getattr(pattern.callback, "permissions_required", None), pattern.name
        assert pattern.callback.__doc__, pattern.name


@pytest.mark.parametrize(
    "url", ["/funnel/", "/funnel/labs/", "/funnel/scan/", "/en/funnel/", "/en/funnel/labs/"]
)
def test_public_pages_open_without_an_account(client: Client, url: str) -> None:
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/funnel/journeys/", "/funnel/workshops/", "/funnel/journeys/x/", "/funnel/results/1/"]
)
def test_anonymous_users_are_sent_to_log_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.COMMITTEE_MEMBER])
def test_other_roles_are_refused(client: Client, make_user: Callable[..., User], role: Role) -> None:
    client.force_login(make_user(role, organisation="Holst Centre"))
    assert client.get("/funnel/journeys/").status_code == 403
    assert client.get("/funnel/workshops/").status_code == 403


def test_a_lab_partner_of_an_organisation_outside_fokus_is_refused(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(Role.LAB_PARTNER, organisation="Holst Centre"))
    assert client.get("/funnel/journeys/").status_code == 403
    assert client.get("/funnel/workshops/").status_code == 403


@pytest.fixture
def two_smes(complete_scan: CompleteScan) -> tuple[Any, Any]:
    consenting, _t = complete_scan(company="Open Staalbouw")
    private, _t = complete_scan(company="Stille Smederij", consent=False)
    sirris = Organisation.objects.get(name="Sirris")
    for result in (consenting, private):
        services.journey_assign_partner(journey=result.journey, partner=sirris)
    return consenting.journey, private.journey


def test_an_sme_sees_its_own_journey_only(
    client: Client, make_user: Callable[..., User], two_smes: tuple[Any, Any]
) -> None:
    own, other = two_smes
    client.force_login(make_user(Role.SME, organisation="Stille Smederij"))
    text = text_of(client.get("/funnel/journeys/").content)
    assert "Stille Smederij" in text and "Open Staalbouw" not in text
    assert client.get(f"/funnel/journeys/{other.organisation.slug}/").status_code == 200
    assert client.get(f"/funnel/journeys/{own.organisation.slug}/").status_code == 404
    assert client.get(f"/funnel/journeys/{other.organisation.slug}/intake/").status_code in (403, 404)


def test_a_partner_sees_assigned_smes_that_consented(
    client: Client, partner_user: User, two_smes: tuple[Any, Any]
) -> None:
    consenting, private = two_smes
    client.force_login(partner_user)
    text = text_of(client.get("/funnel/journeys/").content)
    assert "Open Staalbouw" in text and "Stille Smederij" not in text
    assert client.get(f"/funnel/journeys/{private.organisation.slug}/").status_code == 404
    assert client.get(f"/funnel/journeys/{consenting.organisation.slug}/intake/").status_code == 200
    # consent withdrawn: the partner loses sight of the SME
    services.consent_record(token=_token_of(consenting), given=False, language="nl")
    assert client.get(f"/funnel/journeys/{consenting.organisation.slug}/").status_code == 404


def _token_of(journey: Any) -> str:
    """Give the journey's scan a fresh private link (tokens are stored only as hashes)."""
    import secrets

    from deltaregio.funnel.models import Scan
    from deltaregio.funnel.selectors import token_hash

    token = secrets.token_urlsafe(32)
    Scan.objects.filter(result__journey=journey).update(token_hash=token_hash(token))
    return token


def test_a_partner_not_assigned_sees_nothing(
    client: Client, other_partner_user: User, two_smes: tuple[Any, Any]
) -> None:
    consenting, _private = two_smes
    client.force_login(other_partner_user)
    assert "Open Staalbouw" not in text_of(client.get("/funnel/journeys/").content)
    assert client.get(f"/funnel/journeys/{consenting.organisation.slug}/").status_code == 404


def test_officers_see_all_and_assign_partners(
    client: Client, officer: User, two_smes: tuple[Any, Any]
) -> None:
    _consenting, private = two_smes
    client.force_login(officer)
    text = text_of(client.get("/funnel/journeys/").content)
    assert "Open Staalbouw" in text and "Stille Smederij" in text
    response = client.post(
        f"/funnel/journeys/{private.organisation.slug}/partner/",
        {"partner": Organisation.objects.get(name="TNO").pk},
    )
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.partner.name == "TNO"


def test_only_officers_assign_partners(client: Client, partner_user: User, two_smes: tuple[Any, Any]) -> None:
    consenting, _private = two_smes
    client.force_login(partner_user)
    response = client.post(f"/funnel/journeys/{consenting.organisation.slug}/partner/", {"partner": ""})
    assert response.status_code == 403
    consenting.refresh_from_db()
    assert consenting.partner.name == "Sirris"


def test_the_public_funnel_names_no_company(client: Client, two_smes: tuple[Any, Any]) -> None:
    text = text_of(client.get("/funnel/").content)
    assert "Open Staalbouw" not in text and "Stille Smederij" not in text


def test_a_result_page_by_id_follows_the_journey_rules(
    client: Client, make_user: Callable[..., User], two_smes: tuple[Any, Any]
) -> None:
    _consenting, private = two_smes
    result = private.results.get()
    client.force_login(make_user(Role.SME, organisation="Open Staalbouw"))
    assert client.get(f"/funnel/results/{result.pk}/").status_code == 404
    client.force_login(make_user(Role.SME, organisation="Stille Smederij"))
    assert client.get(f"/funnel/results/{result.pk}/").status_code == 200
    assert client.get(f"/funnel/results/{result.pk}.pdf").status_code == 200
