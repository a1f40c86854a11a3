"""Role predicates shared by every domain's object-level rules. Deny by default: a permission that is
not declared somewhere with rules.add_perm is refused to everyone but superusers."""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.models import Role


def has_role(role: Role) -> Any:
    @rules.predicate(name=f"has_role:{role.value}")
    def predicate(user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(user.groups.filter(name=role.value).exists())

    return predicate


is_programme_officer = has_role(Role.PROGRAMME_OFFICER)
is_committee_member = has_role(Role.COMMITTEE_MEMBER)
is_applicant = has_role(Role.APPLICANT)
is_sme = has_role(Role.SME)
is_lab_partner = has_role(Role.LAB_PARTNER)
is_staff_or_officer = rules.is_superuser | is_programme_officer
is_authenticated = rules.is_authenticated

rules.add_perm("accounts.view_audit_log", is_staff_or_officer)
