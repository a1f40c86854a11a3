"""Access vouchers (toegangsbiljetten): voucher schemes as data, their rounds, committees and
registered providers, declared links between related parties, the vouchers with their whole life, their
redemptions and payment batches, and the append-only audit trail of every step and every refusal.

Invariants kept by the database (each has a test that tries to break it):

- a scheme never commits more than its budget envelope (`committed_total <= budget_envelope`, and no
  commitment at all without an envelope);
- a voucher has at most one redemption that was not rejected (partial unique index);
- a company holds at most `per_company_per_round` vouchers per round: each counted voucher takes a
  numbered slot, and (round, company, slot) is unique among vouchers that were not refused or withdrawn;
- a company never buys from itself (`sme != provider`); a voucher pays at most its value.

The rest (related parties, eligible providers, deadlines, who may act) is checked in services.py
under row locks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from deltaregio.sources.models import Sourced

ZERO = Decimal("0.00")


class ProviderRule(models.TextChoices):
    PROJECT_PARTNERS = "project_partners", _("the partners of the scheme's project")
    REGISTERED_LIST = "registered_list", _("the providers registered for the scheme")


class VoucherScheme(Sourced):
    """A voucher scheme: what a voucher is worth and may pay for, who may provide the service, the
    deadlines, the limits per company, the budget envelope and who decides.

    `provenance` maps a rule (a field name) to where the source document states it; a rule without an
    entry was set on the platform (by an officer, or as the platform's default)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    eligible_services = models.TextField(
        _("what the voucher may pay for"),
        help_text=_("The services a voucher may buy, as the scheme describes them."),
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher_schemes",
        help_text=_("The project that runs the scheme; its partners are the providers if the rule says so."),
    )
    value = models.DecimalField(_("value of a voucher (EUR)"), max_digits=12, decimal_places=2)
    covered_share = models.DecimalField(
        _("share of the bill covered (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("100 when the voucher pays the whole bill; otherwise the company pays the rest."),
    )
    signing_period_months = models.PositiveSmallIntegerField(
        _("months to present a signed assignment"),
        help_text=_("Counted from the day the voucher is issued."),
    )
    completion_period_months = models.PositiveSmallIntegerField(
        _("months to complete the work"),
        null=True,
        blank=True,
        help_text=_("Counted from the signing of the assignment; empty when the scheme sets no limit."),
    )
    warning_days = models.PositiveSmallIntegerField(
        _("days of warning before a deadline"),
        default=14,
        help_text=_("The company and the provider are warned this many days before a voucher expires."),
    )
    provider_rule = models.CharField(
        _("eligible providers"),
        max_length=20,
        choices=ProviderRule.choices,
        default=ProviderRule.PROJECT_PARTNERS,
    )
    per_company_per_round = models.PositiveSmallIntegerField(_("vouchers per company per round"), default=1)
    per_company_total = models.PositiveSmallIntegerField(
        _("vouchers per company in the scheme"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit over all rounds."),
    )
    budget_envelope = models.DecimalField(
        _("budget envelope (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty while not set: no voucher can be approved until a programme officer sets it."),
    )
    committed_total = models.DecimalField(
        _("committed (EUR)"),
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        help_text=_("The sum of what approved, unexpired vouchers may still pay or have paid."),
    )
    desk = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("desk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher_desks",
        help_text=_("Where a company applies for a voucher."),
    )
    coordinator = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_voucher_schemes",
        help_text=_("Where providers redeem vouchers; empty when the source does not name it."),
    )
    committee_text = models.TextField(
        _("review committee"), blank=True, help_text=_("Who sits on the review committee.")
    )
    accepts_requests = models.BooleanField(_("accepts requests"), default=True)
    provenance = models.JSONField(_("sources of the rules"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("voucher scheme")
        verbose_name_plural = _("voucher schemes")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="voucherscheme_value_positive"),
            models.CheckConstraint(
                condition=Q(covered_share__gt=0) & Q(covered_share__lte=100),
                name="voucherscheme_share_range",
            ),
            models.CheckConstraint(
                condition=Q(signing_period_months__gte=1), name="voucherscheme_signing_period_positive"
            ),
            models.CheckConstraint(
                condition=Q(per_company_per_round__gte=1), name="voucherscheme_per_round_positive"
            ),
            models.CheckConstraint(
                condition=Q(budget_envelope__isnull=True) | Q(budget_envelope__gte=0),
                name="voucherscheme_envelope_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(committed_total__gte=0), name="voucherscheme_committed_not_negative"
            ),
            # The envelope is never exceeded, and nothing is committed without an envelope.
            models.CheckConstraint(
                condition=(Q(budget_envelope__isnull=True) & Q(committed_total=0))
                | (Q(budget_envelope__isnull=False) & Q(committed_total__lte=F("budget_envelope"))),
                name="voucherscheme_committed_within_envelope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def source_of(self, rule: str) -> str:
        return str((self.provenance or {}).get(rule, ""))

    @property
    def remaining(self) -> Decimal | None:
        if self.budget_envelope is None:
            return None
        return self.budget_envelope - self.committed_total


class SchemeRound(Sourced):
    """A round of a scheme: requests are taken between its dates, and the limit per company counts
    per round."""

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="rounds"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "opens_on", "code"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="schemeround_unique_code"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="schemeround_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: Any) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class RegisteredProvider(models.Model):
    """A provider registered for a scheme whose rule is `registered_list`."""

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="registered"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="voucher_registrations",
    )
    registered_on = models.DateField(_("registered on"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "organisation__name"]
        verbose_name = _("registered provider")
        verbose_name_plural = _("registered providers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "organisation"], name="registeredprovider_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.scheme})"


class SchemeMember(models.Model):
    """A user with a role in a scheme: a member of the review committee (decides on requests), the
    desk (issues vouchers and sends letters) or the coordinator (checks redemptions, pays).

    Personal data: the link between a user account and a role; kept while the role is held."""

    PERSONAL_DATA = {"fields": ["user", "organisation"], "retention": _("while the role is held")}

    class Role(models.TextChoices):
        COMMITTEE = "committee", _("review committee")
        DESK = "desk", _("desk")
        COORDINATOR = "coordinator", _("coordinator")

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="voucher_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("represents"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "role", "user__username"]
        verbose_name = _("scheme member")
        verbose_name_plural = _("scheme members")
        constraints = [models.UniqueConstraint(fields=["scheme", "user", "role"], name="schememember_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.scheme})"


class RelatedPartyLink(models.Model):
    """A declared link between two organisations (shared ownership, one group, shared management …):
    a company may not buy a voucher service from a related party, and a committee member may not decide
    on a request of an organisation linked to the one they act for. Stored once per pair, the lower id
    first. Organisations in one `parent` tree in the directory are related without a declaration."""

    class Kind(models.TextChoices):
        SHARED_OWNERSHIP = "shared_ownership", _("shared ownership")
        GROUP = "group", _("same group")
        MANAGEMENT = "management", _("shared management or board")
        FAMILY = "family", _("family ties")
        OTHER = "other", _("other link")

    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    related = models.ForeignKey(
        "directory.Organisation", verbose_name=_("related to"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind of link"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "related__name"]
        verbose_name = _("related-party link")
        verbose_name_plural = _("related-party links")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__lt=F("related")), name="relatedpartylink_ordered_pair"
            ),
            models.UniqueConstraint(fields=["organisation", "related"], name="relatedpartylink_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.related} ({self.get_kind_display()})"


class Status(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    ISSUED = "issued", _("issued")
    SIGNED = "signed", _("assignment signed")
    DELIVERED = "delivered", _("work delivered")
    INVOICED = "invoiced", _("invoiced")
    REDEEMED = "redeemed", _("redeemed")
    PAID = "paid", _("paid")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


#: The end states: nothing happens to a voucher after these.
END_STATES = frozenset({Status.REFUSED, Status.PAID, Status.EXPIRED, Status.WITHDRAWN})
#: States in which a voucher carries a code that is valid (until its deadline).
LIVE_STATES = frozenset({Status.ISSUED, Status.SIGNED, Status.DELIVERED, Status.INVOICED})
#: States that count for the limit per company: everything but a refusal or a withdrawal.
NOT_COUNTED = frozenset({Status.REFUSED, Status.WITHDRAWN})
#: States in which a voucher has a code.
WITH_CODE = LIVE_STATES | {Status.REDEEMED, Status.PAID}
#: The order of the lifecycle, for display.
LIFECYCLE = [
    Status.REQUESTED,
    Status.APPROVED,
    Status.ISSUED,
    Status.SIGNED,
    Status.DELIVERED,
    Status.INVOICED,
    Status.REDEEMED,
    Status.PAID,
]


class Voucher(models.Model):
    """A voucher from the request of a company to its payment. Each step has its own date and actor;
    the audit trail (`events`) and the record history keep every transition.

    `committed_amount` is what the voucher holds of the scheme's envelope: its value from approval, the
    amount it pays once invoiced, the amount paid once paid, and nothing once expired or withdrawn.
    """

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="vouchers"
    )
    round = models.ForeignKey(
        SchemeRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="vouchers"
    )
    sme = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="vouchers_requested",
    )
    provider = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="vouchers_provided",
    )
    slot = models.PositiveSmallIntegerField(
        _("slot"), help_text=_("Which of the company's allowed vouchers in this round this is (1, 2, …).")
    )
    service_description = models.TextField(_("intended service"))
    scan_reference = models.CharField(
        _("scan reference"),
        max_length=100,
        blank=True,
        help_text=_("The company's scan result in the SME funnel, when known."),
    )
    intake_reference = models.CharField(
        _("intake reference"),
        max_length=100,
        blank=True,
        help_text=_("The company's intake conversation in the SME funnel, when known."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    value = models.DecimalField(_("value (EUR)"), max_digits=12, decimal_places=2)
    covered_share = models.DecimalField(_("share of the bill covered (%)"), max_digits=5, decimal_places=2)
    committed_amount = models.DecimalField(
        _("committed (EUR)"), max_digits=12, decimal_places=2, default=ZERO
    )

    requested_at = models.DateTimeField(_("requested at"), db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    code = models.CharField(_("code"), max_length=80, unique=True, null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signing_deadline = models.DateTimeField(_("sign the assignment before"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The deadline now running: signing, then completing the work (if the scheme sets one)."),
    )
    warned_for = models.DateTimeField(
        _("warning sent for deadline"),
        null=True,
        blank=True,
        help_text=_("The deadline for which the company and the provider were last warned."),
    )

    sme_signed_at = models.DateTimeField(_("signed by the company at"), null=True, blank=True)
    sme_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the company by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    provider_signed_at = models.DateTimeField(_("signed by the provider at"), null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the provider by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("assignment signed at"), null=True, blank=True)
    completion_deadline = models.DateTimeField(_("complete the work before"), null=True, blank=True)

    delivered_at = models.DateTimeField(_("work delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivery confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    invoice_amount = models.DecimalField(
        _("invoice amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    voucher_amount = models.DecimalField(
        _("paid by the voucher (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    co_payment = models.DecimalField(
        _("paid by the company (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)
    invoiced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invoiced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.TextField(_("why it ended"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(condition=~Q(sme=F("provider")), name="voucher_no_self_provision"),
            models.CheckConstraint(condition=Q(slot__gte=1), name="voucher_slot_positive"),
            models.UniqueConstraint(
                fields=["round", "sme", "slot"],
                condition=~Q(status__in=sorted(s.value for s in NOT_COUNTED)),
                name="voucher_limit_per_company_per_round",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_positive"),
            models.CheckConstraint(
                condition=Q(committed_amount__gte=0) & Q(committed_amount__lte=F("value")),
                name="voucher_committed_within_value",
            ),
            models.CheckConstraint(
                condition=Q(invoice_amount__isnull=True) | Q(invoice_amount__gt=0),
                name="voucher_invoice_positive",
            ),
            models.CheckConstraint(
                condition=Q(voucher_amount__isnull=True)
                | (Q(voucher_amount__gte=0) & Q(voucher_amount__lte=F("value"))),
                name="voucher_pays_at_most_its_value",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(s.value for s in WITH_CODE)) | Q(code__isnull=False),
                name="voucher_issued_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.REDEEMED.value, Status.PAID.value])
                | Q(voucher_amount__isnull=False),
                name="voucher_redeemed_was_invoiced",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """A readable reference for letters and lists (not secret, unlike the code)."""
        prefix = self.scheme.code.upper() if self.scheme_id else "V"
        return f"{prefix}-{self.pk or 0:05d}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATES


class AssignmentDocument(models.Model):
    """A signed assignment uploaded by the company or the provider (PDF, kept in the database so an
    upload and the step it belongs to are saved together or not at all)."""

    MAX_BYTES = 10 * 1024 * 1024

    voucher = models.ForeignKey(
        Voucher, verbose_name=_("voucher"), on_delete=models.CASCADE, related_name="assignments"
    )
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["voucher", "-uploaded_at"]
        verbose_name = _("signed assignment")
        verbose_name_plural = _("signed assignments")

    def __str__(self) -> str:
        return self.file_name


class PaymentBatch(models.Model):
    """Checked redemptions the coordinator pays together; exported as .xlsx and CSV."""

    class State(models.TextChoices):
        OPEN = "open", _("to be paid")
        PAID = "paid", _("paid")

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    total = models.DecimalField(_("total (EUR)"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="paymentbatch_unique_number"),
            models.CheckConstraint(condition=Q(total__gt=0), name="paymentbatch_total_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code.upper()} #{self.number}"


class Redemption(models.Model):
    """A provider redeems a voucher at the coordinator. At most one redemption per voucher that was
    not rejected: the database refuses a second one, whatever the code does."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("to be checked")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    voucher = models.ForeignKey(
        Voucher, verbose_name=_("voucher"), on_delete=models.PROTECT, related_name="redemptions"
    )
    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="redemptions"
    )
    provider = models.ForeignKey(
        "directory.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    redeemed_at = models.DateTimeField(_("redeemed at"))
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    check_reason = models.TextField(_("reason"), blank=True)
    batch = models.ForeignKey(
        PaymentBatch,
        verbose_name=_("payment batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["voucher"],
                condition=~Q(state="rejected"),
                name="redemption_at_most_once_per_voucher",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_amount_positive"),
            models.CheckConstraint(
                condition=Q(batch__isnull=True) | Q(state="accepted"), name="redemption_batch_only_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} – {self.amount} EUR"


class VoucherEvent(models.Model):
    """The audit trail: every transition of a voucher and every refused attempt (a redemption with an
    unknown code, by the wrong provider, after expiry …), with who, when and why. Append-only."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("step")
        REFUSED = "refused", _("refused attempt")
        NOTICE = "notice", _("notice")
        SCHEME = "scheme", _("scheme change")

    scheme = models.ForeignKey(
        VoucherScheme,
        verbose_name=_("scheme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    voucher = models.ForeignKey(
        Voucher,
        verbose_name=_("voucher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code = models.CharField(_("error code"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("voucher event")
        verbose_name_plural = _("voucher events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("The audit trail is append-only; record a new event instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("The audit trail is append-only; events cannot be deleted."))
