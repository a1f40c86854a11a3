"""Funders, funding instruments and programme lines, calls with their published statistics,
and the application domains and key technologies a programme is organised by."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced, Unit, money_field


class Funder(Sourced):
    name = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funder_roles",
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("Empty for a European or international funder.")
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=[
            ("eu", _("European")),
            ("national", _("national")),
            ("regional", _("regional")),
            ("provincial", _("provincial")),
            ("private", _("private")),
        ],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.name


class Instrument(Sourced):
    """A funding instrument, programme or programme line; lines have the programme as parent."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("programme")
        PROGRAMME_LINE = "programme_line", _("programme line")
        FUND = "fund", _("fund")
        GRANT_SCHEME = "grant_scheme", _("grant scheme")
        FELLOWSHIP = "fellowship", _("fellowship or mandate")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    funder = models.ForeignKey(
        Funder,
        verbose_name=_("funder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    description = models.TextField(_("description"), blank=True)
    period_text = models.CharField(_("period as published"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funding instrument")
        verbose_name_plural = _("funding instruments")

    def __str__(self) -> str:
        return self.short_name or self.name


class Call(Sourced):
    """A call for proposals or a tender round of an instrument."""

    class Kind(models.TextChoices):
        ONE_STEP = "one_step", _("one-step")
        TWO_STEP = "two_step", _("two-step (registration, then full application)")
        TENDER_ROUND = "tender_round", _("tender round")
        CONTINUOUS = "continuous", _("continuously open")
        UNKNOWN = "unknown", _("not published")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="calls"
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    budget = money_field(_("budget envelope"))
    budget_unit = models.CharField(_("budget unit"), max_length=5, choices=Unit.choices, default=Unit.EUR)
    budget_approximate = models.BooleanField(_("budget is approximate"), default=False)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument__name", "year", "code"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(opens_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="call_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallStatistic(Sourced):
    """Aggregate figures of a call as published: for the whole call or a part of it (e.g. health-related)."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="statistics"
    )
    scope = models.CharField(
        _("scope"), max_length=120, default="all", help_text=_("'all', or the subset described")
    )
    submitted_count = models.PositiveIntegerField(_("proposals submitted"), null=True, blank=True)
    submitted_cost = money_field(_("total cost of submitted proposals"))
    requested_amount = money_field(_("amount requested"))
    granted_count = models.PositiveIntegerField(_("proposals granted"), null=True, blank=True)
    granted_amount = money_field(_("amount granted"))
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.MEUR)
    approximate = models.BooleanField(_("figures are approximate"), default=False)
    participants = models.TextField(_("participants as published"), blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "scope", "source_document"]
        verbose_name = _("call statistic")
        verbose_name_plural = _("call statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "scope", "source_document", "source_location"], name="callstatistic_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(granted_count__isnull=True)
                | models.Q(submitted_count__isnull=True)
                | models.Q(granted_count__lte=models.F("submitted_count")),
                name="callstatistic_granted_le_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} – {self.scope}"


class ApplicationDomain(Sourced):
    """An application domain of a programme (e.g. Nxtgen's seven: Agri, Composites, …)."""

    programme = models.ForeignKey(
        Instrument, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="application_domains"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("application domain")
        verbose_name_plural = _("application domains")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="appdomain_unique")]

    def __str__(self) -> str:
        return self.name


class KeyTechnology(Sourced):
    """A key technology of a programme (e.g. Nxtgen's six deepening areas)."""

    programme = models.ForeignKey(
        Instrument, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="key_technologies"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    application_domains = models.ManyToManyField(
        ApplicationDomain, verbose_name=_("application domains"), blank=True, related_name="key_technologies"
    )
    history = HistoricalRecords(m2m_fields=[application_domains])

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("key technology")
        verbose_name_plural = _("key technologies")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="keytech_unique")]

    def __str__(self) -> str:
        return self.name
