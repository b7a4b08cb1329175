"""Instagram end to end: like (button, double-click), comment, share, follow, held before the site
sees them (www.instagram.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import (
    active_warning_button,
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_log,
    warning_text,
    warning_verdict,
)

ORIGIN = "https://www.instagram.com"
PRABOWO = "article[data-post='C1prabowo']"
ALLOWED = "article[data-post='C2kucing']"
PARTY = "article[data-post='C3partai']"
ENTITY = "Prabowo Subianto – Gibran Rakabuming Raka"


@pytest.fixture
def feed(site_page):
    page = site_page(ORIGIN + "/")
    wait_classified(page)
    return page


def like_button(post: str) -> str:
    return f"{post} [data-act='like']"


def test_like_warns_then_cancel_drops_it(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(like_button(PRABOWO)).click()
    assert wait_for_warning(feed) == "warn"
    text = warning_text(feed)
    assert ENTITY in text and ui("actionLike") in text
    assert ui("signalHashtag", "PrabowoGibran2024") in text
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("instagram", "like", "cancelled")
    assert ack["entity_ids"] == ["paslon-2024-02"]


def test_like_proceed_reaches_the_site_exactly_once(feed, companion):
    before = len(companion.acknowledgements())
    feed.locator(like_button(PRABOWO)).click()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [e["post"] for e in site_log(feed, "like")] == ["C1prabowo"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("like", "proceeded")


def test_allowed_post_is_not_held_at_all(feed):
    feed.locator(like_button(ALLOWED)).click()
    settle(feed, 50)
    assert warning_verdict(feed) is None
    [like] = site_log(feed, "like")
    assert like["trusted"] is True


def test_double_click_on_the_media_is_a_like(feed):
    media = feed.locator(f"{PRABOWO} ._aagw")
    media.dblclick()
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "like") == []
    media.dblclick()
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    settle(feed)
    assert [(e["post"], e["via"]) for e in site_log(feed, "like")] == [("C1prabowo", "dblclick")]
    feed.locator(f"{ALLOWED} ._aagw").dblclick()
    wait_log(feed, "like", 2)
    assert warning_verdict(feed) is None


def test_keyboard_activation_of_the_like_div_button(feed):
    feed.locator(like_button(PRABOWO)).focus()
    feed.keyboard.press("Enter")
    assert wait_for_warning(feed) == "warn"
    feed.keyboard.press("Escape")
    feed.wait_for_function("document.querySelector('netral-warning') === null")
    settle(feed)
    assert site_log(feed, "like") == []
    feed.locator(like_button(PRABOWO)).focus()
    feed.keyboard.press("Space")
    wait_for_warning(feed)
    assert active_warning_button(feed) == "cancel"
    feed.keyboard.press("Tab")
    feed.keyboard.press("Enter")
    feed.wait_for_function("document.querySelector('netral-warning') === null")
    settle(feed)
    assert len(site_log(feed, "like")) == 1


def test_comment_with_enter_keeps_the_draft_on_cancel(feed, companion):
    before = len(companion.acknowledgements())
    box = feed.locator(f"{ALLOWED} textarea")
    box.click()
    box.type("Jangan lupa coblos Prabowo")
    box.press("Enter")
    assert wait_for_warning(feed) == "warn"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "comment") == []
    assert box.input_value() == "Jangan lupa coblos Prabowo"
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("instagram", "comment", "cancelled")
    box.press("Enter")
    wait_for_warning(feed)
    press_warning_button(feed, "proceed")
    wait_log(feed, "comment")
    assert [e["text"] for e in site_log(feed, "comment")] == ["Jangan lupa coblos Prabowo"]


def test_comment_button_on_a_candidate_post(feed, ui):
    feed.locator(f"{PRABOWO} [data-act='comment']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionComment") in warning_text(feed)
    press_warning_button(feed, "proceed")
    box = feed.locator(f"{PRABOWO} textarea")
    box.type("Semoga sehat selalu")
    feed.locator(f"{PRABOWO} [data-act='post']").click()
    wait_log(feed, "comment")
    assert warning_verdict(feed) is None  # already acknowledged for this post and entity
    assert [e["text"] for e in site_log(feed, "comment")] == ["Semoga sehat selalu"]


def test_an_ordinary_comment_is_sent_without_delay(feed):
    box = feed.locator(f"{ALLOWED} textarea")
    box.type("Lucu sekali kucingnya")
    settle(feed, 400)  # the draft is checked while typing
    box.press("Enter")
    settle(feed, 50)
    assert warning_verdict(feed) is None
    [comment] = site_log(feed, "comment")
    assert comment["trusted"] is True


def test_share_warns_once_then_send_from_the_dialog(feed, companion, ui):
    before = len(companion.acknowledgements())
    feed.locator(f"{PRABOWO} [data-act='share']").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionShare") in warning_text(feed)
    press_warning_button(feed, "proceed")
    feed.locator("[role='dialog'] [data-act='send']").click()
    wait_log(feed, "share")
    assert warning_verdict(feed) is None
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "proceeded")


def test_party_share_is_blocked_at_the_dialog_step(feed, companion):
    feed.locator(f"{PARTY} [data-act='share']").click()
    assert wait_for_warning(feed) == "block"
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "openShare") == []


def test_english_interface_like_and_post_button(site_page):
    page = site_page(ORIGIN + "/?lang=en")
    wait_classified(page)
    page.locator(f"{PRABOWO} svg[aria-label='Like']").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")
    box = page.locator(f"{ALLOWED} textarea[aria-label='Add a comment…']")
    box.type("Ayo menangkan #PrabowoGibran2024")
    page.locator(f"{ALLOWED} [role='button']", has_text="Post").click()
    assert wait_for_warning(page) == "warn"
    press_warning_button(page, "cancel")
    settle(page)
    assert site_log(page, "like") == [] and site_log(page, "comment") == []


def test_follow_in_a_post_header(feed, ui):
    feed.locator(f"{PRABOWO} header [role='button']", has_text="Ikuti").click()
    assert wait_for_warning(feed) == "warn"
    assert ui("actionFollow") in warning_text(feed)
    press_warning_button(feed, "cancel")
    settle(feed)
    assert site_log(feed, "follow") == []


def test_follow_on_a_profile_page_and_an_ordinary_one(site_page):
    page = site_page(ORIGIN + "/prabowo/")
    page.locator("main header button").click()
    assert wait_for_warning(page) == "warn"
    assert ENTITY in warning_text(page)
    press_warning_button(page, "proceed")
    wait_log(page, "follow")
    other = site_page(ORIGIN + "/kucingoren/")
    other.locator("main header button").click()
    wait_log(other, "follow")
    assert warning_verdict(other) is None
