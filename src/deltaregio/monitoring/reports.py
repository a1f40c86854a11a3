"""The programme monitoring report for a period, as PDF (fpdf2, with imports.pdf's document) and as a
spreadsheet (openpyxl, texts escaped as imports.spreadsheets does), in Dutch or English: the indicator
table, the dashboard figures (the charts' numbers), the findings of the finance checks and the status of
every project. `figures` is what the report showed, kept with it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _

from deltaregio.monitoring import selectors


def _num(value: Any) -> str:
    if value is None:
        return "–"
    from django.utils.formats import number_format

    return number_format(
        Decimal(value).normalize() if Decimal(value) == Decimal(value).to_integral() else value,
        use_l10n=True,
        force_grouping=True,
    )


def collect(report: Any) -> dict[str, Any]:
    """The figures of the report, as plain values (JSON)."""
    from deltaregio.finance.selectors import budget_findings

    everything = User(is_superuser=True, is_active=True)
    flt = selectors.DashboardFilter(year_from=report.period_start.year, year_to=report.period_end.year)
    data = selectors.dashboard(flt=flt, user=everything)
    indicators = []
    for row in selectors.indicator_rows(user=everything, period_end=report.period_end):
        i = row.indicator
        indicators.append(
            {
                "code": i.code,
                "name": i.name,
                "unit": str(i.get_unit_display()),
                "kind": str(i.get_kind_display()),
                "value": str(row.current.value) if row.current else None,
                "date": row.current.date.isoformat() if row.current else None,
                "targets": [
                    {
                        "year": t.target.year,
                        "value": str(t.target.value),
                        "percent": str(t.percent) if t.percent is not None else None,
                        "source": f"{t.target.source_document}, {t.target.source_location}",
                    }
                    for t in row.targets
                ],
                "contradictions": len(row.conflicts),
            }
        )
    findings = budget_findings()
    return {
        "period": [report.period_start.isoformat(), report.period_end.isoformat()],
        "language": report.language,
        "indicators": indicators,
        "projects_by_status": [[f.label, int(f.value)] for f in data.by_status],
        "money": [[f.label, str(f.value)] for f in data.money],
        "partners_by_country": [[f.label, int(f.value)] for f in data.partners_by_country],
        "partners_by_kind": [[f.label, int(f.value)] for f in data.partners_by_kind],
        "cross_border_share": str(data.cross_border_share) if data.cross_border_share is not None else None,
        "funnel": [[s.key, s.count] for s in data.funnel],
        "findings": [
            [
                str(getattr(f, "severity", "")),
                str(getattr(f, "project", "") or ""),
                str(getattr(f, "message", f)),
            ]
            for f in findings.findings
        ],
        "projects": [
            [p.acronym, str(p.get_status_display()), p.start_date.isoformat() if p.start_date else ""]
            for p in data.projects
        ],
    }


def _target_text(target: dict[str, Any]) -> str:
    reached = f", {target['percent']} %" if target["percent"] else ""
    return f"{_num(target['value'])} ({target['year']}{reached}) – {target['source']}"


def _pdf(report: Any, figures: dict[str, Any]) -> bytes:
    from deltaregio.imports.pdf import Document
    from deltaregio.vouchers.charts import bars

    doc = Document(report.title)
    doc.heading(report.title, 16)
    if report.meeting:
        doc.paragraph(_("Meeting: %(meeting)s") % {"meeting": report.meeting})
    doc.heading(_("Indicators against their targets"))
    doc.grid(
        [_("Code"), _("Indicator"), _("Value"), _("Targets (source)")],
        [
            [
                i["code"],
                i["name"],
                f"{_num(i['value'])} {i['unit']}" if i["value"] is not None else "–",
                "; ".join(_target_text(t) for t in i["targets"]) or "–",
            ]
            for i in figures["indicators"]
        ],
        [24, 50, 26, 74],
    )
    for title, key in (
        (_("Projects by status"), "projects_by_status"),
        (_("Participations by country"), "partners_by_country"),
    ):
        doc.heading(title)
        items = [(label, Decimal(n), str(n)) for label, n in figures[key]]
        chart = bars(items, width=520, label_width=180)
        if chart:  # the chart, drawn with fpdf's primitives; the table follows with the same numbers
            scale = 174 / chart.width
            top = doc.get_y()
            doc.set_fill_color(21, 66, 115)
            doc.set_font("SourceSans", size=8)
            for bar in chart.bars:
                y = top + float(bar.y) * scale
                doc.set_xy(18, y)
                doc.cell(float(chart.label_width) * scale, float(chart.bar_height) * scale, bar.label[:40])
                doc.rect(
                    18 + float(chart.label_width) * scale,
                    y,
                    max(float(bar.width) * scale, 0.3),
                    float(chart.bar_height) * scale * 0.8,
                    style="F",
                )
                doc.set_xy(18 + float(bar.text_x) * scale, y)
                doc.cell(20, float(chart.bar_height) * scale, bar.text)
            doc.set_y(top + chart.height * scale + 2)
        doc.grid([_("Label"), _("Number")], [[label, str(n)] for label, n in figures[key]], [130, 44])
    doc.heading(_("Money committed"))
    doc.grid(
        [_("Funding status"), _("Amount (EUR)")],
        [[label, _num(v)] for label, v in figures["money"]],
        [110, 64],
    )
    doc.heading(_("The SME funnel"))
    doc.grid([_("Stage"), _("Companies")], [[k, str(n)] for k, n in figures["funnel"]], [110, 64])
    doc.heading(_("Findings of the budget checks"))
    if figures["findings"]:
        doc.grid([_("Severity"), _("Project"), _("Finding")], figures["findings"][:200], [24, 36, 114])
    else:
        doc.paragraph(_("No finding."))
    doc.heading(_("Status of every project"))
    doc.grid([_("Project"), _("Status"), _("Start date")], figures["projects"], [70, 70, 34])
    return doc.output_bytes()


def _xlsx(report: Any, figures: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from deltaregio.imports.parsers import escape_cell

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = workbook.create_sheet(title=title[:31])
        ws.append([escape_cell(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([escape_cell(v) if isinstance(v, str) else v for v in row])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"

    sheet(
        _("Indicators"),
        [
            _("Code"),
            _("Indicator"),
            _("Type"),
            _("Unit"),
            _("Value"),
            _("Date"),
            _("Target year"),
            _("Target"),
            _("Reached (%)"),
            _("Source"),
        ],
        [
            [
                i["code"],
                i["name"],
                i["kind"],
                i["unit"],
                Decimal(i["value"]) if i["value"] is not None else None,
                i["date"] or "",
                t["year"],
                Decimal(t["value"]) if t["value"] is not None else None,
                Decimal(t["percent"]) if t["percent"] else None,
                t["source"],
            ]
            for i in figures["indicators"]
            for t in (i["targets"] or [{"year": None, "value": None, "percent": None, "source": ""}])
        ],
    )
    sheet(_("Projects by status"), [_("Status"), _("Projects")], figures["projects_by_status"])
    sheet(
        _("Money"), [_("Funding status"), _("Amount (EUR)")], [[a, Decimal(b)] for a, b in figures["money"]]
    )
    sheet(_("Partners by country"), [_("Country"), _("Participations")], figures["partners_by_country"])
    sheet(_("Partners by kind"), [_("Kind"), _("Organisations")], figures["partners_by_kind"])
    sheet(_("Funnel"), [_("Stage"), _("Companies")], figures["funnel"])
    sheet(_("Budget findings"), [_("Severity"), _("Project"), _("Finding")], figures["findings"])
    sheet(_("Projects"), [_("Project"), _("Status"), _("Start date")], figures["projects"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build(report: Any) -> tuple[dict[str, Any], bytes, bytes]:
    with translation.override(report.language):
        figures = collect(report)
        return figures, _pdf(report, figures), _xlsx(report, figures)
