"""Fixtures for the monitoring tests: the reference data set with its indicators (as load-seed loads
them), computed, for every test; the OECD Fields of Science from the shared standards folder when
it is there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from deltaregio.monitoring import services

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FOS = SHARED / "standards" / "oecd-fos-2007.csv"
H2020 = SHARED / "real" / "h2020-norway-participations.csv"


def shared_path(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("DELTAREGIO_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"shared data missing: {path.name} (DELTAREGIO_REQUIRE_SHARED_DATA=1)")
        pytest.skip(f"shared data not found ({path.name}): clone the repository with shared/ beside it")
    return path


@pytest.fixture(autouse=True)
def monitoring_data(request: Any) -> None:
    """Per test, inside its transaction (so other suites' databases never see these records, which cite
    sources beyond the five documents): the indicators as load-seed loads them, computed once."""
    if "e2e" in request.keywords:
        return  # the browser tests load them into the live server's database themselves
    request.getfixturevalue("db")
    services.indicators_load()
    services.classification_apply()
    services.indicators_recompute()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fos(db: Any) -> Any:
    return services.scheme_load_csv(
        code="oecd-fos-2007", name="OECD Fields of Science and Technology (2007)", path=shared_path(FOS)
    )
