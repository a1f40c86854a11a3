"""`deltaregio scan score|load|list`: the DMA example prints exactly its published result; invalid
answers exit with status 2 and a message naming the question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import DMA_EXAMPLE, DMA_EXAMPLE_RESULT


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, on an empty database of its own (the shipped questionnaire files are
    used where the database has none loaded)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "DELTAREGIO_LANGUAGE": "en",
    }
    return subprocess.run(
        [sys.executable, "-m", "deltaregio", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
    )


def answers_file(tmp_path: Path, answers: Any) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return str(path)


def test_the_command_line_prints_exactly_the_published_result(tmp_path: Path) -> None:
    done = run(
        tmp_path,
        "scan",
        "score",
        "--questionnaire",
        "edih-dma-sme",
        "--answers",
        answers_file(tmp_path, DMA_EXAMPLE),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == DMA_EXAMPLE_RESULT


def test_invalid_answers_exit_2_naming_the_question(tmp_path: Path) -> None:
    answers = {**DMA_EXAMPLE, "Q4": [0, 0, 5, 3, 2, 0], "Q7": [2, 3]}
    answers.pop("Q10")
    done = run(
        tmp_path,
        "scan",
        "score",
        "--questionnaire",
        "edih-dma-sme",
        "--answers",
        answers_file(tmp_path, answers),
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Q4: expected 7 answers, one per row, got 6" in done.stderr
    assert "Q7: option 2" in done.stderr and "excludes every other option" in done.stderr
    assert "Q10: this question is not answered" in done.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--questionnaire", "edih-dma-sme", "--answers", "-"], "{not json", "not JSON"),
        (["--questionnaire", "edih-dma-sme", "--answers", "/no/such/file.json"], None, "cannot read"),
        (["--questionnaire", "nope", "--answers", "-"], "{}", "unknown questionnaire nope"),
        (["--questionnaire", "edih-dma-sme", "--answers", "-"], "[1, 2]", "answers: expected an object"),
    ],
)
def test_unusable_input_exits_2_with_a_message(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    done = run(tmp_path, "scan", "score", *args, stdin=stdin)
    assert done.returncode == 2
    assert message in done.stderr


@pytest.mark.django_db
def test_the_command_scores_with_the_version_in_the_database(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "scan",
        "score",
        "--questionnaire",
        "edih-dma-sme",
        "--answers",
        answers_file(tmp_path, DMA_EXAMPLE),
        stdout=out,
    )
    assert out.getvalue().strip() == DMA_EXAMPLE_RESULT
    with pytest.raises(CommandError) as caught:
        call_command("scan", "score", "--questionnaire", "edih-dma-sme", "--version", "9.9", "--answers", "-")
    assert caught.value.returncode == 2


@pytest.mark.django_db
def test_load_is_idempotent_and_list_shows_the_versions() -> None:
    out = StringIO()
    call_command("scan", "load", stdout=out)
    assert "edih-dma-sme 1.0 (edih-dma-sme-1.0.yaml): already loaded, unchanged" in out.getvalue()
    listing = StringIO()
    call_command("scan", "list", stdout=listing)
    assert "edih-dma-sme\t1.0\tcurrent" in listing.getvalue()
    assert "factory-of-the-future\t1.0\tcurrent" in listing.getvalue()
