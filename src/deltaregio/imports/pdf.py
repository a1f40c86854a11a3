"""Reports as PDF (fpdf2): a project sheet and a programme report, in Dutch or English.

The text is set in Source Sans Pro, a TrueType font that ships in the PyPI package font-source-sans-pro
(SIL Open Font License) and is embedded in the PDF, so Dutch characters (ë, ï, é, ĳ) and the euro sign
render as they are."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from deltaregio.sources.models import UNIT_FACTOR, Unit

FONT = "SourceSans"


def _font_files() -> dict[str, Path]:
    import font_source_sans_pro

    folder = Path(font_source_sans_pro.__file__).resolve().parent / "files"
    return {"": folder / "SourceSansPro-Regular.ttf", "B": folder / "SourceSansPro-Bold.ttf"}


def money_text(amount: Decimal | None, unit: str) -> str:
    if amount is None:
        return "–"
    places = 2 if unit == Unit.EUR else None
    text = number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    try:
        label = str(Unit(unit).label)
    except ValueError:
        label = unit
    return f"{text} {label}"


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "–"


class Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        for style, path in _font_files().items():
            self.add_font(FONT, style, str(path))
        self.doc_title = title
        self.set_title(title)
        self.set_author("Deltaregio")
        self.set_creator("Deltaregio")
        self.set_lang(translation.get_language() or "nl")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, f"{self.doc_title} – Deltaregio – {self.page_no()}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT, size=10)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        self.set_font(FONT, size=10)
        for label, value in rows:
            self.set_font(FONT, "B", 10)
            self.cell(45, 6, label)
            self.set_font(FONT, size=10)
            self.multi_cell(0, 6, value or "–", new_x="LMARGIN", new_y="NEXT")

    def grid(self, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        self.set_font(FONT, size=9)
        with super().table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            row = table.row()
            for label in header:
                row.cell(label)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(2)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def project_sheet(project: Any, *, language: str) -> bytes:
    """One project: its facts, partners, funding and where the data comes from."""
    with translation.override(language):
        doc = Document(_("Project sheet: %(acronym)s") % {"acronym": project.acronym})
        doc.heading(project.acronym, 16)
        doc.paragraph(project.title)
        doc.facts(
            [
                (_("Status"), str(project.get_status_display())),
                (_("Instrument"), project.instrument.name if project.instrument else ""),
                (_("Call"), project.call.name if project.call else ""),
                (_("Start date"), _date(project.start_date)),
                (_("End date"), _date(project.end_date)),
                (
                    _("Total cost"),
                    money_text(project.total_cost, project.cost_unit)
                    if project.total_cost is not None
                    else "",
                ),
            ]
        )
        if project.summary:
            doc.heading(_("Summary"))
            doc.paragraph(project.summary)
        partners = list(project.partners.all())
        if partners:
            doc.heading(_("Partners"))
            doc.grid(
                [_("Organisation"), _("Role"), _("Country")],
                [
                    [p.organisation.name, str(p.get_role_display()), str(p.country.name) if p.country else ""]
                    for p in partners
                ],
                [100, 40, 34],
            )
        funding = list(project.funding.all())
        if funding:
            doc.heading(_("Funding"))
            doc.grid(
                [_("Source"), _("Amount"), _("Share"), _("Status")],
                [
                    [
                        f.source,
                        money_text(f.amount, f.unit),
                        f"{number_format(f.share, use_l10n=True)} %" if f.share is not None else "",
                        str(f.get_status_display()),
                    ]
                    for f in funding
                ],
                [70, 44, 20, 40],
            )
        doc.heading(_("Source"), 11)
        doc.paragraph(
            _("%(document)s, %(location)s. Printed on %(date)s.")
            % {
                "document": project.source_document or "–",
                "location": project.source_location or "–",
                "date": _date(timezone.localdate()),
            }
        )
        return doc.output_bytes()


MAX_REPORT_ROWS = 300


def programme_report(*, projects: list[Any], title: str, language: str) -> bytes:
    """The programme at a glance: projects per status, funding per source (in euro where the unit is
    euro-based; other currencies apart, never converted), organisations per country, and the projects."""
    with translation.override(language):
        doc = Document(title)
        doc.heading(title, 16)
        doc.paragraph(_("Printed on %(date)s from Deltaregio.") % {"date": _date(timezone.localdate())})
        statuses = Counter(str(p.get_status_display()) for p in projects)
        doc.heading(_("Projects per status"))
        doc.grid(
            [_("Status"), _("Projects")],
            [[status, str(n)] for status, n in sorted(statuses.items())] + [[_("Total"), str(len(projects))]],
            [120, 54],
        )
        by_source: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        countries: Counter[str] = Counter()
        for project in projects:
            for contribution in project.funding.all():
                if contribution.amount is None:
                    continue
                if contribution.unit in UNIT_FACTOR:
                    by_source[(contribution.source, "EUR")] += (
                        contribution.amount * UNIT_FACTOR[Unit(contribution.unit)]
                    )
                else:
                    by_source[(contribution.source, contribution.unit)] += contribution.amount
            for partner in project.partners.all():
                if partner.country:
                    countries[str(partner.country.name)] += 1
        if by_source:
            doc.heading(_("Funding per source"))
            doc.grid(
                [_("Source"), _("Amount")],
                [[source, money_text(amount, unit)] for (source, unit), amount in sorted(by_source.items())],
                [110, 64],
            )
        if countries:
            doc.heading(_("Participations per country"))
            doc.grid(
                [_("Country"), _("Participations")],
                [[country, str(n)] for country, n in countries.most_common()],
                [120, 54],
            )
        doc.heading(_("Projects"))
        shown = projects[:MAX_REPORT_ROWS]
        doc.grid(
            [_("Acronym"), _("Title"), _("Status"), _("Start date")],
            [[p.acronym, p.title, str(p.get_status_display()), _date(p.start_date)] for p in shown],
            [30, 94, 26, 24],
        )
        if len(projects) > len(shown):
            doc.paragraph(
                _("%(n)s more projects are not listed here; the spreadsheet export lists them all.")
                % {"n": len(projects) - len(shown)}
            )
        return doc.output_bytes()
