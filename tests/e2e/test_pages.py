"""The extension's own pages against a real companion, in Indonesian and in English (one Chromium
per language): first run and the pact, pairing and its failures, the popup, the history page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from e2e_testkit import (
    EXTENSION_DIR,
    ORIGIN,
    REPO,
    Companion,
    bundle_payload,
    configure_extension,
    extension_worker,
    launch_with_extension,
    make_signed_bundle,
    run_companion_cli,
    sign_payload,
)
from playwright.sync_api import BrowserContext, Page, Playwright, expect

LANGS = ["id", "en-US"]
DEFAULT_BUNDLE = REPO / "shared_rules" / "netral-default.bundle.json"
DEFAULT_PACT = json.loads(DEFAULT_BUNDLE.read_text(encoding="utf-8"))["pact"]
PACT_TEXT = DEFAULT_PACT["text"]
# The pact of language_setup(): the default bundle's text and its English translation.
PACT_TITLES = {"id": "Pakta integritas netralitas ASN", "en": "Integrity pact on ASN neutrality"}
PACT_TEXTS = {"id": PACT_TEXT, "en": DEFAULT_PACT["i18n"]["en"]["text"]}
NIP = "198001012005011001"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_bundle(directory: Path, name: str, **changes) -> Path:
    """The test bundle with `changes`, signed by the key make_signed_bundle left in `directory`."""
    key = directory / "keys" / "e2e-test.key"
    return sign_payload(directory, name, bundle_payload() | changes, key)


@dataclass
class Setup:
    """One language's world: its companion, its Chromium, and the signing key for new bundles."""

    lang: str
    companion: Companion
    context: BrowserContext
    directory: Path

    @property
    def short(self) -> str:
        """The catalogue's language: "id" or "en"."""
        return "en" if self.lang.startswith("en") else "id"

    def msg(self, key: str, *substitutions: str) -> str:
        """The message as chrome.i18n renders it in this browser."""
        return extension_worker(self.context).evaluate(
            "([key, subs]) => chrome.i18n.getMessage(key, subs)", [key, list(substitutions)]
        )

    def open(self, name: str, context: BrowserContext | None = None) -> Page:
        """A new tab on pages/<name>.html, once the page has rendered what it loaded."""
        page = (context or self.context).new_page()
        page.goto(f"{ORIGIN}/pages/{name}.html")
        page.locator("main[aria-busy='false']").wait_for(timeout=10000)
        return page

    def sign_bundle(self, name: str, **changes) -> Path:
        return sign_bundle(self.directory, name, **changes)

    def restart_companion(self, rules: Path) -> None:
        self.companion.stop()
        self.companion.rules = rules
        self.companion.start()

    def post(self, path: str, body: dict) -> httpx.Response:
        response = httpx.post(
            self.companion.url + path,
            json=body,
            timeout=10,
            headers={"Authorization": f"Bearer {self.companion.token}"},
        )
        response.raise_for_status()
        return response


def language_setup(lang: str, playwright: Playwright) -> Iterator[Setup]:
    """A companion whose test bundle carries the default pact text, and a Chromium in `lang` paired
    to it (a fixture body: test_a11y.py builds its own from it)."""
    directory = Path(tempfile.mkdtemp(prefix=f"netral-pages-{lang}-"))
    _, trusted = make_signed_bundle(directory)
    pact = {
        "id": "pakta-e2e",
        "title": PACT_TITLES["id"],
        "text": PACT_TEXT,
        "i18n": {"en": {"title": PACT_TITLES["en"], "text": PACT_TEXTS["en"]}},
    }
    rules = sign_bundle(directory, "pages-v1", pact=pact)
    companion = Companion(data_dir=directory / "data", rules=rules, trusted_keys=trusted).start()
    context = launch_with_extension(playwright, directory / "profile", lang=lang)
    configure_extension(context, companionUrl=companion.url, companionToken=companion.token)
    try:
        yield Setup(lang, companion, context, directory)
    finally:
        context.close()
        companion.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module", params=LANGS)
def setup(request, playwright_instance: Playwright) -> Iterator[Setup]:
    yield from language_setup(request.param, playwright_instance)


def test_pages_speak_the_browser_language(setup):
    expected = "en" if setup.lang.startswith("en") else "id"
    assert setup.msg("pageLang") == expected
    page = setup.open("popup")
    assert page.evaluate("document.documentElement.lang") == expected
    expect(page.locator("#connection-heading")).to_have_text(setup.msg("popupCompanionHeading"))
    if expected == "id":
        expect(page.locator("#connection-heading")).to_have_text("Aplikasi pendamping")
    page.close()


# ── first run and pairing (a fresh profile with no token) ───────────────────────────────────


@pytest.fixture(scope="module")
def fresh(setup, playwright_instance) -> Iterator[BrowserContext]:
    """Chromium just installed: no token; the companion URL points at a closed port at first."""
    context = launch_with_extension(
        playwright_instance, setup.directory / "fresh-profile", lang=setup.lang
    )
    configure_extension(context, companionUrl="http://127.0.0.1:9")
    yield context
    context.close()


def pact_tab(context: BrowserContext) -> Page:
    for page in context.pages:
        if page.url == f"{ORIGIN}/pages/pact.html":
            return page
    return context.wait_for_event(
        "page", predicate=lambda p: p.url.endswith("/pages/pact.html"), timeout=10000
    )


def test_first_run_opens_the_pact_page_which_asks_to_pair_first(setup, fresh):
    page = pact_tab(fresh)
    page.locator("main[aria-busy='false']").wait_for(timeout=10000)
    expect(page.locator("#problem")).to_contain_text(setup.msg("pactNeedsCompanion"))
    expect(page.locator("#pair-heading")).to_have_text(setup.msg("pairHeading"))
    expect(page.locator("#pairing code")).to_have_text("netral-companion pair")
    expect(page.locator("#accept-form")).to_be_hidden()


def pairing_code(setup: Setup) -> str:
    output = run_companion_cli("pair", "--data-dir", str(setup.companion.data_dir))
    return re.search(r"pairing code: (\S+)", output).group(1)


def submit_code(page: Page, code: str) -> None:
    page.locator("#pair-message").evaluate("(node) => { node.textContent = ''; }")
    page.fill("#pair-code", code)
    page.press("#pair-code", "Enter")


def test_pairing_says_what_to_do_after_each_failure_then_connects(setup, fresh):
    popup = setup.open("popup", fresh)
    expect(popup.locator("#connection-state")).to_have_text(setup.msg("popupDisconnected"))
    expect(popup.locator("#pair-heading")).to_be_visible()
    message = popup.locator("#pair-message")

    submit_code(popup, "")
    expect(message).to_have_text(setup.msg("pairErrorEmpty"))

    # Companion not running (nothing listens on the configured port).
    submit_code(popup, "K7QM-3XTA")
    expect(message).to_have_text(setup.msg("pairErrorUnreachable"))
    expect(popup.locator("#pair-code")).to_have_attribute("aria-invalid", "true")

    # Running, but no code was printed (or it expired, or five wrong tries used it up).
    configure_extension(fresh, companionUrl=setup.companion.url)
    submit_code(popup, "K7QM-3XTA")
    expect(message).to_have_text(setup.msg("pairErrorExpired"))

    code = pairing_code(setup)
    submit_code(popup, "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY")
    expect(message).to_have_text(setup.msg("pairErrorWrongCode"))
    expect(popup.locator("#pair-code")).to_be_focused()

    submit_code(popup, code.lower())  # typed as read aloud: case does not matter
    expect(popup.locator("#connection-state")).to_have_text(setup.msg("popupConnected"))
    expect(popup.locator("#connection-advice")).to_have_text(setup.msg("popupProofOk"))
    expect(popup.locator("#pairing")).to_be_empty()
    stored = extension_worker(fresh).evaluate(
        "async () => (await chrome.storage.local.get('companionToken')).companionToken"
    )
    assert stored == setup.companion.token

    # The first-run tab, open all along, now shows the pact to accept.
    first_run = pact_tab(fresh)
    expect(first_run.locator("#accept-form")).to_be_visible()
    expect(first_run.locator("#pairing")).to_be_empty()
    popup.close()


# ── the pact ─────────────────────────────────────────────────────────────────────────────────


def companion_status(setup: Setup) -> dict:
    return setup.companion.get("/v1/status")


def test_pact_markdown_is_rendered_as_elements_never_as_markup(setup):
    page = setup.open("history")
    hostile = '# Judul\n\nTeks <img src=x onerror="window.__pwned=1"> **tebal** dan *miring*.\n'
    rendered = page.evaluate(
        """async ([pact, hostile]) => {
            const { renderMarkdown } = await import("./markdown.js");
            const box = document.createElement("div");
            box.append(renderMarkdown(pact));
            const evil = document.createElement("div");
            evil.append(renderMarkdown(hostile));
            return {
              tags: [...box.children].map((n) => n.tagName.toLowerCase()),
              h2: box.querySelector("h2").textContent,
              items: [...box.querySelectorAll("ol > li")].map((li) => li.textContent),
              strong: [...box.querySelectorAll("ol > li > strong")].map((s) => s.textContent),
              evilHtml: evil.innerHTML,
              pwned: window.__pwned ?? null,
            };
        }""",
        [PACT_TEXT, hostile],
    )
    assert rendered["tags"] == ["h2", "p", "ol", "p", "p"]
    assert rendered["h2"] == "Pakta Integritas Netralitas ASN"
    assert len(rendered["items"]) == promises(PACT_TEXT)
    assert rendered["strong"][0] == "Menjaga netralitas."
    assert "<img" not in rendered["evilHtml"] and "&lt;img" in rendered["evilHtml"]
    assert "<strong>tebal</strong>" in rendered["evilHtml"]
    assert "<em>miring</em>" in rendered["evilHtml"]
    assert rendered["pwned"] is None
    page.close()


def test_pact_accepted_on_its_page_is_recorded_and_shown_in_the_popup(setup):
    popup = setup.open("popup")
    expect(popup.locator("#pact-state")).to_have_text(setup.msg("popupPactNotAccepted"))
    with setup.context.expect_page() as opened:
        popup.locator("#open-pact").click()
    page = opened.value
    page.locator("main[aria-busy='false']").wait_for(timeout=10000)
    expect(page.locator("#pact-title")).to_have_text(PACT_TITLES[setup.short])

    # A NIP of the wrong length is refused politely, on the field, before anything is sent.
    page.fill("#name", "Siti Rahayu")
    page.fill("#nip", "19800101 2005")
    page.check("#agree")
    page.click("#accept")
    expect(page.locator("#nip-error")).to_have_text(setup.msg("pactNipLength", "12"))
    expect(page.locator("#nip")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#nip")).to_be_focused()
    page.fill("#nip", "1980-01-01-ABC")
    page.click("#accept")
    expect(page.locator("#nip-error")).to_have_text(setup.msg("pactNipDigitsOnly"))

    # The box must be ticked.
    page.fill("#nip", f"{NIP[:8]} {NIP[8:14]} {NIP[14]} {NIP[15:]}")  # as printed on an SK
    page.uncheck("#agree")
    page.click("#accept")
    expect(page.locator("#agree-error")).to_be_visible()
    assert companion_status(setup)["pact"]["accepted_at"] is None

    page.check("#agree")
    page.click("#accept")
    expect(page.locator("#accepted-text")).to_be_visible()
    expect(page.locator("#accept-form")).to_be_hidden()
    accepted_at = companion_status(setup)["pact"]["accepted_at"]
    assert accepted_at
    [row] = [r for r in setup.companion.acknowledgements() if r["kind"] == "pact_acceptance"]
    assert (row["pact_id"], row["name"], row["nip"]) == ("pakta-e2e", "Siti Rahayu", NIP)

    popup.reload()
    popup.locator("main[aria-busy='false']").wait_for()
    expect(popup.locator("#pact-state")).to_have_class(re.compile(r"\bok\b"))
    expect(popup.locator("#pact-state")).not_to_have_text(setup.msg("popupPactNotAccepted"))
    expect(popup.locator("#open-pact")).to_be_hidden()
    badge = extension_worker(setup.context).evaluate("chrome.action.getBadgeText({})")
    assert badge == ""
    page.close()
    popup.close()


def promises(text: str) -> int:
    """How many numbered items a pact text has."""
    return len(re.findall(r"^\d+\. ", text, flags=re.MULTILINE))


def test_pact_text_from_the_bundle_is_shown_in_the_browser_language(setup):
    text = PACT_TEXTS[setup.short]
    page = setup.open("pact")
    heading = re.search(r"^# (.+)$", text, flags=re.MULTILINE).group(1)
    expect(page.locator("#pact-title")).to_have_text(PACT_TITLES[setup.short])
    expect(page.locator("#pact-text h2")).to_have_text(heading)
    expect(page.locator("#pact-text ol > li")).to_have_count(promises(text))
    page.close()


def test_a_bundle_with_a_new_pact_asks_again_and_warns_of_its_expiry(setup):
    soon = datetime.now(UTC) + timedelta(days=10, hours=1)
    pact = {"id": "pakta-e2e-2025", "title": "Pakta integritas 2025", "text": "Saya tetap netral."}
    rules = setup.sign_bundle("pages-v2", version=2, pact=pact, expires_at=stamp(soon))
    setup.restart_companion(rules)

    popup = setup.open("popup")
    expect(popup.locator("#bundle-version")).to_have_text("2")
    expect(popup.locator("#expiry-notice")).to_have_text(setup.msg("popupExpiresSoon", "10"))
    expect(popup.locator("#pact-state")).to_have_text(setup.msg("popupPactNotAccepted"))
    assert extension_worker(setup.context).evaluate("chrome.action.getBadgeText({})") == "!"
    with setup.context.expect_page() as opened:
        popup.locator("#open-pact").click()
    page = opened.value
    page.locator("main[aria-busy='false']").wait_for(timeout=10000)
    expect(page.locator("#pact-title")).to_have_text("Pakta integritas 2025")

    # Name and NIP are optional: accepting with neither is recorded.
    page.check("#agree")
    page.click("#accept")
    expect(page.locator("#accepted-text")).to_be_visible()
    assert companion_status(setup)["pact"]["accepted_at"]
    popup.reload()
    popup.locator("main[aria-busy='false']").wait_for()
    expect(popup.locator("#open-pact")).to_be_hidden()
    page.close()
    popup.close()


# ── the popup's other facts ──────────────────────────────────────────────────────────────────


def test_popup_shows_the_bundle_and_sites_where_no_control_matched(setup):
    page = setup.open("popup")
    expect(page.locator("#bundle-id")).to_have_text("e2e-test")
    expect(page.locator("#bundle-issuer")).not_to_be_empty()
    expect(page.locator("#sites-ok")).to_be_visible()
    expect(page.locator("#companion-version")).not_to_be_empty()

    health = "(h) => chrome.runtime.sendMessage({what: 'siteHealth', ...h})"
    page.evaluate(health, {"platform": "facebook", "postsSeen": 6, "controlsMatched": 0})
    page.reload()
    page.locator("main[aria-busy='false']").wait_for()
    expect(page.locator("#sites-broken li > p:first-child")).to_have_text(
        [setup.msg("popupSiteBroken", "Facebook")]
    )
    # Each broken site offers the breakage report for the agency's hot-fix.
    expect(page.locator("#sites-broken li [data-action='copy-report']")).to_have_text(
        setup.msg("popupCopyReport")
    )
    expect(page.locator("#sites-ok")).to_be_hidden()
    page.evaluate(health, {"platform": "facebook", "postsSeen": 6, "controlsMatched": 4})
    page.close()


def test_popup_says_when_the_companion_is_not_running_and_counts_waiting_acks(setup):
    setup.companion.stop()
    try:
        page = setup.open("popup")
        expect(page.locator("#connection-state")).to_have_text(setup.msg("popupDisconnected"))
        advice = setup.msg("pageAdviceUnreachable", setup.companion.url)
        expect(page.locator("#connection-advice")).to_have_text(advice)
        expect(page.locator("#retry")).to_be_visible()
        ack = {
            "ack_id": str(uuid.uuid4()),
            "check_id": None,
            "platform": "x",
            "action": "like",
            "outcome": "cancelled",
            "entity_ids": ["paslon-2024-02"],
            "bundle_id": "e2e-test",
            "rules_version": 2,
            "occurred_at": stamp(datetime.now(UTC)),
            "justification": None,
        }
        page.evaluate("(ack) => chrome.runtime.sendMessage({what: 'acknowledge', ack})", ack)
        page.click("#retry")
        expect(page.locator("#queue-state")).to_have_text(setup.msg("popupQueuePending", "1"))
    finally:
        setup.companion.start()
    page.click("#retry")
    expect(page.locator("#connection-state")).to_have_text(setup.msg("popupConnected"))
    # Back online, the queue delivers the waiting acknowledgement (once).
    empty = setup.msg("popupQueueEmpty")
    for _ in range(50):
        if page.locator("#queue-state").text_content() == empty:
            break
        page.wait_for_timeout(100)
        page.reload()
        page.locator("main[aria-busy='false']").wait_for()
    expect(page.locator("#queue-state")).to_have_text(empty)
    assert [r["ack_id"] for r in setup.companion.acknowledgements()].count(ack["ack_id"]) == 1
    page.close()


# ── history ──────────────────────────────────────────────────────────────────────────────────

PLATFORM_CYCLE = ["x", "facebook", "x", "instagram", "facebook"]
ACTION_CYCLE = ["like", "comment", "share", "follow"]


def record_acknowledgements(setup: Setup, count: int) -> None:
    start = datetime.now(UTC) - timedelta(hours=count)
    for i in range(count):
        setup.post(
            "/v1/acknowledgements",
            {
                "ack_id": str(uuid.uuid4()),
                "check_id": None,
                "platform": PLATFORM_CYCLE[i % len(PLATFORM_CYCLE)],
                "action": ACTION_CYCLE[i % len(ACTION_CYCLE)],
                "outcome": "proceeded" if i % 3 == 0 else "cancelled",
                "entity_ids": ["paslon-2024-02"] if i % 2 else ["partai-contoh"],
                "election_ids": ["pemilu-uji"],
                "bundle_id": "e2e-test",
                "rules_version": 2,
                "occurred_at": stamp(start + timedelta(hours=i)),
                "justification": None,
            },
        )


def seqs(page: Page) -> list[int]:
    return [
        int(s)
        for s in page.locator("#rows tr").evaluate_all("(rows) => rows.map(r => r.dataset.seq)")
    ]


def test_history_newest_first_paged_filtered_checked_and_exported(setup):
    record_acknowledgements(setup, 47)
    log = setup.companion.acknowledgements()
    newest_first = sorted((row["seq"] for row in log), reverse=True)
    page = setup.open("history")
    expect(page.locator("#chain")).to_have_text(setup.msg("historyChainOk", str(len(log))))

    assert seqs(page) == newest_first[:20]
    expect(page.locator("#newer")).to_be_disabled()
    page.click("#older")
    assert seqs(page) == newest_first[20:40]
    page.click("#older")
    assert seqs(page) == newest_first[40:]
    expect(page.locator("#older")).to_be_disabled()
    expect(page.locator("#newer")).to_be_focused()  # focus stays on a usable pager button
    page.click("#newer")
    assert seqs(page) == newest_first[20:40]

    # Filters start again at the newest matching entry.
    page.select_option("#filter-platform", "facebook")
    facebook = sorted((r["seq"] for r in log if r.get("platform") == "facebook"), reverse=True)
    assert seqs(page) == facebook[:20]
    expect(page.locator("#rows td.platform").first).to_have_text("Facebook")
    page.select_option("#filter-outcome", "cancelled")
    wanted = [r for r in log if r.get("platform") == "facebook" and r.get("outcome") == "cancelled"]
    expected_seqs = sorted((r["seq"] for r in wanted), reverse=True)
    assert seqs(page) == expected_seqs[:20]

    with page.expect_download() as download:
        page.click("#export-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename.startswith("netral-history-")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["seq"]) for r in rows] == expected_seqs
    assert {(r["platform"], r["outcome"]) for r in rows} == {("facebook", "cancelled")}
    by_seq = {row["seq"]: row for row in log}
    assert all(r["hash"] == by_seq[int(r["seq"])]["hash"] for r in rows)

    page.select_option("#filter-platform", "")
    page.select_option("#filter-outcome", "")
    with page.expect_download() as download:
        page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [item["seq"] for item in exported["items"]] == newest_first
    assert exported["chain"]["ok"] is True
    pact_rows = [item for item in exported["items"] if item["kind"] == "pact_acceptance"]
    assert pact_rows and pact_rows[-1]["nip"] == NIP
    page.close()


def test_extension_pages_need_no_remote_code():
    """Pages load only their own modules and styles: no CDN, no inline script (MV3 CSP)."""
    for html in (EXTENSION_DIR / "pages").glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, html.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), html.name
        assert not re.search(r"\son[a-z]+=", text), html.name
