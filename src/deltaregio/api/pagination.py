"""Page-number pagination that answers a bad page or page size with 400, never 404 or 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class StrictPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [f"must be a whole number from 1 to {self.max_page_size}"]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"must be a whole number from 1 to {self.max_page_size}"]})
        return size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": ["must be a whole number of at least 1"]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except Exception as exc:  # DRF wraps InvalidPage in NotFound
            if isinstance(exc.__cause__, InvalidPage) or exc.__class__.__name__ == "NotFound":
                raise ValidationError({"page": [f"page {raw} does not exist"]}) from None
            raise
