"""X end to end: every action of the spec's table, held before the site sees it (x.com fixture)."""

from __future__ import annotations

from e2e_testkit import (
    CANDIDATE,
    press_warning_button,
    site_log,
    wait_classified,
    wait_for_warning,
    warning_text,
    warning_verdict,
)
from playwright.sync_api import Locator, Page
from site_scenarios import (
    assert_cancel_then_proceed,
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_keyboard_proceeds_once,
    assert_not_held,
    assert_ordinary_draft_sent_at_once,
    assert_proceeds_once,
    assert_warns_then_cancel,
    classified_page,
    click_in_turn,
    focus_and_press,
)

HOME = "https://x.com/home"
PRABOWO = "article[data-post='1001']"
ALLOWED = "article[data-post='1002']"
REPOST = "article[data-post='1003']"
PARTY = "article[data-post='1004']"
REPLY_BOX = "[role='dialog'] [data-testid='tweetTextarea_0']"

home = classified_page(HOME)


def control(page: Page, post: str, testid: str) -> Locator:
    return page.locator(f"{post} [data-testid='{testid}']")


def repost(page: Page, post: str):
    """The repost menu, then its "Posting ulang" item (outside the post)."""
    return click_in_turn(
        control(page, post, "retweet"), page.locator("[data-testid='retweetConfirm']")
    )


def test_like_warns_naming_entity_signals_and_law_then_cancel_drops_it(home, companion, ui):
    texts = [
        CANDIDATE,
        ui("signalAccount", "prabowo"),
        ui("signalHashtag", "PrabowoGibran2024"),
        ui("actionLike"),
        "SKB 2/2022",
        "hukuman disiplin",
        ui("warningProceed"),
        ui("warningCancel"),
    ]
    if ui.lang == "id":
        texts += ["Saya mengerti, lanjutkan", "Batal", "akun @prabowo"]
    assert_warns_then_cancel(
        home,
        control(home, PRABOWO, "like").click,
        logs=("like",),
        texts=tuple(texts),
        companion=companion,
        ack=("x", "like"),
        entity_ids=["paslon-2024-02"],
    )


def test_like_proceed_reaches_the_site_exactly_once(home, companion):
    assert_proceeds_once(
        home,
        control(home, PRABOWO, "like").click,
        log="like",
        expect={"post": "1001"},
        companion=companion,
        ack=("x", "like"),
    )
    # Focus went back to the control the user pressed (now the "unlike" button).
    assert home.evaluate("document.activeElement.dataset.testid") == "unlike"


def test_allowed_post_is_not_held_at_all(home):
    # The site received the user's own trusted event, not a replay: nothing was held.
    assert_not_held(home, control(home, ALLOWED, "like").click, log="like")


def test_cold_posts_are_checked_at_click_time(home, ui):
    home.evaluate("""window.__insertPost({id: "1101", name: "Relawan 02", handle: "relawan02",
                     text: "Ayo dukung Prabowo, coblos nomor urut 2"})""")
    home.evaluate("""window.__insertPost({id: "1102", name: "Dapur Ibu", handle: "dapuribu",
                     text: "Sambal matah paling enak"})""")
    home.locator("article[data-post='1101'] [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("signalName", "prabowo") in warning_text(home)
    press_warning_button(home, "cancel")
    home.locator("article[data-post='1102'] [data-testid='like']").click()
    home.wait_for_function("window.__siteLog.some((e) => e.action === 'like' && e.post === '1102')")
    assert warning_verdict(home) is None
    assert [e["post"] for e in site_log(home, "like")] == ["1102"]


def test_repost_of_a_candidate_names_the_original_author(home, ui):
    assert_warns_then_cancel(
        home,
        control(home, REPOST, "like").click,
        logs=("like",),
        texts=(ui("signalAccount", "gibran_tweet"),),
    )


def test_repost_from_the_menu_outside_the_post(home, companion, ui):
    assert_proceeds_once(
        home,
        repost(home, PRABOWO),
        log="repost",
        expect={"post": "1001"},
        texts=(ui("actionShare"),),
        companion=companion,
        ack=("x", "share"),
    )


def test_quote_is_a_share(home):
    quote = home.locator("[role='menu'] a[role='menuitem']", has_text="Kutip")
    assert_warns_then_cancel(
        home, click_in_turn(control(home, PRABOWO, "retweet"), quote), logs=("quote",)
    )


def test_party_share_is_blocked_without_a_proceed_button(home, companion):
    assert_warns_then_cancel(
        home,
        repost(home, PARTY),
        logs=("repost",),
        texts=("Partai Contoh",),
        verdict="block",
        companion=companion,
        ack=("x", "share"),
        entity_ids=["partai-contoh"],
    )


def test_copy_link_in_the_english_interface(site_page):
    page = site_page(HOME + "?lang=en")
    wait_classified(page)
    share = page.locator(f"{PRABOWO} [aria-label='Share post']")
    copy_link = page.locator("[role='menuitem']", has_text="Copy link")
    assert_proceeds_once(
        page, click_in_turn(share, copy_link), log="copyLink", expect={"post": "1001"}
    )


def test_follow_a_candidate_account_and_an_ordinary_one(home, companion, ui):
    before = len(companion.acknowledgements())
    assert_proceeds_once(
        home,
        home.locator("[aria-label='Ikuti @prabowo']").click,
        log="follow",
        texts=(ui("actionFollow"),),
        companion=companion,
        ack=("x", "follow"),
    )
    home.locator("[aria-label='Ikuti @kucingoren']").click()
    home.wait_for_function("window.__siteLog.filter((e) => e.action === 'follow').length === 2")
    assert warning_verdict(home) is None
    assert [e["user"] for e in site_log(home, "follow")] == ["prabowo", "kucingoren"]
    assert len(companion.acknowledgements()) == before + 1


def test_reply_warns_once_then_the_reply_is_sent(home, ui):
    box = home.locator(REPLY_BOX)

    def write_and_send() -> None:
        box.click()
        box.type("Semoga lancar acaranya")
        home.locator("[data-testid='tweetButton']").click()

    # No second warning: already acknowledged for this post and these entities.
    assert_proceeds_once(
        home,
        control(home, PRABOWO, "reply").click,
        log="reply",
        then=write_and_send,
        expect={"text": "Semoga lancar acaranya"},
        texts=(ui("actionComment"),),
    )


def test_ctrl_enter_reply_with_a_campaign_draft_keeps_the_draft_on_cancel(home, companion):
    control(home, ALLOWED, "reply").click()
    box = home.locator(REPLY_BOX)

    def focus_back_in_the_box() -> None:
        assert home.evaluate("document.activeElement.dataset.testid") == "tweetTextarea_0"

    assert_draft_kept_on_cancel(
        home,
        box,
        "Jangan lupa coblos Prabowo",
        send=lambda: box.press("Control+Enter"),
        log="reply",
        after_cancel=focus_back_in_the_box,
        companion=companion,
        ack=("x", "comment"),
    )


def test_an_ordinary_draft_is_sent_without_delay(home):
    control(home, ALLOWED, "reply").click()
    box = home.locator(REPLY_BOX)
    assert_ordinary_draft_sent_at_once(
        home,
        box,
        "Setuju, sarapan itu penting",
        send=lambda: box.press("Control+Enter"),
        log="reply",
    )


def test_new_post_with_campaign_text_is_a_post_action(home, companion, ui):
    box = home.locator("main [data-testid='tweetTextarea_0']")
    box.click()
    box.type("Ayo menangkan #PrabowoGibran2024")
    assert_warns_then_cancel(
        home,
        home.locator("[data-testid='tweetButtonInline']").click,
        logs=("post",),
        texts=(ui("actionPost"),),
        companion=companion,
        ack=("x", "post"),
    )


def test_keyboard_shortcut_l_on_the_focused_post(home):
    assert_cancel_then_proceed(home, focus_and_press(home.locator(PRABOWO), "l"), log="like")


def test_shortcut_t_then_keyboard_repost_in_the_menu_warns_once(home):
    def repost_from_the_menu() -> None:
        home.wait_for_selector("[data-testid='retweetConfirm']")
        home.keyboard.press("Enter")  # the menu focused its first item, "Posting ulang"

    assert_proceeds_once(
        home,
        focus_and_press(home.locator(PRABOWO), "t"),
        log="repost",
        then=repost_from_the_menu,
        expect={"post": "1001"},
    )
    assert len(site_log(home, "openRepostMenu")) == 1


def test_shortcut_r_opens_the_reply_only_after_proceed(home):
    assert_warns_then_cancel(home, focus_and_press(home.locator(PRABOWO), "r"), logs=("openReply",))


def test_keyboard_activation_of_the_like_button(home):
    like = control(home, PRABOWO, "like")
    assert_keyboard_cancel(home, like, "Enter", log="like")
    # Focus starts on "Batal"; Tab moves to the proceed button inside the dialog; Enter proceeds.
    assert_keyboard_proceeds_once(home, like, "Space", log="like")
