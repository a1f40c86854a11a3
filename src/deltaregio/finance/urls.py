"""Web pages of the finance domain (included at the site root by deltaregio.urls)."""

from django.urls import path  # noqa: F401

app_name = "finance"
urlpatterns: list = []  # type: ignore[type-arg]
