"""Shared end-to-end fixtures (the harness itself is e2e_testkit.py, importable by tests and bench).

- ``companion`` (session): the real companion with the signed test bundle, on a free port.
- ``browser`` (session): one Chromium with the extension for the whole session, linked to that
  companion through ``chrome.storage.local`` (managed storage cannot be set in tests), with every
  fixture site of ``SITES`` routed at its real URL.
- ``site_page(url)`` (function): a fresh tab on a fixture site, once the content script is ready.
- ``ui(key, ...)``: the extension's own message in the browser's language, for assertions.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Also re-exports the helpers for modules that still write `from conftest import …`; that works only
# when tests/e2e runs alone (in a full run another directory's conftest owns the name `conftest`),
# so new code imports from e2e_testkit.
from e2e_testkit import (  # noqa: F401
    EXTENSION_DIR,
    FIXTURES,
    SITES,
    Companion,
    configure_extension,
    extension_worker,
    launch_with_extension,
    make_signed_bundle,
    new_acks,
    open_site,
    pending_acks,
    press_warning_button,
    serve_fixtures,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    warning_text,
    warning_verdict,
)
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="netral-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def signed_bundle(workdir: Path) -> tuple[Path, Path]:
    """(bundle, trusted_keys.json): the test bundle, signed by a key made for this session."""
    return make_signed_bundle(workdir)


@pytest.fixture(scope="session")
def companion(workdir: Path, signed_bundle: tuple[Path, Path]) -> Iterator[Companion]:
    bundle, trusted = signed_bundle
    server = Companion(data_dir=workdir / "data", rules=bundle, trusted_keys=trusted).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(
    playwright_instance: Playwright, workdir: Path, companion: Companion
) -> Iterator[BrowserContext]:
    """One Chromium with the extension for the whole session, linked to the test companion."""
    context = launch_with_extension(playwright_instance, workdir / "profile")
    for origin, directory in SITES.items():
        serve_fixtures(context, origin, directory)
    configure_extension(
        context, companionUrl=companion.url, companionToken=companion.token, failMode="warn"
    )
    yield context
    context.close()


@pytest.fixture
def site_page(browser: BrowserContext) -> Iterator[Callable[[str], Page]]:
    pages: list[Page] = []

    def opener(url: str) -> Page:
        page = open_site(browser, url)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


@pytest.fixture(scope="session")
def ui(browser: BrowserContext) -> Callable[..., str]:
    """ui(key, *substitutions): the extension's message in the browser's UI language, as
    chrome.i18n renders it: assertions hold in Indonesian (chromium-l10n installed) and in an
    English-only Chromium."""
    ui_lang = extension_worker(browser).evaluate("chrome.i18n.getUILanguage()")
    lang = "en" if ui_lang.lower().startswith("en") else "id"
    messages = json.loads((EXTENSION_DIR / "_locales" / lang / "messages.json").read_text())

    def message(key: str, *substitutions: str) -> str:
        entry = messages[key]
        text = entry["message"]
        for name, placeholder in entry.get("placeholders", {}).items():
            text = re.sub(rf"\${name}\$", placeholder["content"], text, flags=re.IGNORECASE)
        for i, value in enumerate(substitutions, start=1):
            text = text.replace(f"${i}", value)
        return text

    message.lang = lang
    return message
