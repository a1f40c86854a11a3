"""Web pages of the vouchers domain (included at the site root by deltaregio.urls)."""

from django.urls import path  # noqa: F401

app_name = "vouchers"
urlpatterns: list = []  # type: ignore[type-arg]
