"""API endpoints of the imports domain (included under /api/v1/ by deltaregio.urls). None yet: imports
are made with the command and the web form."""

from typing import Any

urlpatterns: list[Any] = []
