"""PDF documents of the funnel (fpdf2, pure Python): a scan result with its radar chart, scores,
bands and advice, and an implementation plan. The built-in PDF fonts cover Latin-1 only, so texts
are written with the few other characters they use replaced (– → -, € → EUR)."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from deltaregio.funnel.models import ImplementationPlan

REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "‑": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "…": "...",
    "€": "EUR",
    "•": "-",
    "→": "->",
    "≥": ">=",
    "≤": "<=",
    " ": " ",
    "\u202f": " ",
}


def latin1(text: Any) -> str:
    """The text in the characters the PDF's built-in fonts have."""
    out = []
    for char in str(text):
        char = REPLACEMENTS.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            char = decomposed or "?"
        out.append(char)
    return "".join(out)


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = latin1(title)
        self.set_title(self.doc_title)
        self.set_author("Deltaregio")
        self.set_creator("Deltaregio")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(90)
        self.cell(0, 5, latin1(f"{self.doc_title} - Deltaregio - {self.page_no()}"), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", size=10)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font("helvetica", size=size)
        self.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        self.set_font("helvetica", "B", 9)
        for text, width in zip(header, widths, strict=True):
            self.cell(width, 7, latin1(text), border="B")
        self.ln()
        self.set_font("helvetica", size=9)
        for row in rows:
            if self.get_y() > self.h - 30:
                self.add_page()
            for text, width in zip(row, widths, strict=True):
                self.cell(width, 6, latin1(text)[: int(width / 1.7)], border="B")
            self.ln()
        self.ln(3)


def _number(value: Any) -> str:
    return number_format(value, decimal_pos=2, use_l10n=True)


def _radar(doc: _Document, context: dict[str, Any], size: float = 70) -> None:
    rows = context["rows"]
    count = len(rows)
    cx, cy = doc.w / 2, doc.get_y() + size / 2 + 8
    radius = size / 2

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / count
        return cx + radius * value / 100 * math.cos(angle), cy + radius * value / 100 * math.sin(angle)

    doc.set_draw_color(180)
    doc.set_line_width(0.2)
    for ring in (25, 50, 75, 100):
        doc.polygon([point(i, ring) for i in range(count)])
    doc.set_font("helvetica", size=8)
    for i, row in enumerate(rows):
        x, y = point(i, 100)
        doc.line(cx, cy, x, y)
        lx, ly = point(i, 114)
        doc.text(lx - 3, ly + 1, latin1(row.code))
    waves = context["waves"]
    for n, wave in enumerate(waves):
        latest = n == len(waves) - 1
        doc.set_draw_color(21, 66, 115) if latest else doc.set_draw_color(150)
        doc.set_line_width(0.8 if latest else 0.3)
        values = [float(s.score) for s in wave.scores.all()]
        doc.polygon([point(i, v) for i, v in enumerate(values)])
    doc.set_draw_color(0)
    doc.set_line_width(0.2)
    doc.set_y(cy + radius + 10)


def result_pdf(context: dict[str, Any]) -> bytes:
    """The result of a scan as a PDF: what the result page shows."""
    result = context["result"]
    spec = context["spec"]
    doc = _Document(str(spec.title))
    doc.heading(str(spec.title), 16)
    verified = date_format(timezone.localtime(result.verified_at), "DATE_FORMAT")
    doc.paragraph(
        _("%(company)s - %(wave)s, %(date)s - questionnaire version %(version)s")
        % {
            "company": result.journey.organisation.name,
            "wave": result.wave_label,
            "date": verified,
            "version": result.questionnaire.version,
        }
    )
    doc.heading(
        _("Overall score: %(score)s (%(band)s)")
        % {"score": _number(result.overall), "band": context["overall_band"].label}
    )
    for item in context["overall_advice"]:
        doc.paragraph(item.text)
    _radar(doc, context)
    waves = context["waves"]
    header = [_("Dimension"), *[w.wave_label for w in waves], _("Band")]
    first = 78.0
    rest = (doc.epw - first - 32) / max(len(waves), 1)
    rows = [
        [f"{r.code} {r.name}", *[_number(v) if v is not None else "-" for v in r.history], r.band_label]
        for r in context["rows"]
    ]
    doc.grid(header, rows, [first, *[rest] * len(waves), 32])
    doc.heading(_("Advice per dimension"))
    for row in context["rows"]:
        doc.set_font("helvetica", "B", 10)
        doc.multi_cell(
            0,
            5,
            latin1(f"{row.code} {row.name}: {_number(row.score)} ({row.band_label})"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for item in row.advice:
            doc.paragraph(item.text)
            names = [n for n, _lab in item.labs] + [n for n, _org in item.organisations]
            if names:
                doc.paragraph(_("Who can help: %(names)s") % {"names": ", ".join(names)}, size=9)
    doc.heading(_("Your answers"))
    for question, lines in context["answers"]:
        doc.set_font("helvetica", "B", 9)
        doc.multi_cell(0, 5, latin1(f"{question.code} {question.text}"), new_x="LMARGIN", new_y="NEXT")
        doc.paragraph("; ".join(lines) if lines else _("(none ticked)"), size=9)
    if spec.source.get():
        doc.paragraph(_("Source: %(source)s") % {"source": spec.source.get()}, size=8)
    return bytes(doc.output())


def plan_pdf(plan: ImplementationPlan) -> bytes:
    """An implementation plan as a PDF."""
    doc = _Document(plan.title)
    doc.heading(plan.title, 16)
    status = plan.get_status_display()
    if plan.finalised_on:
        status = f"{status}, {date_format(plan.finalised_on, 'DATE_FORMAT')}"
    doc.paragraph(
        _("Implementation plan of %(company)s with %(partner)s (%(status)s)")
        % {"company": plan.journey.organisation.name, "partner": plan.partner.name, "status": status}
    )
    if plan.trajectory_id:
        doc.paragraph(_("After the trajectory in %(lab)s.") % {"lab": plan.trajectory.lab.name})  # type: ignore[union-attr]
    doc.heading(_("Current situation"))
    doc.paragraph(plan.situation)
    doc.heading(_("Goals"))
    doc.paragraph(plan.goals)
    doc.heading(_("Actions"))
    if plan.actions:
        rows = [
            [a["action"], a.get("owner", ""), a.get("due", ""), _number(a["cost"]) if a.get("cost") else ""]
            for a in plan.actions
        ]
        doc.grid([_("Action"), _("Who"), _("By when"), _("Cost (EUR)")], rows, [92, 36, 24, 22])
    else:
        doc.paragraph(_("No actions yet."))
    if plan.indicators:
        doc.heading(_("Indicators"))
        doc.paragraph(plan.indicators)
    if plan.investment is not None:
        doc.paragraph(_("Investment: %(amount)s euro") % {"amount": _number(plan.investment)})
    return bytes(doc.output())
