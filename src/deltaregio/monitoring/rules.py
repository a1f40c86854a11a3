"""Who may do what in monitoring (django-rules; deny by default).

- Everyone sees published indicators, the dashboards (aggregates of published projects, no company
  named) and the portfolio analytics.
- Programme officers define indicators and targets, enter measurements for anything, save selections,
  generate reports and see the dashboards with unpublished projects and the organisations by name.
- Committee members see the confidential dashboards and the reports they were shown.
- A project partner (a user acting for an organisation that is a partner of the project) enters
  measurements of project-level indicators for that project only.
"""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.rules import is_committee_member, is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for


@rules.predicate
def is_partner_of_project(user: Any, project: Any) -> bool:
    if project is None or not getattr(user, "is_authenticated", False):
        return False
    orgs = organisation_ids_for(user)
    if not orgs:
        return False
    from deltaregio.projects.models import Partner

    return Partner.objects.filter(project_id=project.pk, organisation_id__in=orgs).exists()


@rules.predicate
def is_published(user: Any, indicator: Any) -> bool:
    return indicator is None or bool(getattr(indicator, "is_published", False))


rules.add_perm("monitoring.view_dashboard", rules.always_allow)
rules.add_perm("monitoring.view_analytics", rules.always_allow)
rules.add_perm("monitoring.view_indicator", is_published | is_staff_or_officer)
rules.add_perm("monitoring.view_confidential", is_staff_or_officer | is_committee_member)
rules.add_perm("monitoring.manage_indicator", is_staff_or_officer)
rules.add_perm("monitoring.enter_measurement", is_staff_or_officer | is_partner_of_project)
rules.add_perm("monitoring.manage_selection", is_staff_or_officer)
rules.add_perm("monitoring.view_reports", is_staff_or_officer | is_committee_member)
rules.add_perm("monitoring.request_report", is_staff_or_officer)
