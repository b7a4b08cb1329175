"""Threads end to end: like, reply, repost, quote, share, follow, held before the site sees them
(www.threads.com and www.threads.net fixture)."""

from __future__ import annotations

from e2e_testkit import CANDIDATE, wait_classified, wait_log
from site_scenarios import (
    assert_draft_kept_on_cancel,
    assert_keyboard_proceeds_once,
    assert_not_held,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
)

ORIGIN = "https://www.threads.com"
OLD_ORIGIN = "https://www.threads.net"
PRABOWO = "[data-post='DA1']"
ALLOWED = "[data-post='DA2']"
PARTY = "[data-post='DA3']"
BOX = "#layer [role='textbox']"

feed = classified_page(ORIGIN + "/")


def act(post: str, name: str) -> str:
    return f"{post} [data-act='{name}']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(act(PRABOWO, "like")).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("threads", "like"),
    )


def test_like_proceed_once_on_threads_net(site_page, companion):
    page = site_page(OLD_ORIGIN + "/")
    wait_classified(page)
    assert_proceeds_once(
        page,
        page.locator(act(PRABOWO, "like")).click,
        log="like",
        expect={"post": "DA1"},
        companion=companion,
        ack=("threads", "like"),
    )


def test_allowed_post_is_not_held_at_all(feed):
    assert_not_held(feed, feed.locator(act(ALLOWED, "like")).click, log="like")


def test_keyboard_activation_of_the_like_div_button(feed):
    assert_keyboard_proceeds_once(feed, feed.locator(act(PRABOWO, "like")), "Enter", log="like")


def test_reply_warns_once_then_the_reply_is_posted(feed, ui):
    def write_and_send() -> None:
        box = feed.locator(BOX)
        box.type("Semoga sehat selalu")
        box.press("Control+Enter")

    assert_proceeds_once(
        feed,
        feed.locator(act(PRABOWO, "reply")).click,
        log="reply",
        then=write_and_send,
        expect={"post": "DA1", "text": "Semoga sehat selalu"},
        texts=(ui("actionComment"),),
    )


def test_campaign_reply_keeps_the_draft_on_cancel(feed, companion):
    feed.locator(act(ALLOWED, "reply")).click()
    wait_log(feed, "openReply")
    box = feed.locator(BOX)
    assert_draft_kept_on_cancel(
        feed,
        box,
        "Coblos Prabowo nomor urut 2",
        send=lambda: box.press("Control+Enter"),
        resend=feed.locator("#layer [data-act='send']").click,
        log="reply",
        companion=companion,
        ack=("threads", "comment"),
    )


def test_repost_and_quote_from_the_menu(feed, ui):
    repost_menu = feed.locator(act(PRABOWO, "repostMenu"))
    assert_warns_then_cancel(
        feed, repost_menu.click, logs=("repostMenu",), texts=(ui("actionShare"),)
    )

    def quote() -> None:
        feed.locator("#layer [data-act='quote']").click()
        box = feed.locator(BOX)
        box.type("Lihat ini")
        box.press("Control+Enter")

    assert_proceeds_once(feed, repost_menu.click, log="quote", then=quote)


def test_share_menu_and_blocked_party_repost(feed):
    assert_proceeds_once(
        feed,
        feed.locator(act(PRABOWO, "shareMenu")).click,
        log="copy",
        then=feed.locator("#layer [data-act='copy']").click,
    )
    assert_warns_then_cancel(
        feed, feed.locator(act(PARTY, "repostMenu")).click, logs=("repost",), verdict="block"
    )


def test_new_thread_with_campaign_text_is_a_post(site_page, ui):
    page = site_page(ORIGIN + "/?lang=en")
    wait_classified(page)
    page.locator("[data-act='newThread']").click()
    page.locator(BOX).type("Ayo menangkan #PrabowoGibran2024")
    assert_warns_then_cancel(
        page,
        page.locator("#layer [role='button']", has_text="Post").click,
        logs=("post",),
        texts=(ui("actionPost"),),
    )


def test_follow_on_profiles(site_page):
    page = site_page(ORIGIN + "/@prabowo")
    assert_warns_then_cancel(
        page, page.locator("[data-follow]").click, logs=("follow",), texts=(CANDIDATE,)
    )
    other = site_page(ORIGIN + "/@kucingoren")
    assert_passes_without_warning(other, other.locator("[data-follow]").click, log="follow")
