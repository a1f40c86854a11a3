"""Admin for staff: schemes, rounds, members and providers can be corrected; vouchers, redemptions,
batches and the audit trail are read-only here (their steps go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.vouchers.models import (
    PaymentBatch,
    Redemption,
    RegisteredProvider,
    RelatedPartyLink,
    SchemeMember,
    SchemeRound,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoundInline(admin.TabularInline):
    model = SchemeRound
    extra = 0


@admin.register(VoucherScheme)
class VoucherSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "value", "covered_share", "budget_envelope", "committed_total"]
    readonly_fields = ["committed_total"]
    inlines = [RoundInline]


@admin.register(SchemeMember)
class SchemeMemberAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "user", "role", "organisation"]
    list_filter = ["scheme", "role"]


@admin.register(RegisteredProvider)
class RegisteredProviderAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "organisation", "registered_on"]


@admin.register(RelatedPartyLink)
class RelatedPartyLinkAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "related", "kind", "declared_at"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["reference", "scheme", "sme", "provider", "status", "requested_at", "expires_at"]
    list_filter = ["scheme", "status"]
    search_fields = ["sme__name", "provider__name", "code"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["voucher", "provider", "amount", "state", "redeemed_at", "batch"]
    list_filter = ["scheme", "state"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "number", "state", "total", "created_at", "paid_on"]


@admin.register(VoucherEvent)
class VoucherEventAdmin(admin.ModelAdmin):
    list_display = ["at", "scheme", "voucher", "kind", "action", "from_status", "to_status", "actor", "code"]
    list_filter = ["scheme", "kind", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
