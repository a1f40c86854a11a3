"""`deltaregio check-budgets`: the whole database checked, findings most serious first, in text and JSON;
nothing that agrees within rounding among the findings."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_reference_findings import EXPECTED_FINDINGS, EXPECTED_WITHIN_ROUNDING

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("check_budgets", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_disagreements_and_nothing_within_rounding() -> None:
    data = json.loads(run("--format", "json"))
    assert data["format"] == "deltaregio-budget-findings"
    findings = {f["key"] for f in data["findings"]}
    assert findings == EXPECTED_FINDINGS
    assert not findings & EXPECTED_WITHIN_ROUNDING
    within = {f["key"] for f in data["within_rounding"]}
    assert "wp-share-sum:fokus" in within and "same-quantity:nxtgen-budget-zonder-groeifonds-totaal" in within
    assert all(f["within_rounding"] for f in data["within_rounding"])
    assert not any(f["within_rounding"] for f in data["findings"])
    first = data["findings"][0]
    assert first["severity"] == "impossible" and first["programme"] == "nxtgen-hightech"
    assert set(first) >= {"expected", "actual", "difference", "tolerance", "unit", "figures", "message"}
    assert first["figures"][0]["source"]["location"].startswith("§8 Begroting, Tabel 6")
    summary = data["summary"]
    assert summary["findings"] == len(EXPECTED_FINDINGS)
    assert (
        summary["relations_checked"]
        == summary["agree_exactly"] + summary["within_rounding"] + summary["findings"]
    )


def test_text_output_says_within_rounding() -> None:
    out = run()
    assert out.index("FINDINGS (most serious first)") < out.index("WITHIN ROUNDING")
    assert "1. [impossible value]" in out
    assert "100.01" in out.split("WITHIN ROUNDING")[1]


def test_dutch_messages_and_rules_list() -> None:
    assert "table-row-sum" in run("--list-rules")
    rules = json.loads(run("--list-rules", "--format", "json"))
    assert {r["code"] for r in rules} >= {"same-quantity", "wp-share-sum", "lines-year"}


def test_fail_on_findings() -> None:
    with pytest.raises(CommandError):
        run("--fail-on-findings")


def test_the_cli_maps_check_budgets_to_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deltaregio", "check-budgets", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--format" in result.stdout
