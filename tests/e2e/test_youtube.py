"""YouTube end to end on www.youtube.com: like, comment (top-level box and replies), share (action
row, overflow menu, share panel), subscribe, on the watch page, Shorts and a channel page, in the
Indonesian and English interfaces; and SPA navigation that reuses the watch page's element."""

from __future__ import annotations

import pytest
from e2e_testkit import CANDIDATE, wait_classified
from site_scenarios import (
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_not_held,
    assert_ordinary_draft_sent_at_once,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
    click_in_turn,
)

ORIGIN = "https://www.youtube.com"
LIKE = "ytd-watch-metadata like-button-view-model button"
SHARE = "ytd-watch-metadata button[data-act='share']"
PLACEHOLDER = "ytd-comment-simplebox-renderer #placeholder-area"
BOX = "ytd-comment-simplebox-renderer #contenteditable-root"
SUBMIT = "ytd-comment-simplebox-renderer #submit-button button"
COPY = "ytd-unified-share-panel-renderer #copy-button button"
CANDIDATE_SHORT = "ytd-reel-video-renderer[data-short='gemoy02']"
ORDINARY_SHORT = "ytd-reel-video-renderer[data-short='sambal01']"
LANGS = ["id", "en"]

watch = classified_page(ORIGIN + "/watch?v=pbw2024")


def opened(site_page, path: str, lang: str):
    """A tab on `path` in the `lang` interface, once the posts in view were classified."""
    joiner = "&" if "?" in path else "?"
    page = site_page(ORIGIN + path + (f"{joiner}lang=en" if lang == "en" else ""))
    wait_classified(page)
    return page


def classified(page) -> int:
    return int(page.evaluate("document.documentElement.dataset.netralClassified || 0"))


def open_comment_box(page):
    page.locator(PLACEHOLDER).click()
    return page.locator(BOX)


# ── watch page: like ─────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_like_warns_then_cancel_drops_it(site_page, companion, ui, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    assert_warns_then_cancel(
        page,
        page.locator(LIKE).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("youtube", "like"),
    )
    assert page.locator(LIKE).get_attribute("aria-pressed") == "false"


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


# ── watch page: comments ─────────────────────────────────────────────────────────────────────────
def test_top_level_comment_draft_is_kept_on_cancel_then_sent_once(site_page, companion, ui):
    # Written in ytd-comment-simplebox-renderer, which the table did not know before the 2026 audit.
    page = opened(site_page, "/watch?v=resep01", "id")
    assert_draft_kept_on_cancel(
        page,
        open_comment_box(page),
        "Ayo coblos Prabowo nomor urut 2",
        send=page.locator(SUBMIT).click,
        log="comment",
        texts=(ui("actionComment"),),
        companion=companion,
        ack=("youtube", "comment"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_ordinary_comment_on_a_candidate_video_is_held_as_a_comment_on_it(site_page, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    box = open_comment_box(page)
    box.click()
    box.type("Semoga lancar")
    assert_warns_then_cancel(
        page, page.locator(SUBMIT).click, logs=("comment",), texts=(CANDIDATE,)
    )
    assert box.inner_text() == "Semoga lancar"


def test_ordinary_comment_on_an_ordinary_video_is_sent_at_once(site_page):
    page = opened(site_page, "/watch?v=resep01", "en")
    box = open_comment_box(page)
    entry = assert_ordinary_draft_sent_at_once(
        page, box, "Looks delicious", send=page.locator(SUBMIT).click, log="comment"
    )
    assert entry["text"] == "Looks delicious"


def test_reply_button_on_a_campaign_comment_warns(site_page, companion):
    page = opened(site_page, "/watch?v=resep01", "id")
    assert_warns_then_cancel(
        page,
        page.locator("[data-comment='k2'] #reply-button-end button").click,
        logs=("openReply",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("youtube", "comment"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_reply_is_a_comment_on_the_comment_it_answers(site_page, lang):
    # An ordinary reply to an ordinary comment under the candidate's video: the reply box sits in
    # the thread, outside the comment, so it must not be taken for a comment on the video.
    page = opened(site_page, "/watch?v=pbw2024", lang)
    page.locator("[data-comment='k1'] #reply-button-end button").click()
    box = page.locator("ytd-comment-replies-renderer ytd-commentbox #contenteditable-root")
    send = page.locator("ytd-comment-replies-renderer ytd-commentbox #submit-button button").click
    entry = assert_ordinary_draft_sent_at_once(page, box, "Aamiin", send=send, log="reply")
    assert entry["comment"] == "k1"


def test_liking_an_ordinary_comment_is_untouched(watch):
    assert_passes_without_warning(
        watch, watch.locator("ytd-comment-view-model #like-button button").click, log="likeComment"
    )


# ── watch page: share ────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_share_warns_once_then_copy_link(site_page, companion, ui, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    assert_proceeds_once(
        page,
        page.locator(SHARE).click,
        log="copyLink",
        then=page.locator(COPY).click,
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("youtube", "share"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_share_from_the_overflow_menu_warns_then_cancel(site_page, companion, lang):
    # A narrow action row moves Share into the "…" listbox in ytd-popup-container, outside the
    # video.
    page = opened(site_page, "/watch?v=pbw2024&narrow=1", lang)
    assert page.locator(SHARE).count() == 0
    assert_warns_then_cancel(
        page,
        click_in_turn(
            page.locator("ytd-watch-metadata button[data-act='more']"),
            page.locator("tp-yt-paper-listbox tp-yt-paper-item"),
        ),
        logs=("openShare",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("youtube", "share"),
    )


def test_overflow_share_of_an_ordinary_video_is_untouched(site_page):
    page = opened(site_page, "/watch?v=resep01&narrow=1", "id")
    page.locator("ytd-watch-metadata button[data-act='more']").click()
    assert_not_held(
        page, page.locator("tp-yt-paper-listbox tp-yt-paper-item").click, log="openShare"
    )


# ── subscribe ────────────────────────────────────────────────────────────────────────────────────
def test_subscribe_on_the_watch_page_in_english(site_page, ui):
    page = opened(site_page, "/watch?v=pbw2024", "en")
    assert_proceeds_once(
        page,
        page.locator("button[aria-label='Subscribe to Prabowo Subianto.']").click,
        log="subscribe",
        texts=(ui("actionFollow"),),
    )


def test_subscribe_on_the_watch_page_in_indonesian(site_page, companion):
    page = opened(site_page, "/watch?v=pbw2024", "id")
    assert_warns_then_cancel(
        page,
        page.locator("button[aria-label='Subscribe ke Prabowo Subianto.']").click,
        logs=("subscribe",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("youtube", "follow"),
    )


def test_subscribe_on_a_channel_page_and_an_ordinary_one(site_page):
    page = site_page(ORIGIN + "/@prabowo")
    assert_warns_then_cancel(
        page,
        page.locator("yt-subscribe-button-view-model button").click,
        logs=("subscribe",),
        texts=(CANDIDATE,),
    )
    other = site_page(ORIGIN + "/@dapuribu?lang=en")
    assert_passes_without_warning(
        other, other.locator("yt-subscribe-button-view-model button").click, log="subscribe"
    )


# ── Shorts (reel-action-bar-view-model) ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_liking_a_campaign_short_warns_then_cancel(site_page, companion, ui, lang):
    page = opened(site_page, "/shorts/gemoy02", lang)
    assert_warns_then_cancel(
        page,
        page.locator(
            f"{CANDIDATE_SHORT} reel-action-bar-view-model like-button-view-model button"
        ).click,
        logs=("likeShort",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("youtube", "like"),
    )


def test_liking_a_campaign_short_proceeds_once_and_an_ordinary_one_is_untouched(site_page):
    page = opened(site_page, "/shorts/gemoy02", "id")
    like = "reel-action-bar-view-model like-button-view-model button"
    assert_proceeds_once(
        page,
        page.locator(f"{CANDIDATE_SHORT} {like}").click,
        log="likeShort",
        expect={"short": "gemoy02"},
    )
    page.evaluate("window.__siteLog.length = 0")
    [entry] = assert_not_held(page, page.locator(f"{ORDINARY_SHORT} {like}").click, log="likeShort")
    assert entry["short"] == "sambal01"


@pytest.mark.parametrize("lang", LANGS)
def test_sharing_a_campaign_short_warns(site_page, companion, ui, lang):
    page = opened(site_page, "/shorts/gemoy02", lang)
    label = {"id": "Bagikan", "en": "Share"}[lang]
    assert_warns_then_cancel(
        page,
        page.locator(
            f"{CANDIDATE_SHORT} reel-action-bar-view-model button[aria-label='{label}']"
        ).click,
        logs=("openShare",),
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("youtube", "share"),
    )


def test_subscribing_from_a_short_warns_about_its_channel(site_page, companion):
    page = opened(site_page, "/shorts/gemoy02", "en")
    assert_warns_then_cancel(
        page,
        page.locator(
            f"{CANDIDATE_SHORT} yt-reel-channel-bar-view-model button[data-act='subscribe']"
        ).click,
        logs=("subscribe",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("youtube", "follow"),
    )


def test_opening_a_shorts_comment_panel_is_not_an_action(site_page):
    page = opened(site_page, "/shorts/gemoy02", "id")
    assert_not_held(
        page,
        page.locator(
            f"{CANDIDATE_SHORT} reel-action-bar-view-model button[data-act='shortComments']"
        ).click,
        log="openComments",
    )
