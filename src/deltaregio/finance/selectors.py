from __future__ import annotations

from typing import TypedDict

from django.db.models import Prefetch, QuerySet

from deltaregio.finance.models import BudgetCell, BudgetTable, FundingContribution


def contribution_list() -> QuerySet[FundingContribution]:
    return (
        FundingContribution.objects.select_related("project", "instrument")
        .prefetch_related("partners__organisation")
        .order_by("project__acronym", "source")
    )


def budget_table_list() -> QuerySet[BudgetTable]:
    return (
        BudgetTable.objects.select_related("programme")
        .prefetch_related(Prefetch("cells", queryset=BudgetCell.objects.order_by("row_order", "id")))
        .order_by("code")
    )


class GridRow(TypedDict):
    key: str
    label: str
    group: str
    is_total: bool
    order: int
    cells: dict[str, BudgetCell]


def budget_table_grid(table: BudgetTable) -> list[GridRow]:
    """The table's rows in printed order, each with its cells by column key (uses prefetched cells)."""
    rows: dict[str, GridRow] = {}
    for cell in table.cells.all():
        row = rows.setdefault(
            cell.row_key,
            GridRow(
                key=cell.row_key,
                label=cell.row_label,
                group=cell.row_group,
                is_total=cell.is_total,
                order=cell.row_order,
                cells={},
            ),
        )
        row["cells"][cell.column_key] = cell
    return sorted(rows.values(), key=lambda r: r["order"])
