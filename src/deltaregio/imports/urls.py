"""Web pages of the imports domain (included at the site root by deltaregio.urls)."""

from django.urls import path  # noqa: F401

app_name = "imports"
urlpatterns: list = []  # type: ignore[type-arg]
