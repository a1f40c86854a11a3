"""Web pages of the funnel domain (included at the site root by deltaregio.urls)."""

from django.urls import path  # noqa: F401

app_name = "funnel"
urlpatterns: list = []  # type: ignore[type-arg]
