"""The click path before the click, and a stopped service worker (issues 13 and 14, item 2).

A warning staged ahead (rendered into the hidden ready frame when the pointer is over a control of
a post known to warn) is invisible, cannot be clicked or focused, and never shows for another
action or post than the one clicked. MV3 stops the idle worker: the first click after that must
still warn, its decision must still reach the companion's log, and an allowed click must still
reach the site exactly once.

The worker is stopped for real through the DevTools protocol (``ServiceWorker.stopWorker`` on a
page session, the way chrome://serviceworker-internals/ stops it); each worker test checks it was
stopped and that the click woke it again. Attacks tried: 2 (the worker stopped while a post's check
is in flight between pointerdown and click; a post inserted after the stop, so nothing of it is
known anywhere); for staging 2 more (a click where the staged warning's buttons are and Tab through
the page; a warning staged for a like, then a comment clicked). Bad inputs: none (no user input).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_testkit import (
    ORIGIN,
    WARNING,
    Companion,
    new_acks,
    open_site,
    press_warning_button,
    private_browser,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_log,
    warning_frame,
    warning_frames,
)
from playwright.sync_api import BrowserContext, Page, Playwright

HOME = "https://x.com/home"
WARN_LIKE = "article[data-post='1001'] [data-testid='like']"


class WorkerSwitch:
    """Stops the extension's service worker through CDP and reports its running status.

    A CDP session on a blank tab with the ServiceWorker domain enabled sees every worker version
    of the profile's storage partition, the extension's included; ``stopWorker`` stops it as the
    browser does when it goes idle (the next event, a content script's message, starts it again).
    """

    def __init__(self, context: BrowserContext, origin: str = ORIGIN) -> None:
        self.origin = origin  # whose worker: ours, or another extension's (the benches' floor)
        self.page = context.new_page()
        self.page.goto("about:blank")
        self.versions: dict[str, dict] = {}
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.on("ServiceWorker.workerVersionUpdated", self._update)
        self.cdp.send("ServiceWorker.enable")
        self.wait_for(lambda status: status == "running")

    def _update(self, event: dict) -> None:
        for version in event["versions"]:
            if version["scriptURL"].startswith(self.origin):
                self.versions[version["versionId"]] = version

    def status(self) -> str | None:
        """The running status of the extension worker's newest version ("running", "stopped", …)."""
        if not self.versions:
            return None
        newest = max(self.versions, key=int)
        return self.versions[newest]["runningStatus"]

    def wait_for(self, predicate, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.status()):
            assert time.monotonic() < deadline, f"the worker stayed {self.status()}"
            self.page.wait_for_timeout(10)

    def stop(self) -> None:
        """Stops the worker and returns once the browser reports it stopped."""
        for version_id, version in self.versions.items():
            if version["runningStatus"] != "stopped":
                self.cdp.send("ServiceWorker.stopWorker", {"versionId": version_id})
        self.wait_for(lambda status: status == "stopped")


@pytest.fixture
def cold(playwright_instance: Playwright, companion: Companion, tmp_path: Path) -> Iterator:
    """(page, switch): a private browser on x.com, posts classified, and its worker switch."""
    with private_browser(
        playwright_instance, tmp_path / "profile", companion, {"https://x.com": "x"}
    ) as context:
        page = open_site(context, HOME)
        wait_classified(page)
        yield page, WorkerSwitch(context)


def insert(page: Page, post_id: str, text: str, handle: str) -> str:
    page.evaluate(
        "(p) => window.__insertPost(p)",
        {"id": post_id, "name": "Relawan", "handle": handle, "text": text},
    )
    return f"article[data-post='{post_id}'] [data-testid='like']"


def test_first_click_after_a_stop_on_a_classified_post_warns_and_is_logged(cold, companion):
    page, switch = cold
    switch.stop()
    before = len(companion.acknowledgements())
    page.locator(WARN_LIKE).click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")
    [ack] = new_acks(companion, before)  # the acknowledgement woke the worker and was delivered
    assert ack["outcome"] == "cancelled" and ack["action"] == "like"
    switch.wait_for(lambda status: status == "running")  # the click woke it again
    settle(page)
    assert site_log(page, "like") == []


def test_first_click_after_a_stop_on_a_new_post_warns_with_the_candidate(cold, companion):
    page, switch = cold
    switch.stop()
    before = len(companion.acknowledgements())
    like = insert(page, "cold1", "Relawan bergerak #PrabowoGibran2024", "prabowo")
    page.locator(
        like
    ).click()  # at once: the post's classification (waking the worker) is in flight
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "proceed")
    wait_log(page, "like")
    assert [e["post"] for e in site_log(page, "like")] == ["cold1"]
    [ack] = new_acks(companion, before)
    assert ack["outcome"] == "proceeded" and ack["entity_ids"]
    switch.wait_for(lambda status: status == "running")  # the click woke it again


def test_first_allowed_click_after_a_stop_reaches_the_site_once(cold, companion):
    page, switch = cold
    switch.stop()
    before = len(companion.acknowledgements())
    like = insert(page, "cold2", "Selamat pagi, jangan lupa sarapan", "warga")
    page.locator(like).click()
    wait_log(page, "like")
    settle(page, 300)
    assert [e["post"] for e in site_log(page, "like")] == ["cold2"]
    assert page.evaluate("document.querySelector('netral-warning[data-verdict]')") is None
    assert companion.acknowledgements()[before:] == []
    switch.wait_for(lambda status: status == "running")  # the click woke it again


def test_a_worker_stopped_between_pointerdown_and_click_still_warns(cold, companion):
    """The check started at pointerdown dies with the worker: the click is still held and warns
    (the post's verdict, or "could not be checked"), never let through."""
    page, switch = cold
    like = insert(page, "cold3", "Coblos 02 #PrabowoGibran2024", "prabowo")
    box = page.locator(like).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    switch.stop()
    page.mouse.up()
    assert wait_for_warning(page) in ("warn", "unchecked")
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "like") == []
    switch.wait_for(lambda status: status == "running")  # the click woke it again


def staged_frame(page: Page):
    """The ready warning document once it holds a staged (rendered, not shown) warning."""
    deadline = time.monotonic() + 5
    while True:
        for frame in warning_frames(page):
            if frame.evaluate("document.body.classList.contains('staged')"):
                return frame
        assert time.monotonic() < deadline, "no warning was staged"
        page.wait_for_timeout(20)


def test_a_staged_warning_cannot_be_seen_clicked_or_focused(cold, companion):
    page, _ = cold
    before = len(companion.acknowledgements())
    page.hover(WARN_LIKE)
    frame = staged_frame(page)
    assert frame.evaluate("!document.getElementById('warning').open")
    assert warning_frame(page) is None
    assert page.evaluate(f"document.querySelector('{WARNING}[data-verdict]')") is None
    # Where its buttons are, the page's own content is hit; Tab never focuses the warning.
    box = frame.locator("[data-netral-action='proceed']").bounding_box()
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.localName", [box["x"] + 5, box["y"] + 5]
    )
    assert hit != WARNING
    page.mouse.click(box["x"] + 5, box["y"] + 5)
    for _ in range(30):  # through the page's controls and past its end: never into the warning
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement?.localName") != WARNING
    settle(page, 300)
    assert companion.acknowledgements()[before:] == []
    assert site_log(page, "like") == []
    # The allowed post next to it is not held by what was staged.
    page.locator("article[data-post='1002'] [data-testid='like']").click()
    wait_log(page, "like")
    assert [e["post"] for e in site_log(page, "like")] == ["1002"]


# A frame of the page that checks it is really visible, as sign-in and payment frames do
# (IntersectionObserver v2): what its observer last reported after a second.
PAGE_FRAME_VISIBLE = """() => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'position:fixed;left:10px;top:10px;width:320px;height:160px;border:0';
    frame.srcdoc = '<p id="pay" style="margin:0;height:120px;background:#eee">Bayar</p>';
    frame.onload = () => {
        const win = frame.contentWindow;
        let last = null;
        new win.IntersectionObserver((entries) => { last = entries.at(-1).isVisible; },
            {trackVisibility: true, delay: 100}).observe(win.document.getElementById('pay'));
        setTimeout(() => resolve(last), 1000);
    };
    document.body.append(frame);
})"""


def test_the_ready_warning_hides_nothing_from_the_pages_own_visibility_checks(cold):
    """The ready frame waits in the top layer, transparent, inert and without the backdrop a
    popover has there: a frame of the page that checks it is fully visible still is, with a
    warning staged in the ready frame."""
    page, _ = cold
    page.hover(WARN_LIKE)
    staged_frame(page)
    assert page.evaluate(PAGE_FRAME_VISIBLE) is True


def test_a_warning_staged_for_a_like_shows_the_action_clicked(cold, companion):
    page, _ = cold
    page.hover(WARN_LIKE)
    staged = staged_frame(page).evaluate(
        "document.querySelector('[data-netral-part=action]').textContent"
    )
    before = len(companion.acknowledgements())
    page.locator("article[data-post='1001'] [data-testid='reply']").click()
    assert wait_for_warning(page) == "warn"
    shown = warning_frame(page).evaluate(
        "document.querySelector('[data-netral-part=action]').textContent"
    )
    assert shown != staged  # the comment's own wording, not the staged like's
    press_warning_button(page, "cancel")
    [ack] = new_acks(companion, before)
    assert ack["action"] == "comment" and ack["outcome"] == "cancelled"
