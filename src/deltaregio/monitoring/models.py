"""Monitoring, impact and evaluation: indicators with baselines and targets, their measurements (entered
or computed from the platform's own records), discipline classifications for portfolio analytics, saved
selections, and the monitoring reports a committee was shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced


class IndicatorUnit(models.TextChoices):
    COUNT = "count", _("number")
    PERCENT = "percent", _("percent")
    EUR = "EUR", _("euro")
    MEUR = "MEUR", _("million euro")
    BEUR = "BEUR", _("billion euro")
    PERSONS = "persons", _("persons")
    FTE = "fte", _("full-time equivalents")


class IndicatorKind(models.TextChoices):
    OUTPUT = "output", _("output")
    RESULT = "result", _("result")
    IMPACT = "impact", _("impact")


class IndicatorLevel(models.TextChoices):
    PROJECT = "project", _("project")
    CALL = "call", _("call")
    PROGRAMME = "programme", _("programme")
    THEME = "theme", _("theme")
    REGION = "region", _("region")


class Method(models.TextChoices):
    ENTERED = "entered", _("entered")
    COMPUTED = "computed", _("computed from the platform's records")


class Moment(models.TextChoices):
    CONTINUOUS = "continuous", _("continuously")
    YEARLY = "yearly", _("every year")
    PROJECT_END = "project_end", _("at the end of the project")
    ONE_YEAR_AFTER = "one_year_after", _("one year after the end of the project")
    PROGRAMME_END = "programme_end", _("at the end of the programme")


class Framework(models.TextChoices):
    INTERREG = "interreg", _("Interreg common indicator")
    DOC002 = "doc002", _("parameter of document 002 §8")
    PROGRAMME = "programme", _("programme or project target")
    PLATFORM = "platform", _("platform figure")


class Indicator(Sourced):
    """What is measured, how and when, against which baseline. `computation` names a function of
    monitoring.computations (for method computed); its result is stored as a computed measurement."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    definition_nl = models.TextField(_("definition (Dutch)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=IndicatorLevel.choices)
    method = models.CharField(_("measured"), max_length=10, choices=Method.choices, default=Method.ENTERED)
    computation = models.CharField(_("computation"), max_length=60, blank=True)
    moment = models.CharField(_("measurement moment"), max_length=20, choices=Moment.choices)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instrument = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    theme = models.ForeignKey(
        "agenda.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_published = models.BooleanField(_("published"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    last_computed_at = models.DateTimeField(_("last computed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_computed_at"])

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="indicator_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (translation.get_language() or "nl").startswith("en") else self.name_nl

    @property
    def definition(self) -> str:
        en = (translation.get_language() or "nl").startswith("en")
        return (self.definition_en if en else self.definition_nl) or self.definition_nl

    @property
    def years(self) -> range | None:
        if self.period_start and self.period_end:
            return range(self.period_start.year, self.period_end.year + 1)
        return None


class Target(Sourced):
    """A target for a year as a document states it. Documents that disagree give two targets for the
    same year, each with its source; both are shown. `recurring` means "every year from this year"."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    value_text = models.CharField(_("value as published"), max_length=200, blank=True)
    quote = models.TextField(_("quotation"), blank=True)
    recurring = models.BooleanField(_("every year from this year"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "value", "source_location"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "source_document", "source_location"],
                name="target_unique_per_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class Measurement(Sourced):
    """A value of an indicator on a date, for the programme (no project) or for one project. A computed
    one comes from monitoring.computations; an entered one that differs from the computed value of the
    same date and scope is flagged (`conflict`), never silently replaced."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="measurements"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    origin = models.CharField(_("how measured"), max_length=10, choices=Method.choices)
    note = models.TextField(_("note"), blank=True)
    conflict = models.CharField(_("contradiction"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "date", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "project", "date", "origin"], name="measurement_unique_per_moment"
            ),
            models.UniqueConstraint(
                fields=["indicator", "date", "origin"],
                condition=models.Q(project__isnull=True),
                name="measurement_unique_per_moment_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.date}: {self.value}"


class ClassificationScheme(Sourced):
    """A classification of disciplines or domains (OECD Fields of Science 2007, …), loaded as data."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("classification scheme")
        verbose_name_plural = _("classification schemes")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scheme", "order"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="category_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class ProjectCategory(Sourced):
    """A project classified in a category: entered by an officer, or by a crosswalk rule from a value an
    import kept (source_document names the crosswalk)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="assignments"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project classification")
        verbose_name_plural = _("project classifications")
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="projectcategory_unique"),
        ]


class CrosswalkRule(Sourced):
    """Projects an import made whose kept value `field` equals `value` belong to `category`: how data
    without discipline codes (Horizon 2020 programme parts) is classified. Our own assignment, as data."""

    namespace = models.CharField(_("import namespace"), max_length=80)
    field = models.CharField(_("field"), max_length=80)
    value = models.CharField(_("value"), max_length=200)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["namespace", "field", "value"]
        verbose_name = _("crosswalk rule")
        verbose_name_plural = _("crosswalk rules")
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "field", "value", "category"], name="crosswalkrule_unique"
            ),
        ]


class Selection(models.Model):
    """A domain of the portfolio defined by a set of codes of one scheme ("health-related")."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    scheme = models.ForeignKey(ClassificationScheme, verbose_name=_("scheme"), on_delete=models.PROTECT)
    codes = models.JSONField(_("codes"), default=list)
    include_subcategories = models.BooleanField(_("including their subcategories"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_en if (translation.get_language() or "nl").startswith("en") else self.name_nl

    @property
    def description(self) -> str:
        en = (translation.get_language() or "nl").startswith("en")
        return (self.description_en if en else self.description_nl) or self.description_nl


class MonitoringReport(models.Model):
    """A monitoring report for a period, as generated (in the background) and kept unchanged: what a
    committee was shown at a meeting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being generated")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    title = models.CharField(_("title"), max_length=200)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.PROTECT
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    figures = models.JSONField(_("figures shown"), default=dict, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    xlsx = models.BinaryField(_("spreadsheet"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title
