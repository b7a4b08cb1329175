"""Instagram end to end: like (button, double-click), comment, share, follow, held before the site
sees them (www.instagram.com fixture)."""

from __future__ import annotations

from e2e_testkit import CANDIDATE, site_log, wait_classified, wait_log, warning_verdict
from playwright.sync_api import Locator
from site_scenarios import (
    assert_cancel_then_proceed,
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_keyboard_proceeds_once,
    assert_not_held,
    assert_ordinary_draft_sent_at_once,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
)

ORIGIN = "https://www.instagram.com"
PRABOWO = "article[data-post='C1prabowo']"
ALLOWED = "article[data-post='C2kucing']"
PARTY = "article[data-post='C3partai']"

feed = classified_page(ORIGIN + "/")


def like_button(post: str) -> str:
    return f"{post} [data-act='like']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(like_button(PRABOWO)).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike"), ui("signalHashtag", "PrabowoGibran2024")),
        companion=companion,
        ack=("instagram", "like"),
        entity_ids=["paslon-2024-02"],
    )


def test_like_proceed_reaches_the_site_exactly_once(feed, companion):
    assert_proceeds_once(
        feed,
        feed.locator(like_button(PRABOWO)).click,
        log="like",
        expect={"post": "C1prabowo"},
        companion=companion,
        ack=("instagram", "like"),
    )


def test_allowed_post_is_not_held_at_all(feed):
    assert_not_held(feed, feed.locator(like_button(ALLOWED)).click, log="like")


def test_double_click_on_the_media_is_a_like(feed):
    assert_cancel_then_proceed(
        feed,
        feed.locator(f"{PRABOWO} ._aagw").dblclick,
        log="like",
        expect={"post": "C1prabowo", "via": "dblclick"},
    )
    feed.locator(f"{ALLOWED} ._aagw").dblclick()
    wait_log(feed, "like", 2)
    assert warning_verdict(feed) is None


def test_keyboard_activation_of_the_like_div_button(feed):
    like = feed.locator(like_button(PRABOWO))
    assert_keyboard_cancel(feed, like, "Enter", log="like")
    assert_keyboard_proceeds_once(feed, like, "Space", log="like")


def test_comment_with_enter_keeps_the_draft_on_cancel(feed, companion):
    box = feed.locator(f"{ALLOWED} textarea")
    assert_draft_kept_on_cancel(
        feed,
        box,
        "Jangan lupa coblos Prabowo",
        send=lambda: box.press("Enter"),
        log="comment",
        value=Locator.input_value,
        companion=companion,
        ack=("instagram", "comment"),
    )


def test_comment_button_on_a_candidate_post(feed, ui):
    def write_and_post() -> None:
        feed.locator(f"{PRABOWO} textarea").type("Semoga sehat selalu")
        feed.locator(f"{PRABOWO} [data-act='post']").click()

    # No second warning: already acknowledged for this post and entity.
    assert_proceeds_once(
        feed,
        feed.locator(f"{PRABOWO} [data-act='comment']").click,
        log="comment",
        then=write_and_post,
        expect={"text": "Semoga sehat selalu"},
        texts=(ui("actionComment"),),
    )


def test_an_ordinary_comment_is_sent_without_delay(feed):
    box = feed.locator(f"{ALLOWED} textarea")
    assert_ordinary_draft_sent_at_once(
        feed, box, "Lucu sekali kucingnya", send=lambda: box.press("Enter"), log="comment"
    )


def test_share_warns_once_then_send_from_the_dialog(feed, companion, ui):
    assert_proceeds_once(
        feed,
        feed.locator(f"{PRABOWO} [data-act='share']").click,
        log="share",
        then=feed.locator("[role='dialog'] [data-act='send']").click,
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("instagram", "share"),
    )


def test_party_share_is_blocked_at_the_dialog_step(feed):
    assert_warns_then_cancel(
        feed,
        feed.locator(f"{PARTY} [data-act='share']").click,
        logs=("openShare",),
        verdict="block",
    )


def test_english_interface_like_and_post_button(site_page):
    page = site_page(ORIGIN + "/?lang=en")
    wait_classified(page)
    like = page.locator(f"{PRABOWO} section svg[aria-label='Like']")
    assert_warns_then_cancel(page, like.click, logs=("like",))
    page.locator(f"{ALLOWED} textarea[aria-label='Add a comment…']").type(
        "Ayo menangkan #PrabowoGibran2024"
    )
    post = page.locator(f"{ALLOWED} [role='button']", has_text="Post")
    assert_warns_then_cancel(page, post.click, logs=("comment",))
    assert site_log(page, "like") == [] and site_log(page, "comment") == []


def test_follow_in_a_post_header(feed, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(f"{PRABOWO} header [role='button']", has_text="Ikuti").click,
        logs=("follow",),
        texts=(ui("actionFollow"),),
    )


def test_follow_on_a_profile_page_and_an_ordinary_one(site_page):
    page = site_page(ORIGIN + "/prabowo/")
    assert_proceeds_once(
        page, page.locator("main header button").click, log="follow", texts=(CANDIDATE,)
    )
    other = site_page(ORIGIN + "/kucingoren/")
    assert_passes_without_warning(other, other.locator("main header button").click, log="follow")


# ── likes on comments (audit §3 row 9) ─────────────────────────────────────────────────────────


def comment_like(post: str) -> str:
    return f"{post} li [data-act='commentLike']"


def test_a_like_on_an_ordinary_comment_under_a_candidate_post_is_not_a_like_of_the_post(feed):
    assert_passes_without_warning(
        feed, feed.locator(comment_like(PRABOWO)).click, log="commentLike"
    )
    assert site_log(feed, "like") == []


def test_a_like_on_a_campaign_comment_under_an_ordinary_post_warns(feed, companion, ui):
    assert_warns_then_cancel(
        feed,
        feed.locator(comment_like(ALLOWED)).click,
        logs=("commentLike", "like"),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("instagram", "like"),
    )
    # The post itself is still an ordinary one.
    assert_not_held(feed, feed.locator(like_button(ALLOWED)).click, log="like")


def test_english_comment_like_and_post_like(site_page):
    page = site_page(ORIGIN + "/?lang=en")
    wait_classified(page)
    assert page.locator(f"{ALLOWED} li svg[aria-label='Like']").count() == 1
    assert_warns_then_cancel(page, page.locator(comment_like(ALLOWED)).click, logs=("commentLike",))
    assert_passes_without_warning(
        page, page.locator(comment_like(PRABOWO)).click, log="commentLike"
    )


# ── profile grid (audit §3 row 10) ─────────────────────────────────────────────────────────────


def test_double_click_on_a_profile_grid_tile_is_not_held(site_page):
    for url in (ORIGIN + "/prabowo/", ORIGIN + "/prabowo/?lang=en"):
        page = site_page(url)
        tile = page.locator("[data-tile='C4prabowo'] ._aagw")
        [entry] = assert_not_held(page, tile.dblclick, log="tileDblclick")
        assert entry["post"] == "C4prabowo"
        assert [e["trusted"] for e in site_log(page, "openPost")] == [True, True]


# ── a post as its own /p/ page (audit §3 row 3) ────────────────────────────────────────────────

POST_PAGE = "main[data-post='C1prabowo']"


def test_post_page_like_and_double_click(site_page, companion, ui):
    page = site_page(ORIGIN + "/p/C1prabowo/")
    wait_classified(page)
    assert page.locator("main article").count() == 0
    assert_warns_then_cancel(
        page,
        page.locator(like_button(POST_PAGE)).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("instagram", "like"),
        entity_ids=["paslon-2024-02"],
    )
    assert_proceeds_once(
        page,
        page.locator(f"{POST_PAGE} ._aagw").first.dblclick,
        log="like",
        expect={"post": "C1prabowo", "via": "dblclick"},
    )
    # The "more posts" tiles below the post are links, not the post's media.
    assert_not_held(
        page, page.locator(f"{POST_PAGE} [data-tile] ._aagw").first.dblclick, log="tileDblclick"
    )


def test_post_page_comment_and_share_in_english(site_page, companion):
    page = site_page(ORIGIN + "/p/C1prabowo/?lang=en")
    wait_classified(page)
    box = page.locator(f"{POST_PAGE} textarea[placeholder='Add a comment…']")
    box.type("Semoga sehat selalu")
    assert_proceeds_once(
        page,
        lambda: box.press("Enter"),
        log="comment",
        expect={"post": "C1prabowo", "text": "Semoga sehat selalu"},
        companion=companion,
        ack=("instagram", "comment"),
    )
    assert_proceeds_once(
        page,
        page.locator(f"{POST_PAGE} svg[aria-label='Share']").click,
        log="share",
        then=page.locator("[role='dialog'] [role='button']", has_text="Send").click,
    )


# ── Reels (audit §3 rows 4 and 16) ─────────────────────────────────────────────────────────────

REEL = "[data-reel='R1prabowo']"
ORDINARY_REEL = "[data-reel='R2kucing']"


def test_reels_like_double_click_and_follow(site_page, companion, ui):
    page = site_page(ORIGIN + "/reels/")
    wait_classified(page)
    assert_warns_then_cancel(
        page,
        page.locator(like_button(REEL)).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("instagram", "like"),
    )
    assert_proceeds_once(
        page,
        page.locator(f"{REEL} video").dblclick,
        log="like",
        expect={"post": "R1prabowo", "via": "dblclick"},
    )
    assert_warns_then_cancel(
        page,
        page.locator(f"{REEL} [data-follow]").click,
        logs=("follow",),
        texts=(ui("actionFollow"),),
    )


def test_reels_ordinary_like_and_comment_input_in_english(site_page, companion):
    page = site_page(ORIGIN + "/reels/?lang=en")
    wait_classified(page)
    assert_not_held(page, page.locator(f"{ORDINARY_REEL} svg[aria-label='Like']").click, log="like")
    page.locator(f"{ORDINARY_REEL} svg[aria-label='Comment']").click()
    wait_log(page, "openComment")
    box = page.locator("#reel-comments input[placeholder='Add a comment…']")
    entry = assert_draft_kept_on_cancel(
        page,
        box,
        "Coblos Prabowo nomor urut 2",
        send=lambda: box.press("Enter"),
        resend=page.locator("#reel-comments [role='button']", has_text="Post").click,
        log="comment",
        value=Locator.input_value,
        companion=companion,
        ack=("instagram", "comment"),
    )
    assert entry["post"] == "R2kucing"
    assert_warns_then_cancel(
        page, page.locator(f"{REEL} svg[aria-label='Share']").click, logs=("openShare",)
    )
