import logging
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("deltaregio.funnel")


def load_questionnaires(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After `migrate` (and after a test database is flushed), load the shipped questionnaire
    versions that are not loaded yet. Reference data, like Django's own permissions: the scan must
    work on a fresh install. A broken file is logged here and refused by `deltaregio scan load`."""
    from deltaregio.funnel import engine, services

    if using != "default":
        return
    try:
        for outcome in services.questionnaires_load():
            if outcome.created and kwargs.get("verbosity", 1) > 1:
                logger.info("loaded questionnaire %s %s", outcome.slug, outcome.version)
    except engine.DefinitionError as exc:
        logger.error("questionnaires not loaded: %s (run `deltaregio scan load`)", exc)


class FunnelConfig(AppConfig):
    name = "deltaregio.funnel"
    label = "funnel"
    verbose_name = _("SME funnel")

    def ready(self) -> None:
        post_migrate.connect(load_questionnaires, sender=self, dispatch_uid="funnel-load-questionnaires")
