"""The generic adapter end to end: off unless policy's enabledPlatforms lists "other"; when on,
like / share / comment buttons inside an article-like container of any other site are held
(a news-portal fixture at https://berita.example.co.id)."""

from __future__ import annotations

import time

import pytest
from e2e_testkit import (
    configure_extension,
    extension_worker,
    new_acks,
    open_site,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_log,
    warning_text,
    warning_verdict,
)

ORIGIN = "https://berita.example.co.id"
CAMPAIGN = "article[data-post='g1']"
ORDINARY = "[data-post='g2']"
ALL_SITES = ["x", "facebook", "instagram", "tiktok", "youtube", "threads", "whatsapp"]


def generic_registered(browser) -> bool:
    return bool(
        extension_worker(browser).evaluate(
            "async () => (await chrome.scripting.getRegisteredContentScripts()).length"
        )
    )


def set_other(browser, enabled: bool) -> None:
    configure_extension(browser, enabledPlatforms=ALL_SITES + (["other"] if enabled else []))
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
    before = len(companion.acknowledgements())
    page.locator(f"{CAMPAIGN} [data-act='like']").click()
    assert wait_for_warning(page) == "warn"
    assert "Prabowo Subianto – Gibran Rakabuming Raka" in warning_text(page)
    assert ui("actionLike") in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "like") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("other", "like", "cancelled")


def test_share_proceeds_once(page, companion):
    before = len(companion.acknowledgements())
    page.locator(f"{CAMPAIGN} [data-act='share']").click()
    wait_for_warning(page)
    press_warning_button(page, "proceed")
    wait_log(page, "share")
    assert len(site_log(page, "share")) == 1
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "proceeded")


def test_comment_div_button_by_keyboard(page, ui):
    page.locator(f"{CAMPAIGN} [data-act='comment']").focus()
    page.keyboard.press("Enter")
    assert wait_for_warning(page) == "warn"
    assert ui("actionComment") in warning_text(page)
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('netral-warning') === null")
    settle(page)
    assert site_log(page, "comment") == []


def test_ordinary_articles_and_buttons_outside_articles_are_untouched(page):
    page.locator(f"{ORDINARY} [data-act='like']").click()
    page.locator("aside [data-act='pageLike']").click()
    settle(page, 50)
    assert warning_verdict(page) is None
    assert [e["trusted"] for e in site_log(page)] == [True, True]


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
