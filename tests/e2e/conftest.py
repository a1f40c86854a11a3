"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright against pytest-django's
live server with the reference data loaded. The browser fixtures (chromium, site, page,
page_without_javascript) live in tests/conftest.py so that every suite shares one browser. No browser
is ever downloaded: without /usr/bin/chromium the tests are skipped, unless
DELTAREGIO_REQUIRE_BROWSER=1 demands them (then they fail)."""
