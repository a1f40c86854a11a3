from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deltaregio.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from deltaregio.ops.pagination import bump_data_version

        # Any change of any record makes the cached counts of lists stale (ops/pagination.py).
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_data_version, dispatch_uid=f"deltaregio-data-version-{signal!r}")
