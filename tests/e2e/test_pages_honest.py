"""The pages say only what is known, in Indonesian and in English, against a real companion.

- The unpaired popup claims neither delivery nor healthy sites; its queue follows the worker's
  deliveries while it stays open.
- The history's "N–M of T" matches its rows on every page and under every filter (interrupted and
  disputed included), names entities by the current bundle and shows local time with its zone
  (Chromium run in Asia/Makassar).
- What the log lost is said in the popup and the history: an older database put back (the
  companion's witness sees it), and three attacks only the extension's own record of the last
  seq/hash it was answered can see: data dir wiped (database, witness and chain key), the wiped log
  regrown past that seq before the extension looks, and a companion without `head` (an older
  version, or a squatter-like answer) which must not be read as a loss.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from e2e_testkit import (
    DESKTOP,
    ORIGIN,
    POPUP,
    configure_extension,
    extension_worker,
    launch_with_extension,
    screenshot,
)
from playwright.sync_api import BrowserContext, Page, Playwright, expect
from test_pages import LANGS, Setup, language_setup, stamp

PAIR = "paslon-2024-02"
PAIR_NAME = "Prabowo Subianto – Gibran Rakabuming Raka"
PARTY = "partai-contoh"
PARTY_NAME = "Partai Contoh"
OUTCOMES = ["proceeded", "cancelled", "interrupted", "disputed", "cancelled"]
PLATFORMS = ["x", "facebook", "x", "instagram"]
# What a test checks of counts, rows and records, not of texts, runs in the default language only.
ONE_LANGUAGE = pytest.mark.parametrize("world", ["id"], indirect=True)


@pytest.fixture(params=LANGS)
def world(request, playwright_instance: Playwright, monkeypatch) -> Iterator[Setup]:
    """A companion and a Chromium of its own, per test (some tests destroy the data dir), with the
    computer's clock in Asia/Makassar (WITA, UTC+8): Chromium takes its zone from TZ."""
    monkeypatch.setenv("TZ", "Asia/Makassar")
    yield from language_setup(request.param, playwright_instance)


def ack(**fields) -> dict:
    return {
        "ack_id": str(uuid.uuid4()), "check_id": None, "platform": "x", "action": "like",
        "outcome": "cancelled", "entity_ids": [PAIR], "election_ids": ["pemilu-uji"],
        "bundle_id": "e2e-test", "rules_version": 1, "occurred_at": stamp(datetime.now(UTC)),
        "justification": None,
    } | fields


def open_page(setup: Setup, name: str, context: BrowserContext | None = None,
              viewport: dict | None = None) -> Page:
    page = (context or setup.context).new_page()
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(f"{ORIGIN}/pages/{name}.html")
    page.locator("main[aria-busy='false']").wait_for(timeout=15000)
    return page


def storage(context: BrowserContext, key: str):
    return extension_worker(context).evaluate(
        "async (key) => (await chrome.storage.local.get(key))[key] ?? null", key)


def acknowledge_through_extension(setup: Setup, count: int) -> dict:
    """`count` decisions sent as the warning sends them (the worker's queue), delivered; returns the
    extension's record once it holds the last answer."""
    page = open_page(setup, "popup")
    before = len(setup.companion.acknowledgements())
    for _ in range(count):
        page.evaluate("(ack) => chrome.runtime.sendMessage({what: 'acknowledge', ack})", ack())
    expect(page.locator("#queue-state")).to_have_attribute("data-pending", "0", timeout=15000)
    page.close()
    rows = setup.companion.acknowledgements()
    assert len(rows) == before + count
    record = storage(setup.context, "ackHead")
    assert (record["seq"], record["hash"]) == (rows[-1]["seq"], rows[-1]["hash"])
    return record


def loss_texts(page: Page, selector: str, source: str) -> list[str]:
    return page.locator(f"{selector} li[data-source='{source}']").all_text_contents()


def matches_message(setup: Setup, text: str, key: str, *before_when: str) -> bool:
    """`text` is message `key` with `before_when` substituted and a date and time with a zone as its
    last placeholder, followed by the advice."""
    probe = setup.msg(key, *before_when, "~WHEN~")
    head, tail = probe.split("~WHEN~")
    advice = setup.msg("pageLossAdvice")
    pattern = re.escape(head) + r"\d{1,2} \w+ \d{4}, \d{2}[.:]\d{2} (WITA|GMT\+8)" + re.escape(
        f"{tail} {advice}")
    return re.fullmatch(pattern, text) is not None


# ── the popup ──────────────────────────────────────────────────────────────────────────────


def test_unpaired_popup_claims_neither_delivery_nor_healthy_sites(world, playwright_instance):
    """Unpaired (no token, nothing listening): no "every decision reached", no "no problems"; the
    queue count follows a decision made while the popup is open, without a reload."""
    context = launch_with_extension(playwright_instance, world.directory / "unpaired",
                                    lang=world.lang)
    try:
        configure_extension(context, companionUrl="http://127.0.0.1:9")
        popup = open_page(world, "popup", context, POPUP)
        expect(popup.locator("#connection-state")).to_have_text(world.msg("popupDisconnected"))
        expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueueNoneWaiting"))
        expect(popup.locator("#sites-ok")).to_have_text(world.msg("popupSitesNoneSeen"))
        body = popup.locator("main").inner_text()
        assert world.msg("popupQueueEmpty") not in body and world.msg("popupSitesOk") not in body
        screenshot(popup, "page-popup-unpaired", world.lang)

        other = open_page(world, "history", context)
        other.evaluate("(ack) => chrome.runtime.sendMessage({what: 'acknowledge', ack})", ack())
        expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueuePending", "1"))

        # A site that reported and is fine is named; one that reported and is broken is listed.
        health = "(h) => chrome.runtime.sendMessage({what: 'siteHealth', ...h})"
        other.evaluate(health, {"platform": "x", "postsSeen": 4, "controlsMatched": 4})
        other.evaluate(health, {"platform": "facebook", "postsSeen": 6, "controlsMatched": 0})
        popup.reload()
        popup.locator("main[aria-busy='false']").wait_for()
        expect(popup.locator("#sites-ok")).to_have_text(world.msg("popupSitesOkSeen", "X"))
        expect(popup.locator("#sites-broken li > p:first-child")).to_have_text(
            [world.msg("popupSiteBroken", "Facebook")])
        expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueuePending", "1"))
    finally:
        context.close()


@ONE_LANGUAGE
def test_the_queue_count_follows_delivery_while_the_popup_stays_open(world):
    world.companion.stop()
    try:
        popup = open_page(world, "popup", viewport=POPUP)
        for _ in range(3):
            popup.evaluate("(ack) => chrome.runtime.sendMessage({what: 'acknowledge', ack})", ack())
        expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueuePending", "3"))
    finally:
        world.companion.start()
    # Another page asks for the status: the worker reconnects and delivers; the popup, never
    # reloaded or clicked, counts down to nothing waiting.
    other = open_page(world, "history")
    other.evaluate("chrome.runtime.sendMessage({what: 'status'})")
    expect(popup.locator("#queue-state")).to_have_attribute("data-pending", "0", timeout=15000)
    expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueueNoneWaiting"))
    assert len(world.companion.acknowledgements()) == 3
    popup.reload()
    popup.locator("main[aria-busy='false']").wait_for()
    expect(popup.locator("#queue-state")).to_have_text(world.msg("popupQueueEmpty"))


# ── the history ────────────────────────────────────────────────────────────────────────────


def summary_numbers(page: Page) -> tuple[int, int, int]:
    text = page.locator("#summary").text_content()  # under 1,000 rows: no digit separators
    first, last, total = (int(n) for n in re.findall(r"\d+", text))
    return first, last, total


def walk(page: Page) -> list[int]:
    """Every page of the current filter, newest first: each page's rows checked against its
    summary; the seqs of all rows."""
    while not page.locator("#newer").is_disabled() and page.locator("#pager").is_visible():
        page.click("#newer")
    seen: list[int] = []
    while True:
        rows = [int(s) for s in page.locator("#rows tr").evaluate_all(
            "(rows) => rows.map((r) => r.dataset.seq)")]
        first, last, total = summary_numbers(page)
        assert (first, last) == (len(seen) + 1, len(seen) + len(rows)), (first, last, len(rows))
        seen += rows
        if not page.locator("#pager").is_visible() or page.locator("#older").is_disabled():
            assert total == len(seen)
            return seen
        page.click("#older")


@ONE_LANGUAGE
def test_history_summary_matches_its_rows_on_every_page_and_filter(world):
    start = datetime.now(UTC) - timedelta(hours=60)
    for i in range(53):
        fields = {"platform": PLATFORMS[i % 4], "outcome": OUTCOMES[i % 5],
                  "occurred_at": stamp(start + timedelta(hours=i))}
        world.post("/v1/acknowledgements", ack(**fields))
    world.post("/v1/pact/acceptance", {"pact_id": "pakta-e2e"})
    log = world.companion.acknowledgements()
    page = open_page(world, "history", viewport=DESKTOP)

    def expected(platform="", outcome="") -> list[int]:
        kept = [r for r in log if (not platform or r["platform"] == platform) and (
            not outcome or (r["outcome"] if r["kind"] != "pact_acceptance" else "pact") == outcome)]
        return sorted((r["seq"] for r in kept), reverse=True)

    assert walk(page) == expected()
    for outcome in ["interrupted", "disputed", "cancelled", "pact"]:
        page.select_option("#filter-outcome", outcome)
        assert walk(page) == expected(outcome=outcome), outcome
    page.select_option("#filter-platform", "x")
    for outcome in ["", "interrupted", "disputed"]:
        page.select_option("#filter-outcome", outcome)
        assert walk(page) == expected("x", outcome), outcome
    assert page.locator("#filter-outcome option[value='interrupted']").text_content() == world.msg(
        "historyOutcomeInterrupted")


def test_history_names_entities_and_shows_local_time_with_its_zone(world):
    world.post("/v1/acknowledgements", ack(entity_ids=[PAIR, "hapus-lama", PARTY],
                                           occurred_at="2026-12-01T03:15:00Z"))
    page = open_page(world, "history", viewport=DESKTOP)
    row = page.locator("#rows tr").first
    # The bundle's names; an id the bundle does not have stays as it is.
    expect(row.locator("td.entities")).to_have_text(f"{PAIR_NAME}, hapus-lama, {PARTY_NAME}")
    when = {"id": "1 Des 2026, 11.15 WITA", "en": "1 Dec 2026, 11:15 GMT+8"}[world.short]
    expect(row.locator("td.when")).to_have_text(when)
    expect(row.locator("td.when time")).to_have_attribute("datetime", "2026-12-01T03:15:00Z")


# ── what the log lost ──────────────────────────────────────────────────────────────────────


def test_an_older_database_put_back_is_said_in_the_popup_and_the_history(world):
    for _ in range(2):
        world.post("/v1/acknowledgements", ack())
    data = world.companion.data_dir
    world.companion.stop()
    shutil.copy(data / "netral.db", world.directory / "old.db")
    world.companion.start()
    for _ in range(3):
        world.post("/v1/acknowledgements", ack())
    world.companion.stop()
    for name in ("netral.db", "netral.db-wal", "netral.db-shm"):
        (data / name).unlink(missing_ok=True)
    shutil.copy(world.directory / "old.db", data / "netral.db")
    world.companion.start()

    popup = open_page(world, "popup", viewport=POPUP)
    [line] = loss_texts(popup, "#losses-list", "companion")
    assert matches_message(world, line, "pageLossRolledBack", "3", "5", "2"), line
    screenshot(popup, "page-popup-losses", world.lang)
    history = open_page(world, "history", viewport=DESKTOP)
    [line] = loss_texts(history, "#losses", "companion")
    assert matches_message(world, line, "pageLossRolledBack", "3", "5", "2"), line
    expect(history.locator("#chain")).to_have_text(world.msg("historyChainIntactButLost", "2"))
    screenshot(history, "page-history-losses", world.lang, full_page=False)


def wipe_data_dir(setup: Setup) -> None:
    """Database, WAL, witness and chain key gone (the token stays): the companion starts a new log
    and knows of no loss."""
    setup.companion.stop()
    for name in ("netral.db", "netral.db-wal", "netral.db-shm", "netral.db.head", "chain.key"):
        (setup.companion.data_dir / name).unlink(missing_ok=True)
    setup.companion.start()
    assert setup.companion.get("/v1/status")["acknowledgements"]["losses"] == []


def test_a_wiped_log_is_caught_by_the_extension_record_alone_and_never_forgotten(world):
    record = acknowledge_through_extension(world, 4)
    assert record["seq"] == 4
    wipe_data_dir(world)

    popup = open_page(world, "popup", viewport=POPUP)
    assert loss_texts(popup, "#losses-list", "companion") == []
    [line] = loss_texts(popup, "#losses-list", "extension")
    assert matches_message(world, line, "pageLossBehindEmpty", "4"), line
    history = open_page(world, "history", viewport=DESKTOP)
    assert loss_texts(history, "#losses", "extension") == [line]

    # The log goes on: new decisions are compared with the new log, no second loss is invented,
    # and the first one stays.
    acknowledge_through_extension(world, 2)
    popup.reload()
    popup.locator("main[aria-busy='false']").wait_for()
    assert loss_texts(popup, "#losses-list", "extension") == [line]
    assert len(storage(world.context, "ackLosses")) == 1


@ONE_LANGUAGE
def test_a_wiped_log_regrown_past_the_receipt_is_caught_by_its_hash(world):
    acknowledge_through_extension(world, 3)
    wipe_data_dir(world)
    for _ in range(5):  # someone refills the new log before the extension looks again
        world.post("/v1/acknowledgements", ack())
    popup = open_page(world, "popup", viewport=POPUP)
    [line] = loss_texts(popup, "#losses-list", "extension")
    assert matches_message(world, line, "pageLossReceiptMismatch", "3"), line


@ONE_LANGUAGE
def test_a_status_without_head_is_not_read_as_a_loss(world):
    """An older companion's status has no `acknowledgements.head`; the record must not take its
    absence for an empty log (1 malformed head tried as well: a string)."""
    record = acknowledge_through_extension(world, 2)
    page = open_page(world, "popup", viewport=POPUP)
    for status in ({"acknowledgements": {"count": 0, "losses": []}},
                   {"acknowledgements": {"count": 0, "losses": [], "head": "0"}}):
        # The same function the worker runs on every status, given the answer directly.
        page.evaluate("async (status) => (await import(chrome.runtime.getURL("
                      "'background/log_record.js'))).checkStatus(status)", status)
    assert storage(world.context, "ackLosses") is None
    assert storage(world.context, "ackHead")["seq"] == record["seq"]
    page.close()
