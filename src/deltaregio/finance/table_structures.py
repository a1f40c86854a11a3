"""The structure of each published budget table, declared: which rows and columns are the sum of which,
which columns state the same quantity, which cells may not be negative, and how a multi-year table
reads as a programme plan (scenario and contributor per row, a year per column).

A table is loaded exactly as printed (BudgetTable + BudgetCell); what its totals mean is not printed in
a machine-readable way, so it is declared here, after reading the document. A table without a
declaration is shown but not checked. docs/finance-checks.md lists the declarations and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deltaregio.finance.models import ContributorType


@dataclass(frozen=True)
class RowSum:
    """The row `total` is the sum of the rows `parts`, in every column."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ColumnSum:
    """The column `total` is the sum of the columns `parts`, in every row."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class SameColumns:
    """Two columns that state the same quantity in every row (costs = total contribution)."""

    first: str
    second: str


@dataclass(frozen=True)
class PlanRow:
    """A row of a multi-year table read as a programme plan line."""

    scenario: str
    contributor: str  # ContributorType value, or "" for a scenario or programme total


@dataclass(frozen=True)
class TableStructure:
    row_sums: tuple[RowSum, ...] = ()
    column_sums: tuple[ColumnSum, ...] = ()
    same_columns: tuple[SameColumns, ...] = ()
    non_negative: bool = False  # every figure is a contribution or a cost: none may be negative
    plan_rows: dict[str, PlanRow] = field(default_factory=dict)  # row key → plan line
    year_columns: tuple[str, ...] = ()  # the columns that are years (for a plan)
    total_row: str = ""  # the row with the programme's total per year


NXTGEN_YEARS = ("2022", "2023", "2024", "2025", "2026", "2027", "2028")
WITHOUT = "zonder groeifonds"
WITH = "met groeifonds"

TABLE_STRUCTURES: dict[str, TableStructure] = {
    # 003 §8, Tabel 5 (lines 1499-1523): per scenario a total row and its four contributor rows, a
    # Grand Total row that adds both scenarios (312 + 1.273 ≈ 1.584, as the text on lines 1491-1494
    # says), and a Totaal column that adds the seven years.
    "nxtgen-table-5": TableStructure(
        row_sums=(
            RowSum(
                "zonder-groeifonds",
                (
                    "zonder-bijdrage-bedrijven",
                    "zonder-bijdrage-groeifonds",
                    "zonder-bijdrage-kennisinstellingen",
                    "zonder-bijdrage-overheid",
                ),
            ),
            RowSum(
                "met-groeifonds",
                (
                    "met-bijdrage-bedrijven",
                    "met-bijdrage-groeifonds",
                    "met-bijdrage-kennisinstellingen",
                    "met-bijdrage-overheid",
                ),
            ),
            RowSum("grand-total", ("zonder-groeifonds", "met-groeifonds")),
        ),
        column_sums=(ColumnSum("total", NXTGEN_YEARS),),
        non_negative=True,
        plan_rows={
            "zonder-groeifonds": PlanRow(WITHOUT, ""),
            "zonder-bijdrage-bedrijven": PlanRow(WITHOUT, ContributorType.COMPANIES),
            "zonder-bijdrage-groeifonds": PlanRow(WITHOUT, ContributorType.GROWTH_FUND),
            "zonder-bijdrage-kennisinstellingen": PlanRow(WITHOUT, ContributorType.KNOWLEDGE_INSTITUTIONS),
            "zonder-bijdrage-overheid": PlanRow(WITHOUT, ContributorType.GOVERNMENT),
            "met-groeifonds": PlanRow(WITH, ""),
            "met-bijdrage-bedrijven": PlanRow(WITH, ContributorType.COMPANIES),
            "met-bijdrage-groeifonds": PlanRow(WITH, ContributorType.GROWTH_FUND),
            "met-bijdrage-kennisinstellingen": PlanRow(WITH, ContributorType.KNOWLEDGE_INSTITUTIONS),
            "met-bijdrage-overheid": PlanRow(WITH, ContributorType.GOVERNMENT),
        },
        year_columns=NXTGEN_YEARS,
        total_row="grand-total",
    ),
    # 003 §8, Tabel 6 (lines 1527-1565): per application domain and scenario the costs, the
    # contributions per contributor and their total; the costs equal the total contribution; the Grand
    # Total row adds the seven domains.
    "nxtgen-table-6": TableStructure(
        row_sums=(
            RowSum(
                "grand-total",
                ("agri", "composiet", "energie", "lasersatcom", "medtech", "semicon", "smart-industry"),
            ),
        ),
        column_sums=(
            ColumnSum("zonder-totaal", ("zonder-bedrijven", "zonder-kennisinstellingen", "zonder-overheid")),
            ColumnSum(
                "met-totaal", ("met-bedrijven", "met-groeifonds", "met-kennisinstellingen", "met-overheid")
            ),
        ),
        same_columns=(SameColumns("zonder-kosten", "zonder-totaal"), SameColumns("met-kosten", "met-totaal")),
        non_negative=True,
    ),
    # 003 §2.1, Tabel 1 and Tabel 2: the twelve HTSM branches add up to "Totaal 'HTSM'"; "Totaal
    # economie" is the whole economy, not a sum of these rows.
    "nxtgen-table-1": TableStructure(
        row_sums=(
            RowSum(
                "totaal-htsm",
                tuple(
                    f"sbi-{n}"
                    for n in ("22", "24", "25", "26", "27", "28", "29", "30", "33", "62", "71", "72")
                ),
            ),
        ),
    ),
    "nxtgen-table-2": TableStructure(
        row_sums=(
            RowSum(
                "totaal-htsm",
                tuple(
                    f"sbi-{n}"
                    for n in ("22", "24", "25", "26", "27", "28", "29", "30", "33", "62", "71", "72")
                ),
            ),
        ),
        non_negative=True,
    ),
}


def structure_for(code: str) -> TableStructure | None:
    return TABLE_STRUCTURES.get(code)
