"""Writes of the call process. Every function is keyword-only, typed and atomic; it checks who may take
the step (rules.py), the state machine (models.TRANSITIONS) and the input, and raises
`PermissionDenied` or `ValidationError` (a message per field, in the user's language) before anything
is saved. `now` can be given for a moment other than the present (tests, the seed).

The steps are in modules by part of the process: _common, setup, proposals, assessment, decisions."""

from django.core.exceptions import PermissionDenied, ValidationError

from deltaregio.calls.services._common import (
    MAX_ATTACHMENT,
    SCREEN,
    TransitionRefused,
    moment_or_now,
    parse_amount,
    raise_errors,
    require_perm,
    transition,
)
from deltaregio.calls.services.assessment import (
    conflict_declare,
    conflict_reasons,
    consolidate,
    eligibility_check,
    reviewer_assign,
    scores_save,
    weighted_score,
)
from deltaregio.calls.services.decisions import (
    condition_confirm,
    decide,
    project_start,
    users_named,
)
from deltaregio.calls.services.proposals import (
    attachment_add,
    budget_line_save,
    co_financing_save,
    collaborator_add,
    full_application_start,
    partner_add,
    partner_remove,
    presubmission_findings,
    proposal_create,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    rate_limit,
    work_package_add,
)
from deltaregio.calls.services.setup import (
    call_publish,
    criterion_add,
    open_round,
    round_add,
    rule_add,
    setup_save,
)

__all__ = [
    "MAX_ATTACHMENT",
    "SCREEN",
    "PermissionDenied",  # what every step raises, as the steps' callers name it
    "TransitionRefused",
    "ValidationError",
    "attachment_add",
    "budget_line_save",
    "call_publish",
    "co_financing_save",
    "collaborator_add",
    "condition_confirm",
    "conflict_declare",
    "conflict_reasons",
    "consolidate",
    "criterion_add",
    "decide",
    "eligibility_check",
    "full_application_start",
    "moment_or_now",
    "open_round",
    "parse_amount",
    "partner_add",
    "partner_remove",
    "presubmission_findings",
    "project_start",
    "proposal_create",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "raise_errors",
    "rate_limit",
    "require_perm",
    "reviewer_assign",
    "round_add",
    "rule_add",
    "scores_save",
    "setup_save",
    "transition",
    "users_named",
    "weighted_score",
    "work_package_add",
]
