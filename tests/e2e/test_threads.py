"""Threads end to end: like, reply, repost, quote, share, follow, held before the site sees them
(www.threads.com and www.threads.net fixture)."""

from __future__ import annotations

import pytest
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


# ── layouts of the audit: nested posts in the feed, the thread page (docs/sites/threads.md) ──


def threads_page(site_page, path: str, lang: str):
    page = site_page(ORIGIN + path + ("?lang=en" if lang == "en" else ""))
    wait_classified(page)
    assert page.evaluate("document.documentElement.lang") == lang
    return page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_like_and_repost_in_both_interfaces(site_page, companion, ui, lang):
    page = threads_page(site_page, "/", lang)
    assert_warns_then_cancel(
        page,
        page.locator(act(PRABOWO, "like")).click,
        logs=("like",),
        texts=(ui("actionLike"),),
        companion=companion,
        ack=("threads", "like"),
    )
    assert_warns_then_cancel(
        page,
        page.locator(act(PRABOWO, "repostMenu")).click,
        logs=("repostMenu",),
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("threads", "share"),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_post_quoting_a_candidate_is_held_naming_the_quoted_author(site_page, ui, lang):
    # DA4 quotes DA1 in a nested pressable container: the post is the outer one, and the quoted
    # post's text and tags are part of it (the test bundle has no Threads accounts).
    page = threads_page(site_page, "/", lang)
    assert_warns_then_cancel(
        page,
        page.locator(act("[data-post='DA4']", "like")).click,
        logs=("like",),
        texts=(CANDIDATE, ui("signalHashtag", "PrabowoGibran2024")),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_inline_reply_sent_with_its_reply_icon_checks_the_draft(site_page, companion, lang):
    # The inline box's send button is a second "Reply" icon: it sends the draft, which is checked.
    page = threads_page(site_page, "/@kucingoren/post/DA2", lang)
    box = page.locator(".inline-reply [role='textbox']")
    assert_draft_kept_on_cancel(
        page,
        box,
        "Coblos Prabowo nomor urut 2",
        send=page.locator("[data-act='sendInline']").click,
        log="reply",
        companion=companion,
        ack=("threads", "comment"),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_inline_reply_to_a_candidate_thread_warns_then_is_sent_once(site_page, ui, lang):
    page = threads_page(site_page, "/@prabowo/post/DA1", lang)
    box = page.locator(".inline-reply [role='textbox']")

    def write_and_send() -> None:
        box.click()
        box.type("Semoga sehat selalu")
        page.locator("[data-act='sendInline']").click()

    assert_proceeds_once(
        page,
        write_and_send,
        log="reply",
        expect={"post": "DA1", "text": "Semoga sehat selalu"},
        texts=(ui("actionComment"), CANDIDATE),
    )


def test_the_thread_posts_own_reply_icon_is_still_a_reply_control(site_page, companion):
    page = threads_page(site_page, "/@prabowo/post/DA1", "id")
    assert_warns_then_cancel(
        page,
        page.locator(act(PRABOWO, "reply")).click,
        logs=("openReply",),
        companion=companion,
        ack=("threads", "comment"),
    )
