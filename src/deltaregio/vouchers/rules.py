"""Who may do what with vouchers (django-rules; deny by default).

- Schemes, their rules and sources, and the public report are for everyone.
- An SME (a user acting for an organisation of kind SME) requests vouchers, and sees, withdraws and
  signs only its own.
- A provider sees the vouchers issued for it, signs their assignments, delivers, invoices and
  redeems them.
- The review committee of a scheme decides on its requests, except on requests of organisations
  linked to the one a member acts for (the company or the chosen provider); the desk issues vouchers
  and sends the letters; the coordinator checks redemptions and pays them in batches. Committee, desk
  and coordinator see everything of their scheme.
- Programme officers see everything and manage schemes (envelope, rounds, members, providers).
"""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.directory.models import Organisation
from deltaregio.vouchers import selectors
from deltaregio.vouchers.models import SchemeMember, VoucherScheme

COMMITTEE = SchemeMember.Role.COMMITTEE.value
DESK = SchemeMember.Role.DESK.value
COORDINATOR = SchemeMember.Role.COORDINATOR.value


def _scheme_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, VoucherScheme):
        return int(obj.pk)
    scheme_id = getattr(obj, "scheme_id", None)
    return int(scheme_id) if scheme_id is not None else None


def has_scheme_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_scheme_role:{'|'.join(roles)}")
    def predicate(user: Any, obj: Any) -> bool:
        scheme_id = _scheme_id(obj)
        return scheme_id is not None and bool(selectors.roles_in(user, scheme_id) & set(roles))

    return predicate


is_committee = has_scheme_role(COMMITTEE)
is_desk = has_scheme_role(DESK)
is_coordinator = has_scheme_role(COORDINATOR)
has_any_scheme_role = has_scheme_role(COMMITTEE, DESK, COORDINATOR)


@rules.predicate
def acts_for_an_sme(user: Any) -> bool:
    return selectors.sme_organisations_for(user).exists()


@rules.predicate
def acts_for_an_organisation(user: Any) -> bool:
    return bool(organisation_ids_for(user))


@rules.predicate
def acts_for_sme(user: Any, voucher: Any) -> bool:
    return voucher is not None and getattr(voucher, "sme_id", None) in organisation_ids_for(user)


@rules.predicate
def acts_for_provider(user: Any, voucher: Any) -> bool:
    return voucher is not None and getattr(voucher, "provider_id", None) in organisation_ids_for(user)


@rules.predicate
def is_issued(user: Any, voucher: Any) -> bool:
    return voucher is not None and getattr(voucher, "issued_at", None) is not None


@rules.predicate
def not_conflicted(user: Any, voucher: Any) -> bool:
    """The user acts for no organisation related to the voucher's company or provider."""
    if voucher is None or not hasattr(voucher, "sme_id"):
        return True
    return selectors.decision_conflict(user, voucher) == ""


@rules.predicate
def own_organisation(user: Any, organisation: Any) -> bool:
    return isinstance(organisation, Organisation) and organisation.pk in organisation_ids_for(user)


rules.add_perm("vouchers.view_scheme", rules.always_allow)
rules.add_perm("vouchers.view_report", rules.always_allow)
rules.add_perm("vouchers.manage_scheme", is_staff_or_officer)
rules.add_perm("vouchers.request_voucher", acts_for_an_sme)
rules.add_perm("vouchers.list_vouchers", rules.is_authenticated)
rules.add_perm(
    "vouchers.view_voucher",
    is_staff_or_officer | acts_for_sme | (acts_for_provider & is_issued) | has_any_scheme_role,
)
rules.add_perm("vouchers.withdraw_voucher", acts_for_sme)
rules.add_perm("vouchers.view_desk", is_staff_or_officer | has_any_scheme_role)
rules.add_perm("vouchers.review_voucher", is_committee & not_conflicted)
rules.add_perm("vouchers.issue_voucher", is_desk)
rules.add_perm("vouchers.sign_voucher", acts_for_sme | (acts_for_provider & is_issued))
rules.add_perm("vouchers.deliver_voucher", acts_for_provider & is_issued)
rules.add_perm("vouchers.invoice_voucher", acts_for_provider & is_issued)
# Anyone acting for an organisation may try a code: the service refuses (and audits) a wrong provider.
rules.add_perm("vouchers.redeem_voucher", acts_for_an_organisation)
rules.add_perm("vouchers.check_redemption", is_coordinator)
rules.add_perm("vouchers.manage_payments", is_coordinator)
rules.add_perm("vouchers.view_payments", is_staff_or_officer | is_coordinator)
rules.add_perm("vouchers.view_letter", is_staff_or_officer | acts_for_sme | has_any_scheme_role)
rules.add_perm("vouchers.view_refusals", is_staff_or_officer | has_any_scheme_role)
rules.add_perm("vouchers.declare_related_party", is_staff_or_officer | has_any_scheme_role | own_organisation)
