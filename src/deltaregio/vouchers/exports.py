"""A payment batch as a spreadsheet (.xlsx, openpyxl) and as CSV. Text cells that a spreadsheet
would run as a formula (starting with =, +, -, @, or a tab or carriage return) are written with a
leading apostrophe, so no value from the platform ever runs as a formula; amounts are numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from deltaregio.vouchers import selectors
from deltaregio.vouchers.models import PaymentBatch

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """The value as a cell: numbers stay numbers; text that would start a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _headers() -> list[str]:
    return [
        _("Batch"),
        _("Voucher"),
        _("Provider"),
        _("Provider country"),
        _("Company"),
        _("Invoice number"),
        _("Invoice amount (EUR)"),
        _("Paid by the voucher (EUR)"),
        _("Paid by the company (EUR)"),
        _("Redeemed at"),
        _("Accepted at"),
    ]


def batch_rows(batch: PaymentBatch) -> list[list[Any]]:
    rows = []
    for redemption in selectors.batch_redemptions(batch=batch):
        voucher = redemption.voucher
        rows.append(
            [
                batch.number,
                voucher.reference,
                redemption.provider.name,
                str(redemption.provider.country or ""),
                voucher.sme.name,
                voucher.invoice_number,
                voucher.invoice_amount,
                redemption.amount,
                voucher.co_payment,
                timezone.localtime(redemption.redeemed_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(redemption.checked_at).strftime("%Y-%m-%d %H:%M")
                if redemption.checked_at
                else "",
            ]
        )
    return rows


def batch_xlsx(batch: PaymentBatch) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Payments")[:31]
    sheet.append([safe_text(h) for h in _headers()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in batch_rows(batch):
        sheet.append([safe_text(value) for value in row])
        for cell in sheet[sheet.max_row][6:9]:
            cell.number_format = "#,##0.00"
    total_row = [""] * 7 + [batch.total]
    total_row[0] = _("Total")
    sheet.append([safe_text(value) for value in total_row])
    sheet[sheet.max_row][7].number_format = "#,##0.00"
    sheet[sheet.max_row][0].font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJK", (8, 14, 36, 10, 36, 18, 16, 18, 18, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def batch_csv(batch: PaymentBatch) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in _headers()])
    for row in batch_rows(batch):
        writer.writerow(
            ["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else safe_text(v)) for v in row]
        )
    return buffer.getvalue()
