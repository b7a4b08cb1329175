"""YouTube end to end: like, comment, share, subscribe, and SPA navigation that reuses the watch
page's element for the next video (www.youtube.com fixture)."""

from __future__ import annotations

from e2e_testkit import CANDIDATE, wait_classified
from site_scenarios import (
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_not_held,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
)

ORIGIN = "https://www.youtube.com"
LIKE = "like-button-view-model button"
SHARE = "ytd-watch-metadata button[data-act='share']"
BOX = "ytd-commentbox #contenteditable-root"
SUBMIT = "ytd-commentbox #submit-button button"

watch = classified_page(ORIGIN + "/watch?v=pbw2024")


def classified(page) -> int:
    return int(page.evaluate("document.documentElement.dataset.netralClassified || 0"))


def test_like_warns_then_cancel_drops_it(watch, companion, ui):
    assert_warns_then_cancel(
        watch,
        watch.locator(LIKE).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("youtube", "like"),
    )
    assert watch.locator(LIKE).get_attribute("aria-pressed") == "false"


def test_like_proceed_reaches_the_site_exactly_once(watch, companion):
    assert_proceeds_once(
        watch,
        watch.locator(LIKE).click,
        log="like",
        expect={"video": "pbw2024"},
        companion=companion,
        ack=("youtube", "like"),
    )


def test_keyboard_activation_of_the_like_button(watch):
    assert_keyboard_cancel(watch, watch.locator(LIKE), "Enter", log="like")


def test_spa_navigation_reuses_the_watch_element_and_reclassifies(watch, companion):
    before = classified(watch)
    watch.locator("a[data-video='resep01']").click()
    watch.wait_for_function(
        "(n) => Number(document.documentElement.dataset.netralClassified || 0) > n", arg=before
    )
    # Untouched: classified ahead.
    [like] = assert_not_held(watch, watch.locator(LIKE).click, log="like")
    assert like["video"] == "resep01"
    watch.locator("a[data-video='partai01']").click()
    assert_warns_then_cancel(
        watch,
        watch.locator(SHARE).click,
        logs=(),
        verdict="block",
        companion=companion,
        ack=("youtube", "share"),
        entity_ids=["partai-contoh"],
    )


def test_comment_draft_is_kept_on_cancel_then_sent_once(site_page, companion, ui):
    page = site_page(ORIGIN + "/watch?v=resep01")
    wait_classified(page)
    assert_draft_kept_on_cancel(
        page,
        page.locator(BOX),
        "Ayo coblos Prabowo nomor urut 2",
        send=page.locator(SUBMIT).click,
        log="comment",
        texts=(ui("actionComment"),),
        companion=companion,
        ack=("youtube", "comment"),
    )


def test_ordinary_comment_on_a_candidate_video_is_held_as_a_comment_on_it(watch):
    box = watch.locator(BOX)
    box.click()
    box.type("Semoga lancar")
    # A comment on the candidate's video.
    assert_warns_then_cancel(watch, watch.locator(SUBMIT).click, logs=("comment",))
    assert box.inner_text() == "Semoga lancar"


def test_liking_an_ordinary_comment_is_untouched(watch):
    assert_passes_without_warning(
        watch, watch.locator("ytd-comment-view-model #like-button button").click, log="likeComment"
    )


def test_share_warns_once_then_copy_link(watch, companion, ui):
    assert_proceeds_once(
        watch,
        watch.locator(SHARE).click,
        log="copyLink",
        then=watch.locator("ytd-unified-share-panel-renderer #copy-button button").click,
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("youtube", "share"),
    )


def test_subscribe_on_the_watch_page_in_english(site_page, ui):
    page = site_page(ORIGIN + "/watch?v=pbw2024&lang=en")
    wait_classified(page)
    assert_proceeds_once(
        page,
        page.locator("button[aria-label='Subscribe to Prabowo Subianto.']").click,
        log="subscribe",
        texts=(ui("actionFollow"),),
    )


def test_subscribe_on_a_channel_page_and_an_ordinary_one(site_page):
    page = site_page(ORIGIN + "/@prabowo")
    assert_warns_then_cancel(
        page,
        page.locator("yt-subscribe-button-view-model button").click,
        logs=("subscribe",),
        texts=(CANDIDATE,),
    )
    other = site_page(ORIGIN + "/@dapuribu")
    assert_passes_without_warning(
        other, other.locator("yt-subscribe-button-view-model button").click, log="subscribe"
    )
