"""Helpers shared by the end-to-end tests of the sites added after X and Facebook.

- ``serve_site(context, origin, name)``: serves ``fixtures/<name>/`` at ``origin`` on the session
  browser (once per context), so the manifest's real match patterns apply.
- ``wait_log(page, action, count)``: waits until the fixture site logged ``count`` entries.
- ``active_warning_button(page)``: which warning button has the focus.
- ``private_browser(...)``: a Chromium of its own with the extension, linked to a given companion,
  for tests that must not share routes or service-worker state with the session browser.
- ``extension_status(context)``: the service worker's ``status`` answer (what the popup shows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from e2e_testkit import (
    FIXTURES,
    ORIGIN,
    Companion,
    configure_extension,
    launch_with_extension,
    serve_fixtures,
)
from playwright.sync_api import BrowserContext, Page, Playwright

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


@contextmanager
def private_browser(
    playwright: Playwright, profile: Path, companion: Companion, sites: dict[str, str]
) -> Iterator[BrowserContext]:
    """Chromium with the extension linked to `companion`, serving {origin: fixture name}."""
    context = launch_with_extension(playwright, profile)
    try:
        for origin, name in sites.items():
            serve_fixtures(context, origin, FIXTURES / name)
        configure_extension(
            context, companionUrl=companion.url, companionToken=companion.token, failMode="warn"
        )
        yield context
    finally:
        context.close()


def extension_status(context: BrowserContext) -> dict:
    """The service worker's answer to `status`, asked from one of the extension's own pages."""
    page = context.new_page()
    try:
        page.goto(f"{ORIGIN}/pages/popup.html")
        return page.evaluate("chrome.runtime.sendMessage({what: 'status'})")
    finally:
        page.close()
