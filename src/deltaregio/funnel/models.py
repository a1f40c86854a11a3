"""The SME funnel of Fokus (document 004): scan questionnaires as versioned data, scans and their
results, consent to be contacted, and the steps after the scan (intake, workshop, lab trajectory,
implementation plan), each linked to the SME's journey.

Personal data (see PERSONAL_DATA on each model): the e-mail address given for a scan and the
consent records. Kept while the SME takes part in the funnel; the address of a scan that was never
verified is erased when its resume link expires (`deltaregio scan purge`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from deltaregio.funnel.engine import Kind


class Topic(models.TextChoices):
    """The seven transformations of Made Different, used to tag intakes and SME questions."""

    MANUFACTURING_TECHNOLOGY = "manufacturing_technology", _("world-class manufacturing technologies")
    END_TO_END_ENGINEERING = "end_to_end_engineering", _("end-to-end engineering")
    DIGITAL_FACTORY = "digital_factory", _("digital factory")
    HUMAN_CENTRED = "human_centred", _("human-centred production")
    PRODUCTION_NETWORK = "production_network", _("production network")
    ECO_PRODUCTION = "eco_production", _("eco-production")
    SMART_PRODUCTION = "smart_production", _("smart production systems")


class Technology(models.TextChoices):
    """The key technologies of Fokus (document 004, answer 1b) and a few neighbours."""

    ROBOTISATION = "robotisation", _("robotisation and cobots")
    OPERATOR_SUPPORT_AR = "operator_support_ar", _("operator support with augmented reality")
    FLEXIBLE_PRODUCTION = "flexible_production", _("flexible production systems")
    CONNECTED_PRODUCTION = "connected_production", _("smart interconnected production systems")
    DATA_AI = "data_ai", _("data and artificial intelligence")
    ADDITIVE = "additive", _("additive manufacturing")
    OTHER = "other", _("other")


# --- questionnaires ------------------------------------------------------------------------------


class Questionnaire(models.Model):
    """One version of a scan questionnaire, loaded from its YAML file and never changed afterwards.

    `definition` is the file's content as loaded, `checksum` its hash: loading a file whose version
    is known but whose content differs is refused, so a stored result always means what it meant.
    """

    slug = models.SlugField(_("name"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_text = models.TextField(_("source"), blank=True)
    file_name = models.CharField(_("file"), max_length=120)
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("checksum"), max_length=64)
    is_current = models.BooleanField(_("current version"), default=False)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["slug", "-loaded_at"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="questionnaire_unique_version"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(is_current=True), name="questionnaire_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"


class Dimension(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    formula = models.CharField(_("scoring formula"), max_length=500)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="dimension_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("dimension"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.value) for k in Kind])
    text = models.TextField(_("text"))
    help = models.TextField(_("help"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    scale = models.JSONField(_("scale"), default=list, blank=True)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Option(models.Model):
    """An option of a question, or a row of a per-row question; numbered from 1 in order."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=4, default=1)
    excludes_others = models.BooleanField(_("excludes the other options"), default=False)

    class Meta:
        ordering = ["question", "number"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="option_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}.{self.number}"


class Band(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="bands"
    )
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    low = models.PositiveSmallIntegerField(_("from"))
    high = models.PositiveSmallIntegerField(_("to"))

    class Meta:
        ordering = ["questionnaire", "low"]
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="band_unique_code"),
            models.CheckConstraint(condition=Q(low__lte=F("high")) & Q(high__lte=100), name="band_range"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.low}–{self.high})"


class Advice(models.Model):
    """Advice for a dimension (or the overall score) in the given bands, naming the labs and
    organisations that can help; names are looked up in the directory when the advice is shown."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="advice"
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("dimension"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="advice",
    )
    order = models.PositiveSmallIntegerField(_("order"))
    bands = models.JSONField(_("bands"), default=list)
    text = models.TextField(_("text"))
    lab_names = models.JSONField(_("labs"), default=list, blank=True)
    organisation_names = models.JSONField(_("organisations"), default=list, blank=True)

    class Meta:
        ordering = ["questionnaire", "order"]
        verbose_name = _("advice")
        verbose_name_plural = _("advice")

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.dimension.code if self.dimension else '-'} {self.bands}"


# --- scans and results ---------------------------------------------------------------------------


class Scan(models.Model):
    """A scan being taken: anyone may start one without an account and resume it through a private
    link. The link's token is never stored, only its hash.

    Status: in progress → awaiting verification (answers complete, company given, e-mail sent) →
    completed (e-mail verified, result stored against the company).
    Personal data: the e-mail address; erased with the scan when an unverified scan expires.
    """

    PERSONAL_DATA = {"fields": ["email"], "retention": _("until the resume link expires, or with the result")}

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_VERIFICATION = "awaiting_verification", _("awaiting e-mail verification")
        COMPLETED = "completed", _("completed")

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="scans"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, default="nl")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("link expires at"))
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    company_country = models.CharField(_("country"), max_length=2, blank=True)
    company_region = models.CharField(_("region"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    consent_text = models.TextField(_("consent text shown"), blank=True)
    verification_hash = models.CharField(_("verification code hash"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return f"{self.questionnaire} ({self.get_status_display()})"


class Journey(models.Model):
    """An SME's way through the funnel: its scans, intake, workshops, trajectories and plan. A
    programme officer assigns the Fokus partner that follows it up."""

    organisation = models.OneToOneField(
        "directory.Organisation",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="funnel_journey",
    )
    partner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("assigned partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_journeys",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")

    def __str__(self) -> str:
        return str(self.organisation)


class ScanResult(models.Model):
    """A scored scan, stored against a company after its e-mail address was verified. It keeps the
    questionnaire version and the answers it was scored with, and its scores: changing a
    questionnaire (a new version) never changes it. One result per scan (database constraint).

    Personal data: the verified e-mail address.
    """

    PERSONAL_DATA = {"fields": ["email"], "retention": _("while the company takes part in the funnel")}

    scan = models.OneToOneField(Scan, verbose_name=_("scan"), on_delete=models.PROTECT, related_name="result")
    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="results"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    questionnaire_slug = models.SlugField(_("questionnaire"), max_length=60)
    wave = models.PositiveSmallIntegerField(_("wave (T0, T1 …)"))
    answers = models.JSONField(_("answers"))
    overall = models.DecimalField(_("overall score"), max_digits=5, decimal_places=2)
    overall_exact = models.CharField(_("overall score, exact"), max_length=80)
    band = models.CharField(_("band"), max_length=40)
    email = models.EmailField(_("verified e-mail"))
    verified_at = models.DateTimeField(_("verified at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["journey", "questionnaire_slug", "wave"]
        verbose_name = _("scan result")
        verbose_name_plural = _("scan results")
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "questionnaire_slug", "wave"], name="result_unique_wave"
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=0) & Q(overall__lte=100), name="result_overall_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey} {self.questionnaire_slug} T{self.wave}"

    @property
    def wave_label(self) -> str:
        return f"T{self.wave}"


class DimensionScore(models.Model):
    result = models.ForeignKey(
        ScanResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.PROTECT, related_name="scores"
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    exact = models.CharField(_("score, exact"), max_length=80)
    band = models.CharField(_("band"), max_length=40)

    class Meta:
        ordering = ["result", "order"]
        verbose_name = _("dimension score")
        verbose_name_plural = _("dimension scores")
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="dimension_score_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="dimension_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.score}"


class ContactConsent(models.Model):
    """Whether a partner may contact the SME: every choice is a new record with its date, its
    language and the exact text the SME agreed to or withdrew from; the latest one counts.
    Append-only: a record is never changed or deleted.

    Personal data: the e-mail address of who chose.
    """

    PERSONAL_DATA = {"fields": ["email"], "retention": _("while the company takes part in the funnel")}

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="consents"
    )
    result = models.ForeignKey(
        ScanResult,
        verbose_name=_("scan result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    given = models.BooleanField(_("consent given"))
    text = models.TextField(_("text agreed to"))
    language = models.CharField(_("language"), max_length=5)
    email = models.EmailField(_("e-mail"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["journey", "recorded_at", "id"]
        verbose_name = _("contact consent")
        verbose_name_plural = _("contact consents")

    def __str__(self) -> str:
        return f"{self.journey}: {'yes' if self.given else 'no'} ({self.recorded_at:%Y-%m-%d})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("A consent record is never changed; record a new choice instead."))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("A consent record is never deleted."))


# --- the steps after the scan --------------------------------------------------------------------


@deconstructible
class TagListValidator:
    """A list of codes from one of the tag choices (Topic or Technology)."""

    def __init__(self, choices: str) -> None:
        self.choices = choices

    def __call__(self, value: object) -> None:
        allowed = {"topic": Topic, "technology": Technology}[self.choices].values
        if not isinstance(value, list) or any(v not in allowed for v in value):
            raise ValidationError(_("Choose from: %(choices)s.") % {"choices": ", ".join(allowed)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TagListValidator) and other.choices == self.choices

    def __hash__(self) -> int:
        return hash(self.choices)


class Intake(models.Model):
    """A personal intake conversation (detailleringsgesprek) of the SME with a Fokus partner."""

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="intakes"
    )
    partner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="funnel_intakes",
    )
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True, validators=[TagListValidator("topic")])
    technologies = models.JSONField(
        _("technologies"), default=list, blank=True, validators=[TagListValidator("technology")]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")

    def __str__(self) -> str:
        return f"{self.journey} – {self.held_on}"


class SmeQuestion(models.Model):
    """A question the SME raised (in its intake); workshops cluster similar questions of several SMEs."""

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="questions"
    )
    intake = models.ForeignKey(
        Intake,
        verbose_name=_("intake"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    text = models.TextField(_("question"))
    topics = models.JSONField(_("topics"), default=list, blank=True, validators=[TagListValidator("topic")])
    technologies = models.JSONField(
        _("technologies"), default=list, blank=True, validators=[TagListValidator("technology")]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["journey", "id"]
        verbose_name = _("SME question")
        verbose_name_plural = _("SME questions")

    def __str__(self) -> str:
        return self.text[:80]


class Workshop(models.Model):
    """An interactive workshop in a practice lab that answers the clustered questions of several SMEs."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    lab = models.ForeignKey(
        "directory.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="workshops"
    )
    places = models.PositiveSmallIntegerField(_("places"))
    description = models.TextField(_("description"), blank=True)
    questions = models.ManyToManyField(
        SmeQuestion, verbose_name=_("questions answered"), blank=True, related_name="workshops"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[questions])

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [models.CheckConstraint(condition=Q(places__gt=0), name="workshop_places_positive")]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class WorkshopRegistration(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="registrations"
    )
    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="registrations"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop", "registered_at"]
        verbose_name = _("workshop registration")
        verbose_name_plural = _("workshop registrations")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "journey"], name="registration_once_per_workshop"),
        ]

    def __str__(self) -> str:
        return f"{self.journey} @ {self.workshop}"


class Trajectory(models.Model):
    """An individual trajectory of the SME in a practice lab with a partner."""

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="trajectories"
    )
    lab = models.ForeignKey(
        "directory.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="trajectories"
    )
    partner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="funnel_trajectories",
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("lab trajectory")
        verbose_name_plural = _("lab trajectories")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="trajectory_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journey} @ {self.lab}"


class ImplementationPlan(models.Model):
    """The SME's individual implementation plan towards a Factory of the Future: a structured
    document (situation, goals, actions with owner, date and cost, indicators), draft or final."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.PROTECT, related_name="plans"
    )
    partner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="funnel_plans",
    )
    trajectory = models.ForeignKey(
        Trajectory,
        verbose_name=_("trajectory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=200)
    situation = models.TextField(_("current situation"))
    goals = models.TextField(_("goals"))
    actions = models.JSONField(_("actions"), default=list)
    indicators = models.TextField(_("indicators"), blank=True)
    investment = models.DecimalField(
        _("investment (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finalised_on = models.DateField(_("finalised on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(investment__isnull=True) | Q(investment__gte=0),
                name="plan_investment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", finalised_on__isnull=True)
                | Q(status="final", finalised_on__isnull=False),
                name="plan_final_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title
