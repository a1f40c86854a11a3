"""API endpoints of the vouchers domain (included under /api/v1/ by deltaregio.urls)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
