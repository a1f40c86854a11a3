"""The decision letter as PDF (fpdf2, with the Latin-1 helper of the voucher letters): the committee's
decision on a proposal with its date, body, note, conditions and the grant awarded."""

from __future__ import annotations

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from deltaregio.calls.models import Decision
from deltaregio.vouchers.letters import latin1


def decision_pdf(decision: Decision) -> bytes:
    proposal = decision.proposal
    pdf = FPDF(format="A4")
    title = _("Decision on %(acronym)s") % {"acronym": proposal.acronym}
    pdf.set_title(latin1(title))
    pdf.set_author("Deltaregio")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    def fact(label: str, value: str) -> None:
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(55, 6, latin1(label))
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 6, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")

    fact(_("Call"), str(proposal.setup.call))
    fact(_("Proposal"), f"{proposal.acronym} - {proposal.title}")
    fact(_("Step"), _("registration (step 1)") if proposal.decision_step == 1 else _("full application"))
    fact(_("Deciding body"), decision.body)
    fact(_("Date"), date_format(decision.date, "DATE_FORMAT") if decision.date else decision.date_text)
    fact(_("Decision"), str(decision.get_outcome_display()))
    if decision.granted_amount is not None:
        amount = number_format(decision.granted_amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        fact(_("Grant awarded"), f"EUR {amount}")
    if decision.note:
        pdf.ln(2)
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 5, latin1(decision.note), new_x="LMARGIN", new_y="NEXT")
    conditions = list(decision.conditions.all())
    if conditions:
        pdf.ln(2)
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, latin1(_("Conditions")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=10)
        for number, condition in enumerate(conditions, start=1):
            pdf.multi_cell(0, 5, latin1(f"{number}. {condition.text}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _("This decision is final; a later decision on the same proposal is recorded as a new decision.")
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
