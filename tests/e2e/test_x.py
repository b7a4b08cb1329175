"""X end to end: every action of the spec's table, held before the site sees it (x.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import (
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    warning_text,
    warning_verdict,
)

HOME = "https://x.com/home"
PRABOWO = "article[data-post='1001']"
ALLOWED = "article[data-post='1002']"
REPOST = "article[data-post='1003']"
PARTY = "article[data-post='1004']"


@pytest.fixture
def home(site_page):
    page = site_page(HOME)
    wait_classified(page)
    return page


def test_like_warns_naming_entity_signals_and_law_then_cancel_drops_it(home, companion, ui):
    before = len(companion.acknowledgements())
    home.locator(f"{PRABOWO} [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    text = warning_text(home)
    assert "Prabowo Subianto – Gibran Rakabuming Raka" in text
    assert ui("signalAccount", "prabowo") in text
    assert ui("signalHashtag", "PrabowoGibran2024") in text
    assert ui("actionLike") in text
    assert "SKB 2/2022" in text and "hukuman disiplin" in text
    assert ui("warningProceed") in text and ui("warningCancel") in text
    if ui.lang == "id":
        assert "Saya mengerti, lanjutkan" in text and "Batal" in text and "akun @prabowo" in text
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "like") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("x", "like", "cancelled")
    assert ack["entity_ids"] == ["paslon-2024-02"]


def test_like_proceed_reaches_the_site_exactly_once(home, companion):
    before = len(companion.acknowledgements())
    home.locator(f"{PRABOWO} [data-testid='like']").click()
    wait_for_warning(home)
    press_warning_button(home, "proceed")
    settle(home)
    assert len(site_log(home, "like")) == 1
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("like", "proceeded")
    # Focus went back to the control the user pressed (now the "unlike" button).
    assert home.evaluate("document.activeElement.dataset.testid") == "unlike"


def test_allowed_post_is_not_held_at_all(home):
    home.locator(f"{ALLOWED} [data-testid='like']").click()
    settle(home, 50)
    assert warning_verdict(home) is None
    [like] = site_log(home, "like")
    # The site received the user's own trusted event, not a replay: nothing was held.
    assert like["trusted"] is True


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
    home.locator(f"{REPOST} [data-testid='like']").click()
    wait_for_warning(home)
    assert ui("signalAccount", "gibran_tweet") in warning_text(home)
    press_warning_button(home, "cancel")


def test_repost_from_the_menu_outside_the_post(home, companion, ui):
    before = len(companion.acknowledgements())
    home.locator(f"{PRABOWO} [data-testid='retweet']").click()
    home.locator("[data-testid='retweetConfirm']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("actionShare") in warning_text(home)
    press_warning_button(home, "proceed")
    settle(home)
    assert [e["post"] for e in site_log(home, "repost")] == ["1001"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "proceeded")


def test_quote_is_a_share(home):
    home.locator(f"{PRABOWO} [data-testid='retweet']").click()
    home.locator("[role='menu'] a[role='menuitem']", has_text="Kutip").click()
    wait_for_warning(home)
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "quote") == []


def test_party_share_is_blocked_without_a_proceed_button(home, companion):
    before = len(companion.acknowledgements())
    home.locator(f"{PARTY} [data-testid='retweet']").click()
    home.locator("[data-testid='retweetConfirm']").click()
    assert wait_for_warning(home) == "block"
    assert home.locator("netral-warning [data-netral-action='proceed']").count() == 0
    assert "Partai Contoh" in warning_text(home)
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "repost") == []
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"], ack["entity_ids"]) == (
        "share",
        "cancelled",
        ["partai-contoh"],
    )


def test_copy_link_in_the_english_interface(site_page):
    page = site_page(HOME + "?lang=en")
    wait_classified(page)
    page.locator(f"{PRABOWO} [aria-label='Share post']").click()
    page.locator("[role='menuitem']", has_text="Copy link").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "proceed")
    settle(page)
    assert [e["post"] for e in site_log(page, "copyLink")] == ["1001"]


def test_follow_a_candidate_account_and_an_ordinary_one(home, companion, ui):
    before = len(companion.acknowledgements())
    home.locator("[aria-label='Ikuti @prabowo']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("actionFollow") in warning_text(home)
    press_warning_button(home, "proceed")
    home.locator("[aria-label='Ikuti @kucingoren']").click()
    home.wait_for_function("window.__siteLog.filter((e) => e.action === 'follow').length === 2")
    assert [e["user"] for e in site_log(home, "follow")] == ["prabowo", "kucingoren"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("follow", "proceeded")


def test_reply_warns_once_then_the_reply_is_sent(home, ui):
    home.locator(f"{PRABOWO} [data-testid='reply']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("actionComment") in warning_text(home)
    press_warning_button(home, "proceed")
    box = home.locator("[role='dialog'] [data-testid='tweetTextarea_0']")
    box.click()
    box.type("Semoga lancar acaranya")
    home.locator("[data-testid='tweetButton']").click()
    settle(home)
    assert warning_verdict(home) is None  # already acknowledged for this post and these entities
    assert [e["text"] for e in site_log(home, "reply")] == ["Semoga lancar acaranya"]


def test_ctrl_enter_reply_with_a_campaign_draft_keeps_the_draft_on_cancel(home, companion):
    before = len(companion.acknowledgements())
    home.locator(f"{ALLOWED} [data-testid='reply']").click()
    box = home.locator("[role='dialog'] [data-testid='tweetTextarea_0']")
    box.type("Jangan lupa coblos Prabowo")
    box.press("Control+Enter")
    assert wait_for_warning(home) == "warn"
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "reply") == []
    assert box.inner_text() == "Jangan lupa coblos Prabowo"
    assert home.evaluate("document.activeElement.dataset.testid") == "tweetTextarea_0"
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("comment", "cancelled")
    box.press("Control+Enter")
    wait_for_warning(home)
    press_warning_button(home, "proceed")
    settle(home)
    assert [e["text"] for e in site_log(home, "reply")] == ["Jangan lupa coblos Prabowo"]


def test_an_ordinary_draft_is_sent_without_delay(home):
    home.locator(f"{ALLOWED} [data-testid='reply']").click()
    box = home.locator("[role='dialog'] [data-testid='tweetTextarea_0']")
    box.type("Setuju, sarapan itu penting")
    settle(home, 400)  # the draft is checked while typing
    box.press("Control+Enter")
    settle(home, 50)
    assert warning_verdict(home) is None
    [reply] = site_log(home, "reply")
    assert reply["trusted"] is True


def test_new_post_with_campaign_text_is_a_post_action(home, companion, ui):
    before = len(companion.acknowledgements())
    box = home.locator("main [data-testid='tweetTextarea_0']")
    box.click()
    box.type("Ayo menangkan #PrabowoGibran2024")
    home.locator("[data-testid='tweetButtonInline']").click()
    assert wait_for_warning(home) == "warn"
    assert ui("actionPost") in warning_text(home)
    press_warning_button(home, "cancel")
    assert site_log(home, "post") == []
    [ack] = new_acks(companion, before)
    assert ack["action"] == "post"


def test_keyboard_shortcut_l_on_the_focused_post(home):
    home.locator(PRABOWO).focus()
    home.keyboard.press("l")
    assert wait_for_warning(home) == "warn"
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "like") == []
    home.locator(PRABOWO).focus()
    home.keyboard.press("l")
    wait_for_warning(home)
    press_warning_button(home, "proceed")
    settle(home)
    assert len(site_log(home, "like")) == 1


def test_shortcut_t_then_keyboard_repost_in_the_menu_warns_once(home):
    home.locator(PRABOWO).focus()
    home.keyboard.press("t")
    assert wait_for_warning(home) == "warn"
    press_warning_button(home, "proceed")
    home.wait_for_selector("[data-testid='retweetConfirm']")
    home.keyboard.press("Enter")  # the menu focused its first item, "Posting ulang"
    settle(home)
    assert warning_verdict(home) is None
    assert len(site_log(home, "openRepostMenu")) == 1
    assert [e["post"] for e in site_log(home, "repost")] == ["1001"]


def test_shortcut_r_opens_the_reply_only_after_proceed(home):
    home.locator(PRABOWO).focus()
    home.keyboard.press("r")
    wait_for_warning(home)
    press_warning_button(home, "cancel")
    settle(home)
    assert site_log(home, "openReply") == []


def test_keyboard_activation_of_the_like_button(home):
    home.locator(f"{PRABOWO} [data-testid='like']").focus()
    home.keyboard.press("Enter")
    assert wait_for_warning(home) == "warn"
    home.keyboard.press("Escape")
    home.wait_for_function("document.querySelector('netral-warning') === null")
    home.locator(f"{PRABOWO} [data-testid='like']").focus()
    home.keyboard.press("Space")
    wait_for_warning(home)
    # Focus starts on "Batal"; Tab moves to the proceed button inside the dialog; Enter proceeds.
    active = (
        "document.querySelector('netral-warning').shadowRoot.activeElement?.dataset.netralAction"
        " ?? null"
    )
    assert home.evaluate(active) == "cancel"
    home.keyboard.press("Tab")
    assert home.evaluate(active) == "proceed"
    home.keyboard.press("Enter")
    home.wait_for_function("document.querySelector('netral-warning') === null")
    settle(home)
    assert len(site_log(home, "like")) == 1
