"""Whole public responses kept in the cache, for visitors who are not logged in.

The public pages and API lists of a large portfolio are read far more often than the portfolio
changes. `public_page_cache` keeps the rendered response of a GET by an anonymous visitor for
DELTAREGIO_PAGE_CACHE_SECONDS (0, the default: never kept), under a key that holds

- the data version (ops/pagination.py): any save, delete or many-to-many change of any record, and
  every bulk writer, moves it on — a kept response is never served after a change of the data;
- the language the response is in, the full path with its query string, and the Accept header (the
  API's formats).

Only requests that carry nothing personal are served from or put in the cache: no session cookie, no
`Authorization` header, no pending messages, no htmx partial request. A logged-in user, whose pages
depend on what they may see, always gets a page rendered for them. The CSRF token of a kept page's
forms (the language switch) is not kept: it is put back for each visitor, from their own cookie.

What the cache cannot know is time: a page that shows "today" is at most DELTAREGIO_PAGE_CACHE_SECONDS
old. `make serve-production` keeps pages 60 s.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from deltaregio.ops.pagination import data_version

PLACEHOLDER = "\x00deltaregio-csrf\x00"
TOKEN_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Allow")
View = Callable[..., HttpResponse]


def is_public_request(request: HttpRequest) -> bool:
    """A request that carries nothing of a person: its response may be shared with every visitor."""
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and "HTTP_HX_REQUEST" not in request.META
    )


def _key(request: HttpRequest, name: str) -> str:
    # the language the response is rendered in: the page's prefix, or the API client's Accept-Language
    language = translation.get_language() or settings.LANGUAGE_CODE
    accept = request.META.get("HTTP_ACCEPT", "")
    digest = hashlib.sha256(f"{request.get_full_path()}|{accept}".encode()).hexdigest()
    return f"deltaregio:page:{data_version()}:{name}:{language}:{digest}"


def _restore(request: HttpRequest, kept: dict[str, Any]) -> HttpResponse:
    content: bytes = kept["content"]
    if kept["csrf"]:
        content = content.replace(PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content)
    for header, value in kept["headers"].items():
        response[header] = value
    response["X-Deltaregio-Cache"] = "hit"
    return response


def _keep(request: HttpRequest, response: HttpResponse, key: str, seconds: int) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return
    content = response.content
    csrf = False
    try:
        text = content.decode(response.charset or "utf-8")
    except UnicodeDecodeError:
        return  # not text: nothing of the kind these views answer, so it is not kept
    found = TOKEN_IN_FORM.search(text)
    if found:
        text = text.replace(found.group(1), PLACEHOLDER)
        content = text.encode(response.charset or "utf-8")
        csrf = True
    elif request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return  # a token was asked for but is not in a form we recognise: do not share it
    headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
    cache.set(key, {"content": content, "headers": headers, "csrf": csrf}, timeout=seconds)


def public_page_cache(name: str) -> Callable[[View], View]:
    """Keep the view's response for anonymous visitors (see the module's text); `name` is part of the
    key, so that two views never share a response."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            seconds = int(settings.DELTAREGIO_PAGE_CACHE_SECONDS)
            if seconds <= 0 or not is_public_request(request):
                return view(request, *args, **kwargs)
            key = _key(request, name)
            kept = cache.get(key)
            if kept is not None:
                return _restore(request, kept)
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                response.add_post_render_callback(  # type: ignore[attr-defined]
                    lambda rendered: _keep(request, rendered, key, seconds)
                )
            else:
                _keep(request, response, key, seconds)
            return response

        return wrapped

    return decorator
