"""Facebook end to end: like and every reaction, comment, each share step, follow and join."""

from __future__ import annotations

import pytest
from e2e_testkit import CANDIDATE, settle, site_log, wait_classified, warning_verdict
from site_scenarios import (
    assert_cancel_then_proceed,
    assert_draft_kept_on_cancel,
    assert_not_held,
    assert_ordinary_draft_sent_at_once,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
    click_in_turn,
    focus_and_press,
)

HOME = "https://www.facebook.com/"
PRABOWO = "[data-post='f1']"
ALLOWED = "[data-post='f2']"
PARTY = "[data-post='f3']"

feed = classified_page(HOME)


def like_button(post: str) -> str:
    return f"{post} .bar [data-act='like']"


def share_button(post: str) -> str:
    return f"{post} [data-act='share']"


def test_like_cancel_then_proceed(feed, companion, ui):
    assert_cancel_then_proceed(
        feed,
        feed.locator(like_button(PRABOWO)).click,
        log="like",
        texts=(ui("signalAccount", "prabowo"), ui("signalHashtag", "PrabowoGibran2024")),
        expect={"post": "f1"},
        companion=companion,
        ack=("facebook", "like"),
    )


def test_allowed_post_and_comment_likes_pass_untouched(feed):
    likes = assert_not_held(
        feed,
        click_in_turn(
            feed.locator(like_button(ALLOWED)),
            feed.locator(f"{ALLOWED} [data-comment='c1'] [role='button']"),
        ),
        log="like",
        count=2,
    )
    assert [(e["post"], e.get("comment")) for e in likes] == [("f2", None), ("f2", "c1")]


@pytest.mark.parametrize("reaction", ["Super", "Marah"])
def test_every_reaction_from_the_dock_outside_the_post(feed, reaction):
    def react() -> None:
        feed.locator(like_button(PRABOWO)).hover()
        feed.locator(f"#layers [aria-label='{reaction}']").click()

    assert_proceeds_once(feed, react, log="react", expect={"reaction": reaction, "post": "f1"})


def test_keyboard_activation_of_a_div_button(feed):
    like = feed.locator(like_button(PRABOWO))
    assert_cancel_then_proceed(
        feed, focus_and_press(like, "Enter"), again=focus_and_press(like, "Space"), log="like"
    )


def test_comment_with_enter_keeps_the_draft_on_cancel(feed, companion, ui):
    box = feed.locator(f"{PRABOWO} [role='textbox']")
    assert_draft_kept_on_cancel(
        feed,
        box,
        "Mantap, semoga sukses",
        send=lambda: box.press("Enter"),
        log="comment",
        texts=(ui("actionComment"),),
        companion=companion,
        ack=("facebook", "comment"),
    )
    assert box.inner_text() == ""


def test_campaign_comment_on_an_ordinary_post_is_held(feed):
    box = feed.locator(f"{ALLOWED} [role='textbox']")
    box.click()
    box.type("Ayo coblos Prabowo")
    assert_warns_then_cancel(feed, lambda: box.press("Enter"), logs=("comment",))
    assert box.inner_text() == "Ayo coblos Prabowo"
    # Shift+Enter is a new line, not a send.
    box.press("Shift+Enter")
    settle(feed)
    assert warning_verdict(feed) is None


def test_ordinary_comment_is_sent_without_delay(feed):
    box = feed.locator(f"{ALLOWED} [role='textbox']")
    assert_ordinary_draft_sent_at_once(
        feed, box, "Indah sekali pemandangannya", send=lambda: box.press("Enter"), log="comment"
    )


def test_comment_send_button(feed):
    box = feed.locator(f"{PRABOWO} [role='textbox']")
    box.click()
    box.type("Hadir")
    send = feed.locator(f"{PRABOWO} [aria-label='{ui_send(feed)}']")
    assert_proceeds_once(feed, send.click, log="comment", expect={"text": "Hadir"})


def ui_send(page) -> str:
    return "Comment" if page.evaluate("document.documentElement.lang") == "en" else "Kirim komentar"


def test_share_now_from_the_share_dialog(feed, companion, ui):
    feed.locator(share_button(PRABOWO)).click()  # opens the dialog: not itself a share
    assert warning_verdict(feed) is None
    assert_warns_then_cancel(
        feed,
        feed.locator("#layers [data-share='now']").click,
        logs=("shareNow",),
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("facebook", "share"),
    )


def test_share_to_feed_is_held_at_the_publishing_step(feed):
    feed.locator(share_button(PRABOWO)).click()
    feed.locator("#layers [data-share='feed']").click()
    assert warning_verdict(feed) is None  # choosing where to share publishes nothing yet
    assert_proceeds_once(
        feed,
        feed.locator("#layers [data-share='post']").click,
        log="shareToFeed",
        expect={"post": "f1"},
    )


def test_copy_link_and_blocked_party_share(feed):
    assert_warns_then_cancel(
        feed,
        click_in_turn(
            feed.locator(share_button(PARTY)), feed.locator("#layers [data-share='now']")
        ),
        logs=("shareNow",),
        verdict="block",
    )


def test_share_in_the_english_interface(site_page):
    page = site_page(HOME + "?lang=en")
    wait_classified(page)
    assert_warns_then_cancel(page, page.locator(f"{PRABOWO} [aria-label='Like']").click, logs=())
    share_now = page.locator("#layers [role='button']", has_text="Share now (Public)")
    assert_proceeds_once(
        page,
        click_in_turn(page.locator(share_button(PRABOWO)), share_now),
        log="shareNow",
        expect={"post": "f1"},
    )
    assert site_log(page, "like") == []


def test_follow_a_candidate_page(site_page, ui):
    page = site_page("https://www.facebook.com/prabowo")
    assert_proceeds_once(
        page,
        page.locator("[data-act='follow']").click,
        log="follow",
        texts=(ui("actionFollow"),),
        expect={"page": "/prabowo"},
    )


def test_join_a_campaign_group(site_page):
    page = site_page("https://www.facebook.com/groups/relawan")
    assert_warns_then_cancel(
        page, page.locator("[data-act='follow']").click, logs=("follow",), texts=(CANDIDATE,)
    )
