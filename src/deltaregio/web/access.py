"""Who may use a web view. Every view is wrapped in `allowed_for(permission)`: the permission is a
django-rules permission declared in a domain's rules.py (deny by default), so the view says in one
line who may use it, and the same rule decides for the API and the web.

A user who may not use the view is sent to the login page when anonymous, and refused (403) when
logged in. Object-level checks (a project that is not published) are made in the view itself, where
the object is known.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = TypeVar("View", bound=Callable[..., HttpResponse])


def allowed_for(*permissions: str) -> Callable[[View], View]:
    """Only users with every one of `permissions` may use the view; its `permissions_required`
    attribute names them (a test checks that every web view declares them)."""
    if not permissions:
        raise ValueError("allowed_for needs at least one permission")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(permissions):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.permissions_required = permissions  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
