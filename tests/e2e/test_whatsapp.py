"""WhatsApp Web end to end: forwarding a message (a share of that message) from its menu, the quick
forward button and the forward dialog; sending a message, a captioned photo or document (the media
overlay) or a sticker into a chat (a post), through each shape the send button took since 2025, in
the Indonesian and English interfaces (web.whatsapp.com fixture)."""

from __future__ import annotations

import pytest
from e2e_testkit import CANDIDATE, settle, site_log, wait_log, warning_verdict
from site_scenarios import (
    assert_draft_kept_on_cancel,
    assert_keyboard_cancel,
    assert_not_held,
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
SEND = "footer [data-act='send']"
FORWARD_SEND = "[role='dialog'] [data-act='forwardSend']"
CAPTION = ".x1hx0egp [role='textbox']"
MEDIA_SEND = ".x1hx0egp [data-act='sendMedia']"
FORWARD = {"id": "Teruskan", "en": "Forward"}
LANGS = ["id", "en"]


@pytest.fixture
def chat(site_page):
    return site_page(ORIGIN + "/")


def opened(site_page, lang: str, **query: str):
    if lang == "en":
        query["lang"] = "en"
    return site_page(
        ORIGIN + "/" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    )


def forward(page, message: str, lang: str = "id"):
    """The message's menu, then its "Teruskan" | "Forward" item."""
    return click_in_turn(
        page.locator(f"{message} [data-act='menu']"),
        page.locator("[role='application'] [role='button']", has_text=FORWARD[lang]),
    )


def attach(page, kind: str):
    """The attach button, then "Foto & video" | "Photos & videos" or "Dokumen" | "Document": the
    media overlay opens with its caption box focused."""
    page.locator("footer [data-act='attach']").click()
    page.locator(f"[data-act='attach{kind.capitalize()}']").click()
    return page.locator(CAPTION)


# ── forward ──────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_forwarding_a_campaign_message_warns_then_cancel_drops_it(site_page, companion, ui, lang):
    page = opened(site_page, lang)
    assert_warns_then_cancel(
        page,
        forward(page, CAMPAIGN, lang),
        logs=("openForward", "forward"),
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("whatsapp", "share"),
    )


def test_forward_proceed_then_send_reaches_the_site_once(chat, companion):
    # No second warning at the dialog's send: already acknowledged for this message.
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


def test_keyboard_forward_in_the_english_interface(site_page):
    page = opened(site_page, "en")
    page.locator(f"{CAMPAIGN} [data-act='menu']").click()
    forward_item = page.locator("[role='application'] [role='button']", has_text="Forward")
    assert_keyboard_cancel(page, forward_item, "Enter", log="openForward")


@pytest.mark.parametrize("lang", LANGS)
def test_quick_forward_of_a_photo_from_the_candidates_chat_warns(site_page, companion, lang):
    # The photo has no sender line: its author is the chat, named by the header's first line.
    page = opened(site_page, lang, chat="pbw")
    assert_warns_then_cancel(
        page,
        page.locator("[role='row'] [data-act='quickForward']").click,
        logs=("openForward",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("whatsapp", "share"),
    )


def test_quick_forward_of_a_photo_in_an_ordinary_chat_goes_through_without_a_warning(site_page):
    # The quick-forward button's subject is the chat (its title), not a classified message row,
    # so it is checked at the click and performed once, allowed: not the untouched path of
    # classified posts.
    page = opened(site_page, "id")
    page.locator("[role='row'] [data-act='quickForward']").click()
    wait_log(page, "openForward")
    settle(page)
    assert warning_verdict(page) is None
    assert len(site_log(page, "openForward")) == 1


# ── chat messages ────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_sending_a_campaign_message_keeps_the_draft_on_cancel(site_page, companion, ui, lang):
    page = opened(site_page, lang)
    box = page.locator(BOX)
    assert_draft_kept_on_cancel(
        page,
        box,
        "Jangan lupa coblos Prabowo ya",
        send=lambda: box.press("Enter"),
        resend=page.locator(SEND).click,
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


# The send button's shapes since 2025: <button aria-label>, <div aria-label> without a role,
# <div role="button"> around wds-ic-send-filled, and a button known only by its wa-wds-send icon.
@pytest.mark.parametrize(
    ("shape", "lang"), [("button", "id"), ("div", "en"), ("wds", "id"), ("icon", "en")]
)
def test_each_send_button_shape_is_held_for_a_campaign_message(
    site_page, companion, ui, shape, lang
):
    page = opened(site_page, lang, send=shape)
    box = page.locator(BOX)
    box.click()
    box.type("Coblos nomor urut 2, Prabowo Gibran!")
    assert_warns_then_cancel(
        page,
        page.locator(SEND).click,
        logs=("send",),
        texts=(CANDIDATE, ui("actionPost")),
        companion=companion,
        ack=("whatsapp", "post"),
    )
    assert box.inner_text() == "Coblos nomor urut 2, Prabowo Gibran!"


@pytest.mark.parametrize("shape", ["div", "icon"])
def test_each_send_button_shape_sends_an_ordinary_message_at_once(site_page, shape):
    page = opened(site_page, "id", send=shape)
    entry = assert_ordinary_draft_sent_at_once(
        page, page.locator(BOX), "Oke, sampai nanti", send=page.locator(SEND).click, log="send"
    )
    assert entry["text"] == "Oke, sampai nanti"


def test_the_voice_note_button_in_the_send_slot_is_not_a_send(chat):
    assert_not_held(chat, chat.locator("footer [data-act='voice']").click, log="voice")


def test_a_sticker_is_checked_by_its_file_name_or_label(chat):
    stickers = "#expressions-panel-container"
    assert_warns_then_cancel(
        chat, chat.locator(f"{stickers} img[src*='coblos']").click, logs=("sticker",)
    )
    assert_passes_without_warning(
        chat, chat.locator(f"{stickers} img[alt='Kucing tertawa']").click, log="sticker"
    )
    assert [e["src"] for e in site_log(chat, "sticker")] == ["/stickers/kucing.webp"]


# ── the media caption overlay ────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("lang", LANGS)
def test_a_photo_with_a_campaign_caption_keeps_it_on_cancel_then_sends_once(
    site_page, companion, ui, lang
):
    page = opened(site_page, lang)
    caption = attach(page, "photo")
    entry = assert_draft_kept_on_cancel(
        page,
        caption,
        "Relawan Prabowo Gibran siap menang",
        send=page.locator(MEDIA_SEND).click,
        log="sendMedia",
        texts=(CANDIDATE, ui("actionPost")),
        companion=companion,
        ack=("whatsapp", "post"),
    )
    assert entry["kind"] == "photo"


@pytest.mark.parametrize("lang", LANGS)
def test_enter_in_a_documents_caption_is_held(site_page, companion, lang):
    page = opened(site_page, lang)
    caption = attach(page, "document")
    caption.type("Program kerja #PrabowoGibran2024")
    assert_warns_then_cancel(
        page,
        lambda: caption.press("Enter"),
        logs=("sendMedia",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("whatsapp", "post"),
    )
    assert caption.inner_text() == "Program kerja #PrabowoGibran2024"


def test_an_ordinary_caption_is_sent_at_once(site_page):
    page = opened(site_page, "en")
    caption = attach(page, "photo")
    entry = assert_ordinary_draft_sent_at_once(
        page,
        caption,
        "Kerja bakti Minggu pagi",
        send=page.locator(MEDIA_SEND).click,
        log="sendMedia",
    )
    assert entry["text"] == "Kerja bakti Minggu pagi"


def test_a_photo_without_a_caption_is_not_held(site_page):
    page = opened(site_page, "id")
    attach(page, "photo")
    [entry] = assert_not_held(page, page.locator(MEDIA_SEND).click, log="sendMedia")
    assert entry["text"] == ""
