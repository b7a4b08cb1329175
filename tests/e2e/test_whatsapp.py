"""WhatsApp Web end to end: forwarding a message (a share of that message) and sending a message
or a sticker into a chat (a post), held before the site sees them (web.whatsapp.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import (
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_for_warning,
    wait_log,
    warning_text,
    warning_verdict,
)

ORIGIN = "https://web.whatsapp.com"
CAMPAIGN = "[data-id='false_6281200000001@g.us_3EB0A1']"
ORDINARY = "[data-id='false_6281200000002@g.us_3EB0A2']"
BOX = "footer [role='textbox']"
ENTITY = "Prabowo Subianto – Gibran Rakabuming Raka"


@pytest.fixture
def chat(site_page):
    return site_page(ORIGIN + "/")


def open_forward(page, message: str) -> None:
    page.locator(f"{message} [data-act='menu']").click()
    page.locator("[role='application'] [role='button']", has_text="Teruskan").click()


def test_forwarding_a_campaign_message_warns_then_cancel_drops_it(chat, companion, ui):
    before = len(companion.acknowledgements())
    open_forward(chat, CAMPAIGN)
    assert wait_for_warning(chat) == "warn"
    text = warning_text(chat)
    assert ENTITY in text and ui("actionShare") in text
    press_warning_button(chat, "cancel")
    settle(chat)
    assert site_log(chat, "openForward") == [] and site_log(chat, "forward") == []
    [ack] = new_acks(companion, before)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("whatsapp", "share", "cancelled")


def test_forward_proceed_then_send_reaches_the_site_once(chat, companion):
    before = len(companion.acknowledgements())
    open_forward(chat, CAMPAIGN)
    wait_for_warning(chat)
    press_warning_button(chat, "proceed")
    chat.locator("[role='dialog'] [data-act='forwardSend']").click()
    wait_log(chat, "forward")
    assert warning_verdict(chat) is None  # already acknowledged for this message
    assert [e["message"] for e in site_log(chat, "forward")] == ["false_6281200000001@g.us_3EB0A1"]
    [ack] = new_acks(companion, before)
    assert (ack["action"], ack["outcome"]) == ("share", "proceeded")


def test_forwarding_an_ordinary_message_is_untouched(chat):
    open_forward(chat, ORDINARY)
    chat.locator("[role='dialog'] [data-act='forwardSend']").click()
    wait_log(chat, "forward")
    assert warning_verdict(chat) is None


def test_sending_a_campaign_message_keeps_the_draft_on_cancel(chat, companion, ui):
    before = len(companion.acknowledgements())
    box = chat.locator(BOX)
    box.click()
    box.type("Jangan lupa coblos Prabowo ya")
    box.press("Enter")
    assert wait_for_warning(chat) == "warn"
    assert ui("actionPost") in warning_text(chat)
    press_warning_button(chat, "cancel")
    settle(chat)
    assert site_log(chat, "send") == []
    assert box.inner_text() == "Jangan lupa coblos Prabowo ya"
    chat.locator("footer button[data-act='send']").click()
    wait_for_warning(chat)
    press_warning_button(chat, "proceed")
    wait_log(chat, "send")
    assert [e["text"] for e in site_log(chat, "send")] == ["Jangan lupa coblos Prabowo ya"]
    acks = new_acks(companion, before, 2)
    assert [(a["action"], a["outcome"]) for a in acks] == [
        ("post", "cancelled"),
        ("post", "proceeded"),
    ]


def test_an_ordinary_message_is_sent_without_delay(chat):
    box = chat.locator(BOX)
    box.click()
    box.type("Siap, saya datang jam 4")
    settle(chat, 400)  # the draft is checked while typing
    box.press("Enter")
    settle(chat, 50)
    assert warning_verdict(chat) is None
    [sent] = site_log(chat, "send")
    assert sent["trusted"] is True


def test_a_sticker_is_checked_by_its_file_name_or_label(chat):
    chat.locator("#expressions-panel-container img[src*='coblos']").click()
    assert wait_for_warning(chat) == "warn"
    press_warning_button(chat, "cancel")
    settle(chat)
    assert site_log(chat, "sticker") == []
    chat.locator("#expressions-panel-container img[alt='Kucing tertawa']").click()
    wait_log(chat, "sticker")
    assert [e["src"] for e in site_log(chat, "sticker")] == ["/stickers/kucing.webp"]


def test_keyboard_forward_in_the_english_interface(site_page):
    page = site_page(ORIGIN + "/?lang=en")
    page.locator(f"{CAMPAIGN} [data-act='menu']").click()
    page.locator("[role='application'] [role='button']", has_text="Forward").focus()
    page.keyboard.press("Enter")
    assert wait_for_warning(page) == "warn"
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('netral-warning') === null")
    settle(page)
    assert site_log(page, "openForward") == []
