"""Accessibility of the extension's pages and of the warning dialog, in Indonesian and English:
axe-core (from npm) finds no serious or critical violation, and the pages work from the keyboard
with a visible focus. With NETRAL_SCREENSHOTS=1 the states checked here are also saved under
docs/screenshots/."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from e2e_testkit import (
    DESKTOP,
    FIXTURES,
    ORIGIN,
    POPUP,
    REPO,
    configure_extension,
    open_site,
    screenshot,
    serve_fixtures,
    wait_classified,
    wait_for_warning,
    warning_frame,
)
from playwright.sync_api import Page, Playwright
from test_pages import LANGS, Setup, language_setup, record_acknowledgements

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module", params=LANGS)
def setup(request, playwright_instance: Playwright) -> Iterator[Setup]:
    yield from language_setup(request.param, playwright_instance)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():  # scripts/test.sh runs `npm ci`; a bare pytest run may not have
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True, timeout=120)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, source: str, context: str = "document") -> list[dict]:
    """axe-core's violations in `context` (a JS expression); the source is evaluated through the
    DevTools protocol, because an extension page's CSP refuses the inline <script> that
    page.add_script_tag would insert (web pages get add_script_tag)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        if page.url.startswith(ORIGIN):
            page.evaluate(source)
        else:
            page.add_script_tag(path=str(AXE))
    return page.evaluate(
        f"""async () => {{
            const results = await axe.run({context}, {{ resultTypes: ["violations"] }});
            return results.violations.map((v) => ({{
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map((n) => [n.target.join(" "), n.failureSummary]),
            }}));
        }}"""
    )


def assert_accessible(page: Page, source: str, what: str, context: str = "document") -> None:
    violations = axe_violations(page, source, context)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{what}: " + json.dumps(blocking, ensure_ascii=False, indent=1)
    # Moderate and minor findings are not failures, but they are worth seeing in the log.
    for v in violations:
        print(f"{what}: {v['impact']} {v['id']}: {v['help']} {[n[0] for n in v['nodes']]}")


def ready(page: Page) -> Page:
    page.locator("main[aria-busy='false']").wait_for(timeout=10000)
    return page


def test_axe_runs_and_reports_what_it_should(setup: Setup, axe_source):
    """A control without a label is a critical finding: the check below is not vacuous."""
    page = setup.open("history")
    page.evaluate("document.querySelector('main').append(document.createElement('select'))")
    found = {v["id"]: v["impact"] for v in axe_violations(page, axe_source)}
    assert found.get("select-name") == "critical"
    page.close()


def test_popup_connected(setup: Setup, axe_source):
    page = setup.open("popup")
    page.set_viewport_size(POPUP)
    assert_accessible(page, axe_source, "popup")
    screenshot(page, "page-popup", setup.lang)
    page.close()


def test_popup_pairing_with_an_error_shown(setup: Setup, axe_source):
    configure_extension(setup.context, companionToken="")
    try:
        page = setup.open("popup")
        page.set_viewport_size(POPUP)
        page.fill("#pair-code", "ZZZZ-ZZZZ")
        page.press("#pair-code", "Enter")
        page.locator("#pair-message.error").wait_for()
        assert_accessible(page, axe_source, "popup pairing")
        screenshot(page, "page-popup-pairing", setup.lang)
        page.close()
    finally:
        configure_extension(setup.context, companionToken=setup.companion.token)


def test_pact_page_and_its_errors(setup: Setup, axe_source):
    page = setup.open("pact")
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, axe_source, "pact")
    screenshot(page, "page-pact", setup.lang)
    if page.locator("#accept-form").is_visible():
        page.fill("#nip", "12345")
        page.click("#accept")
        page.locator("#nip-error").wait_for()
        assert_accessible(page, axe_source, "pact with errors")
    page.close()


def test_history_page(setup: Setup, axe_source):
    record_acknowledgements(setup, 25)
    page = setup.open("history")
    page.set_viewport_size(DESKTOP)
    page.locator("#rows tr").first.wait_for()
    assert_accessible(page, axe_source, "history")
    screenshot(page, "page-history", setup.lang)
    page.close()


def test_warning_dialog(setup: Setup, axe_source):
    serve_fixtures(setup.context, "https://x.com", FIXTURES / "x")
    query = "?lang=en" if setup.lang.startswith("en") else ""
    page = open_site(setup.context, f"https://x.com/home{query}")
    page.set_viewport_size(DESKTOP)
    wait_classified(page)
    page.locator("article[data-post='1001'] [data-testid='like']").click()
    assert wait_for_warning(page) == "warn"
    # axe runs inside the warning's own document (the host's shadow root is closed to the page).
    assert_accessible(warning_frame(page), axe_source, "warning")
    screenshot(page, "warning", setup.lang, full_page=False)
    page.close()


# ── keyboard ─────────────────────────────────────────────────────────────────────────────────

FOCUS_STYLE = """() => {
    const node = document.activeElement;
    const style = getComputedStyle(node);
    return { id: node.id || node.tagName.toLowerCase(), outline: style.outlineStyle,
             width: parseFloat(style.outlineWidth), visible: node.matches(":focus-visible") };
}"""


def tab_through(page: Page, stop_at: str, limit: int = 30) -> list[dict]:
    """Presses Tab from the top of the page until `stop_at` has focus; each stop's focus style."""
    page.locator("body").focus()
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_STYLE))
        if stops[-1]["id"] == stop_at:
            return stops
    raise AssertionError(f"Tab never reached #{stop_at}: {[s['id'] for s in stops]}")


def assert_focus_visible(stops: list[dict]) -> None:
    hidden = [s for s in stops if not s["visible"] or s["outline"] == "none" or s["width"] < 2]
    assert not hidden, hidden


def test_history_works_from_the_keyboard_with_visible_focus(setup: Setup):
    page = ready(setup.open("history"))
    stops = tab_through(page, "older")
    assert [s["id"] for s in stops][:5] == [
        "filter-platform",
        "filter-outcome",
        "filter-election",
        "export-csv",
        "export-json",
    ]
    assert_focus_visible(stops)
    first = page.locator("#rows tr").first.get_attribute("data-seq")
    page.keyboard.press("Enter")
    assert page.locator("#rows tr").first.get_attribute("data-seq") != first
    page.close()


def test_pairing_works_from_the_keyboard(setup: Setup):
    configure_extension(setup.context, companionToken="")
    try:
        page = ready(setup.open("popup"))
        stops = tab_through(page, "pair-code")
        assert_focus_visible(stops)
        page.keyboard.type("zzzz-zzzz")
        page.keyboard.press("Enter")
        page.locator("#pair-message.error").wait_for()
        assert page.evaluate("document.activeElement.id") == "pair-code"
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_STYLE)["visible"]
        page.close()
    finally:
        configure_extension(setup.context, companionToken=setup.companion.token)


def test_pact_can_be_accepted_from_the_keyboard_alone(setup: Setup):
    page = ready(setup.open("pact"))
    # No earlier test of this module accepts the pact, so the form is there.
    assert page.locator("#accept-form").is_visible()
    stops = tab_through(page, "name")
    page.keyboard.type("Siti Rahayu")
    page.keyboard.press("Tab")
    page.keyboard.type("198001012005011001")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.is_checked("#agree")
    page.keyboard.press("Tab")
    stops.append(page.evaluate(FOCUS_STYLE))
    assert stops[-1]["id"] == "accept"
    assert_focus_visible(stops)
    page.keyboard.press("Enter")
    page.locator("#accepted-text").wait_for()
    assert page.evaluate("document.activeElement.id") == "accepted-text"
    page.close()
