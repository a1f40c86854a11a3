"""Scheme set-up: the envelope, rounds, review-committee members, providers and related parties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from deltaregio.directory.models import Organisation
from deltaregio.vouchers.models import (
    ProviderRule,
    RegisteredProvider,
    RelatedPartyLink,
    SchemeMember,
    SchemeRound,
    VoucherEvent,
    VoucherScheme,
)
from deltaregio.vouchers.services._common import (
    SOURCE_SCREEN,
    VoucherRefused,
    _event,
    _history,
    _lock_scheme,
    parse_amount,
)

# --- schemes -------------------------------------------------------------------------------------------


@transaction.atomic
def scheme_set_envelope(
    *, scheme: VoucherScheme, amount: Decimal | None, by: Any, note: str = ""
) -> VoucherScheme:
    """Set (or change) the budget envelope. It can never drop below what is already committed, and it
    can be emptied only while nothing is committed."""
    locked = _lock_scheme(scheme)
    new = None if amount is None else parse_amount(amount, field_name="budget_envelope")
    if new is None and locked.committed_total > 0:
        raise VoucherRefused(
            "envelope_in_use",
            _("Vouchers already hold %(committed)s EUR of this envelope; it cannot be emptied.")
            % {"committed": locked.committed_total},
            field="budget_envelope",
        )
    if new is not None and new < locked.committed_total:
        raise VoucherRefused(
            "envelope_below_committed",
            _("The envelope cannot be lower than what vouchers already hold: %(committed)s EUR.")
            % {"committed": locked.committed_total},
            field="budget_envelope",
        )
    old = locked.budget_envelope
    locked.budget_envelope = new
    _history(locked, by, note or "budget envelope set")
    locked.save(update_fields=["budget_envelope"])
    _event(
        voucher=None,
        scheme=locked,
        action="set_envelope",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        message=note,
        data={"from": str(old) if old is not None else None, "to": str(new) if new is not None else None},
    )
    return locked


@transaction.atomic
def round_open(
    *,
    scheme: VoucherScheme,
    code: str,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date | None,
    by: Any,
) -> SchemeRound:
    """Open a round of requests (the limit per company counts per round)."""
    if closes_on is not None and closes_on < opens_on:
        raise VoucherRefused("round_dates", _("A round closes after it opens."), field="closes_on")
    if SchemeRound.objects.filter(scheme=scheme, code=code).exists():
        raise VoucherRefused(
            "round_exists", _("This scheme already has a round with this code."), field="code"
        )
    round_ = SchemeRound(
        scheme=scheme,
        code=code,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        source_document=SOURCE_SCREEN,
        source_location=f"round opened by {getattr(by, 'username', 'system')}",
    )
    _history(round_, by, "round opened")
    round_.save()
    _event(
        voucher=None,
        scheme=scheme,
        action="open_round",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"round": code},
    )
    return round_


@transaction.atomic
def member_add(
    *, scheme: VoucherScheme, user: Any, role: str, by: Any, organisation: Organisation | None = None
) -> SchemeMember:
    """Give a user a role in the scheme: committee, desk or coordinator."""
    if role not in SchemeMember.Role.values:
        raise VoucherRefused("role_unknown", _("Unknown role."), field="role")
    member, _created = SchemeMember.objects.get_or_create(
        scheme=scheme, user=user, role=role, defaults={"organisation": organisation}
    )
    _event(
        voucher=None,
        scheme=scheme,
        action="add_member",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"user": user.get_username(), "role": role},
    )
    return member


@transaction.atomic
def provider_register(*, scheme: VoucherScheme, organisation: Organisation, by: Any) -> RegisteredProvider:
    """Register a provider for a scheme whose providers are a registered list."""
    if scheme.provider_rule != ProviderRule.REGISTERED_LIST:
        raise VoucherRefused(
            "providers_are_partners",
            _("This scheme's providers are the partners of its project; none can be registered."),
            field="organisation",
        )
    registration, _created = RegisteredProvider.objects.get_or_create(
        scheme=scheme, organisation=organisation
    )
    _event(
        voucher=None,
        scheme=scheme,
        action="register_provider",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"organisation": organisation.name},
    )
    return registration


@transaction.atomic
def related_party_declare(
    *, organisation: Organisation, related: Organisation, kind: str, by: Any, note: str = ""
) -> RelatedPartyLink:
    """Declare that two organisations are related parties (stored once per pair)."""
    if organisation.pk == related.pk:
        raise VoucherRefused(
            "same_organisation",
            _("An organisation is always related to itself; choose another one."),
            field="related",
        )
    if kind not in RelatedPartyLink.Kind.values:
        raise VoucherRefused("kind_unknown", _("Unknown kind of link."), field="kind")
    low, high = sorted([organisation, related], key=lambda org: org.pk)
    link, created = RelatedPartyLink.objects.get_or_create(
        organisation=low,
        related=high,
        defaults={"kind": kind, "note": note, "declared_by": by if by else None},
    )
    if not created:
        raise VoucherRefused(
            "link_exists", _("A link between these organisations is already declared."), field="related"
        )
    _event(
        voucher=None,
        scheme=None,
        action="declare_related_party",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"organisation": low.name, "related": high.name, "kind": kind},
    )
    return link
