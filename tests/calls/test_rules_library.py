"""The eligibility rule library: each rule type finds what is missing and says where to fix it; a new
rule type is added in one place (a registered class) and every call can use it."""

from __future__ import annotations

from typing import Any

import pytest

from deltaregio.calls import eligibility, services
from deltaregio.calls.eligibility import RULE_TYPES, Finding, RuleType

from .conftest import World

pytestmark = pytest.mark.django_db


def codes(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


def test_the_library() -> None:
    assert set(RULE_TYPES) == {
        "min_partners",
        "cross_border",
        "trl_range",
        "max_total_cost",
        "max_grant",
        "max_co_financing_rate",
        "min_application_domains",
        "required_documents",
    }


def test_presubmission_check_lists_every_unmet_rule_with_its_section(world: World) -> None:
    from deltaregio.calls.models import ProposalPartner

    p = services.proposal_create(
        by=world.flemish, setup=world.setup, acronym="LONE", title="Alone", organisation=world.sirris
    )
    findings = services.presubmission_findings(p)
    by_rule = {f.rule: f.section for f in findings}
    assert by_rule["min_partners"] == "partners"
    assert by_rule["cross_border"] == "partners"
    assert by_rule["trl_range"] == "trl"
    assert by_rule["summary"] == "summary"
    assert by_rule["work_packages"] == "work_packages"
    assert by_rule["budget"] == "budget"
    assert "No partner from NL" in next(f.message for f in findings if f.rule == "cross_border")
    ProposalPartner.objects.create(proposal=p, organisation=world.holst)
    assert "cross_border" not in codes(services.presubmission_findings(p))


def test_a_complete_registration_meets_every_rule(world: World) -> None:
    p = world.complete_budget(world.registration())
    assert services.presubmission_findings(p) == []


def test_rules_of_step_two_apply_to_the_full_application_only(world: World) -> None:
    full = services.full_application_start(by=world.flemish, registration=world.preselected())
    assert codes(services.presubmission_findings(full)) == {"required_documents"}


@pytest.mark.parametrize(
    ("kind", "params", "expect"),
    [
        ("max_total_cost", {"amount": "999999.99"}, "above the call's maximum"),
        ("max_grant", {"amount": "400000"}, "grant requested"),
        ("trl_range", {"min": 7, "max": 9}, "outside the call's range"),
        ("min_application_domains", {"count": 2}, "application domain"),
        ("min_partners", {"count": 3}, "at least 3"),
        ("cross_border", {"regions": ["BE:Vlaanderen", "NL:Zeeland"]}, "NL:Zeeland"),
        ("max_co_financing_rate", {"source": "ERDF", "max_rate": "40"}, "above the allowed 40"),
    ],
)
def test_each_rule_type_finds_its_problem(
    world: World, kind: str, params: dict[str, Any], expect: str
) -> None:
    p = world.complete_budget(world.registration())
    assert eligibility.validate_rule(kind, params) == []
    findings = RULE_TYPES[kind].check(p, params)
    assert findings and expect in findings[0].message


def test_a_new_rule_type_is_added_in_one_place(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eligibility, "RULE_TYPES", dict(RULE_TYPES))
    monkeypatch.setattr(services.proposals, "RULE_TYPES", eligibility.RULE_TYPES)  # where it is read

    @eligibility.rule_type
    class AcronymLength(RuleType):
        code = "acronym_length"
        label = "acronym length"

        def validate(self, params: dict[str, Any]) -> list[str]:
            return [] if isinstance(params.get("max"), int) else ["max must be a whole number"]

        def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
            if len(proposal.acronym) > params["max"]:
                return [Finding(self.code, "acronym too long", "summary")]
            return []

    with pytest.raises(services.ValidationError, match="max must be a whole number"):
        services.rule_add(by=world.officer, setup=world.setup, kind="acronym_length", params={})
    services.rule_add(by=world.officer, setup=world.setup, kind="acronym_length", params={"max": 3})
    p = world.complete_budget(world.registration())
    assert codes(services.presubmission_findings(p)) == {"acronym_length"}
    with pytest.raises(ValueError, match="registered twice"):
        eligibility.rule_type(AcronymLength)
