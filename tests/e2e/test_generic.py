"""The generic adapter end to end: off unless policy's enabledPlatforms lists "other"; when on,
like / share / comment buttons inside an article-like container of any other site are held
(a news-portal fixture at https://berita.example.co.id)."""

from __future__ import annotations

import time

import pytest
from e2e_testkit import (
    CANDIDATE,
    DEFAULT_PLATFORMS,
    configure_extension,
    extension_worker,
    open_site,
    settle,
    site_log,
    wait_classified,
    warning_verdict,
)
from site_scenarios import (
    assert_keyboard_cancel,
    assert_not_held,
    assert_proceeds_once,
    assert_warns_then_cancel,
    click_in_turn,
)

ORIGIN = "https://berita.example.co.id"
CAMPAIGN = "article[data-post='g1']"
ORDINARY = "[data-post='g2']"


def generic_registered(browser) -> bool:
    return bool(
        extension_worker(browser).evaluate(
            "async () => (await chrome.scripting.getRegisteredContentScripts()).length"
        )
    )


def set_other(browser, enabled: bool) -> None:
    platforms = DEFAULT_PLATFORMS + (["other"] if enabled else [])
    configure_extension(browser, enabledPlatforms=platforms)
    deadline = time.monotonic() + 5
    while generic_registered(browser) != enabled:
        assert time.monotonic() < deadline, "the generic adapter was not (un)registered"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def enabled(browser):
    set_other(browser, True)
    yield browser
    set_other(browser, False)
    extension_worker(browser).evaluate("chrome.storage.local.remove('enabledPlatforms')")


@pytest.fixture
def page(enabled):
    tab = open_site(enabled, ORIGIN + "/")
    wait_classified(tab)
    yield tab
    tab.close()


def test_off_by_default_no_script_runs(browser):
    assert not generic_registered(browser)
    tab = browser.new_page()
    tab.goto(ORIGIN + "/")
    settle(tab, 500)
    assert tab.evaluate("document.documentElement.dataset.netralReady ?? null") is None
    tab.locator(f"{CAMPAIGN} [data-act='like']").click()
    settle(tab)
    assert warning_verdict(tab) is None
    assert len(site_log(tab, "like")) == 1
    tab.close()


def test_like_in_an_article_warns_then_cancel_drops_it(page, companion, ui):
    assert_warns_then_cancel(
        page,
        page.locator(f"{CAMPAIGN} [data-act='like']").click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("other", "like"),
    )


def test_share_proceeds_once(page, companion):
    assert_proceeds_once(
        page,
        page.locator(f"{CAMPAIGN} [data-act='share']").click,
        log="share",
        companion=companion,
        ack=("other", "share"),
    )


def test_comment_div_button_by_keyboard(page, ui):
    assert_keyboard_cancel(
        page,
        page.locator(f"{CAMPAIGN} [data-act='comment']"),
        "Enter",
        log="comment",
        texts=(ui("actionComment"),),
    )


def test_ordinary_articles_and_buttons_outside_articles_are_untouched(page):
    assert_not_held(
        page,
        click_in_turn(
            page.locator(f"{ORDINARY} [data-act='like']"),
            page.locator("aside [data-act='pageLike']"),
        ),
        log=None,
        count=2,
    )


def test_turning_other_off_again_removes_the_script(enabled):
    set_other(enabled, False)
    try:
        tab = enabled.new_page()
        tab.goto(ORIGIN + "/")
        settle(tab, 500)
        assert tab.evaluate("document.documentElement.dataset.netralReady ?? null") is None
        tab.close()
    finally:
        set_other(enabled, True)
