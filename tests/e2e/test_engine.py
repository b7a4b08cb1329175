"""The site-independent engine: page scripts cannot proceed, SPA navigation, companion down."""

from __future__ import annotations

import socket
import time

import pytest
from e2e_testkit import (
    SITES,
    configure_extension,
    extension_worker,
    launch_with_extension,
    new_acks,
    open_site,
    pending_acks,
    press_warning_button,
    serve_fixtures,
    settle,
    site_log,
    wait_for_warning,
    wait_pending_acks,
    wait_warning_closed,
    warning_text,
    warning_verdict,
)
from site_scenarios import assert_warns_then_cancel, classified_page

HOME = "https://x.com/home"
LIKE_PRABOWO = "article[data-post='1001'] [data-testid='like']"


home = classified_page(HOME)


PAGE_SCRIPT_PROCEEDS = """() => {
    // Everything a page script can try on the warning: its host is all it can reach.
    const host = document.querySelector('netral-warning');
    const tried = {shadowRoot: host.shadowRoot, frames: window.length};
    try { host.attachShadow({mode: 'open'}); tried.attached = true; }
    catch (e) { tried.attached = e.name; }
    for (let i = 0; i < window.length; i++) {
        try { tried.read = window[i].document.body.innerHTML; } catch (e) { tried.read = e.name; }
        window[i].postMessage({what: 'decision', outcome: 'proceeded'}, '*');
    }
    host.click();
    host.dispatchEvent(new MouseEvent('click', {bubbles: true, composed: true}));
    host.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, composed: true}));
    return tried;
}"""


def test_a_page_script_cannot_proceed(home):
    """Five tries from the page's own world: read the shadow root, attach another, read the
    frame, post it a decision, click or press Enter on the host."""
    home.locator(LIKE_PRABOWO).click()
    wait_for_warning(home)
    tried = home.evaluate(PAGE_SCRIPT_PROCEEDS)  # in the page's own world, like the site's scripts
    assert tried["shadowRoot"] is None
    assert tried["attached"] == "NotSupportedError"
    assert tried.get("read") in (None, "SecurityError")
    settle(home)
    assert warning_verdict(home) == "warn"
    assert site_log(home, "like") == []
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "like") == []


@pytest.mark.parametrize(
    "attack",
    [
        "document.querySelector('netral-warning').remove()",
        "document.body.append(document.querySelector('netral-warning'))",
    ],
)
def test_a_page_removing_the_warning_drops_the_action_as_interrupted(home, companion, attack):
    before = len(companion.acknowledgements())
    home.locator(LIKE_PRABOWO).click()
    wait_for_warning(home)
    home.evaluate(attack)
    wait_warning_closed(home)  # taken down, as after any decision
    settle(home)
    assert site_log(home, "like") == []
    [ack] = new_acks(companion, before)
    assert ack["outcome"] == "interrupted"


def test_interception_survives_spa_navigation_and_new_posts(home, ui):
    home.locator(
        "nav [data-testid='AppTabBar_Explore_Link']"
    ).click()  # history.pushState + re-render
    home.wait_for_function("location.pathname === '/explore'")
    home.locator("article[data-post='2002'] [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    press_warning_button(home, "cancel")
    home.locator("article[data-post='2001'] [data-testid='like']").click()
    home.wait_for_function("window.__siteLog.some((e) => e.action === 'like')")
    assert warning_verdict(home) is None
    home.evaluate("""window.__insertPost({id: "2101", name: "Tim Kampanye", handle: "prabowo",
                     text: "Live dari Medan"})""")
    home.locator("article[data-post='2101'] [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("signalAccount", "prabowo") in warning_text(home)
    press_warning_button(home, "cancel")
    home.go_back()  # popstate back to /home
    home.wait_for_function("location.pathname === '/home'")
    home.locator(LIKE_PRABOWO).click()
    assert wait_for_warning(home) == "warn"
    press_warning_button(home, "cancel")
    assert [e["post"] for e in site_log(home, "like")] == ["2001"]


def test_posts_are_classified_in_batches_as_they_come_into_view(home):
    home.evaluate("""for (let i = 0; i < 30; i++) window.__insertPost({id: `33${i}`,
                     name: `Warga ${i}`, handle: `warga${i}`, text: `Kabar baik nomor ${i}`})""")
    home.wait_for_function("Number(document.documentElement.dataset.netralClassified) >= 2")
    home.locator("article[data-post='3329'] [data-testid='like']").click()
    settle(home, 50)
    [like] = site_log(home, "like")
    assert like["trusted"] is True


def test_a_bundle_selector_hot_fix_covers_a_redesigned_control(site_page):
    page = site_page(HOME + "?redesign=1")
    page.wait_for_function("document.documentElement.dataset.netralSelectors === 'bundle'")
    redesigned_like = page.locator("article[data-post='1001'] [data-testid='likeV2']")
    assert_warns_then_cancel(page, redesigned_like.click, logs=("like",))


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_companion_down_warns_unchecked_and_delivers_the_ack_once_it_is_back(
    browser, site_page, companion, ui
):
    before = len(companion.acknowledgements())
    companion.stop()
    try:
        page = site_page(HOME)
        # A post nobody checked before (the worker keeps answers of a verified companion).
        page.evaluate("""window.__insertPost({id: "4001", name: "Kabar Desa", handle: "kabardesa",
                         text: "Panen raya dimulai minggu ini"})""")
        page.locator("article[data-post='4001'] [data-testid='like']").click()
        assert wait_for_warning(page) == "unchecked"
        assert ui("warningTitleUnchecked") in warning_text(page)
        press_warning_button(page, "proceed")
        settle(page)
        assert [e["post"] for e in site_log(page, "like")] == ["4001"]
        [queued] = wait_pending_acks(browser, 1)
        assert (queued["outcome"], queued["check_id"]) == ("proceeded", None)

        # failMode "allow" takes effect at once: no warning while the companion is unreachable.
        configure_extension(browser, failMode="allow")
        page.evaluate("""window.__insertPost({id: "4002", name: "Kabar Desa", handle: "kabardesa",
                         text: "Jalan desa diperbaiki"})""")
        page.locator("article[data-post='4002'] [data-testid='like']").click()
        page.wait_for_function("window.__siteLog.filter((e) => e.action === 'like').length === 2")
        assert warning_verdict(page) is None
        configure_extension(browser, failMode="warn")
    finally:
        companion.start()

    wait_until(lambda: pending_acks(browser) == [])
    stored = [a for a in companion.acknowledgements() if a["ack_id"] == queued["ack_id"]]
    assert len(stored) == 1
    assert len(companion.acknowledgements()) == before + 1

    # A redelivery of the same ack (a retry after a lost answer) leaves exactly one row.
    extension_worker(browser).evaluate(
        """async (ack) => {
            await chrome.storage.local.set({ackQueue: [{ack, attempts: 0, queuedAt: Date.now()}]});
            await chrome.alarms.create('netral-ack-retry', {when: Date.now()});
        }""",
        queued,
    )
    wait_until(lambda: pending_acks(browser) == [])
    assert len([a for a in companion.acknowledgements() if a["ack_id"] == queued["ack_id"]]) == 1


COUNT_BATCHES = """() => {
    const real = globalThis.__netralRealFetch ??= fetch;
    globalThis.__netralBatches = 0;
    globalThis.fetch = async (url, init) => {
        const response = await real(url, init);
        if (new URL(url, location.href).pathname === "/v1/check/batch" && response.ok) {
            globalThis.__netralBatches += 1;
        }
        return response;
    };
}"""
UNCOUNT = "() => { globalThis.fetch = globalThis.__netralRealFetch; }"


def test_a_page_opened_while_the_companion_is_down_is_classified_once_it_is_back(
    browser, site_page, companion
):
    """A laptop's browser may start before the companion does: the first batch of a page opened
    then gets no verdicts. Its posts are asked about again (after 1 s, then 2, 4 … s), so once
    the companion is up the page is classified ahead with no scroll and no click. Before, nothing
    asked again: every first click on such a page took the slow path."""
    worker = extension_worker(browser)
    worker.evaluate(COUNT_BATCHES)
    try:
        companion.stop()
        try:
            page = site_page(HOME)
            page.wait_for_function(  # the first batch came back: unchecked, nothing known
                "Number(document.documentElement.dataset.netralClassified || 0) >= 1")
            time.sleep(1.5)  # the first retry, still without a companion
            assert worker.evaluate("globalThis.__netralBatches") == 0
        finally:
            companion.start()
        wait_until(lambda: worker.evaluate("globalThis.__netralBatches") >= 1, timeout=20)
    finally:
        worker.evaluate(UNCOUNT)
    page.locator(LIKE_PRABOWO).click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_queued_acks_survive_a_browser_restart(playwright_instance, workdir, companion):
    profile = workdir / "restart-profile"
    context = launch_with_extension(playwright_instance, profile)
    serve_fixtures(context, "https://x.com", SITES["https://x.com"])
    configure_extension(
        context, companionUrl=f"http://127.0.0.1:{closed_port()}", companionToken=companion.token
    )
    page = open_site(context, HOME)
    page.locator(LIKE_PRABOWO).click()
    assert wait_for_warning(page) == "unchecked"
    press_warning_button(page, "cancel")
    [queued] = wait_pending_acks(context, 1)
    context.close()

    context = launch_with_extension(playwright_instance, profile)
    try:
        assert pending_acks(context) == [queued]
        configure_extension(context, companionUrl=companion.url)  # applies at once, then delivers
        wait_until(lambda: pending_acks(context) == [])
        stored = [a for a in companion.acknowledgements() if a["ack_id"] == queued["ack_id"]]
        assert [(a["outcome"], a["action"]) for a in stored] == [("cancelled", "like")]
    finally:
        context.close()
