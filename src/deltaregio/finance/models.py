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


# --- Budgets people enter or import -----------------------------------------------------------------


class CostCategory(models.TextChoices):
    """The cost categories of a budget line (the Interreg and Horizon categories, and a flat rate)."""

    STAFF = "staff", _("staff")
    TRAVEL = "travel", _("travel and accommodation")
    EXTERNAL_SERVICES = "external_services", _("external expertise and services")
    EQUIPMENT = "equipment", _("equipment")
    INFRASTRUCTURE = "infrastructure", _("infrastructure and works")
    OTHER = "other", _("other costs")
    FLAT_RATE = "flat_rate", _("flat rate")


class BudgetLine(Sourced):
    """One amount of a project's budget: a partner's cost in one work package, year and cost category.

    Amounts are exact euro with two decimals. Lines are entered on a screen, through the API or by
    importing a spreadsheet: source_document names that screen or file, source_location the row.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    partner = models.ForeignKey(
        "projects.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    work_package = models.ForeignKey(
        "projects.WorkPackage",
        verbose_name=_("work package"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=20, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "work_package__number", "partner__organisation__name", "year", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "work_package", "year", "category"], name="budgetline_unique_cell"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budgetline_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900) & models.Q(year__lte=2200),
                name="budgetline_year_plausible",
            ),
        ]
        indexes = [models.Index(fields=["project", "year"], name="budgetline_project_year")]

    def __str__(self) -> str:
        return (
            f"{self.partner} · WP {self.work_package.number} · {self.year} · {self.category}: {self.amount}"
        )


class CoFinancingLine(Sourced):
    """Who pays a partner's cost: a source (EU fund, government, own means, other) with a rate of the
    partner's budget and/or an amount in euro."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="co_financing_lines",
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="co_financing_lines",
    )
    source_kind = models.CharField(
        _("kind of source"), max_length=20, choices=FundingContribution.SourceKind.choices
    )
    source = models.CharField(_("source"), max_length=200, help_text=_("Who pays, e.g. ERDF, Hermes fund."))
    instrument = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="co_financing_lines",
    )
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of the partner's budget this source pays."),
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "partner__organisation__name", "source_kind", "source"]
        verbose_name = _("co-financing line")
        verbose_name_plural = _("co-financing lines")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "source_kind", "source"], name="cofinancing_unique_source"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=True) | (models.Q(rate__gte=0) & models.Q(rate__lte=100)),
                name="cofinancing_rate_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="cofinancing_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=False) | models.Q(amount__isnull=False),
                name="cofinancing_rate_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.partner}"


class FundingRateLimit(Sourced):
    """The highest co-financing rate an instrument allows (e.g. ERDF at most 50 % of the eligible cost)."""

    instrument = models.OneToOneField(
        "funding.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="rate_limit",
    )
    max_rate = models.DecimalField(_("highest rate (%)"), max_digits=5, decimal_places=2)
    basis = models.CharField(_("rate of"), max_length=300, blank=True, help_text=_("e.g. the eligible cost"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument__code"]
        verbose_name = _("co-financing rate limit")
        verbose_name_plural = _("co-financing rate limits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_rate__gte=0) & models.Q(max_rate__lte=100), name="ratelimit_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: ≤ {self.max_rate} %"


class ContributorType(models.TextChoices):
    """Who contributes to a programme's budget (Nxtgen table 5: companies, Growth Fund, knowledge
    institutions, government)."""

    COMPANIES = "companies", _("companies")
    GROWTH_FUND = "growth_fund", _("National Growth Fund")
    KNOWLEDGE_INSTITUTIONS = "knowledge_institutions", _("knowledge institutions")
    GOVERNMENT = "government", _("government")
    EU_FUND = "eu_fund", _("EU fund")
    OTHER = "other", _("other")


class ProgrammeAmount(Sourced):
    """An amount of a programme's multi-year plan per year and contributor type: planned (where no
    published table gives the plan) or realised, as it comes in. Amounts keep their unit."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("planned")
        REALISED = "realised", _("realised")

    programme = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="programme_amounts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    scenario = models.CharField(
        _("scenario"), max_length=120, blank=True, help_text=_("e.g. 'with Growth Fund'; empty for realised")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    contributor = models.CharField(_("contributor"), max_length=30, choices=ContributorType.choices)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.EUR)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme__code", "kind", "scenario", "year", "contributor"]
        verbose_name = _("programme amount")
        verbose_name_plural = _("programme amounts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "scenario", "year", "contributor"], name="programmeamount_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="programmeamount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900) & models.Q(year__lte=2200),
                name="programmeamount_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.kind} {self.year} {self.contributor}: {self.amount} {self.unit}"
