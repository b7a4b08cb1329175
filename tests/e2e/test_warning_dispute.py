""" "Bukan konten kampanye? Laporkan" (issue 13, item 6): from the warning the user reports a wrong
match; the companion records outcome `disputed` with the signals that fired (types and values from
the check response) and the short note, never the post's text; the action is dropped; the popup
counts the reports; the history exports them (CSV and JSON) with their signals and note.
Bad inputs tried: 2 (a note over 500 characters is cut at the textarea's limit; an empty note is
recorded as none).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from e2e_testkit import (
    ORIGIN,
    new_acks,
    settle,
    site_log,
    wait_for_warning,
    wait_warning_closed,
    warning_frame,
)
from playwright.sync_api import Page
from site_scenarios import classified_page

HOME = "https://x.com/home"
LIKE = "article[data-post='1001'] [data-testid='like']"
POST_TEXT = "Terima kasih para relawan"  # words of the fixture's post 1001, never to be recorded

home = classified_page(HOME)


def report(page: Page, note: str) -> None:
    """Opens the report form from the open warning, types `note`, sends it (trusted clicks/keys)."""
    frame = warning_frame(page)
    frame.locator("[data-netral-action='report']").click()
    box = frame.locator("#report-note")
    assert box.evaluate("(el) => el === document.activeElement")
    if note:
        page.keyboard.insert_text(note)
    frame.locator("[data-netral-action='dispute']").click()
    wait_warning_closed(page)


def test_a_report_records_disputed_with_signals_and_note_and_drops_the_action(
    home, companion, browser
):
    before = len(companion.acknowledgements())
    home.locator(LIKE).click()
    assert wait_for_warning(home) == "warn"
    report(home, "Ini ucapan terima kasih kepada relawan bencana, bukan kampanye.")
    settle(home)
    assert site_log(home, "like") == []
    [ack] = new_acks(companion, before)
    assert ack["outcome"] == "disputed"
    assert ack["note"] == "Ini ucapan terima kasih kepada relawan bencana, bukan kampanye."
    fired = {(s["type"], s["value"]) for s in ack["signals"]}
    assert ("account", "prabowo") in fired and ("hashtag", "prabowogibran2024") in fired
    assert POST_TEXT not in json.dumps(ack)

    # An empty note is none; a long one stops at 500 characters.
    home.locator(LIKE).click()
    wait_for_warning(home)
    report(home, "")
    home.locator(LIKE).click()
    wait_for_warning(home)
    report(home, "x" * 600)
    first, second = new_acks(companion, before + 1, 2)
    assert (first["outcome"], first["note"]) == ("disputed", None)
    assert (second["outcome"], len(second["note"])) == ("disputed", 500)
    assert site_log(home, "like") == []

    disputed = sum(1 for a in companion.acknowledgements() if a.get("outcome") == "disputed")
    popup = browser.new_page()
    try:
        popup.goto(f"{ORIGIN}/pages/popup.html")
        popup.locator("main[aria-busy='false']").wait_for(timeout=10000)
        assert popup.locator("#queue-reports").inner_text().endswith(f": {disputed}")
    finally:
        popup.close()

    history = browser.new_page()
    try:
        history.goto(f"{ORIGIN}/pages/history.html")
        history.locator("main[aria-busy='false']").wait_for(timeout=10000)
        with history.expect_download() as download:
            history.click("#export-json")
        items = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))["items"]
        noted = [i for i in items if i["ack_id"] == ack["ack_id"]]
        assert noted[0]["signals"] == ack["signals"] and noted[0]["note"] == ack["note"]
        with history.expect_download() as download:
            history.click("#export-csv")
        rows = csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig")))
        row = next(r for r in rows if r["ack_id"] == ack["ack_id"])
        assert "account:prabowo" in row["signals"].split(";")
        assert row["note"] == ack["note"]
    finally:
        history.close()
