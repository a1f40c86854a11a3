"""Letters of the desk as PDF (fpdf2, pure Python): the decision on a request (approval or refusal
with its reason) and, once issued, the voucher itself with its code, value, share, deadline and
rules. The built-in PDF fonts cover Latin-1 only; other characters are replaced (– → -, € → EUR)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from deltaregio.vouchers.models import Status, Voucher

REPLACEMENTS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "€": "EUR", "→": "->"}


def latin1(text: Any) -> str:
    out = []
    for char in str(text):
        char = REPLACEMENTS.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            char = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1") or "?"
        out.append(char)
    return "".join(out)


def _money(value: Any) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} EUR"


def _date(moment: Any) -> str:
    if moment is None:
        return "-"
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


class _Letter(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.letter_title = latin1(title)
        self.set_title(self.letter_title)
        self.set_author("Deltaregio")
        self.set_creator("Deltaregio")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(20, 20, 20)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 5, latin1(f"{self.letter_title} - Deltaregio - {self.page_no()}"), align="C")

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text: str) -> None:
        self.set_font("helvetica", size=10)
        self.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def fact(self, label: str, value: str) -> None:
        self.set_font("helvetica", "B", 10)
        self.cell(62, 6, latin1(label))
        self.set_font("helvetica", size=10)
        self.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")


def letter_kind(voucher: Voucher) -> str:
    """Which letter the voucher has now: a decision (approval or refusal) or the voucher itself."""
    if voucher.status == Status.REFUSED:
        return "refusal"
    if voucher.status == Status.APPROVED:
        return "approval"
    if voucher.issued_at is not None:
        return "voucher"
    return ""


def letter_pdf(voucher: Voucher) -> bytes:
    kind = letter_kind(voucher)
    scheme = voucher.scheme
    titles = {
        "refusal": _("Decision on your voucher request"),
        "approval": _("Decision on your voucher request"),
        "voucher": _("Access voucher"),
    }
    pdf = _Letter(f"{titles[kind]} {voucher.reference}")
    pdf.set_font("helvetica", size=10)
    pdf.paragraph(scheme.desk.name if scheme.desk else scheme.name)
    pdf.paragraph(
        f"{voucher.sme.name}\n{voucher.sme.city or ''} {voucher.sme.get_country_display() or ''}".strip()
    )
    pdf.paragraph(_("Date: %(date)s") % {"date": _date(timezone.now())})
    pdf.heading(f"{titles[kind]} - {scheme.name}")
    pdf.fact(_("Reference"), voucher.reference)
    pdf.fact(_("Requested on"), _date(voucher.requested_at))
    pdf.fact(_("Provider"), voucher.provider.name)
    pdf.fact(_("Intended service"), voucher.service_description)
    pdf.ln(3)
    if kind == "refusal":
        pdf.paragraph(
            _("The review committee has refused your request on %(date)s for this reason:")
            % {"date": _date(voucher.reviewed_at)}
        )
        pdf.paragraph(voucher.decision_reason)
    elif kind == "approval":
        pdf.paragraph(
            _(
                "The review committee has approved your request on %(date)s. The desk will issue your "
                "voucher "
                "of %(value)s; you will then have %(months)d months to present an assignment signed by you "
                "and the provider."
            )
            % {
                "date": _date(voucher.reviewed_at),
                "value": _money(voucher.value),
                "months": scheme.signing_period_months,
            }
        )
        if voucher.decision_reason:
            pdf.paragraph(voucher.decision_reason)
    else:
        pdf.fact(_("Voucher code"), voucher.code or "")
        pdf.fact(_("Value"), _money(voucher.value))
        pdf.fact(
            _("Share of the bill covered"),
            f"{number_format(voucher.covered_share, decimal_pos=2, use_l10n=True)} %",
        )
        pdf.fact(_("Issued on"), _date(voucher.issued_at))
        pdf.fact(_("Sign the assignment before"), _date(voucher.signing_deadline))
        if voucher.completion_deadline:
            pdf.fact(_("Complete the work before"), _date(voucher.completion_deadline))
        pdf.ln(3)
        pdf.paragraph(
            _("What the voucher may pay for: %(services)s") % {"services": scheme.eligible_services}
        )
        pdf.paragraph(
            _(
                "Give this code only to the provider named above. The voucher pays at most its value and its "
                "share of the bill; the provider redeems it at the coordinator once the work is delivered "
                "and "
                "invoiced. A voucher is redeemed once. It expires if no signed assignment is presented "
                "before the deadline."
            )
        )
    if scheme.source_document:
        pdf.set_font("helvetica", "I", 8)
        pdf.multi_cell(
            0,
            4,
            latin1(
                _("Rules of the scheme: %(doc)s, %(where)s")
                % {"doc": scheme.source_document, "where": scheme.source_location}
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
