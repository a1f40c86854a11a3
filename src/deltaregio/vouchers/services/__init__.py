"""Every write of the vouchers domain: one function per step of a voucher's life, each atomic, each
recorded in the audit trail (VoucherEvent) and the record history (django-simple-history).

Concurrency. Everything that spends the scheme's envelope or changes a voucher locks rows with
SELECT … FOR NO KEY UPDATE, always in one order: first the scheme, then the voucher. (NO KEY: the
locks must not conflict with the key-share locks that inserting a row referring to the scheme or the
voucher takes, such as an audit event of a refused attempt; otherwise those inserts and the locks
deadlock.) The database keeps the invariants as well (see models.py), so a race that got past a lock
would still fail.

Refusals. A step that may not happen raises VoucherRefused with a machine code and a message in the
user's language; nothing is changed. A refused attempt on a voucher (a redemption with an unknown
code, by the wrong provider, after expiry …) is written to the audit trail after the step's
transaction was rolled back, so the record of the attempt survives the refusal.
"""

from deltaregio.vouchers.services._common import (
    CENT,
    DATA_FILE,
    MAX_AMOUNT,
    SOURCE_SCREEN,
    ZERO,
    BulkRefused,
    Party,
    VoucherRefused,
    add_months,
    audited,
    parse_amount,
)
from deltaregio.vouchers.services.expiry import (
    vouchers_expire,
    vouchers_warn,
)
from deltaregio.vouchers.services.lifecycle import (
    Upload,
    payable,
    review_refusal,
    voucher_deliver,
    voucher_invoice,
    voucher_issue,
    voucher_redeem,
    voucher_request,
    voucher_review,
    voucher_review_bulk,
    voucher_review_bulk_audited,
    voucher_sign,
    voucher_withdraw,
)
from deltaregio.vouchers.services.payments import (
    payment_batch_create,
    payment_batch_mark_paid,
    redemption_check,
)
from deltaregio.vouchers.services.reference import (
    PUBLISHED_FIELDS,
    LoadResult,
    SchemeLoadError,
    scheme_load,
)
from deltaregio.vouchers.services.schemes import (
    member_add,
    provider_register,
    related_party_declare,
    round_open,
    scheme_set_envelope,
)

__all__ = [
    "CENT",
    "DATA_FILE",
    "MAX_AMOUNT",
    "PUBLISHED_FIELDS",
    "SOURCE_SCREEN",
    "ZERO",
    "BulkRefused",
    "LoadResult",
    "Party",
    "SchemeLoadError",
    "Upload",
    "VoucherRefused",
    "add_months",
    "audited",
    "member_add",
    "parse_amount",
    "payable",
    "payment_batch_create",
    "payment_batch_mark_paid",
    "provider_register",
    "redemption_check",
    "related_party_declare",
    "review_refusal",
    "round_open",
    "scheme_load",
    "scheme_set_envelope",
    "voucher_deliver",
    "voucher_invoice",
    "voucher_issue",
    "voucher_redeem",
    "voucher_request",
    "voucher_review",
    "voucher_review_bulk",
    "voucher_review_bulk_audited",
    "voucher_sign",
    "voucher_withdraw",
    "vouchers_expire",
    "vouchers_warn",
]
