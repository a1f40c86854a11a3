"""The accessibility check itself can fail: on a page with an unlabelled field and an image without a
text alternative, axe-core reports serious violations. (No database: the page is set directly.)"""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import serious_violations

pytestmark = pytest.mark.e2e


def test_the_accessibility_check_does_find_serious_violations(chromium: Any) -> None:
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="nl"><body><main><h1>Test</h1><img src="x.png">'
            '<input type="text"></main></body></html>'
        )
        violations = " ".join(serious_violations(page))
        assert "image-alt" in violations and "label" in violations
    finally:
        context.close()
