"""Helpers shared by the end-to-end tests of the sites added after X and Facebook.

- ``serve_site(context, origin, name)``: serves ``fixtures/<name>/`` at ``origin`` on the session
  browser (once per context), so the manifest's real match patterns apply.
- ``wait_log(page, action, count)``: waits until the fixture site logged ``count`` entries.
- ``active_warning_button(page)``: which warning button has the focus.
"""

from __future__ import annotations

from e2e_testkit import FIXTURES, serve_fixtures
from playwright.sync_api import BrowserContext, Page

_served: set[tuple[int, str]] = set()


def serve_site(context: BrowserContext, origin: str, name: str) -> None:
    """Answers every request to `origin` from fixtures/<name>/ (home.html for unknown paths)."""
    key = (id(context), origin)
    if key not in _served:
        serve_fixtures(context, origin, FIXTURES / name)
        _served.add(key)


def wait_log(page: Page, action: str, count: int = 1, timeout: float = 5000) -> None:
    page.wait_for_function(
        "([action, count]) => window.__siteLog.filter((e) => e.action === action).length >= count",
        arg=[action, count],
        timeout=timeout,
    )


def active_warning_button(page: Page) -> str | None:
    return page.evaluate(
        "document.querySelector('netral-warning')?.shadowRoot.activeElement?.dataset.netralAction"
        " ?? null"
    )
