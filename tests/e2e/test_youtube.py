"""YouTube end to end: like, comment, share, subscribe, and SPA navigation that reuses the watch
page's element for the next video (www.youtube.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import (
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_log,
    warning_text,
    warning_verdict,
)

ORIGIN = "https://www.youtube.com"
LIKE = "like-button-view-model button"
SHARE = "ytd-watch-metadata button[data-act='share']"
BOX = "ytd-commentbox #contenteditable-root"
SUBMIT = "ytd-commentbox #submit-button button"
ENTITY = "Prabowo Subianto – Gibran Rakabuming Raka"


@pytest.fixture
def watch(site_page):
    page = site_page(ORIGIN + "/watch?v=pbw2024")
    wait_classified(page)
    return page


def classified(page) -> int:
    return int(page.evaluate("document.documentElement.dataset.netralClassified || 0"))


def test_like_warns_then_cancel_drops_it(watch, companion, ui):
    before = len(companion.acknowledgements())
    watch.locator(LIKE).click()
    assert wait_for_warning(watch) == "warn"
    text = warning_text(watch)
    assert ENTITY in text and ui("actionLike") in text
    press_warning_button(watch, "cancel")
    settle(watch)
    assert site_log(watch, "like") == []
    assert watch.locator(LIKE).get_attribute("aria-pressed") == "false"
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("youtube", "like", "cancelled")


def test_like_proceed_reaches_the_site_exactly_once(watch, companion):
    before = len(companion.acknowledgements())
    watch.locator(LIKE).click()
    wait_for_warning(watch)
    press_warning_button(watch, "proceed")
    settle(watch)
    assert [e["video"] for e in site_log(watch, "like")] == ["pbw2024"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("like", "proceeded")


def test_keyboard_activation_of_the_like_button(watch):
    watch.locator(LIKE).focus()
    watch.keyboard.press("Enter")
    assert wait_for_warning(watch) == "warn"
    watch.keyboard.press("Escape")
    watch.wait_for_function("document.querySelector('netral-warning') === null")
    settle(watch)
    assert site_log(watch, "like") == []


def test_spa_navigation_reuses_the_watch_element_and_reclassifies(watch, companion):
    before = classified(watch)
    watch.locator("a[data-video='resep01']").click()
    watch.wait_for_function(
        "(n) => Number(document.documentElement.dataset.netralClassified || 0) > n", arg=before
    )
    watch.locator(LIKE).click()
    settle(watch, 50)
    assert warning_verdict(watch) is None
    [like] = site_log(watch, "like")
    assert (like["video"], like["trusted"]) == ("resep01", True)  # untouched: classified ahead
    acks = len(companion.acknowledgements())
    watch.locator("a[data-video='partai01']").click()
    watch.locator(SHARE).click()
    assert wait_for_warning(watch) == "block"
    press_warning_button(watch, "cancel")
    [ack] = new_acks(companion, acks)
    assert ack["entity_ids"] == ["partai-contoh"]


def test_comment_draft_is_kept_on_cancel_then_sent_once(site_page, companion, ui):
    page = site_page(ORIGIN + "/watch?v=resep01")
    wait_classified(page)
    before = len(companion.acknowledgements())
    box = page.locator(BOX)
    box.click()
    box.type("Ayo coblos Prabowo nomor urut 2")
    page.locator(SUBMIT).click()
    assert wait_for_warning(page) == "warn"
    assert ui("actionComment") in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "comment") == []
    assert box.inner_text() == "Ayo coblos Prabowo nomor urut 2"
    page.locator(SUBMIT).click()
    wait_for_warning(page)
    press_warning_button(page, "proceed")
    wait_log(page, "comment")
    assert [e["text"] for e in site_log(page, "comment")] == ["Ayo coblos Prabowo nomor urut 2"]
    acks = new_acks(companion, before, 2)
    assert [(a["action"], a["outcome"]) for a in acks] == [
        ("comment", "cancelled"),
        ("comment", "proceeded"),
    ]


def test_ordinary_comment_on_a_candidate_video_is_held_as_a_comment_on_it(watch):
    box = watch.locator(BOX)
    box.click()
    box.type("Semoga lancar")
    watch.locator(SUBMIT).click()
    assert wait_for_warning(watch) == "warn"  # a comment on the candidate's video
    press_warning_button(watch, "cancel")
    assert box.inner_text() == "Semoga lancar"


def test_liking_an_ordinary_comment_is_untouched(watch):
    watch.locator("ytd-comment-view-model #like-button button").click()
    wait_log(watch, "likeComment")
    assert warning_verdict(watch) is None


def test_share_warns_once_then_copy_link(watch, companion, ui):
    before = len(companion.acknowledgements())
    watch.locator(SHARE).click()
    assert wait_for_warning(watch) == "warn"
    assert ui("actionShare") in warning_text(watch)
    press_warning_button(watch, "proceed")
    watch.locator("ytd-unified-share-panel-renderer #copy-button button").click()
    wait_log(watch, "copyLink")
    assert warning_verdict(watch) is None
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "proceeded")


def test_subscribe_on_the_watch_page_in_english(site_page, ui):
    page = site_page(ORIGIN + "/watch?v=pbw2024&lang=en")
    wait_classified(page)
    page.locator("button[aria-label='Subscribe to Prabowo Subianto.']").click()
    assert wait_for_warning(page) == "warn"
    assert ui("actionFollow") in warning_text(page)
    press_warning_button(page, "proceed")
    wait_log(page, "subscribe")
    assert len(site_log(page, "subscribe")) == 1


def test_subscribe_on_a_channel_page_and_an_ordinary_one(site_page):
    page = site_page(ORIGIN + "/@prabowo")
    page.locator("yt-subscribe-button-view-model button").click()
    assert wait_for_warning(page) == "warn"
    assert ENTITY in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "subscribe") == []
    other = site_page(ORIGIN + "/@dapuribu")
    other.locator("yt-subscribe-button-view-model button").click()
    wait_log(other, "subscribe")
    assert warning_verdict(other) is None
