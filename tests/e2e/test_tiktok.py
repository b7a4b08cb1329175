"""TikTok end to end: like (button, double-click), comment, share, follow, held before the site
sees them (www.tiktok.com fixture)."""

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

ORIGIN = "https://www.tiktok.com"
PRABOWO = "article[data-video='7301']"
ALLOWED = "article[data-video='7302']"
PARTY = "article[data-video='7303']"
ENTITY = "Prabowo Subianto – Gibran Rakabuming Raka"
BOX = "#comments [data-e2e='comment-input'] [contenteditable='true']"


@pytest.fixture
def feed(site_page):
    page = site_page(ORIGIN + "/foryou")
    wait_classified(page)
    return page


def like(post: str) -> str:
    return f"{post} [data-e2e='like-icon']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(like(PRABOWO)).click()
    assert wait_for_warning(feed) == "warn"
    text = warning_text(feed)
    assert ENTITY in text and ui("actionLike") in text
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("tiktok", "like", "cancelled")


def test_like_proceed_reaches_the_site_exactly_once(feed, companion):
    before = len(companion.acknowledgements())
    feed.locator(like(PRABOWO)).click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["video"] for e in site_log(feed, "like")] == ["7301"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("like", "proceeded")


def test_allowed_video_is_not_held_at_all(feed):
    feed.locator(like(ALLOWED)).click()
    settle(feed, 50)
    assert warning_verdict(feed) is None
    [entry] = site_log(feed, "like")
    assert entry["trusted"] is True


def test_double_click_on_the_video_is_a_like(feed):
    feed.locator(f"{PRABOWO} video").dblclick()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    feed.locator(f"{PRABOWO} video").dblclick()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    wait_log(feed, "like")
    assert [(e["video"], e["via"]) for e in site_log(feed, "like")] == [("7301", "dblclick")]


def test_keyboard_activation_of_the_like_button(feed):
    feed.locator(f"{PRABOWO} [data-act='like']").focus()
    feed.keyboard.press("Space")
    assert wait_for_warning(feed) == "warn"
    assert active_warning_button(feed) == "cancel"
    feed.keyboard.press("Enter")
    feed.wait_for_function("document.querySelector('netral-warning') === null")
    settle(feed)
    assert site_log(feed, "like") == []


def test_comment_icon_warns_once_then_the_comment_is_posted(feed, ui):
    feed.locator(f"{PRABOWO} [data-e2e='comment-icon']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionComment") in warning_text(feed)
    press_warning_button(feed, "proceed")
    box = feed.locator(BOX)
    box.click()
    box.type("Semoga sehat selalu")
    box.press("Enter")
    wait_log(feed, "comment")
    assert warning_verdict(feed) is None  # already acknowledged for this video and entity
    assert [e["text"] for e in site_log(feed, "comment")] == ["Semoga sehat selalu"]


def test_campaign_comment_keeps_the_draft_on_cancel(feed, companion):
    feed.locator(f"{ALLOWED} [data-e2e='comment-icon']").click()
    wait_log(feed, "openComments")
    before = len(companion.acknowledgements())
    box = feed.locator(BOX)
    box.click()
    box.type("Coblos Prabowo nomor urut 2")
    box.press("Enter")
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "comment") == []
    assert box.inner_text() == "Coblos Prabowo nomor urut 2"
    feed.locator("#comments [data-e2e='comment-post']").click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    wait_log(feed, "comment")
    assert [(e["video"], e["text"]) for e in site_log(feed, "comment")] == [
        ("7302", "Coblos Prabowo nomor urut 2")
    ]
    acks = new_acks(companion, before, 2)
    assert [(a["action"], a["outcome"]) for a in acks] == [
        ("comment", "cancelled"),
        ("comment", "proceeded"),
    ]


def test_share_is_held_at_the_share_icon_and_party_shares_are_blocked(feed, ui):
    feed.locator(f"{PRABOWO} [data-e2e='share-icon']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionShare") in warning_text(feed)
    press_warning_button(feed, "proceed")
    feed.locator("#share-menu [data-act='repost']").click()
    wait_log(feed, "repost")
    assert len(site_log(feed, "openShare")) == 1
    feed.locator(f"{PARTY} [data-e2e='share-icon']").click()
    assert wait_for_warning(feed) == "block"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert len(site_log(feed, "openShare")) == 1


def test_follow_from_the_feed_and_on_profiles(feed, site_page, ui):
    feed.locator(f"{PRABOWO} [data-e2e='feed-follow']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionFollow") in warning_text(feed)
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "follow") == []
    profile = site_page(ORIGIN + "/@prabowo")
    profile.locator("[data-e2e='follow-button']").click()
    assert wait_for_warning(profile) == "warn"
    assert ENTITY in warning_text(profile)
    press_warning_button(profile, "proceed")
    wait_log(profile, "follow")
    other = site_page(ORIGIN + "/@dapuribu")
    other.locator("[data-e2e='follow-button']").click()
    wait_log(other, "follow")
    assert warning_verdict(other) is None


def test_video_page_in_english(site_page):
    page = site_page(ORIGIN + "/@prabowo/video/7301?lang=en")
    wait_classified(page)
    page.locator("[data-e2e='browse-like-icon']").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")
    box = page.locator("[data-e2e='comment-input'] [contenteditable='true']")
    box.click()
    box.type("Nice")
    page.locator("[data-e2e='comment-post']", has_text="Post").focus()
    page.keyboard.press("Enter")
    assert wait_for_warning(page) == "warn"  # a comment on the candidate's video
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "like") == [] and site_log(page, "comment") == []
    assert box.inner_text() == "Nice"
