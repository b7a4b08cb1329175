"""X end to end: every action of the spec's table, held before the site sees it (x.com fixture)."""

from __future__ import annotations

import pytest
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


READS = """() => {
    window.__reads = 0;
    new PerformanceObserver((list) => {
        window.__reads += list.getEntriesByName('netral:read').length;
    }).observe({entryTypes: ['mark']});
}"""


def test_an_allowed_post_liked_and_unliked_is_not_read_again_but_new_words_are(home, ui):
    """A like rewrites the action bar's labels (volatile): the next likes of the classified post
    pass without reading it (3 likes, 3 unlikes, 0 reads). The same element given a candidate's
    words (a recycled element) is read at the next like and warns."""
    home.evaluate(READS)
    like = home.locator(f"{ALLOWED} :is([data-testid='like'], [data-testid='unlike'])")
    for _ in range(6):
        like.click()
    home.wait_for_function("window.__siteLog.filter((e) => e.action === 'unlike').length === 3")
    assert len(site_log(home, "like")) == 3
    assert warning_verdict(home) is None
    home.wait_for_timeout(100)  # the reads' marks are delivered to the observer in a task
    assert home.evaluate("window.__reads") == 0
    home.locator(f"{ALLOWED} [data-testid='tweetText']").evaluate(
        "(text) => { text.textContent = 'Ayo dukung Prabowo, coblos nomor urut 2'; }")
    like.click()
    assert wait_for_warning(home) == "warn"
    assert ui("signalName", "prabowo") in warning_text(home)
    assert home.evaluate("window.__reads") >= 1
    press_warning_button(home, "cancel")
    assert len(site_log(home, "like")) == 3


def test_a_post_changed_while_it_is_classified_is_read_again_at_the_click(home, ui):
    """The post's words change after it was read for its classification and before the answer
    (the page rewrites it as soon as the batch is sent): the answer is about the old words, so the
    like reads the post again and warns about the new ones."""
    home.evaluate("""() => new PerformanceObserver((list, observer) => {
        const post = document.querySelector("article[data-post='1201'] [data-testid='tweetText']");
        if (!post || !list.getEntriesByName('netral:classify-sent').length) return;
        observer.disconnect();
        post.textContent = 'Ayo dukung Prabowo, coblos nomor urut 2';
        window.__rewritten = true;
    }).observe({entryTypes: ['mark']})""")
    batches = home.evaluate("Number(document.documentElement.dataset.netralClassified || 0)")
    home.evaluate("""window.__insertPost({id: "1201", name: "Dapur Ibu", handle: "dapuribu",
                     text: "Sambal matah paling enak"})""")
    home.wait_for_function("window.__rewritten === true")
    home.wait_for_function(
        f"Number(document.documentElement.dataset.netralClassified) > {batches}")
    home.locator("article[data-post='1201'] [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("signalName", "prabowo") in warning_text(home)
    press_warning_button(home, "cancel")
    assert site_log(home, "like") == []


def test_a_post_classified_ahead_is_not_read_again_to_warn(home, ui):
    """The post read for its classification, unchanged since, is what the warning uses: pointing
    at its like and clicking it reads nothing (0 reads), and the warning still shows the hashtag
    in the spelling the post has."""
    home.evaluate(READS)
    control(home, PRABOWO, "like").hover()
    control(home, PRABOWO, "like").click()
    assert wait_for_warning(home) == "warn"
    assert ui("signalHashtag", "PrabowoGibran2024") in warning_text(home)
    home.wait_for_timeout(100)
    assert home.evaluate("window.__reads") == 0
    press_warning_button(home, "cancel")


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
    quote = home.locator("[data-testid='Dropdown'] a[role='menuitem']", has_text="Kutip")
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


# ── layouts and menu variants of the audit (docs/sites/x.md) ──────────────────────────────


def x_page(site_page, url: str, lang: str):
    """A classified tab on `url` in the Indonesian or English interface."""
    if lang == "en":
        url += ("&" if "?" in url else "?") + "lang=en"
    page = site_page(url)
    wait_classified(page)
    return page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_repost_from_the_2026_menu_item_repost_confirm(site_page, companion, lang):
    page = x_page(site_page, HOME + "?menu=2026", lang)
    assert_proceeds_once(
        page,
        click_in_turn(
            control(page, PRABOWO, "retweet"), page.locator("[data-testid='repostConfirm']")
        ),
        log="repost",
        expect={"post": "1001"},
        companion=companion,
        ack=("x", "share"),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("menu", ["", "2026"])
def test_quote_is_found_as_the_item_after_repost_or_undo(site_page, companion, lang, menu):
    # ?reposted=1001: the menu shows the undo item (unretweetConfirm | unrepostConfirm), then Quote.
    page = x_page(site_page, f"{HOME}?menu={menu}&reposted=1001", lang)
    undo = "unrepostConfirm" if menu else "unretweetConfirm"
    quote = page.locator(f"[data-testid='Dropdown'] [data-testid='{undo}'] + [role='menuitem']")
    assert_warns_then_cancel(
        page,
        click_in_turn(control(page, PRABOWO, "unretweet"), quote),
        logs=("quote",),
        companion=companion,
        ack=("x", "share"),
    )


def test_indonesian_quote_item_kutipan_is_held_by_its_position(site_page):
    # "Kutipan" is in no label rule: only the structural rule can hold it.
    page = x_page(site_page, HOME + "?menu=2026", "id")
    quote = page.locator("[role='menuitem']", has_text="Kutipan")
    assert_warns_then_cancel(
        page, click_in_turn(control(page, PRABOWO, "retweet"), quote), logs=("quote",)
    )


@pytest.mark.parametrize("menu", ["", "2026"])
def test_undo_repost_is_not_held(site_page, menu):
    page = x_page(site_page, f"{HOME}?menu={menu}&reposted=1001", "id")
    undo = "unrepostConfirm" if menu else "unretweetConfirm"
    control(page, PRABOWO, "unretweet").click()
    assert_not_held(page, page.locator(f"[data-testid='{undo}']").click, log="unrepost")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_like_of_a_post_quoting_a_candidate_names_the_quoted_author(site_page, ui, lang):
    page = x_page(site_page, HOME, lang)
    assert_warns_then_cancel(
        page,
        control(page, "article[data-post='1006']", "like").click,
        logs=("like",),
        texts=(ui("signalAccount", "prabowo"),),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_like_in_both_interfaces(site_page, companion, ui, lang):
    page = x_page(site_page, HOME, lang)
    assert page.evaluate("document.documentElement.lang") == lang
    assert_proceeds_once(
        page,
        control(page, PRABOWO, "like").click,
        log="like",
        expect={"post": "1001"},
        texts=(ui("actionLike"),),
        companion=companion,
        ack=("x", "like"),
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_inline_reply_on_the_status_page_answers_the_focused_post(site_page, companion, ui, lang):
    page = x_page(site_page, "https://x.com/prabowo/status/1001", lang)
    assert page.locator("article[data-post='1001'][tabindex='-1']").count() == 1
    box = page.locator("main [data-testid='tweetTextarea_0']")

    def write_and_send() -> None:
        box.click()
        box.type("Semoga lancar acaranya")
        page.locator("main [data-testid='tweetButtonInline']").click()

    assert_proceeds_once(
        page,
        write_and_send,
        log="reply",
        expect={"post": "1001", "text": "Semoga lancar acaranya"},
        texts=(ui("actionComment"), ui("signalAccount", "prabowo")),
        companion=companion,
        ack=("x", "comment"),
    )


def test_quote_composed_through_the_url_is_a_share_of_that_post(site_page, companion, ui):
    quoted = "https%3A%2F%2Fx.com%2Fprabowo%2Fstatus%2F1001"
    page = x_page(site_page, f"https://x.com/compose/post?url={quoted}", "id")
    box = page.locator(REPLY_BOX)
    box.click()
    box.type("Setuju sekali")
    assert_warns_then_cancel(
        page,
        page.locator("[data-testid='tweetButton']").click,
        logs=("quote",),
        texts=(ui("actionShare"), ui("signalAccount", "prabowo")),
        companion=companion,
        ack=("x", "share"),
    )
    assert box.inner_text() == "Setuju sekali"


def test_reply_composed_through_the_url_is_a_comment_on_that_post(site_page, companion):
    page = x_page(site_page, "https://x.com/compose/post?in_reply_to=1001", "en")
    box = page.locator(REPLY_BOX)
    box.click()
    box.type("Good luck")
    assert_proceeds_once(
        page,
        page.locator("[data-testid='tweetButton']").click,
        log="reply",
        expect={"post": "1001", "text": "Good luck"},
        companion=companion,
        ack=("x", "comment"),
    )


def test_textarea_composer_of_small_layouts(site_page, companion):
    page = x_page(site_page, HOME + "?composer=textarea", "id")
    box = page.locator("main textarea[data-testid='tweetTextarea_0']")
    assert_draft_kept_on_cancel(
        page,
        box,
        "Ayo menangkan #PrabowoGibran2024",
        send=lambda: box.press("Control+Enter"),
        resend=page.locator("[data-testid='tweetButtonInline']").click,
        log="post",
        companion=companion,
        ack=("x", "post"),
        value=Locator.input_value,
    )
