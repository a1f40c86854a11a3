from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "deltaregio.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and impact")

    def ready(self) -> None:
        from deltaregio.monitoring import rules  # noqa: F401  (registers the permissions)
