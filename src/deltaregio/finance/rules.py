"""Who may see and change money.

- Funding contributions follow their project's visibility; published budget tables are public.
- Budget lines and co-financing lines: a partner (a user acting for the partner's organisation) sees
  its own lines and changes them while the proposal or project allows edits; the lead partner sees all
  lines of its project; programme officers see all and change them while the project is not closed.
  Everyone else sees no lines: the public sees a project's totals once it is approved, and the
  programmes' published plans.
- Programme amounts (realised, entered plans) are public to read and entered by officers.
"""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.projects.models import Partner, Status
from deltaregio.projects.rules import can_view_project

#: A partner may change its budget while the proposal is being prepared or revised.
PARTNER_EDITABLE = frozenset({Status.IDEA, Status.REGISTERED, Status.PRESELECTED, Status.IN_REVISION})
#: An officer may also change it while the application is assessed and the project runs.
OFFICER_EDITABLE = PARTNER_EDITABLE | {Status.SUBMITTED, Status.APPROVED, Status.RUNNING}
#: The public sees a project's budget totals once it is approved.
APPROVED = frozenset({Status.APPROVED, Status.RUNNING, Status.CLOSED})
LEAD_ROLES = frozenset({Partner.Role.LEAD, Partner.Role.COORDINATOR})


def _project_of(obj: Any) -> Any:
    """The project of a project, partner or line."""
    if obj is None:
        return None
    return obj if hasattr(obj, "partners") and hasattr(obj, "acronym") else obj.project


def _partner_of(obj: Any) -> Any:
    """The partner of a partner or a line (None for a project)."""
    if obj is None or hasattr(obj, "acronym"):
        return None
    return obj if isinstance(obj, Partner) else obj.partner


def acts_for_partner(user: Any, partner: Any) -> bool:
    return partner is not None and partner.organisation_id in organisation_ids_for(user)


def is_lead_of(user: Any, project: Any) -> bool:
    if project is None:
        return False
    orgs = organisation_ids_for(user)
    return bool(orgs) and any(
        p.organisation_id in orgs and p.role in LEAD_ROLES for p in project.partners.all()
    )


def acts_for_any_partner(user: Any, project: Any) -> bool:
    if project is None:
        return False
    orgs = organisation_ids_for(user)
    return bool(orgs) and any(p.organisation_id in orgs for p in project.partners.all())


@rules.predicate
def is_lead_partner(user: Any, obj: Any) -> bool:
    return is_lead_of(user, _project_of(obj))


@rules.predicate
def is_own_partner(user: Any, obj: Any) -> bool:
    """The object is (a line of) a partner the user acts for; for a project: any of its partners."""
    partner = _partner_of(obj)
    if partner is None:
        return acts_for_any_partner(user, _project_of(obj))
    return acts_for_partner(user, partner)


@rules.predicate
def partner_may_edit(user: Any, obj: Any) -> bool:
    project = _project_of(obj)
    return project is not None and project.status in PARTNER_EDITABLE


@rules.predicate
def officer_may_edit(user: Any, obj: Any) -> bool:
    project = _project_of(obj)
    return project is not None and project.status in OFFICER_EDITABLE


@rules.predicate
def can_view_budget_page(user: Any, obj: Any) -> bool:
    """Without an object: anyone may ask; with a project (or line): as the project is visible."""
    project = _project_of(obj)
    return project is None or bool(can_view_project(user, project))


@rules.predicate
def project_approved(user: Any, obj: Any) -> bool:
    project = _project_of(obj)
    return project is not None and project.status in APPROVED


@rules.predicate
def without_object(user: Any, obj: Any) -> bool:
    return obj is None


can_see_lines = is_staff_or_officer | is_lead_partner | is_own_partner
# Without an object ("may this user list lines at all?"): every logged-in user; the list holds only
# the lines the user may see (selectors.budget_lines_for).
may_list_lines = (rules.is_authenticated & without_object) | can_see_lines
can_change_lines = (is_staff_or_officer & officer_may_edit) | (is_own_partner & partner_may_edit)

rules.add_perm("finance.view_fundingcontribution", can_view_budget_page)
rules.add_perm("finance.view_budgettable", rules.always_allow)
# A project's budget page: public for a visible project (what it shows depends on the perms below).
rules.add_perm("finance.view_project_budget", can_view_budget_page)
# Totals per work package and year: approved projects for everyone who sees the project; before that
# only for those who see all lines (a partner's view of the totals would show the others' amounts).
rules.add_perm(
    "finance.view_budget_totals",
    can_view_budget_page & (project_approved | is_staff_or_officer | is_lead_partner),
)
# Budget lines: with a project, "may see some lines of it"; with a line, "may see this line".
rules.add_perm("finance.view_budgetline", may_list_lines)
rules.add_perm("finance.view_all_budgetlines", is_staff_or_officer | is_lead_partner)
rules.add_perm("finance.add_budgetline", can_change_lines)
rules.add_perm("finance.change_budgetline", can_change_lines)
rules.add_perm("finance.delete_budgetline", can_change_lines)
rules.add_perm("finance.import_budget", can_change_lines)
rules.add_perm("finance.view_cofinancingline", may_list_lines)
rules.add_perm("finance.add_cofinancingline", can_change_lines)
rules.add_perm("finance.change_cofinancingline", can_change_lines)
rules.add_perm("finance.delete_cofinancingline", can_change_lines)
rules.add_perm("finance.view_programme_budget", rules.always_allow)
rules.add_perm("finance.view_programmeamount", rules.always_allow)
rules.add_perm("finance.add_programmeamount", is_staff_or_officer)
rules.add_perm("finance.change_programmeamount", is_staff_or_officer)
rules.add_perm("finance.delete_programmeamount", is_staff_or_officer)
rules.add_perm("finance.view_fundingratelimit", rules.always_allow)
rules.add_perm("finance.view_findings", rules.always_allow)

#: The name this predicate had before budgets were added; kept for callers.
can_view_contribution_project = can_view_budget_page
