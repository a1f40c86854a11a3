"""Users' roles (as groups) and their affiliation with organisations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The roles of product.md. Each is a Django group of the same name."""

    PROGRAMME_OFFICER = "programme_officer", _("programme officer")
    COMMITTEE_MEMBER = "committee_member", _("committee member")
    APPLICANT = "applicant", _("applicant / project partner")
    SME = "sme", _("SME")
    LAB_PARTNER = "lab_partner", _("knowledge partner / lab")
    PUBLIC = "public", _("public")


class Affiliation(models.Model):
    """A user acts for an organisation: an applicant for its company, a lab partner for its institute.

    Personal data: the link between a user account and an organisation; kept while the account exists.
    """

    PERSONAL_DATA = {"fields": ["user", "organisation"], "retention": _("while the account exists")}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    since = models.DateField(_("since"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="affiliation_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
