"""Fixtures for the import tests: the shared real data (skipped with a reason when the shared folder is
not beside the repository, unless DELTAREGIO_REQUIRE_SHARED_DATA=1), and a helper to import a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deltaregio.imports.engine import Report
from deltaregio.imports.profiles import load_profile, profile_from_text
from deltaregio.imports.services import import_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SAMPLES = Path(__file__).resolve().parent / "samples"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("DELTAREGIO_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"shared data missing: {path} (DELTAREGIO_REQUIRE_SHARED_DATA=1)")
        pytest.skip(f"shared data not found at {path}: clone the repository with shared/ beside it")
    return path


@pytest.fixture
def real_file() -> Callable[..., Path]:
    return shared_path


@pytest.fixture
def run_import(db: Any) -> Callable[..., Report]:
    def run(
        profile: str,
        data: bytes | Path,
        *,
        file_name: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        profile_text: str | None = None,
    ) -> Report:
        if isinstance(data, Path):
            file_name = file_name or data.name
            data = data.read_bytes()
        loaded = profile_from_text(profile_text) if profile_text else load_profile(profile)
        return import_file(
            data=data,
            profile=loaded,
            file_name=file_name or "upload.csv",
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )

    return run


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages of direct calls (reports, notes) in English, so the tests can quote them; pages choose
    their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield
