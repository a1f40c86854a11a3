"""Small helpers shared by the web views."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from deltaregio.ops.pagination import CachedCountPaginator

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: str) -> dt.date | None:
    """A date written as YYYY-MM-DD, or None when the text is not such a date."""
    value = value.strip()
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    return render(request, f"web/{template}", context or {}, status=status)


PER_PAGE = 100


def paginate(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE) -> Page:
    """The page of `items` asked for with ?page=N: a page number that is not a whole number is a bad
    request (400), one past the last page is not found (404)."""
    paginator = CachedCountPaginator(items, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger as exc:
        raise BadRequest(_("The page number must be a whole number.")) from exc
    except EmptyPage as exc:
        raise Http404(_("There is no such page.")) from exc
