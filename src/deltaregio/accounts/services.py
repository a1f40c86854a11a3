"""Writes for accounts: the role groups, demo users."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.directory.models import Organisation


@transaction.atomic
def roles_ensure() -> list[Group]:
    """Create the role groups that do not exist yet; return all of them."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    organisation: str


DEMO_ORGANISATION = {
    Role.APPLICANT: "Holst Centre",
    Role.SME: None,
    Role.LAB_PARTNER: "Sirris",
}


@transaction.atomic
def demo_users_create(*, password: str) -> list[DemoAccount]:
    """A demo administrator and one demo user per role, for a local demonstration. Idempotent."""
    roles_ensure()
    accounts: list[DemoAccount] = []
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.org"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    accounts.append(DemoAccount("admin", password, "administrator", ""))
    for role in Role:
        if role is Role.PUBLIC:
            continue
        username = f"demo-{role.value.replace('_', '-')}"
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        user.set_password(password)
        user.is_staff = role is Role.PROGRAMME_OFFICER
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        org_name = DEMO_ORGANISATION.get(role)
        org = Organisation.objects.filter(name=org_name).first() if org_name else None
        if org is not None:
            Affiliation.objects.get_or_create(user=user, organisation=org)
        accounts.append(DemoAccount(username, password, str(role.label), org.name if org else ""))
    return accounts
