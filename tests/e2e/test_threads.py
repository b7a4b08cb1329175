"""Threads end to end: like, reply, repost, quote, share, follow, held before the site sees them
(www.threads.com and www.threads.net fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import (
    active_warning_button,
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

ORIGIN = "https://www.threads.com"
OLD_ORIGIN = "https://www.threads.net"
PRABOWO = "[data-post='DA1']"
ALLOWED = "[data-post='DA2']"
PARTY = "[data-post='DA3']"
ENTITY = "Prabowo Subianto – Gibran Rakabuming Raka"
BOX = "#layer [role='textbox']"


@pytest.fixture
def feed(site_page):
    page = site_page(ORIGIN + "/")
    wait_classified(page)
    return page


def act(post: str, name: str) -> str:
    return f"{post} [data-act='{name}']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(act(PRABOWO, "like")).click()
    assert wait_for_warning(feed) == "warn"
    text = warning_text(feed)
    assert ENTITY in text and ui("actionLike") in text
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("threads", "like", "cancelled")


def test_like_proceed_once_on_threads_net(site_page, companion):
    page = site_page(OLD_ORIGIN + "/")
    wait_classified(page)
    before = len(companion.acknowledgements())
    page.locator(act(PRABOWO, "like")).click()
    wait_for_warning(page)
    press_warning_button(page, "proceed")
    settle(page)
    assert [e["post"] for e in site_log(page, "like")] == ["DA1"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("like", "proceeded")


def test_allowed_post_is_not_held_at_all(feed):
    feed.locator(act(ALLOWED, "like")).click()
    settle(feed, 50)
    assert warning_verdict(feed) is None
    [entry] = site_log(feed, "like")
    assert entry["trusted"] is True


def test_keyboard_activation_of_the_like_div_button(feed):
    feed.locator(act(PRABOWO, "like")).focus()
    feed.keyboard.press("Enter")
    assert wait_for_warning(feed) == "warn"
    assert active_warning_button(feed) == "cancel"
    feed.keyboard.press("Tab")
    feed.keyboard.press("Enter")
    feed.wait_for_function("document.querySelector('netral-warning') === null")
    wait_log(feed, "like")
    assert len(site_log(feed, "like")) == 1


def test_reply_warns_once_then_the_reply_is_posted(feed, ui):
    feed.locator(act(PRABOWO, "reply")).click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionComment") in warning_text(feed)
    press_warning_button(feed, "proceed")
    box = feed.locator(BOX)
    box.type("Semoga sehat selalu")
    box.press("Control+Enter")
    wait_log(feed, "reply")
    assert warning_verdict(feed) is None
    assert [(e["post"], e["text"]) for e in site_log(feed, "reply")] == [
        ("DA1", "Semoga sehat selalu")
    ]


def test_campaign_reply_keeps_the_draft_on_cancel(feed, companion):
    feed.locator(act(ALLOWED, "reply")).click()
    wait_log(feed, "openReply")
    before = len(companion.acknowledgements())
    box = feed.locator(BOX)
    box.type("Coblos Prabowo nomor urut 2")
    box.press("Control+Enter")
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "reply") == []
    assert box.inner_text() == "Coblos Prabowo nomor urut 2"
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("comment", "cancelled")
    feed.locator("#layer [data-act='send']").click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    wait_log(feed, "reply")
    assert [e["text"] for e in site_log(feed, "reply")] == ["Coblos Prabowo nomor urut 2"]


def test_repost_and_quote_from_the_menu(feed, ui):
    feed.locator(act(PRABOWO, "repostMenu")).click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionShare") in warning_text(feed)
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "repostMenu") == []
    feed.locator(act(PRABOWO, "repostMenu")).click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    feed.locator("#layer [data-act='quote']").click()
    box = feed.locator(BOX)
    box.type("Lihat ini")
    box.press("Control+Enter")
    wait_log(feed, "quote")
    assert warning_verdict(feed) is None


def test_share_menu_and_blocked_party_repost(feed):
    feed.locator(act(PRABOWO, "shareMenu")).click()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "proceed")
    feed.locator("#layer [data-act='copy']").click()
    wait_log(feed, "copy")
    feed.locator(act(PARTY, "repostMenu")).click()
    assert wait_for_warning(feed) == "block"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "repost") == []


def test_new_thread_with_campaign_text_is_a_post(site_page, ui):
    page = site_page(ORIGIN + "/?lang=en")
    wait_classified(page)
    page.locator("[data-act='newThread']").click()
    box = page.locator(BOX)
    box.type("Ayo menangkan #PrabowoGibran2024")
    page.locator("#layer [role='button']", has_text="Post").click()
    assert wait_for_warning(page) == "warn"
    assert ui("actionPost") in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "post") == []


def test_follow_on_profiles(site_page):
    page = site_page(ORIGIN + "/@prabowo")
    page.locator("[data-follow]").click()
    assert wait_for_warning(page) == "warn"
    assert ENTITY in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "follow") == []
    other = site_page(ORIGIN + "/@kucingoren")
    other.locator("[data-follow]").click()
    wait_log(other, "follow")
    assert warning_verdict(other) is None
