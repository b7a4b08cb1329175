"""What the browser benches set up alike: the extension linked to a real companion, and the same
x.com fixture in a Chromium without the extension (the floor of what the extension adds)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
# The e2e harness: companion, signed test bundle, extension launch, fixture routes.
from e2e_testkit import (
    CHROMIUM,
    FIXTURES,
    Companion,
    configure_extension,
    launch_with_extension,
    make_signed_bundle,
    serve_fixtures,
)


@contextmanager
def linked_extension(pw: Playwright) -> Iterator[BrowserContext]:
    """A real companion on the signed test bundle in a temp dir, and a Chromium with the real
    extension linked to it, serving the x.com fixture at its real URL."""
    with tempfile.TemporaryDirectory(prefix="netral-bench-") as tmp:
        work = Path(tmp)
        bundle, trusted = make_signed_bundle(work, "bench")
        companion = Companion(data_dir=work / "data", rules=bundle, trusted_keys=trusted)
        companion.start()
        try:
            context = launch_with_extension(pw, work / "profile")
            serve_fixtures(context, "https://x.com", FIXTURES / "x")
            configure_extension(context, companionUrl=companion.url, companionToken=companion.token)
            yield context
        finally:
            companion.stop()


@contextmanager
def plain_browser(pw: Playwright) -> Iterator[BrowserContext]:
    """A context of a Chromium without the extension."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    try:
        yield browser.new_context(viewport={"width": 1280, "height": 900})
    finally:
        browser.close()


@contextmanager
def plain_x_page(pw: Playwright) -> Iterator[Page]:
    """The x.com fixture's home page in a Chromium without the extension."""
    with plain_browser(pw) as context:
        serve_fixtures(context, "https://x.com", FIXTURES / "x")
        page = context.new_page()
        page.goto("https://x.com/home")
        yield page
