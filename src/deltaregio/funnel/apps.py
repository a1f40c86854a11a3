from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FunnelConfig(AppConfig):
    name = "deltaregio.funnel"
    label = "funnel"
    verbose_name = _("SME funnel")
