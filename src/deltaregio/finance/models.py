"""Money: funding contributions to projects, and budget tables as published (e.g. Nxtgen tables 5–6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced, Unit, money_field


class FundingContribution(Sourced):
    """A source's contribution to a project's cost: EU fund, government, own contribution, other."""

    class SourceKind(models.TextChoices):
        EU_FUND = "eu_fund", _("EU fund")
        GOVERNMENT = "government", _("national or regional government")
        OWN = "own", _("own contribution")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        REQUESTED = "requested", _("requested, not yet decided")
        PLANNED = "planned", _("planned")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.CharField(_("source"), max_length=200)
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices)
    instrument = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    partners = models.ManyToManyField(
        "projects.Partner",
        verbose_name=_("for partners"),
        blank=True,
        related_name="funding",
        help_text=_("Empty when the contribution is for the whole project."),
    )
    amount = money_field(_("amount"))
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.EUR)
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    basis = models.CharField(_("basis of the share"), max_length=300, blank=True)
    basis_amount = money_field(_("amount the share is taken of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.GRANTED)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(m2m_fields=[partners])

    class Meta:
        ordering = ["project", "source"]
        verbose_name = _("funding contribution")
        verbose_name_plural = _("funding contributions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | (models.Q(share__gte=0) & models.Q(share__lte=100)),
                name="contribution_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.project}"


class BudgetTable(Sourced):
    """A table of figures exactly as a document publishes it: rows × columns, one unit."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_tables",
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    rounded_to = models.DecimalField(
        _("figures rounded to"),
        max_digits=12,
        decimal_places=4,
        default=1,
        help_text=_("The unit the published figures are rounded to, in the table's unit."),
    )
    columns = models.JSONField(_("columns"), default=list, help_text=_("Column keys and labels in order"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("budget table")
        verbose_name_plural = _("budget tables")

    def __str__(self) -> str:
        return self.title


class BudgetCell(models.Model):
    table = models.ForeignKey(
        BudgetTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="cells"
    )
    row_order = models.PositiveSmallIntegerField(_("row number"))
    row_key = models.SlugField(_("row key"), max_length=80)
    row_label = models.CharField(_("row label"), max_length=200)
    row_group = models.CharField(_("row group"), max_length=120, blank=True)
    column_key = models.SlugField(_("column key"), max_length=80)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(_("value as published"), max_length=40, blank=True)
    is_total = models.BooleanField(_("is a total"), default=False)

    class Meta:
        ordering = ["table", "row_order", "id"]
        verbose_name = _("budget cell")
        verbose_name_plural = _("budget cells")
        constraints = [
            models.UniqueConstraint(fields=["table", "row_key", "column_key"], name="budgetcell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.table.code}[{self.row_key}, {self.column_key}] = {self.value_text}"
