"""Fixtures for the API tests: clients per role and a check of the one error format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from deltaregio.accounts.models import Role

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def anon(db: Any) -> Client:
    return Client()


@pytest.fixture
def login(db: Any) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return make


@pytest.fixture
def officer_client(login: Callable[[User], Client], officer: User) -> Client:
    return login(officer)


@pytest.fixture
def applicant_client(login: Callable[[User], Client], applicant: User) -> Client:
    return login(applicant)


@pytest.fixture
def public_client(login: Callable[[User], Client], make_user: Callable[..., User]) -> Client:
    return login(make_user(Role.PUBLIC))


def assert_error(response: Any, status: int, code: str, fields: list[str] | None = None) -> dict[str, Any]:
    """The response is `status` with exactly the documented error body; `fields` names the
    parameters that must be reported (and no others)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].strip()
    if fields is None:
        assert set(error) == {"code", "message"}
    else:
        assert set(error) == {"code", "message", "fields"}
        assert sorted(error["fields"]) == sorted(fields)
        for messages in error["fields"].values():
            assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    return error


@pytest.fixture
def error() -> Callable[..., dict[str, Any]]:
    return assert_error
