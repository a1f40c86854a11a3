"""Page-number pagination that answers a bad page or page size with 400, never 404 or 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from deltaregio.ops.pagination import CachedCountPaginator


def _is_whole_number(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts characters such as '²' that int() refuses."""
    return raw.isascii() and raw.isdigit()


class StrictPageNumberPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator  # a large list's count is cached (ops/pagination.py)
    page_size_query_param = "page_size"
    max_page_size = settings.MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = _(
                    "Number of results per page, from 1 to %(max)d (default %(default)d)."
                ) % {
                    "max": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        message = _("must be a whole number from 1 to %(max)d") % {"max": self.max_page_size}
        if not _is_whole_number(raw):
            raise ValidationError({self.page_size_query_param: [message]})
        size = int(raw)
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        raw = request.query_params.get(self.page_query_param, "1")
        if not _is_whole_number(raw) or int(raw) < 1:
            raise ValidationError({self.page_query_param: [_("must be a whole number of at least 1")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:  # DRF turns an InvalidPage (a page past the last) into NotFound
            raise ValidationError(
                {self.page_query_param: [_("page %(page)s does not exist") % {"page": raw}]}
            ) from None
