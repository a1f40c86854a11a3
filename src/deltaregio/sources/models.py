"""Where a fact comes from: the source documents, and the provenance every sourced record carries."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class Sourced(models.Model):
    """Provenance of a record: the document it was taken from and where in it.

    For data a person enters, source_document names the screen or import and source_location the row.
    """

    source_document = models.CharField(_("source document"), max_length=100, blank=True, db_index=True)
    source_location = models.CharField(_("location in source"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def source_dict(self) -> dict[str, str]:
        return {"document": self.source_document, "location": self.source_location}


class Unit(models.TextChoices):
    EUR = "EUR", _("euro")
    KEUR = "kEUR", _("thousand euro")
    MEUR = "MEUR", _("million euro")
    BEUR = "BEUR", _("billion euro")


UNIT_FACTOR = {
    Unit.EUR: Decimal(1),
    Unit.KEUR: Decimal(1_000),
    Unit.MEUR: Decimal(1_000_000),
    Unit.BEUR: Decimal(1_000_000_000),
}


def money_field(
    verbose_name: StrOrPromise, **kwargs: object
) -> models.DecimalField[Decimal | None, Decimal | None]:
    """An amount exactly as published: up to 18 digits before and 2 after the decimal point."""
    options: dict[str, object] = {"max_digits": 20, "decimal_places": 2, "null": True, "blank": True}
    options.update(kwargs)
    return models.DecimalField(verbose_name, **options)  # type: ignore[arg-type]


class SourceDocument(models.Model):
    """One of the documents the reference data set was taken from."""

    class Kind(models.TextChoices):
        PARLIAMENTARY_ANSWER = "parliamentary_answer", _("answer to a parliamentary question")
        WEB_PAGE = "web_page", _("web page")
        POLICY_NOTE = "policy_note", _("policy note")
        PROPOSAL = "proposal", _("funding proposal")
        OTHER = "other", _("other")

    file_name = models.CharField(_("file name"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_text = models.CharField(_("date as published"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["file_name"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self) -> str:
        return f"{self.file_name}: {self.title}"


class Statement(Sourced):
    """A figure or fact as one document states it.

    Several statements with the same key are the same quantity stated in several places; where their
    values differ, the documents disagree, and both statements are kept.
    """

    key = models.SlugField(_("key"), max_length=120, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(_("value as published"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quote = models.TextField(_("quotation"), blank=True)

    class Meta:
        ordering = ["key", "source_document", "source_location"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "source_document", "source_location"], name="statement_unique_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.value_text} ({self.source_document})"
