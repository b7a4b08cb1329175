"""Facebook end to end: like and every reaction, comment, each share step, follow and join."""

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

HOME = "https://www.facebook.com/"
PRABOWO = "[data-post='f1']"
ALLOWED = "[data-post='f2']"
PARTY = "[data-post='f3']"


@pytest.fixture
def feed(site_page):
    page = site_page(HOME)
    wait_classified(page)
    return page


def like_button(post: str) -> str:
    return f"{post} .bar [data-act='like']"


def test_like_cancel_then_proceed(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(like_button(PRABOWO)).click()
    assert wait_for_warning(feed) == "warn"
    text = warning_text(feed)
    assert ui("signalAccount", "prabowo") in text
    assert ui("signalHashtag", "PrabowoGibran2024") in text
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    feed.locator(like_button(PRABOWO)).click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["post"] for e in site_log(feed, "like")] == ["f1"]
    acks = new_acks(companion, before, count=2)
    assert [(a["platform"], a["action"], a["outcome"]) for a in acks] == [
        ("facebook", "like", "cancelled"),
        ("facebook", "like", "proceeded"),
    ]


def test_allowed_post_and_comment_likes_pass_untouched(feed):
    feed.locator(like_button(ALLOWED)).click()
    feed.locator(f"{ALLOWED} [data-comment='c1'] [role='button']").click()
    settle(feed, 50)
    assert warning_verdict(feed) is None
    assert [(e["post"], e.get("comment"), e["trusted"]) for e in site_log(feed, "like")] == [
        ("f2", None, True),
        ("f2", "c1", True),
    ]


@pytest.mark.parametrize("reaction", ["Super", "Marah"])
def test_every_reaction_from_the_dock_outside_the_post(feed, reaction):
    feed.locator(like_button(PRABOWO)).hover()
    feed.locator(f"#layers [aria-label='{reaction}']").click()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [(e["reaction"], e["post"]) for e in site_log(feed, "react")] == [(reaction, "f1")]


def test_keyboard_activation_of_a_div_button(feed):
    feed.locator(like_button(PRABOWO)).focus()
    feed.keyboard.press("Enter")
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    feed.locator(like_button(PRABOWO)).focus()
    feed.keyboard.press("Space")
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert len(site_log(feed, "like")) == 1


def test_comment_with_enter_keeps_the_draft_on_cancel(feed, companion, ui):
    before = len(companion.acknowledgements())
    box = feed.locator(f"{PRABOWO} [role='textbox']")
    box.click()
    box.type("Mantap, semoga sukses")
    box.press("Enter")
    assert wait_for_warning(feed) == "warn"
    assert ui("actionComment") in warning_text(feed)
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "comment") == []
    assert box.inner_text() == "Mantap, semoga sukses"
    box.press("Enter")
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["text"] for e in site_log(feed, "comment")] == ["Mantap, semoga sukses"]
    assert box.inner_text() == ""
    acks = new_acks(companion, before, count=2)
    assert [(a["action"], a["outcome"]) for a in acks] == [
        ("comment", "cancelled"),
        ("comment", "proceeded"),
    ]


def test_campaign_comment_on_an_ordinary_post_is_held(feed):
    box = feed.locator(f"{ALLOWED} [role='textbox']")
    box.click()
    box.type("Ayo coblos Prabowo")
    box.press("Enter")
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    assert box.inner_text() == "Ayo coblos Prabowo"
    # Shift+Enter is a new line, not a send.
    box.press("Shift+Enter")
    settle(feed)
    assert warning_verdict(feed) is None


def test_ordinary_comment_is_sent_without_delay(feed):
    box = feed.locator(f"{ALLOWED} [role='textbox']")
    box.click()
    box.type("Indah sekali pemandangannya")
    settle(feed, 400)
    box.press("Enter")
    settle(feed, 50)
    assert warning_verdict(feed) is None
    [sent] = site_log(feed, "comment")
    assert sent["trusted"] is True


def test_comment_send_button(feed):
    box = feed.locator(f"{PRABOWO} [role='textbox']")
    box.click()
    box.type("Hadir")
    feed.locator(f"{PRABOWO} [aria-label='{ui_send(feed)}']").click()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["text"] for e in site_log(feed, "comment")] == ["Hadir"]


def ui_send(page) -> str:
    return "Comment" if page.evaluate("document.documentElement.lang") == "en" else "Kirim komentar"


def test_share_now_from_the_share_dialog(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(f"{PRABOWO} [data-act='share']").click()  # opens the dialog: not itself a share
    assert warning_verdict(feed) is None
    feed.locator("#layers [data-share='now']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionShare") in warning_text(feed)
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "shareNow") == []
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "cancelled")


def test_share_to_feed_is_held_at_the_publishing_step(feed):
    feed.locator(f"{PRABOWO} [data-act='share']").click()
    feed.locator("#layers [data-share='feed']").click()
    assert warning_verdict(feed) is None  # choosing where to share publishes nothing yet
    feed.locator("#layers [data-share='post']").click()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["post"] for e in site_log(feed, "shareToFeed")] == ["f1"]


def test_copy_link_and_blocked_party_share(feed):
    feed.locator(f"{PARTY} [data-act='share']").click()
    feed.locator("#layers [data-share='now']").click()
    assert wait_for_warning(feed) == "block"
    assert feed.locator("netral-warning [data-netral-action='proceed']").count() == 0
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "shareNow") == []


def test_share_in_the_english_interface(site_page):
    page = site_page(HOME + "?lang=en")
    wait_classified(page)
    page.locator(f"{PRABOWO} [aria-label='Like']").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")
    page.locator(f"{PRABOWO} [data-act='share']").click()
    page.locator("#layers [role='button']", has_text="Share now (Public)").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "proceed")
    settle(page)
    assert [e["post"] for e in site_log(page, "shareNow")] == ["f1"]
    assert site_log(page, "like") == []


def test_follow_a_candidate_page(site_page, ui):
    page = site_page("https://www.facebook.com/prabowo")
    page.locator("[data-act='follow']").click()
    assert wait_for_warning(page) == "warn"
    assert ui("actionFollow") in warning_text(page)
    press_warning_button(page, "proceed")
    settle(page)
    assert [e["page"] for e in site_log(page, "follow")] == ["/prabowo"]


def test_join_a_campaign_group(site_page):
    page = site_page("https://www.facebook.com/groups/relawan")
    page.locator("[data-act='follow']").click()
    assert wait_for_warning(page) == "warn"
    assert "Prabowo Subianto – Gibran Rakabuming Raka" in warning_text(page)
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "follow") == []
