"""Calls for proposals as data, proposals from registration to project, assessment and decisions.

A `CallSetup` configures a published `funding.Call` (which keeps the call's public identity and its
published statistics): one or two steps, the rounds with their open and close moments, the budget
envelope, the sections asked per step, the assessment criteria and the eligibility rules (chosen from
the registry in `eligibility.py`). A `Proposal` moves through the explicit state machine
`TRANSITIONS`; every step is kept in the append-only `ProposalEvent` history and every committee
decision in the append-only `Decision` record. An approved proposal becomes a `projects.Project`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

#: The application sections a call can ask for, in the order the proposal page shows them.
SECTIONS = {
    "summary": _("summary"),
    "partners": _("partners"),
    "work_packages": _("work packages"),
    "budget": _("budget per partner"),
    "co_financing": _("co-financing plan"),
    "trl": _("technology readiness level"),
    "domains": _("themes, application domains and key technologies"),
    "attachments": _("attachments"),
}


class CallSetup(models.Model):
    """How a call is run: entered by a programme officer, published when it opens."""

    class Steps(models.IntegerChoices):
        ONE = 1, _("one-step")
        TWO = 2, _("two-step (registration, then full application)")

    call = models.OneToOneField(
        "funding.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="setup"
    )
    programme_line = models.ForeignKey(
        "funding.Instrument",
        verbose_name=_("programme line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    steps = models.PositiveSmallIntegerField(_("steps"), choices=Steps.choices, default=Steps.ONE)
    envelope = models.DecimalField(
        _("budget envelope (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    sections = models.JSONField(
        _("sections per step"),
        default=dict,
        blank=True,
        help_text=_('Per step the sections asked, e.g. {"1": ["summary", "partners"], "2": [...]}'),
    )
    committee = models.ForeignKey(
        "calls.Committee",
        verbose_name=_("deciding committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_location = models.CharField(_("where in the source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call__code"]
        verbose_name = _("call configuration")
        verbose_name_plural = _("call configurations")
        constraints = [
            models.CheckConstraint(condition=models.Q(steps__in=[1, 2]), name="callsetup_steps_1_or_2"),
            models.CheckConstraint(
                condition=models.Q(envelope__isnull=True) | models.Q(envelope__gte=0),
                name="callsetup_envelope_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.call)

    def sections_for(self, step: int) -> list[str]:
        asked = self.sections.get(str(step)) if isinstance(self.sections, dict) else None
        return list(asked) if asked else list(SECTIONS)


class Round(models.Model):
    """A window in which proposals of one step are submitted. The close moment is exact to the second
    (stored in UTC, shown in Europe/Brussels)."""

    setup = models.ForeignKey(
        CallSetup, verbose_name=_("call"), on_delete=models.CASCADE, related_name="rounds"
    )
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    number = models.PositiveSmallIntegerField(_("round"), default=1)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["setup", "step", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["setup", "step", "number"], name="round_unique"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(condition=models.Q(step__in=[1, 2]), name="round_step_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.setup} · step {self.step} · round {self.number}"


class Criterion(models.Model):
    setup = models.ForeignKey(
        CallSetup, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["setup", "step", "order", "code"]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")
        constraints = [
            models.UniqueConstraint(fields=["setup", "step", "code"], name="criterion_unique"),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")), name="criterion_scale"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class EligibilityRule(models.Model):
    """A rule of a call: a rule type of the registry (eligibility.RULE_TYPES) with its parameters."""

    setup = models.ForeignKey(
        CallSetup, verbose_name=_("call"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("rule type"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    step = models.PositiveSmallIntegerField(
        _("step"), null=True, blank=True, help_text=_("Empty: the rule applies to every step.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_location = models.CharField(_("where in the source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["setup", "order", "id"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return f"{self.kind} {self.params}"


class Committee(models.Model):
    """A deciding body with its members, e.g. the Comité van Toezicht of Interreg Vlaanderen-Nederland."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="call_committees"
    )
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["committee", "date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [models.UniqueConstraint(fields=["committee", "date"], name="meeting_unique")]

    def __str__(self) -> str:
        return f"{self.committee} {self.date}"


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("not eligible")
    PRESELECTED = "preselected", _("preselected")
    NOT_PRESELECTED = "not_preselected", _("not preselected")
    APPROVED = "approved", _("approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("approved with conditions")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("returned to the applicant for changes")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RUNNING = "running", _("running project")


class Action(models.TextChoices):
    SUBMIT = "submit", _("submit")
    WITHDRAW = "withdraw", _("withdraw")
    PASS_ELIGIBILITY = "pass_eligibility", _("eligible")
    FAIL_ELIGIBILITY = "fail_eligibility", _("not eligible")
    PRESELECT = "preselect", _("preselect")
    NOT_PRESELECT = "not_preselect", _("not preselect")
    APPROVE = "approve", _("approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("approve with conditions")
    REJECT = "reject", _("reject")
    RETURN = "return", _("return to the applicant")
    CONDITIONS_MET = "conditions_met", _("all conditions met")
    START = "start", _("start the project")


S, A = Status, Action
#: The state machine: (status, action) → new status. Anything not listed is refused. Step-1 decisions
#: apply to registrations of a two-step call, step-2 decisions to full applications and one-step calls
#: (see services.STEP_ACTIONS).
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ELIGIBLE, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, A.WITHDRAW): S.WITHDRAWN,
    (S.PRESELECTED, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.PASS_ELIGIBILITY): S.ELIGIBLE,
    (S.SUBMITTED, A.FAIL_ELIGIBILITY): S.INELIGIBLE,
    (S.ELIGIBLE, A.PRESELECT): S.PRESELECTED,
    (S.ELIGIBLE, A.NOT_PRESELECT): S.NOT_PRESELECTED,
    (S.ELIGIBLE, A.APPROVE): S.APPROVED,
    (S.ELIGIBLE, A.APPROVE_WITH_CONDITIONS): S.APPROVED_WITH_CONDITIONS,
    (S.ELIGIBLE, A.REJECT): S.REJECTED,
    (S.ELIGIBLE, A.RETURN): S.RETURNED,
    (S.APPROVED_WITH_CONDITIONS, A.CONDITIONS_MET): S.APPROVED,
    (S.APPROVED, A.START): S.RUNNING,
}
#: The statuses in which the applicant may change the proposal.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
#: Counted as submitted in the statistics (everything that reached the programme office).
SUBMITTED_STATUSES = frozenset(set(Status) - {S.DRAFT, S.WITHDRAWN})
GRANTED_STATUSES = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.RUNNING})
DECISIONS_STEP_1 = frozenset({A.PRESELECT, A.NOT_PRESELECT})
DECISIONS_STEP_2 = frozenset({A.APPROVE, A.APPROVE_WITH_CONDITIONS, A.REJECT, A.RETURN})


class Proposal(models.Model):
    """A registration (step 1 of a two-step call) or a full application (step 2, or a one-step call)."""

    setup = models.ForeignKey(
        CallSetup, verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals"
    )
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    registration = models.OneToOneField(
        "self",
        verbose_name=_("step-1 registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="full_application",
    )
    acronym = models.CharField(_("acronym"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    trl_start = models.PositiveSmallIntegerField(_("TRL at the start"), null=True, blank=True)
    trl_end = models.PositiveSmallIntegerField(_("TRL at the end"), null=True, blank=True)
    total_cost = models.DecimalField(
        _("total cost (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    requested_grant = models.DecimalField(
        _("grant requested (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    granted_amount = models.DecimalField(
        _("grant awarded (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    themes = models.ManyToManyField("agenda.Theme", verbose_name=_("themes"), blank=True, related_name="+")
    application_domains = models.ManyToManyField(
        "funding.ApplicationDomain", verbose_name=_("application domains"), blank=True, related_name="+"
    )
    key_technologies = models.ManyToManyField(
        "funding.KeyTechnology", verbose_name=_("key technologies"), blank=True, related_name="+"
    )
    consolidated_score = models.DecimalField(
        _("consolidated score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    consolidated_at = models.DateTimeField(_("consolidated at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_location = models.CharField(_("where in the source"), max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[themes, application_domains, key_technologies])

    class Meta:
        ordering = ["setup", "step", "acronym"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["setup", "step", "acronym"], name="proposal_unique_acronym"),
            models.CheckConstraint(condition=models.Q(step__in=[1, 2]), name="proposal_step_1_or_2"),
            models.CheckConstraint(
                condition=models.Q(trl_start__isnull=True) | models.Q(trl_start__gte=1, trl_start__lte=9),
                name="proposal_trl_start_1_9",
            ),
            models.CheckConstraint(
                condition=models.Q(trl_end__isnull=True) | models.Q(trl_end__gte=1, trl_end__lte=9),
                name="proposal_trl_end_1_9",
            ),
            models.CheckConstraint(
                condition=models.Q(total_cost__isnull=True) | models.Q(total_cost__gte=0),
                name="proposal_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(requested_grant__isnull=True) | models.Q(requested_grant__gte=0),
                name="proposal_grant_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def decision_step(self) -> int:
        """Which decisions apply: 1 (preselection) for a registration of a two-step call, else 2."""
        return 1 if self.step == 1 and self.setup.steps == 2 else 2


class Collaborator(models.Model):
    """A user who works on a proposal. The lead partner's managers decide who else may edit."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("manager (lead partner)")
        EDITOR = "editor", _("may edit")
        VIEWER = "viewer", _("may read")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="collaborators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="proposal_roles",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "role", "user__username"]
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="collaborator_unique")]

    def __str__(self) -> str:
        return f"{self.user} on {self.proposal}"


class ProposalPartner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead partner")
        PARTNER = "partner", _("partner")
        ASSOCIATED = "associated", _("associated partner")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "role", "organisation__name"]
        verbose_name = _("proposal partner")
        verbose_name_plural = _("proposal partners")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation"], name="proposalpartner_unique_org"),
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(role="lead"), name="proposalpartner_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ProposalWorkPackage(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="work_packages"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "number"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposalwp_unique_number")
        ]

    def __str__(self) -> str:
        return f"WP {self.number} {self.title}"


class BudgetLine(models.Model):
    """A partner's cost in a work package."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    partner = models.ForeignKey(
        ProposalPartner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    work_package = models.ForeignKey(
        ProposalWorkPackage,
        verbose_name=_("work package"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=20, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "work_package__number", "partner__organisation__name"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["partner", "work_package"], name="proposalbudget_unique_cell"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="proposalbudget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · WP {self.work_package.number}: {self.amount}"


class CoFinancing(models.Model):
    """Who pays a share of a partner's cost: a source with a rate (%) of the partner's budget."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="co_financing"
    )
    partner = models.ForeignKey(
        ProposalPartner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="co_financing"
    )
    source = models.CharField(_("source"), max_length=100, help_text=_("Who pays, e.g. ERDF."))
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "partner__organisation__name", "source"]
        verbose_name = _("co-financing")
        verbose_name_plural = _("co-financing")
        constraints = [
            models.UniqueConstraint(fields=["partner", "source"], name="proposalcofin_unique_source"),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100), name="proposalcofin_rate_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.rate} % → {self.partner}"


class Attachment(models.Model):
    """A document of a proposal, kept in the database so it is saved with the proposal or not at all."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.SlugField(_("kind of document"), max_length=60)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, default="application/octet-stream")
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["proposal", "kind", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file_name


class EligibilityCheck(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    passed = models.BooleanField(_("eligible"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["proposal", "checked_at"]
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {'eligible' if self.passed else 'not eligible'}"


class ConflictDeclaration(models.Model):
    """A reviewer declares a conflict of interest with a proposal; they can then not be assigned."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="conflicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} × {self.proposal_id}"


class Assignment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "reviewer__username"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.proposal}"


class Score(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment", "criterion__order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("This record is append-only; record a new one instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("This record is append-only; it cannot be deleted."))


class Decision(_AppendOnly):
    """A committee's decision on a proposal at a meeting. Never edited: a later decision follows it."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    outcome = models.CharField(_("decision"), max_length=30, choices=Action.choices)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty when the source gives no date.")
    )
    date_text = models.CharField(_("date as published"), max_length=100, blank=True)
    body = models.CharField(_("deciding body"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    granted_amount = models.DecimalField(
        _("grant awarded (EUR)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_location = models.CharField(_("where in the source"), max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_outcome_display()} ({self.date or self.date_text})"


class Condition(models.Model):
    """A condition of an approval, tracked until it is met."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="conditions"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="conditions"
    )
    text = models.TextField(_("condition"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    met_note = models.CharField(_("how it was met"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.text[:80]


class ProposalEvent(_AppendOnly):
    """The proposal's status history: every transition with who, when, the body and a note."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("step"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=30, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=30, choices=Status.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    date_text = models.CharField(_("date as published"), max_length=100, blank=True)
    body = models.CharField(_("body"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_location = models.CharField(_("where in the source"), max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("proposal step")
        verbose_name_plural = _("proposal history")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"
