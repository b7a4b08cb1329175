"""Breakage health end to end: a supported site that shows posts in which no known control
matches, for longer than a grace period, is listed in the service worker's `status.breakage`
(what the popup shows); the same site with markup the table knows is not."""

from __future__ import annotations

import time

import pytest
from e2e_testkit import extension_status, open_site, private_browser

INSTAGRAM = "https://www.instagram.com"


@pytest.fixture(scope="module")
def own_browser(playwright_instance, workdir, companion):
    with private_browser(
        playwright_instance, workdir / "profile-health", companion, {INSTAGRAM: "hotfix"}
    ) as context:
        yield context


def breakage_of(context, platform: str) -> dict | None:
    return next(
        (b for b in extension_status(context)["breakage"] if b["platform"] == platform), None
    )


def wait_breakage(context, platform: str, present: bool, timeout: float = 10) -> dict | None:
    deadline = time.monotonic() + timeout
    while True:
        found = breakage_of(context, platform)
        if (found is not None) == present or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def test_a_redesigned_site_is_reported_after_a_grace_period_then_cleared(own_browser):
    redesigned = open_site(own_browser, INSTAGRAM + "/")
    # When the page started (epoch ms, the clock of the worker's `at`): its posts cannot be seen
    # before, so a report that honours the grace period arrives 3 s after it at the earliest,
    # however long the page took to open (the test's own clock would depend on the machine's load).
    page_started = redesigned.evaluate("performance.timeOrigin")
    found = wait_breakage(own_browser, "instagram", present=True)
    assert found is not None, "the redesigned page was never reported"
    assert found["at"] - page_started >= 3000, "reported before the grace period ended"
    assert found["postsSeen"] == 2 and found["controlsMatched"] == 0
    assert found["url"].startswith(INSTAGRAM)
    redesigned.close()

    classic = open_site(own_browser, INSTAGRAM + "/?markup=classic")
    assert wait_breakage(own_browser, "instagram", present=False) is None
    classic.close()
