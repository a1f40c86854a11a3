"""Fixtures for the funnel tests: the DMA example of scan-dma.md, completed scans, and users in
each role of the funnel."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from deltaregio.accounts.models import Role
from deltaregio.funnel import engine, selectors, services
from deltaregio.funnel.models import ScanResult

# The answer file and the published result of scan-dma.md, exactly.
DMA_EXAMPLE: dict[str, Any] = {
    "Q1": {"invested": [1, 4], "planned": [2]},
    "Q2": [1, 2, 3],
    "Q3": [1, 2],
    "Q4": [0, 0, 5, 3, 2, 0, 1],
    "Q5": [1],
    "Q6": [2, 3],
    "Q7": [1, 3],
    "Q8": [1],
    "Q9": [1, 3, 0, 4, 5],
    "Q10": [4],
    "Q11": ["yes", "partially", "no", "partially", "yes"],
}
DMA_EXAMPLE_RESULT = (
    '{"questionnaire": "edih-dma-sme", "version": "1.0", '
    '"dimensions": {"D1": 20.0, "D2": 25.71, "D3": 19.64, "D4": 20.83, "D5": 52.0, "D6": 35.0}, '
    '"overall": 28.87, "band": "average"}'
)
QUESTIONNAIRES = Path(services.__file__).parent / "questionnaires"


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages made outside a request (services, engine, commands) in English; pages choose their
    language by their address (/en/… or Dutch by default), as for any visitor."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def dma_spec() -> engine.QuestionnaireSpec:
    return services.questionnaire_read(QUESTIONNAIRES / "edih-dma-sme-1.0.yaml")


@pytest.fixture(scope="session")
def fof_spec() -> engine.QuestionnaireSpec:
    return services.questionnaire_read(QUESTIONNAIRES / "factory-of-the-future-1.0.yaml")


@pytest.fixture
def dma_answers() -> dict[str, Any]:
    return json.loads(json.dumps(DMA_EXAMPLE))


CompleteScan = Callable[..., tuple[ScanResult, str]]


@pytest.fixture
def complete_scan(db: Any) -> CompleteScan:
    """Take a scan through the services, from start to a verified result: (result, token)."""

    def complete(
        answers: dict[str, Any] | None = None,
        *,
        slug: str = "edih-dma-sme",
        company: str = "Precisie Metaal Zuid",
        email: str = "info@precisiemetaal.example",
        consent: bool = True,
        country: str = "NL",
        region: str = "Noord-Brabant",
    ) -> tuple[ScanResult, str]:
        questionnaire = selectors.questionnaire_current(slug=slug)
        if answers is None:
            spec = selectors.questionnaire_spec(questionnaire)
            answers = DMA_EXAMPLE if slug == "edih-dma-sme" else engine.extreme_answers(spec, high=False)
        _scan, token = services.scan_start(questionnaire=questionnaire, language="nl")
        services.scan_save_answers(token=token, answers=answers)
        codes: list[str] = []
        services.scan_submit(
            token=token,
            company_name=company,
            country=country,
            region=region,
            email=email,
            contact_consent=consent,
            language="nl",
            verify_url=lambda code: codes.append(code) or f"http://testserver/verify/{code}/",
        )
        return services.scan_verify(token=token, code=codes[-1]), token

    return complete


@pytest.fixture
def partner_user(make_user: Callable[..., User]) -> User:
    """A lab partner acting for Sirris, a Fokus partner."""
    return make_user(Role.LAB_PARTNER, organisation="Sirris")


@pytest.fixture
def other_partner_user(make_user: Callable[..., User]) -> User:
    """A lab partner acting for TNO, another Fokus partner."""
    return make_user(Role.LAB_PARTNER, organisation="TNO")


@pytest.fixture
def assigned_journey(complete_scan: CompleteScan) -> Any:
    """An SME that consented to contact, assigned to Sirris."""
    from deltaregio.directory.models import Organisation

    result, _token = complete_scan()
    services.journey_assign_partner(journey=result.journey, partner=Organisation.objects.get(name="Sirris"))
    return result.journey
