"""Shared fixtures. The reference data set is loaded once into the test database; tests that use
`db` see it and their changes are rolled back. Transactional tests (live server, races) flush the
database afterwards, so they ask for `seeded_transactional`, which loads it again when needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.accounts.services import roles_ensure
from deltaregio.directory.models import Organisation
from deltaregio.seed.services import seed_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        seed_load()
        roles_ensure()


@pytest.fixture
def seeded_transactional(transactional_db: Any) -> None:
    from deltaregio.agenda.models import Theme

    if not Theme.objects.exists():
        seed_load()
    roles_ensure()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: Role | None = None,
        *,
        organisation: str | None = None,
        password: str = "correct-horse-battery",  # noqa: S107
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=f"user{counter['n']}-{role.value if role else 'none'}", password=password
        )
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        if organisation is not None:
            Affiliation.objects.create(user=user, organisation=Organisation.objects.get(name=organisation))
        return user

    return make


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER)


@pytest.fixture
def applicant(make_user: Callable[..., User]) -> User:
    return make_user(Role.APPLICANT, organisation="Holst Centre")
