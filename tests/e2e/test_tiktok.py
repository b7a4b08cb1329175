"""TikTok end to end: like (button, double-click), comment, share, follow, held before the site
sees them (www.tiktok.com fixture)."""

from __future__ import annotations

from e2e_testkit import CANDIDATE, site_log, wait_classified, wait_log
from site_scenarios import (
    assert_cancel_then_proceed,
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_not_held,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
    focus_and_press,
)

ORIGIN = "https://www.tiktok.com"
PRABOWO = "article[data-video='7301']"
ALLOWED = "article[data-video='7302']"
PARTY = "article[data-video='7303']"
BOX = "#comments [data-e2e='comment-input'] [contenteditable='true']"

feed = classified_page(ORIGIN + "/foryou")


def like(post: str) -> str:
    return f"{post} [data-e2e='like-icon']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(like(PRABOWO)).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("tiktok", "like"),
    )


def test_like_proceed_reaches_the_site_exactly_once(feed, companion):
    assert_proceeds_once(
        feed,
        feed.locator(like(PRABOWO)).click,
        log="like",
        expect={"video": "7301"},
        companion=companion,
        ack=("tiktok", "like"),
    )


def test_allowed_video_is_not_held_at_all(feed):
    assert_not_held(feed, feed.locator(like(ALLOWED)).click, log="like")


def test_double_click_on_the_video_is_a_like(feed):
    assert_cancel_then_proceed(
        feed,
        feed.locator(f"{PRABOWO} video").dblclick,
        log="like",
        expect={"video": "7301", "via": "dblclick"},
    )


def test_keyboard_activation_of_the_like_button(feed):
    # Enter on the focused "Batal" cancels.
    assert_keyboard_cancel(
        feed, feed.locator(f"{PRABOWO} [data-act='like']"), "Space", log="like", dismiss="Enter"
    )


def test_comment_icon_warns_once_then_the_comment_is_posted(feed, ui):
    def write_and_send() -> None:
        box = feed.locator(BOX)
        box.click()
        box.type("Semoga sehat selalu")
        box.press("Enter")

    # No second warning: already acknowledged for this video and entity.
    assert_proceeds_once(
        feed,
        feed.locator(f"{PRABOWO} [data-e2e='comment-icon']").click,
        log="comment",
        then=write_and_send,
        expect={"text": "Semoga sehat selalu"},
        texts=(ui("actionComment"),),
    )


def test_campaign_comment_keeps_the_draft_on_cancel(feed, companion):
    feed.locator(f"{ALLOWED} [data-e2e='comment-icon']").click()
    wait_log(feed, "openComments")
    box = feed.locator(BOX)
    comment = assert_draft_kept_on_cancel(
        feed,
        box,
        "Coblos Prabowo nomor urut 2",
        send=lambda: box.press("Enter"),
        resend=feed.locator("#comments [data-e2e='comment-post']").click,
        log="comment",
        companion=companion,
        ack=("tiktok", "comment"),
    )
    assert comment["video"] == "7302"


def test_share_is_held_at_the_share_icon_and_party_shares_are_blocked(feed, ui):
    assert_proceeds_once(
        feed,
        feed.locator(f"{PRABOWO} [data-e2e='share-icon']").click,
        log="repost",
        then=feed.locator("#share-menu [data-act='repost']").click,
        texts=(ui("actionShare"),),
    )
    assert len(site_log(feed, "openShare")) == 1
    assert_warns_then_cancel(
        feed, feed.locator(f"{PARTY} [data-e2e='share-icon']").click, logs=(), verdict="block"
    )
    assert len(site_log(feed, "openShare")) == 1


def test_follow_from_the_feed_and_on_profiles(feed, site_page, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(f"{PRABOWO} [data-e2e='feed-follow']").click,
        logs=("follow",),
        texts=(ui("actionFollow"),),
    )
    profile = site_page(ORIGIN + "/@prabowo")
    assert_proceeds_once(
        profile,
        profile.locator("[data-e2e='follow-button']").click,
        log="follow",
        texts=(CANDIDATE,),
    )
    other = site_page(ORIGIN + "/@dapuribu")
    assert_passes_without_warning(
        other, other.locator("[data-e2e='follow-button']").click, log="follow"
    )


def test_video_page_in_english(site_page):
    page = site_page(ORIGIN + "/@prabowo/video/7301?lang=en")
    wait_classified(page)
    assert_warns_then_cancel(
        page, page.locator("[data-e2e='browse-like-icon']").click, logs=("like",)
    )
    box = page.locator("[data-e2e='comment-input'] [contenteditable='true']")
    box.click()
    box.type("Nice")
    post = page.locator("[data-e2e='comment-post']", has_text="Post")
    # A comment on the candidate's video.
    assert_warns_then_cancel(page, focus_and_press(post, "Enter"), logs=("comment",))
    assert site_log(page, "like") == [] and site_log(page, "comment") == []
    assert box.inner_text() == "Nice"


# ── Repost (audit §4 row 15) and the share menu opened by hover (row 14) ──────────────────────

REPOST = "[data-e2e='video-share-repost']"


def test_repost_on_the_video_page_warns_and_an_undo_is_not_held(site_page, companion, ui):
    page = site_page(ORIGIN + "/@prabowo/video/7301")
    wait_classified(page)
    assert page.locator(f"a#icon-element-repost{REPOST}[aria-label='Posting ulang']").count() == 1
    assert_cancel_then_proceed(
        page,
        page.locator(REPOST).click,
        log="repost",
        expect={"video": "7301"},
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("tiktok", "share"),
    )
    # Reposted: the same element reads "Remove repost" with a yellow icon; undoing it is not held.
    assert page.locator(f"{REPOST}[aria-label='Remove repost']").count() == 1
    assert_not_held(page, page.locator(REPOST).click, log="unrepost")


def test_repost_on_the_video_page_in_english(site_page):
    page = site_page(ORIGIN + "/@prabowo/video/7301?lang=en")
    wait_classified(page)
    assert_warns_then_cancel(
        page, page.locator(f"{REPOST}[aria-label='Repost']").click, logs=("repost",)
    )


def test_repost_from_the_share_menu_opened_by_hover(feed, companion, ui):
    feed.locator(f"{PRABOWO} [data-e2e='share-icon']").hover()
    wait_log(feed, "hoverShare")
    assert_warns_then_cancel(
        feed,
        feed.locator(f"#share-menu {REPOST}").click,
        logs=("repost",),
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("tiktok", "share"),
    )
    assert site_log(feed, "openShare") == []  # the menu was never clicked open
    # Copy link in the same menu is a share too; the party's is blocked.
    feed.locator(f"{PARTY} [data-e2e='share-icon']").hover()
    feed.wait_for_selector("#share-menu[data-for='7303']")
    assert_warns_then_cancel(
        feed,
        feed.locator("#share-menu a[data-e2e='share-link']").click,
        logs=("copy",),
        verdict="block",
    )


def test_share_menu_of_an_ordinary_video_in_english(site_page):
    page = site_page(ORIGIN + "/foryou?lang=en")
    wait_classified(page)
    page.locator(f"{ALLOWED} [data-e2e='share-icon']").hover()
    page.wait_for_selector("#share-menu[data-for='7302']")
    assert_not_held(
        page, page.locator(f"#share-menu {REPOST}[aria-label='Repost']").click, log="repost"
    )
    assert site_log(page, "repost")[0]["video"] == "7302"


def test_video_page_follow_and_comment_post_button(site_page, companion, ui):
    page = site_page(ORIGIN + "/@prabowo/video/7301")
    wait_classified(page)
    assert_warns_then_cancel(
        page,
        page.locator("[data-e2e='browse-follow']").click,
        logs=("follow",),
        texts=(CANDIDATE, ui("actionFollow")),
        companion=companion,
        ack=("tiktok", "follow"),
    )
    box = page.locator("[data-e2e='comment-input'] [contenteditable='true']")
    box.click()
    box.type("Semoga sehat selalu")
    assert_proceeds_once(
        page,
        page.locator("[class*='DivPostButton']", has_text="Posting").click,
        log="comment",
        expect={"video": "7301", "text": "Semoga sehat selalu"},
        texts=(ui("actionComment"),),
    )


def test_repost_in_a_hover_menu_after_the_pointer_crossed_another_video(feed):
    feed.locator(f"{PRABOWO} [data-e2e='share-icon']").hover()
    feed.wait_for_selector("#share-menu[data-for='7301']")
    feed.locator(f"{ALLOWED} [data-e2e='feed-video']").hover()  # on the way to the menu
    assert_warns_then_cancel(
        feed, feed.locator(f"#share-menu {REPOST}").click, logs=("repost",), texts=(CANDIDATE,)
    )
