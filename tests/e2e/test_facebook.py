"""Facebook end to end, in the Indonesian and the English interface: like and every reaction,
comment, each share step, follow and join, on the 2026 feed (posts with no role=article, bounded
by their menu), the comments dialog, a permalink, profile and group pages (fixtures/facebook)."""

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
    click_in_turn,
    focus_and_press,
)

ORIGIN = "https://www.facebook.com"
PERMALINK = "/prabowo/posts/pfbid0f1"
PRABOWO = "[data-post='f1']"
ALLOWED = "[data-post='f2']"
PARTY = "[data-post='f3']"
FEED = "#mount_0_0_Xy"  # the page; the comments dialog, menus and the flyout are layers outside it
LAYERS = "#layers"

# The fixture's labels per interface language (sources in the fixture and docs/sites/facebook.md).
LABELS = {
    "id": {
        "reactions": ("Super", "Marah"),
        "unlike": "Hapus Suka",
        "shareNow": "Bagikan sekarang (Publik)",
        "toFeed": "Bagikan ke Kabar",
        "post": "Posting",
        "copy": "Salin tautan",
        "send": "Kirim komentar",
        "dialogSend": "Kirim",
        "follow": "Ikuti",
        "join": "Gabung ke grup",
    },
    "en": {
        "reactions": ("Love", "Angry"),
        "unlike": "Remove Like",
        "shareNow": "Share now (Public)",
        "toFeed": "Share to Feed",
        "post": "Post",
        "copy": "Copy link",
        "send": "Post comment",
        "dialogSend": "Send",
        "follow": "Follow",
        "join": "Join group",
    },
}
LANGS = list(LABELS)


def url(path: str, lang: str) -> str:
    return ORIGIN + path + ("?lang=en" if lang == "en" else "")


@pytest.fixture(params=LANGS)
def lang(request) -> str:
    return request.param


@pytest.fixture
def feed(site_page, lang):
    page = site_page(url("/", lang))
    wait_classified(page)
    return page


@pytest.fixture
def permalink(site_page, lang):
    page = site_page(url(PERMALINK, lang))
    wait_classified(page)
    return page


def like_button(post: str, where: str = FEED) -> str:
    return f"{where} {post} .bar [data-act='like']"


def in_feed(post: str, act: str) -> str:
    return f"{FEED} {post} [data-act='{act}']"


def open_comments(page, post: str):
    """Clicks the post's comment button (no warning) and returns the comments dialog's box."""
    page.locator(f"{FEED} {post} .bar [data-act='comment']").click()
    box = page.locator(f"{LAYERS} {post} [role='textbox']")
    box.wait_for()
    return box


# ── the 2026 feed ─────────────────────────────────────────────────────────────────────────────


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


def test_unlike_of_a_liked_post_is_not_held(site_page, lang):
    page = site_page(url("/", lang) + ("&" if lang == "en" else "?") + "liked=f1")
    wait_classified(page)
    like = page.locator(like_button(PRABOWO))
    assert like.get_attribute("aria-label") == LABELS[lang]["unlike"]
    assert_not_held(page, like.click, log="unlike")


def test_allowed_post_and_comment_likes_pass_untouched(feed):
    likes = assert_not_held(
        feed,
        click_in_turn(
            feed.locator(like_button(ALLOWED)),
            feed.locator(f"{FEED} {ALLOWED} [data-comment='c1'] [data-act='likeComment']"),
        ),
        log="like",
        count=2,
    )
    assert [(e["post"], e.get("comment")) for e in likes] == [("f2", None), ("f2", "c1")]


@pytest.mark.parametrize("which", [0, 1])
def test_every_reaction_from_the_hover_flyout(feed, lang, which):
    reaction = LABELS[lang]["reactions"][which]

    def react() -> None:
        feed.locator(like_button(PRABOWO)).hover()
        feed.locator(f"#flyout [aria-label='{reaction}']").click()

    assert_proceeds_once(feed, react, log="react", expect={"reaction": reaction, "post": "f1"})


def test_reaction_on_an_ordinary_post_is_not_held(feed, lang):
    reaction = LABELS[lang]["reactions"][0]

    def react() -> None:
        feed.locator(like_button(ALLOWED)).hover()
        feed.locator(f"#flyout [aria-label='{reaction}']").click()

    [entry] = assert_not_held(feed, react, log="react")
    assert entry["post"] == "f2"


def test_keyboard_activation_of_a_div_button(feed):
    like = feed.locator(like_button(PRABOWO))
    assert_cancel_then_proceed(
        feed, focus_and_press(like, "Enter"), again=focus_and_press(like, "Space"), log="like"
    )


def test_share_now_from_the_share_menu(feed, lang, companion, ui):
    feed.locator(in_feed(PRABOWO, "share")).click()  # opens the menu: not itself a share
    settle(feed)
    assert warning_verdict(feed) is None
    share_now = feed.locator(f"{LAYERS} [role='menuitem']", has_text=LABELS[lang]["shareNow"])
    assert_warns_then_cancel(
        feed,
        share_now.click,
        logs=("shareNow",),
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("facebook", "share"),
    )
    assert_proceeds_once(
        feed,
        click_in_turn(feed.locator(in_feed(PRABOWO, "share")), share_now),
        log="shareNow",
        expect={"post": "f1"},
    )


def test_share_to_feed_is_held_at_the_publishing_step(feed, lang):
    labels = LABELS[lang]
    feed.locator(in_feed(PRABOWO, "share")).click()
    feed.locator(f"{LAYERS} [role='menuitem']", has_text=labels["toFeed"]).click()
    settle(feed)
    assert warning_verdict(feed) is None  # choosing where to share publishes nothing yet
    assert_proceeds_once(
        feed,
        feed.locator(f"{LAYERS} [aria-label='{labels['post']}']").click,
        log="shareToFeed",
        expect={"post": "f1"},
    )


def test_copy_link_is_held(feed, lang):
    assert_warns_then_cancel(
        feed,
        click_in_turn(
            feed.locator(in_feed(PRABOWO, "share")),
            feed.locator(f"{LAYERS} [role='menuitem']", has_text=LABELS[lang]["copy"]),
        ),
        logs=("copyLink",),
    )


def test_blocked_party_share(feed, lang):
    assert_warns_then_cancel(
        feed,
        click_in_turn(
            feed.locator(in_feed(PARTY, "share")),
            feed.locator(f"{LAYERS} [role='menuitem']", has_text=LABELS[lang]["shareNow"]),
        ),
        logs=("shareNow",),
        verdict="block",
    )


def test_follow_the_author_from_a_post_header(feed, ui):
    assert_proceeds_once(
        feed,
        feed.locator(in_feed(PRABOWO, "followAuthor")).click,
        log="follow",
        texts=(ui("actionFollow"), CANDIDATE),
        expect={"post": "f1"},
    )


# ── the comments dialog ───────────────────────────────────────────────────────────────────────


def test_comment_button_opens_the_dialog_without_a_warning(feed):
    box = open_comments(feed, PRABOWO)
    # In the dialog, the post's own comment button only focuses the box (a "Comment" label too).
    feed.locator(f"{LAYERS} {PRABOWO} .bar [data-act='comment']").click()
    settle(feed)
    assert warning_verdict(feed) is None
    assert box.evaluate("(el) => el === document.activeElement")


def test_share_from_the_comments_dialog(feed, lang):
    open_comments(feed, PRABOWO)
    feed.locator(f"{LAYERS} {PRABOWO} .bar [data-act='share']").click()  # opens the menu
    settle(feed)
    assert warning_verdict(feed) is None
    share_now = feed.locator(f"{LAYERS} [role='menuitem']", has_text=LABELS[lang]["shareNow"])
    assert_proceeds_once(feed, share_now.click, log="shareNow", expect={"post": "f1"})


def test_comment_with_enter_keeps_the_draft_on_cancel(feed, companion, ui):
    box = open_comments(feed, PRABOWO)
    assert_draft_kept_on_cancel(
        feed,
        box,
        "Mantap, semoga sukses",
        send=lambda: box.press("Enter"),
        log="comment",
        texts=(ui("actionComment"), CANDIDATE),
        companion=companion,
        ack=("facebook", "comment"),
    )
    assert box.inner_text() == ""


def test_campaign_comment_on_an_ordinary_post_is_held(feed):
    box = open_comments(feed, ALLOWED)
    box.click()
    box.type("Ayo coblos Prabowo")
    assert_warns_then_cancel(feed, lambda: box.press("Enter"), logs=("comment",))
    assert box.inner_text() == "Ayo coblos Prabowo"
    # Shift+Enter is a new line, not a send.
    box.press("Shift+Enter")
    settle(feed)
    assert warning_verdict(feed) is None
    assert site_log(feed, "comment") == []


def test_ordinary_comment_is_sent_without_delay(feed):
    box = open_comments(feed, ALLOWED)
    assert_ordinary_draft_sent_at_once(
        feed, box, "Indah sekali pemandangannya", send=lambda: box.press("Enter"), log="comment"
    )


def test_send_arrow_labelled_like_a_share_step_checks_the_comment(feed, lang, ui):
    """The dialog's arrow is "Kirim" | "Send", a share-step label too: it sends the comment, so the
    draft is checked (a share of the ordinary post would have let the campaign comment through)."""
    box = open_comments(feed, ALLOWED)
    box.click()
    box.type("Ayo coblos Prabowo")
    send = feed.locator(f"{LAYERS} {ALLOWED} [aria-label='{LABELS[lang]['dialogSend']}']")
    assert_warns_then_cancel(feed, send.click, logs=("comment",), texts=(ui("actionComment"),))
    assert box.inner_text() == "Ayo coblos Prabowo"
    assert_proceeds_once(feed, send.click, log="comment", expect={"post": "f2"})


def test_like_in_the_comments_dialog_after_hovering_a_comment_is_the_posts(feed):
    open_comments(feed, PRABOWO)
    feed.locator(f"{LAYERS} [data-comment='c2'] [dir='auto']").hover()
    assert_proceeds_once(
        feed, feed.locator(like_button(PRABOWO, LAYERS)).click, log="like", expect={"post": "f1"}
    )


# ── a permalink ───────────────────────────────────────────────────────────────────────────────


def test_permalink_like_after_hovering_a_comment_is_the_posts(permalink, companion):
    # The comment (an article, ordinary) was the last thing pointed at; the like is the post's.
    permalink.locator("[data-comment='c2'] [dir='auto']").hover()
    assert_proceeds_once(
        permalink,
        permalink.locator(like_button(PRABOWO)).click,
        log="like",
        expect={"post": "f1"},
        companion=companion,
        ack=("facebook", "like"),
    )


def test_permalink_comment_like_is_the_comments(permalink):
    # A like on an ordinary comment under the candidate's post is about the comment.
    [entry] = assert_not_held(
        permalink,
        permalink.locator("[data-comment='c2'] [data-act='likeComment']").click,
        log="like",
    )
    assert entry["comment"] == "c2"


def test_permalink_comment_send_button(permalink, lang):
    box = permalink.locator(f"{PRABOWO} [role='textbox']")
    box.click()
    box.type("Hadir")
    send = permalink.locator(f"{PRABOWO} [aria-label='{LABELS[lang]['send']}']")
    assert_proceeds_once(permalink, send.click, log="comment", expect={"text": "Hadir"})


def test_permalink_share_from_the_share_dialog(permalink, lang):
    share_now = permalink.locator(
        f"{LAYERS} [role='dialog'] [role='button']", has_text=LABELS[lang]["shareNow"]
    )
    assert_proceeds_once(
        permalink,
        click_in_turn(permalink.locator(f"{FEED} {PRABOWO} .bar [data-act='share']"), share_now),
        log="shareNow",
        expect={"post": "f1"},
    )


# ── profile and group pages ───────────────────────────────────────────────────────────────────


def test_follow_a_candidate_profile(site_page, lang, ui):
    page = site_page(url("/prabowo", lang))
    assert_proceeds_once(
        page,
        page.locator("[data-header] [data-act='follow']").click,
        log="follow",
        texts=(ui("actionFollow"), CANDIDATE),
        expect={"page": "/prabowo", "label": LABELS[lang]["follow"]},
    )


def test_join_a_campaign_group(site_page, lang):
    page = site_page(url("/groups/relawan", lang))
    assert_warns_then_cancel(
        page,
        page.locator("[data-header] [data-act='follow']").click,
        logs=("follow",),
        texts=(CANDIDATE,),
    )
    assert page.locator("[data-header] [data-act='follow']").inner_text() == LABELS[lang]["join"]
