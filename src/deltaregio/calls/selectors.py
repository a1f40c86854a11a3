"""Reads of the call process: what a user may see of calls and proposals, the blind scores, the ranking
within the envelope and the call statistics. Lists prefetch what their pages show, so the number of
queries does not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.calls.models import (
    GRANTED_STATUSES,
    SUBMITTED_STATUSES,
    Assignment,
    CallSetup,
    Collaborator,
    Decision,
    Proposal,
    ProposalPartner,
    Score,
    Status,
)
from deltaregio.funding.models import CallStatistic


def visible_setups(user: Any) -> QuerySet[CallSetup]:
    qs = CallSetup.objects.all()
    if is_staff_or_officer(user):
        return qs
    if getattr(user, "is_authenticated", False):
        return qs.filter(Q(is_published=True) | Q(committee__members=user)).distinct()
    return qs.filter(is_published=True)


def call_list(*, user: Any) -> QuerySet[CallSetup]:
    return (
        visible_setups(user)
        .select_related("call", "call__instrument", "committee")
        .prefetch_related("rounds")
        .order_by("-call__year", "call__code")
    )


def call_detail(*, user: Any, code: str) -> CallSetup:
    return (
        visible_setups(user)
        .select_related("call", "call__instrument", "committee", "programme_line")
        .prefetch_related(
            "rounds",
            "criteria",
            "rules",
            Prefetch("call__statistics", queryset=CallStatistic.objects.order_by("scope")),
        )
        .get(call__code=code)
    )


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Officers: all; others: those they collaborate on, are assigned to, or (committee members)
    the submitted proposals of their committee's calls. The public: none."""
    qs = Proposal.objects.all()
    if is_staff_or_officer(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(
        Q(collaborators__user=user)
        | Q(assignments__reviewer=user)
        | (Q(setup__committee__members=user) & ~Q(status__in=[Status.DRAFT, Status.WITHDRAWN]))
    ).distinct()


def _partners() -> QuerySet[ProposalPartner]:
    return ProposalPartner.objects.select_related("organisation").order_by("role", "organisation__name")


def proposal_list(*, user: Any, setup: CallSetup | None = None) -> QuerySet[Proposal]:
    qs = visible_proposals(user)
    if setup is not None:
        qs = qs.filter(setup=setup)
    return (
        qs.select_related("setup", "setup__call", "setup__committee")
        .prefetch_related(Prefetch("partners", queryset=_partners()), "collaborators", "assignments")
        .order_by("setup__call__code", "step", "acronym")
    )


def proposal_detail(*, user: Any, pk: int) -> Proposal:
    return (
        visible_proposals(user)
        .select_related(
            "setup", "setup__call", "setup__call__instrument", "setup__committee", "registration", "project"
        )
        .prefetch_related(
            Prefetch("partners", queryset=_partners().prefetch_related("budget_lines", "co_financing")),
            "work_packages",
            Prefetch("budget_lines", queryset=_budget_lines()),
            Prefetch("co_financing", queryset=_co_financing()),
            "attachments",
            Prefetch("collaborators", queryset=Collaborator.objects.select_related("user")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("reviewer")),
            "themes",
            "application_domains",
            "key_technologies",
            "setup__rules",
            "setup__criteria",
            "setup__rounds",
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("meeting").prefetch_related("conditions"),
            ),
            "conditions",
            "events",
            "eligibility_checks",
        )
        .get(pk=pk)
    )


def _budget_lines() -> QuerySet[Any]:
    from deltaregio.calls.models import BudgetLine

    return BudgetLine.objects.select_related("partner__organisation", "work_package")


def _co_financing() -> QuerySet[Any]:
    from deltaregio.calls.models import CoFinancing

    return CoFinancing.objects.select_related("partner__organisation")


def scores_visible(*, user: Any, proposal: Proposal) -> list[Score]:
    """Blind scoring: a reviewer sees their own scores until the proposal is consolidated; officers and
    the committee see all."""
    qs = Score.objects.filter(assignment__proposal=proposal).select_related(
        "criterion", "assignment__reviewer"
    )
    if user.has_perm("calls.view_all_scores", proposal) or proposal.consolidated_at is not None:
        return list(qs.order_by("assignment__reviewer__username", "criterion__order"))
    return list(qs.filter(assignment__reviewer=user).order_by("criterion__order"))


@dataclass
class RankRow:
    proposal: Proposal
    rank: int
    score: Decimal | None
    requested: Decimal
    cumulative: Decimal
    within_envelope: bool


def ranking(*, setup: CallSetup, step: int) -> list[RankRow]:
    """Consolidated proposals of the step, best first; within the envelope while the running total
    of the grants requested stays within it."""
    proposals = list(
        Proposal.objects.filter(setup=setup, step=step, consolidated_at__isnull=False)
        .prefetch_related(Prefetch("partners", queryset=_partners()))
        .order_by("-consolidated_score", "acronym")
    )
    rows, total = [], Decimal("0")
    for rank, proposal in enumerate(proposals, start=1):
        requested = proposal.requested_grant or Decimal("0")
        total += requested
        within = setup.envelope is None or total <= setup.envelope
        rows.append(RankRow(proposal, rank, proposal.consolidated_score, requested, total, within))
    return rows


@dataclass
class Statistics:
    submitted: int = 0
    granted: int = 0
    requested: Decimal = Decimal("0")
    granted_amount: Decimal = Decimal("0")
    envelope: Decimal | None = None
    oversubscription: Decimal | None = None
    success_rate: Decimal | None = None
    sme_share: Decimal | None = None
    partners: int = 0
    smes: int = 0
    missing: list[str] = field(default_factory=list)
    step: int = 1  # the step whose proposals are counted


def call_statistics(*, setup: CallSetup) -> Statistics:
    """The figures of the proposals on the platform: the proposals of the call's deciding step (the
    full applications of a two-step call, or its registrations when nothing has reached step 2)."""
    stats = Statistics(envelope=setup.envelope)
    proposals = list(
        Proposal.objects.filter(setup=setup, status__in=SUBMITTED_STATUSES).prefetch_related(
            Prefetch("partners", queryset=_partners())
        )
    )
    step = setup.steps if any(p.step == setup.steps for p in proposals) else 1
    chosen = [p for p in proposals if p.step == step]
    stats.step = step
    stats.submitted = len(chosen)
    stats.granted = sum(1 for p in chosen if p.status in GRANTED_STATUSES)
    stats.requested = sum((p.requested_grant or Decimal("0") for p in chosen), Decimal("0"))
    stats.granted_amount = sum(
        (p.granted_amount or Decimal("0") for p in chosen if p.status in GRANTED_STATUSES), Decimal("0")
    )
    if any(p.requested_grant is None for p in chosen):
        stats.missing.append("requested")
    if setup.envelope:
        stats.oversubscription = (stats.requested / setup.envelope).quantize(Decimal("0.01"))
    if stats.submitted:
        stats.success_rate = (Decimal(100) * stats.granted / stats.submitted).quantize(Decimal("0.1"))
    partners = [pp for p in chosen for pp in p.partners.all()]
    stats.partners = len(partners)
    stats.smes = sum(1 for pp in partners if pp.organisation.kind == "sme")
    if partners:
        stats.sme_share = (Decimal(100) * stats.smes / len(partners)).quantize(Decimal("0.1"))
    return stats


def published_statistics(*, setup: CallSetup) -> list[CallStatistic]:
    return list(setup.call.statistics.all())
