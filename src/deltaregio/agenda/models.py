"""The living agenda: themes and sub-domains, ambitions and actions, summits, declarations, the
stakeholder group and other dated events. Every model keeps its full history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class Theme(Sourced):
    if TYPE_CHECKING:  # columns added by django-modeltranslation
        name_nl: str
        name_en: str
        description_nl: str
        description_en: str

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    added_on = models.DateField(_("on the agenda since"))
    added_at = models.ForeignKey(
        "Summit",
        verbose_name=_("added at summit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="themes_added",
    )
    removed_on = models.DateField(_("removed from the agenda on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_on__isnull=True) | models.Q(removed_on__gt=models.F("added_on")),
                name="theme_removed_after_added",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Subdomain(Sourced):
    if TYPE_CHECKING:  # columns added by django-modeltranslation
        name_nl: str
        name_en: str
        description_nl: str
        description_en: str

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="subdomains"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "order", "code"]
        verbose_name = _("sub-domain")
        verbose_name_plural = _("sub-domains")
        constraints = [models.UniqueConstraint(fields=["theme", "code"], name="subdomain_unique_per_theme")]

    def __str__(self) -> str:
        return self.name


class AgendaItem(Sourced):
    """An ambition or an action under a theme."""

    if TYPE_CHECKING:  # columns added by django-modeltranslation
        text_nl: str
        text_en: str

    class Kind(models.TextChoices):
        AMBITION = "ambition", _("ambition")
        ACTION = "action", _("action")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        DONE = "done", _("done")
        UNKNOWN = "unknown", _("unknown")

    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "kind", "order"]
        verbose_name = _("ambition or action")
        verbose_name_plural = _("ambitions and actions")
        constraints = [models.UniqueConstraint(fields=["theme", "code"], name="agendaitem_unique_per_theme")]

    def __str__(self) -> str:
        return self.text[:80]


class Summit(Sourced):
    """A ministerial summit (topontmoeting) of the Flemish and Dutch governments."""

    if TYPE_CHECKING:  # columns added by django-modeltranslation
        title_nl: str
        title_en: str

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    date = models.DateField(_("date"), unique=True)
    place = models.CharField(_("place"), max_length=120)
    title = models.CharField(_("title"), max_length=255)
    participants = models.TextField(_("participants"), blank=True)
    theme_of_summit = models.TextField(_("central question"), blank=True)
    final_declaration = models.CharField(_("final declaration"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("summit")
        verbose_name_plural = _("summits")

    def __str__(self) -> str:
        return f"{self.title} ({self.place}, {self.date:%Y})"


class SummitDecision(Sourced):
    if TYPE_CHECKING:  # columns added by django-modeltranslation
        text_nl: str
        text_en: str

    summit = models.ForeignKey(
        Summit, verbose_name=_("summit"), on_delete=models.CASCADE, related_name="decisions"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("decision"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["summit", "order"]
        verbose_name = _("summit decision")
        verbose_name_plural = _("summit decisions")
        constraints = [
            models.UniqueConstraint(fields=["summit", "order"], name="summitdecision_unique_order")
        ]

    def __str__(self) -> str:
        return self.text[:80]


class DeclarationOfIntent(Sourced):
    date = models.DateField(_("date"), unique=True)
    title = models.CharField(_("title"), max_length=255)
    signatories = models.TextField(_("signatories"), blank=True)
    domains = models.JSONField(_("domains"), default=list, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("declaration of intent")
        verbose_name_plural = _("declarations of intent")

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y})"


class Event(Sourced):
    """Another dated moment of the collaboration: a report, a memorandum, a government decision."""

    if TYPE_CHECKING:  # columns added by django-modeltranslation
        title_nl: str
        title_en: str

    class Kind(models.TextChoices):
        REPORT = "report", _("report")
        MEMORANDUM = "memorandum", _("memorandum of understanding")
        DECISION = "decision", _("government decision")
        CONFERENCE = "conference", _("conference or day")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    summit = models.ForeignKey(
        Summit,
        verbose_name=_("at summit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "code"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


class StakeholderGroup(Sourced):
    name = models.CharField(_("name"), max_length=255, unique=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founded_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    founded_text = models.CharField(_("founding date as published"), max_length=100, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="stakeholder_groups"
    )
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")

    def __str__(self) -> str:
        return self.name


class StakeholderMembership(Sourced):
    group = models.ForeignKey(
        StakeholderGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stakeholder_memberships",
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stakeholder_memberships",
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "role", "id"]
        verbose_name = _("stakeholder group member")
        verbose_name_plural = _("stakeholder group members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(person__isnull=False),
                name="membership_has_member",
            )
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation)
