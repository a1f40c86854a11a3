"""What the importer keeps: which record of a source became which object (so that importing a file
again changes nothing), organisations' registration numbers (for matching and for open-data
identifiers), and every import run with its report."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedRecord(models.Model):
    """A record of a source, by its source identifier, and the object an import made of it.

    `namespace` is the profile's namespace (usually its name; profiles that describe files of one
    source, such as CORDIS projects and CORDIS organisations, share one), `kind` the kind of object
    (project, organisation, partner, call, instrument, funder, funding, person) and `source_key` the
    record's identifier in the source. `owned` is true when the import created the object; an object
    that existed before (reference data, another source) is only referred to, never changed.
    `fingerprint` is a hash of the values the source gave, so that an unchanged record is recognised
    without reading the object; `extra` keeps mapped values the domain models have no field for (a
    NUTS code, a place of implementation)."""

    namespace = models.CharField(_("namespace"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20)
    source_key = models.CharField(_("source identifier"), max_length=500)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    owned = models.BooleanField(_("created by the import"), default=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    extra = models.JSONField(_("values without a field"), default=dict, blank=True)
    first_imported_at = models.DateTimeField(_("first imported at"), auto_now_add=True)
    last_run = models.ForeignKey(
        "ImportRun",
        verbose_name=_("last import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["namespace", "kind", "source_key"]
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "kind", "source_key"], name="importedrecord_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="importedrecord_target")]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.kind}/{self.source_key}"


class OrganisationIdentifier(models.Model):
    """A registration number of an organisation in a register, written as org-id.guide does: the
    register's prefix (`scheme`, e.g. NO-BRC, GB-COH, BE-BCE_KBO, XI-PIC) and the number in it.
    `scheme-identifier` is the organisation's 360Giving identifier."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="identifiers",
    )
    scheme = models.CharField(_("register"), max_length=60)
    identifier = models.CharField(_("number in the register"), max_length=200)
    source_document = models.CharField(_("source document"), max_length=100, blank=True)
    source_location = models.CharField(_("location in source"), max_length=255, blank=True)

    class Meta:
        ordering = ["scheme", "identifier"]
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "identifier"], name="orgidentifier_unique"),
        ]

    def __str__(self) -> str:
        return self.org_id

    @property
    def org_id(self) -> str:
        return f"{self.scheme}-{self.identifier}"


class ImportRun(models.Model):
    """One import of a file with a profile: who started it, whether it only checked (dry run), its
    state and its report. The file's content is kept until the run has finished (a background worker
    reads it from here) and then removed."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        REFUSED = "refused", _("refused: problems found, nothing written")
        FAILED = "failed", _("failed")

    profile_name = models.CharField(_("profile"), max_length=80)
    profile_text = models.TextField(_("profile (uploaded)"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    content = models.BinaryField(_("file content"), null=True, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.profile_name}: {self.file_name} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.REFUSED, self.State.FAILED}


__all__ = ["ContentType", "ImportRun", "ImportedRecord", "OrganisationIdentifier"]
