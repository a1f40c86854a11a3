"""The `deltaregio` command: help, unknown commands, bad options, bad settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "deltaregio", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


def test_unknown_command_prints_help_and_exits_2():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr
    assert "load-seed" in result.stderr and "export" in result.stderr


def test_unknown_option_exits_2():
    result = run("export", "--format", "json", "--colour", "blue")
    assert result.returncode == 2
    assert "unrecognized arguments: --colour" in result.stderr


def test_export_requires_a_known_format():
    result = run("export", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/db", "does not support"),
        ("not a url", "is not a database address"),
        ("postgres://postgres@127.0.0.1:5432/", "needs a database name"),
    ],
)
def test_an_invalid_database_url_says_so_plainly(url: str, expected: str):
    result = run("check-config", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_lists_every_setting_with_its_help():
    from deltaregio.config import SETTINGS

    result = run("check-config", env={"DELTAREGIO_SECRET_KEY": "s3cret-value-for-test"})
    assert result.returncode == 0, result.stderr
    for setting in SETTINGS:
        assert setting.name in result.stdout
        assert setting.help in result.stdout
    assert "s3cret-value-for-test" not in result.stdout


def test_no_arguments_prints_help():
    result = run()
    assert result.returncode == 0
    assert "usage: deltaregio COMMAND" in result.stdout
