"""WhatsApp Web end to end: forwarding a message (a share of that message) and sending a message
or a sticker into a chat (a post), held before the site sees them (web.whatsapp.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import CANDIDATE, site_log
from site_scenarios import (
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_ordinary_draft_sent_at_once,
    assert_passes_without_warning,
    assert_proceeds_once,
    assert_warns_then_cancel,
    click_in_turn,
)

ORIGIN = "https://web.whatsapp.com"
CAMPAIGN = "[data-id='false_6281200000001@g.us_3EB0A1']"
ORDINARY = "[data-id='false_6281200000002@g.us_3EB0A2']"
BOX = "footer [role='textbox']"
FORWARD_SEND = "[role='dialog'] [data-act='forwardSend']"


@pytest.fixture
def chat(site_page):
    return site_page(ORIGIN + "/")


def forward(page, message: str):
    """The message's menu, then its "Teruskan" item."""
    return click_in_turn(
        page.locator(f"{message} [data-act='menu']"),
        page.locator("[role='application'] [role='button']", has_text="Teruskan"),
    )


def test_forwarding_a_campaign_message_warns_then_cancel_drops_it(chat, companion, ui):
    assert_warns_then_cancel(
        chat,
        forward(chat, CAMPAIGN),
        logs=("openForward", "forward"),
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("whatsapp", "share"),
    )


def test_forward_proceed_then_send_reaches_the_site_once(chat, companion):
    # No second warning at send: already acknowledged for this message.
    assert_proceeds_once(
        chat,
        forward(chat, CAMPAIGN),
        log="forward",
        then=chat.locator(FORWARD_SEND).click,
        expect={"message": "false_6281200000001@g.us_3EB0A1"},
        companion=companion,
        ack=("whatsapp", "share"),
    )


def test_forwarding_an_ordinary_message_is_untouched(chat):
    forward(chat, ORDINARY)()
    assert_passes_without_warning(chat, chat.locator(FORWARD_SEND).click, log="forward")


def test_sending_a_campaign_message_keeps_the_draft_on_cancel(chat, companion, ui):
    box = chat.locator(BOX)
    assert_draft_kept_on_cancel(
        chat,
        box,
        "Jangan lupa coblos Prabowo ya",
        send=lambda: box.press("Enter"),
        resend=chat.locator("footer button[data-act='send']").click,
        log="send",
        texts=(ui("actionPost"),),
        companion=companion,
        ack=("whatsapp", "post"),
    )


def test_an_ordinary_message_is_sent_without_delay(chat):
    box = chat.locator(BOX)
    assert_ordinary_draft_sent_at_once(
        chat, box, "Siap, saya datang jam 4", send=lambda: box.press("Enter"), log="send"
    )


def test_a_sticker_is_checked_by_its_file_name_or_label(chat):
    stickers = "#expressions-panel-container"
    assert_warns_then_cancel(
        chat, chat.locator(f"{stickers} img[src*='coblos']").click, logs=("sticker",)
    )
    assert_passes_without_warning(
        chat, chat.locator(f"{stickers} img[alt='Kucing tertawa']").click, log="sticker"
    )
    assert [e["src"] for e in site_log(chat, "sticker")] == ["/stickers/kucing.webp"]


def test_keyboard_forward_in_the_english_interface(site_page):
    page = site_page(ORIGIN + "/?lang=en")
    page.locator(f"{CAMPAIGN} [data-act='menu']").click()
    forward_item = page.locator("[role='application'] [role='button']", has_text="Forward")
    assert_keyboard_cancel(page, forward_item, "Enter", log="openForward")
