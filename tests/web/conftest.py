"""Helpers for the web tests: fetching a page, and counting the queries a page makes."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def text_of(html: bytes | str) -> str:
    """The page's text without tags and with single spaces, to search for what a reader sees."""
    if isinstance(html, bytes):
        html = html.decode()
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html_lib.unescape(without_tags))


@pytest.fixture
def count_queries(client: Client) -> Callable[[str], int]:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, url
        return len(context.captured_queries)

    return count
