"""The library of eligibility rule types. A call chooses rules from it, each with its parameters.

A rule type is a class registered with `@rule_type`: a code, a label, `validate(params)` returning the
problems with the parameters, and `check(proposal, params)` returning a `Finding` for every way the
proposal does not meet it, each naming the section where to fix it. Adding a rule type means adding
one class here (and a test); the call configuration, the pre-submission check and the eligibility
check pick it up from `RULE_TYPES`.

`structural_findings` adds the checks every proposal has, whatever the call's rules: a lead partner,
a budget that adds up, a grant no larger than the cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Finding:
    rule: str  # rule type code, or a structural check's code
    message: str
    section: str  # where to fix it: a key of models.SECTIONS


class RuleType:
    code: ClassVar[str]
    label: ClassVar[Any]
    params_help: ClassVar[Any] = ""

    def validate(self, params: dict[str, Any]) -> list[str]:
        return []

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        raise NotImplementedError

    def describe(self, params: dict[str, Any]) -> str:
        return str(self.label)


RULE_TYPES: dict[str, RuleType] = {}


def rule_type(cls: type[RuleType]) -> type[RuleType]:
    """Register a rule type under its code."""
    if cls.code in RULE_TYPES:
        raise ValueError(f"rule type {cls.code} is registered twice")
    RULE_TYPES[cls.code] = cls()
    return cls


def _int(params: dict[str, Any], key: str, problems: list[str], *, minimum: int = 0) -> int | None:
    value = params.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        problems.append(
            _("%(key)s must be a whole number of at least %(min)s.") % {"key": key, "min": minimum}
        )
        return None
    return value


def _decimal(params: dict[str, Any], key: str, problems: list[str]) -> Decimal | None:
    try:
        value = Decimal(str(params.get(key)))
    except (InvalidOperation, ValueError):
        problems.append(_("%(key)s must be a number.") % {"key": key})
        return None
    if not value.is_finite() or value < 0:
        problems.append(_("%(key)s must be a number that is not negative.") % {"key": key})
        return None
    return value


def _money(value: Decimal) -> str:
    return f"EUR {value:,.2f}"


def partners_of(proposal: Any) -> list[Any]:
    return list(proposal.partners.all())


def partner_cost(partner: Any) -> Decimal:
    return sum((line.amount for line in partner.budget_lines.all()), Decimal("0"))


def budget_total(proposal: Any) -> Decimal:
    return sum((line.amount for line in proposal.budget_lines.all()), Decimal("0"))


def region_matches(organisation: Any, region: str) -> bool:
    """A region is a country code ("NL") or a country code and a region name ("BE:Vlaanderen"); a
    region name matches when the organisation's region contains it (West-Vlaanderen is in Vlaanderen)."""
    country, _sep, name = region.partition(":")
    if str(organisation.country) != country.strip().upper():
        return False
    return not name or name.strip().lower() in (organisation.region or "").lower()


@rule_type
class MinPartners(RuleType):
    code = "min_partners"
    label = gettext_lazy("minimum number of partners")
    params_help = '{"count": 2}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        _int(params, "count", problems, minimum=1)
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("at least %(count)s partners") % {"count": params.get("count")}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        count = len(partners_of(proposal))
        if count < params["count"]:
            return [
                Finding(
                    self.code,
                    _("The proposal has %(have)s partner(s); the call asks for at least %(need)s.")
                    % {"have": count, "need": params["count"]},
                    "partners",
                )
            ]
        return []


@rule_type
class CrossBorder(RuleType):
    code = "cross_border"
    label = gettext_lazy("cross-border: a partner from each region")
    params_help = '{"regions": ["BE:Vlaanderen", "NL"]}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        regions = params.get("regions")
        if (
            not isinstance(regions, list)
            or len(regions) < 2
            or not all(isinstance(r, str) and r for r in regions)
        ):
            return [_("regions must list at least two regions, e.g. BE:Vlaanderen and NL.")]
        return []

    def describe(self, params: dict[str, Any]) -> str:
        return _("at least one partner from each of: %(regions)s") % {"regions": ", ".join(params["regions"])}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        orgs = [p.organisation for p in partners_of(proposal)]
        missing = [r for r in params["regions"] if not any(region_matches(o, r) for o in orgs)]
        if missing:
            return [
                Finding(
                    self.code,
                    _("No partner from %(regions)s; the call asks for a partner from each of %(all)s.")
                    % {"regions": ", ".join(missing), "all": ", ".join(params["regions"])},
                    "partners",
                )
            ]
        return []


@rule_type
class TrlRange(RuleType):
    code = "trl_range"
    label = gettext_lazy("technology readiness level range")
    params_help = '{"min": 3, "max": 7}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        low, high = _int(params, "min", problems, minimum=1), _int(params, "max", problems, minimum=1)
        if low is not None and high is not None and not low <= high <= 9:
            problems.append(_("min and max must satisfy 1 ≤ min ≤ max ≤ 9."))
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("TRL between %(min)s and %(max)s") % params

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        values = [v for v in (proposal.trl_start, proposal.trl_end) if v is not None]
        if not values:
            return [Finding(self.code, _("Give the technology readiness level (TRL)."), "trl")]
        if any(not params["min"] <= v <= params["max"] for v in values):
            return [
                Finding(
                    self.code,
                    _("The TRL (%(values)s) lies outside the call's range %(min)s–%(max)s.")
                    % {"values": "–".join(str(v) for v in values), **params},
                    "trl",
                )
            ]
        return []


@rule_type
class MaxTotalCost(RuleType):
    code = "max_total_cost"
    label = gettext_lazy("maximum total cost")
    params_help = '{"amount": "2000000"}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        _decimal(params, "amount", problems)
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("total cost at most %(amount)s") % {"amount": _money(Decimal(str(params["amount"])))}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        limit = Decimal(str(params["amount"]))
        total = budget_total(proposal)
        if total > limit:
            return [
                Finding(
                    self.code,
                    _("The total cost %(total)s is above the call's maximum of %(limit)s.")
                    % {"total": _money(total), "limit": _money(limit)},
                    "budget",
                )
            ]
        return []


@rule_type
class MaxGrant(RuleType):
    code = "max_grant"
    label = gettext_lazy("maximum grant")
    params_help = '{"amount": "1000000"}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        _decimal(params, "amount", problems)
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("grant at most %(amount)s") % {"amount": _money(Decimal(str(params["amount"])))}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        limit = Decimal(str(params["amount"]))
        if proposal.requested_grant is not None and proposal.requested_grant > limit:
            return [
                Finding(
                    self.code,
                    _("The grant requested %(grant)s is above the call's maximum of %(limit)s.")
                    % {"grant": _money(proposal.requested_grant), "limit": _money(limit)},
                    "budget",
                )
            ]
        return []


@rule_type
class MaxCoFinancingRate(RuleType):
    code = "max_co_financing_rate"
    label = gettext_lazy("maximum co-financing rate of a source")
    params_help = '{"source": "ERDF", "max_rate": "50"}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        if not isinstance(params.get("source"), str) or not params["source"].strip():
            problems.append(_("source must name who pays, e.g. ERDF."))
        rate = _decimal(params, "max_rate", problems)
        if rate is not None and rate > 100:
            problems.append(_("max_rate is a percentage between 0 and 100."))
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("%(source)s pays at most %(rate)s %% of a partner's cost") % {
            "source": params["source"],
            "rate": params["max_rate"],
        }

    def limit_for(self, source: str, params: dict[str, Any]) -> Decimal | None:
        if source.strip().lower() == str(params["source"]).strip().lower():
            return Decimal(str(params["max_rate"]))
        return None

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        findings = []
        for line in proposal.co_financing.all():
            limit = self.limit_for(line.source, params)
            if limit is not None and line.rate > limit:
                findings.append(
                    Finding(
                        self.code,
                        _("%(partner)s: %(source)s at %(rate)s %% is above the allowed %(limit)s %%.")
                        % {
                            "partner": line.partner.organisation,
                            "source": line.source,
                            "rate": line.rate,
                            "limit": limit,
                        },
                        "co_financing",
                    )
                )
        return findings


@rule_type
class MinApplicationDomains(RuleType):
    code = "min_application_domains"
    label = gettext_lazy("demand from at least N application domains")
    params_help = '{"count": 2}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        _int(params, "count", problems, minimum=1)
        return problems

    def describe(self, params: dict[str, Any]) -> str:
        return _("at least %(count)s application domains") % {"count": params["count"]}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        count = len(proposal.application_domains.all())
        if count < params["count"]:
            return [
                Finding(
                    self.code,
                    _(
                        "The proposal names %(have)s application domain(s); "
                        "the call asks for at least %(need)s."
                    )
                    % {"have": count, "need": params["count"]},
                    "domains",
                )
            ]
        return []


@rule_type
class RequiredDocuments(RuleType):
    code = "required_documents"
    label = gettext_lazy("required documents")
    params_help = '{"kinds": ["partnership-agreement"]}'

    def validate(self, params: dict[str, Any]) -> list[str]:
        kinds = params.get("kinds")
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k for k in kinds):
            return [_("kinds must list the kinds of document asked, e.g. partnership-agreement.")]
        return []

    def describe(self, params: dict[str, Any]) -> str:
        return _("documents: %(kinds)s") % {"kinds": ", ".join(params["kinds"])}

    def check(self, proposal: Any, params: dict[str, Any]) -> list[Finding]:
        have = {a.kind for a in proposal.attachments.all()}
        return [
            Finding(self.code, _("Attach the document %(kind)s.") % {"kind": kind}, "attachments")
            for kind in params["kinds"]
            if kind not in have
        ]


def validate_rule(kind: str, params: Any) -> list[str]:
    """The problems with a rule of this kind and these parameters (empty when it is fine)."""
    if kind not in RULE_TYPES:
        return [
            _("%(kind)s is not a rule type; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(sorted(RULE_TYPES))}
        ]
    if not isinstance(params, dict):
        return [
            _("The parameters must be an object, e.g. %(example)s.")
            % {"example": RULE_TYPES[kind].params_help}
        ]
    return RULE_TYPES[kind].validate(params)


def structural_findings(proposal: Any, sections: list[str]) -> list[Finding]:
    """The checks every proposal has: a title and summary, a lead partner, work packages and a budget
    that adds up (when the step asks for them)."""
    findings: list[Finding] = []
    partners = partners_of(proposal)
    if "summary" in sections and not proposal.summary.strip():
        findings.append(Finding("summary", _("Write a summary of the proposal."), "summary"))
    if not any(p.role == "lead" for p in partners):
        findings.append(
            Finding(
                "lead_partner", _("The proposal has no lead partner; name one partner as lead."), "partners"
            )
        )
    if "work_packages" in sections and not list(proposal.work_packages.all()):
        findings.append(Finding("work_packages", _("Add at least one work package."), "work_packages"))
    if "budget" in sections:
        total = budget_total(proposal)
        if not list(proposal.budget_lines.all()):
            findings.append(Finding("budget", _("Enter the budget per partner."), "budget"))
        if proposal.total_cost is None:
            findings.append(Finding("total_cost", _("Give the proposal's total cost."), "budget"))
        elif proposal.total_cost != total:
            findings.append(
                Finding(
                    "budget_adds_up",
                    _("The budget lines add up to %(sum)s, but the total cost is %(total)s.")
                    % {"sum": _money(total), "total": _money(proposal.total_cost)},
                    "budget",
                )
            )
        if proposal.requested_grant is None:
            findings.append(Finding("requested_grant", _("Give the grant requested."), "budget"))
        elif proposal.total_cost is not None and proposal.requested_grant > proposal.total_cost:
            findings.append(
                Finding("grant_le_cost", _("The grant requested is larger than the total cost."), "budget")
            )
        for partner in partners:
            rates = sum((c.rate for c in partner.co_financing.all()), Decimal("0"))
            if rates > 100:
                findings.append(
                    Finding(
                        "co_financing_sum",
                        _("%(partner)s: the co-financing rates add up to %(rate)s %%, more than 100 %%.")
                        % {"partner": partner.organisation, "rate": rates},
                        "co_financing",
                    )
                )
    return findings


Check = Callable[[Any], list[Finding]]
