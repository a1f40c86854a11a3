"""Organisations, the people Deltaregio must know, and practice labs and facilities."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced


class Organisation(Sourced):
    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        SME = "sme", _("SME")
        KNOWLEDGE = "knowledge", _("knowledge institution")
        GOVERNMENT = "government", _("government")
        CLUSTER = "cluster", _("cluster")
        NETWORK = "network", _("network")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # name__iexact (a scan's company, import matching) without reading every organisation
            models.Index(Upper("name"), name="organisation_name_upper"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        if self.short_name and self.short_name != self.name:
            return f"{self.name} ({self.short_name})"
        return self.name


class Person(Sourced):
    """A person in a public role named in the documents, or a user's contact person.

    Personal data: only name, function and organisation; e-mail only when the person gave it for
    contact. Kept while the person holds the role the record describes; erased on request.
    """

    PERSONAL_DATA = {
        "fields": ["name", "function", "email"],
        "retention": _("while the person holds the role; erased on request"),
    }

    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["name", "function"], name="person_unique_name_function"),
        ]

    def __str__(self) -> str:
        return self.name


class Lab(Sourced):
    """A practice lab, field lab, knowledge lab, pilot line or research facility."""

    class Kind(models.TextChoices):
        PRACTICE_LAB = "practice_lab", _("practice lab")
        FIELD_LAB = "field_lab", _("field lab")
        PILOT_LINE = "pilot_line", _("pilot line")
        FACILITY = "facility", _("research facility")

    name = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRACTICE_LAB)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="labs",
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True)
    area_text = models.CharField(_("area as published"), max_length=60, blank=True)
    technologies = models.JSONField(_("technologies"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_m2__isnull=True) | models.Q(area_m2__gt=0), name="lab_area_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name
