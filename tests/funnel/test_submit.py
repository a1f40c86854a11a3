"""Submitting a scan does not read the questionnaire's definition: its spec is made once per process."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.funnel import selectors, services

from .conftest import DMA_EXAMPLE

pytestmark = pytest.mark.django_db


def answered() -> str:
    _scan, token = services.scan_start(
        questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
    )
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    return token


def test_a_submission_does_not_read_the_questionnaire_definition(client: Client) -> None:
    token = answered()
    selectors.questionnaire_spec(selectors.questionnaire_current(slug="edih-dma-sme"))  # made once
    body = {"company_name": "Gieterij West", "country": "BE", "region": "Limburg", "email": "a@gw.example"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/scans/{token}/submit/", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert response.json()["missing"] == []
    assert not [q["sql"] for q in queries.captured_queries if '"definition"' in q["sql"]]
