"""Projects with their partners, work packages, milestones and an append-only status history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced, Unit, money_field


class Status(models.TextChoices):
    IDEA = "idea", _("idea")
    REGISTERED = "registered", _("registered (step 1)")
    PRESELECTED = "preselected", _("preselected")
    NOT_PRESELECTED = "not_preselected", _("not preselected")
    SUBMITTED = "submitted", _("full application submitted")
    IN_REVISION = "in_revision", _("application being revised")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RUNNING = "running", _("running")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Project(Sourced):
    acronym = models.CharField(_("acronym"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    themes = models.ManyToManyField(
        "agenda.Theme", verbose_name=_("themes"), blank=True, related_name="projects"
    )
    instrument = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    call = models.ForeignKey(
        "funding.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IDEA)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    total_cost = money_field(_("total cost"))
    cost_unit = models.CharField(_("cost unit"), max_length=5, choices=Unit.choices, default=Unit.EUR)
    trl = models.CharField(_("technology readiness level"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Published projects are visible to everyone.")
    )
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(total_cost__isnull=True) | models.Q(total_cost__gte=0),
                name="project_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.acronym


class Partner(Sourced):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead partner")
        COORDINATOR = "coordinator", _("coordinator")
        PARTNER = "partner", _("partner")
        ASSOCIATED = "associated", _("associated partner")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    country = CountryField(_("country"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "organisation__name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="partner_unique_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.project}"


class WorkPackage(Sourced):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="work_packages"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    budget = money_field(_("budget"))
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of the project's total cost, as published."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="workpackage_unique_number"),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="workpackage_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | (models.Q(share__gte=0) & models.Q(share__lte=100)),
                name="workpackage_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"WP {self.number} {self.title}"


class Milestone(Sourced):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    work_package = models.ForeignKey(
        WorkPackage,
        verbose_name=_("work package"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class StatusChange(Sourced):
    """One entry of a project's status history. Append-only: an entry is never changed or removed;
    a later decision is recorded as a new entry."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", _("took place")
        SCHEDULED = "scheduled", _("scheduled")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty when the source gives no date.")
    )
    date_text = models.CharField(_("date as published"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTUAL)
    body = models.CharField(_("deciding body"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_status_display()} ({self.date})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("The status history is append-only; record a new status instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("The status history is append-only; entries cannot be deleted."))
