from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from deltaregio import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    return {"deltaregio_version": __version__}
