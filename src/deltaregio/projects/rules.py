"""Who may see a project: everyone when it is published; otherwise officers and the people who act
for one of its partners. Without an object, the permission asks "may this user list projects at all"."""

from typing import Any

import rules

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for


@rules.predicate
def is_public_project(user: Any, project: Any) -> bool:
    if project is None:
        return True
    return bool(project.is_public)


@rules.predicate
def acts_for_a_partner(user: Any, project: Any) -> bool:
    if project is None:
        return False
    orgs = organisation_ids_for(user)
    return bool(orgs) and project.partners.filter(organisation_id__in=orgs).exists()


can_view_project = is_public_project | is_staff_or_officer | acts_for_a_partner
rules.add_perm("projects.view_project", can_view_project)
rules.add_perm("projects.view_project_history", is_staff_or_officer | acts_for_a_partner)
