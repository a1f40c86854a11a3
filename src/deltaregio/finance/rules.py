"""Funding contributions follow their project's visibility; published budget tables are public."""

from typing import Any

import rules

from deltaregio.projects.rules import can_view_project


@rules.predicate
def can_view_contribution_project(user: Any, contribution: Any) -> bool:
    if contribution is None:
        return True
    return bool(can_view_project(user, contribution.project))


rules.add_perm("finance.view_fundingcontribution", can_view_contribution_project)
rules.add_perm("finance.view_budgettable", rules.always_allow)
