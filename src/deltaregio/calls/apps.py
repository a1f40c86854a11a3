from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "deltaregio.calls"
    verbose_name = _("calls for proposals")
    default_auto_field = "django.db.models.BigAutoField"
