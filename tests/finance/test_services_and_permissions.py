"""Writes: who may change which budget line and when, what bad input is refused (with the field named
and nothing saved), and that every change is audited with its author."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deltaregio.accounts.models import Role
from deltaregio.finance import services
from deltaregio.finance.models import BudgetLine, CoFinancingLine, FundingRateLimit, ProgrammeAmount
from deltaregio.funding.models import Instrument
from deltaregio.projects.models import Status

from .conftest import Consortium

pytestmark = pytest.mark.django_db


def save(by: Any, c: Consortium, **kwargs: Any) -> BudgetLine:
    values: dict[str, Any] = {
        "partner": c.alpha,
        "work_package": c.wps[0],
        "year": 2024,
        "category": "staff",
        "amount": Decimal("1234.50"),
        "source_document": "screen: test",
    }
    values.update(kwargs)
    return services.budget_line_save(by=by, **values)


def test_a_partner_enters_its_own_line_and_the_history_keeps_who(
    consortium: Consortium, user_for: Any
) -> None:
    user = user_for(consortium.alpha)
    line = save(user, consortium)
    assert line.amount == Decimal("1234.50") and line.updated_by == user
    line = save(user, consortium, line=line, amount=Decimal("2000"))
    history = list(line.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user for h in history} == {user}
    assert line.source_location == f"budget line {line.pk}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", Decimal("-1.00"), "negative"),
        ("amount", Decimal("10.005"), "more than two decimals"),
        ("year", 2023, "outside the project"),
        ("year", 2027, "outside the project"),
        ("category", "lunch", "not a cost category"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    consortium: Consortium, user_for: Any, field: str, value: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        save(user_for(consortium.alpha), consortium, **{field: value})
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not BudgetLine.objects.exists()


def test_a_work_package_of_another_project_is_refused(consortium: Consortium, user_for: Any) -> None:
    from .conftest import WorkPackageFactory

    other = WorkPackageFactory()
    with pytest.raises(ValidationError) as caught:
        save(user_for(consortium.alpha), consortium, work_package=other)
    assert "work_package" in caught.value.message_dict


def test_the_same_cell_twice_is_refused(consortium: Consortium, user_for: Any) -> None:
    user = user_for(consortium.alpha)
    save(user, consortium)
    with pytest.raises(ValidationError) as caught:
        save(user, consortium, amount=Decimal(5))
    assert "already has a line" in str(caught.value)
    assert BudgetLine.objects.count() == 1


def test_a_partner_may_not_touch_another_partners_line(consortium: Consortium, user_for: Any) -> None:
    line = save(user_for(consortium.alpha), consortium)
    beta = user_for(consortium.beta)
    with pytest.raises(PermissionDenied):
        save(beta, consortium, partner=consortium.alpha)
    with pytest.raises(PermissionDenied):
        save(beta, consortium, partner=consortium.beta, line=line)
    with pytest.raises(PermissionDenied):
        services.budget_line_delete(by=beta, line=line)


def test_the_lead_partner_sees_all_lines_but_changes_only_its_own(
    consortium: Consortium, user_for: Any
) -> None:
    line = save(user_for(consortium.alpha), consortium)
    lead = user_for(consortium.lead)
    assert lead.has_perm("finance.view_budgetline", line)
    assert lead.has_perm("finance.view_all_budgetlines", consortium.project)
    assert not lead.has_perm("finance.change_budgetline", line)
    beta = user_for(consortium.beta)
    assert not beta.has_perm("finance.view_budgetline", line)
    assert not beta.has_perm("finance.view_all_budgetlines", consortium.project)


@pytest.mark.parametrize(
    ("status", "partner_may", "officer_may"),
    [
        (Status.IDEA, True, True),
        (Status.IN_REVISION, True, True),
        (Status.SUBMITTED, False, True),
        (Status.RUNNING, False, True),
        (Status.CLOSED, False, False),
        (Status.REJECTED, False, False),
        (Status.WITHDRAWN, False, False),
    ],
)
def test_edits_follow_the_proposal_or_project(
    consortium: Consortium, user_for: Any, officer: Any, status: str, partner_may: bool, officer_may: bool
) -> None:
    consortium.project.status = status
    consortium.project.save()
    partner = user_for(consortium.alpha)
    assert partner.has_perm("finance.change_budgetline", consortium.alpha) is partner_may
    assert officer.has_perm("finance.change_budgetline", consortium.alpha) is officer_may
    if not partner_may:
        with pytest.raises(PermissionDenied):
            save(partner, consortium)
    if officer_may:
        assert save(officer, consortium).updated_by == officer


def test_people_without_a_role_in_the_project_may_do_nothing(consortium: Consortium, make_user: Any) -> None:
    for user in (
        make_user(Role.APPLICANT, organisation="Holst Centre"),
        make_user(Role.PUBLIC),
        make_user(Role.COMMITTEE_MEMBER),
    ):
        assert not user.has_perm("finance.view_budgetline", consortium.project)
        assert not user.has_perm("finance.import_budget", consortium.project)
        with pytest.raises(PermissionDenied):
            save(user, consortium)


def test_co_financing_validation(consortium: Consortium, user_for: Any) -> None:
    user = user_for(consortium.alpha)
    erdf = Instrument.objects.get(code="interreg-vl-nl")
    FundingRateLimit.objects.create(instrument=erdf, max_rate=Decimal("50"), source_document="test")
    common = {
        "by": user,
        "partner": consortium.alpha,
        "source_kind": "eu_fund",
        "source": "EFRO",
        "source_document": "t",
    }
    with pytest.raises(ValidationError) as caught:
        services.co_financing_line_save(instrument=erdf, rate=Decimal("60"), **common)
    assert "highest rate" in " ".join(caught.value.message_dict["rate"])
    for bad, field in ((Decimal("101"), "rate"), (Decimal("-1"), "rate"), (Decimal("1.234"), "rate")):
        with pytest.raises(ValidationError) as caught:
            services.co_financing_line_save(rate=bad, **common)
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.co_financing_line_save(amount=Decimal("-5"), **common)
    assert "amount" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.co_financing_line_save(**common)  # neither rate nor amount
    assert not CoFinancingLine.objects.exists()
    line = services.co_financing_line_save(
        instrument=erdf, rate=Decimal("50"), amount=Decimal("10.00"), **common
    )
    assert line.history.get().history_user == user


def test_programme_amounts_are_for_officers(officer: Any, applicant: Any) -> None:
    nxtgen = Instrument.objects.get(code="nxtgen-hightech")
    values = {
        "programme": nxtgen,
        "kind": "realised",
        "year": 2022,
        "contributor": "companies",
        "amount": Decimal("1500000.00"),
        "source_document": "t",
    }
    with pytest.raises(PermissionDenied):
        services.programme_amount_save(by=applicant, **values)
    record = services.programme_amount_save(by=officer, **values)
    assert record.history.get().history_user == officer
    with pytest.raises(ValidationError):
        services.programme_amount_save(by=officer, **{**values, "amount": Decimal("-1")})
    assert ProgrammeAmount.objects.count() == 1
