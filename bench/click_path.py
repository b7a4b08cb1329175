"""Click-path latency of the extension, in one Chromium run against the real companion.

Measures, on the x.com fixture:
  1. trusted pointerdown -> the frame that shows the warning: the warning's own document
     (pages/warning.html, framed in the host's closed shadow root) stamps the requestAnimationFrame
     after its dialog is shown (performance.timeOrigin + now, comparable across the two
     documents), after the press's own time stamp (the page's listener sees it; a press the
     content script holds at its pointerdown, which the page never sees, is marked netral:press);
     for posts classified ahead (IntersectionObserver + /v1/check/batch) and for cold posts (checked
     at click time); side by side with a floor measured the same way: a plain page that opens a
     <dialog> on click, in a Chromium of its own without the extension, clicked in turn with the
     warning in the same loop (on arrival: right after the click that closed its dialog, a frame
     still in flight, as a just-inserted post's is); and a second floor, the fixture page
     itself opening a plain <dialog> after each classified-ahead run (a modal's cost grows with the
     page). Every click is a mouse click at the button's centre, either after the pointer rested
     there REST_MS (a post on screen, as a person presses) or on arrival (a post just inserted,
     which must still be cold; and the harshest case for a post classified ahead, whose warning is
     rendered while the pointer rests), each against its floor clicked the same way;
  2. the delay an allowed action gets: click -> the site's own React-style root handler, with the
     extension and in a second browser context without it; in that context also the second floor
     again (the fixture opening a plain <dialog> as its feed grows the same way), so the page's own
     cost and the extension's presence on it are told apart.
Targets: classified-ahead p95 <= 1.2x the floor's p95, cold p95 <= 3x the floor's p95, allowed
actions <= 1 ms added.

    python bench/click_path.py [--runs 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The e2e harness: companion, signed test bundle, extension launch, fixture routes.
from e2e_testkit import (
    CHROMIUM,
    press_warning_button,
    wait_for_warning,
    warning_frame,
)
from harness import linked_extension, plain_browser, plain_x_page

PROBE = """() => {
    window.__bench = {down: null};
    window.addEventListener('pointerdown', (e) => {
        // Trusted only: the replay of a held click dispatches its own pointerdown.
        if (e.isTrusted) window.__bench.down = performance.timeOrigin + e.timeStamp;
    }, true);
}"""

# The content script's netral:* marks of the last click (its isolated world shares the page's
# timeline), read once the warning is up: a PerformanceObserver, used before, ran its callback in
# the page between the press and the frame, a cost the floor never paid.
MARKS = """() => Object.fromEntries(performance.getEntriesByType('mark')
    .filter((e) => e.name.startsWith('netral:'))
    .map((e) => [e.name, performance.timeOrigin + e.startTime]))"""

# Where the time of a warning goes, in ms after the trusted pointerdown: the content script's marks,
# then the warning document's (the frame after it rendered, the frame after its host was shown).
PARTS = ("netral:intercept", "netral:show", "netral:host-open", "netral:host-shown", "netral:modal")
FRAME_PARTS = ("renderedAt", "paintedAt")
# How long the pointer rests on a post's button before pressing it, for a post already on screen:
# a person reaches a button and then presses (this bench assumes 300 ms, not a measured figure).
# Playwright's bare mouse.click() presses within a millisecond of arriving, before anything a page
# does on hover (the extension renders the warning of a post known to warn in its hidden frame) has
# happened. Rows for a post just inserted press on arrival (0), else it would be classified by then.
REST_MS = 300

# The floor: the least a click-to-dialog can cost in this browser, measured the way the warning is.
FLOOR_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head><body>
<button id="open" style="margin:200px">Suka</button>
<dialog id="d"><p>Konten ini berkaitan dengan kampanye pemilu</p>
<button id="close">Batal</button></dialog>
<script>
  window.__bench = {down: null, shown: null};
  addEventListener('pointerdown', (e) => {
    __bench.down = performance.timeOrigin + e.timeStamp;
  }, true);
  document.getElementById('open').addEventListener('click', () => {
    d.showModal();
    requestAnimationFrame(() => { __bench.shown = performance.timeOrigin + performance.now(); });
  });
  document.getElementById('close').addEventListener('click', () => d.close());
</script></body></html>"""
FLOOR_URL = "https://floor.example/"

# The same dialog, opened by the fixture page itself at each run: what a modal costs on that page at
# its size then (showModal makes the whole page inert, a style pass over every element), which the
# plain page never pays.
SAME_PAGE_FLOOR = """() => {
    const open = document.createElement('button');
    open.id = 'bench-open';
    open.textContent = 'Buka';
    open.style.cssText = 'position:fixed;right:8px;top:8px;z-index:1';
    const d = document.createElement('dialog');
    d.innerHTML = '<p>Konten ini berkaitan dengan kampanye pemilu</p>'
        + '<button id="bench-close">Batal</button>';
    document.body.append(open, d);
    open.addEventListener('click', () => {
        d.showModal();
        requestAnimationFrame(() => {
            __bench.shown = performance.timeOrigin + performance.now();
        });
    });
    d.querySelector('#bench-close').addEventListener('click', () => d.close());
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float], target: float | None = None) -> str:
    p50, p95 = percentile(values, 50), percentile(values, 95)
    verdict = (
        ""
        if target is None
        else f"  target p95 <= {target:g} ms: {'met' if p95 <= target else 'MISSED'}"
    )
    return f"{name:<44} n={len(values):<3} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms{verdict}"


def mouse_click(page: Page, selector: str, rest_ms: int = 0) -> None:
    """A trusted click at the element's centre after the pointer rested there `rest_ms`, as a
    person's comes: at any moment of the page's frame. Every row and its floor are clicked this way,
    with the same rest. Playwright's locator.click() first waits for the element to be stable over
    animation frames, so its click lands at one fixed moment of a frame and a dialog opened by it
    shows ~12 ms later every time: a floor clicked that way and a warning clicked this way were not
    measured alike (the plain floor's p95 was 13.0 ms that way, 10.7 to 14.8 ms this way)."""
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if rest_ms:
        page.mouse.move(x, y)
        page.wait_for_timeout(rest_ms)
    page.mouse.click(x, y)


def click_to_warning(
    page: Page, selector: str, parts: dict | None = None, rest_ms: int = 0
) -> float:
    """ms from the trusted pointerdown to the frame that shows the warning's dialog; with `parts`,
    appends each mark's ms after the pointerdown to parts[name]."""
    page.evaluate("window.__bench.down = null; performance.clearMarks()")
    mouse_click(page, selector, rest_ms)
    wait_for_warning(page)
    frame = warning_frame(page)
    frame.wait_for_selector("body[data-shown-at]", state="attached")
    stamps = frame.evaluate("({...document.body.dataset})")
    # A press on a post known to warn is held at its pointerdown, which the page then never sees:
    # the content script marks that event's own time stamp instead (netral:press).
    marks = page.evaluate(MARKS)
    down = page.evaluate("window.__bench.down") or marks["netral:press"]
    if parts is not None:
        for name in PARTS:
            if name in marks:
                parts.setdefault(name, []).append(marks[name] - down)
        for name in FRAME_PARTS:
            parts.setdefault(f"frame {name}", []).append(float(stamps[name]) - down)
    press_warning_button(page, "cancel")
    return float(stamps["shownAt"]) - down


def print_parts(label: str, parts: dict) -> None:
    """p50 of each part (negative: before the pointerdown, e.g. rendered ahead)."""
    cells = "  ".join(
        f"{name.removeprefix('netral:')} {statistics.median(v):.1f}" for name, v in parts.items()
    )
    print(f"  {label} parts, p50 ms after pointerdown: {cells}")


def click_to_floor(page: Page, prefix: str = "", rest_ms: int = 0) -> float:
    page.evaluate("window.__bench.shown = null")
    mouse_click(page, f"#{prefix}open", rest_ms)
    page.wait_for_function("window.__bench.shown != null")
    elapsed = page.evaluate("window.__bench.shown - window.__bench.down")
    mouse_click(page, f"#{prefix}close")
    return elapsed


def insert_post(page: Page, post_id: str, text: str, handle: str = "prabowo") -> None:
    page.evaluate(
        "(p) => window.__insertPost(p)",
        {"id": post_id, "name": "Relawan", "handle": handle, "text": text},
    )


def allowed_delays(page: Page, runs: int) -> list[float]:
    """dt the site's root handler saw for `runs` likes of an allowed post (like, unlike, …)."""
    like = "article[data-post='1002'] :is([data-testid='like'], [data-testid='unlike'])"
    for _ in range(runs * 2):
        mouse_click(page, like)
    page.wait_for_function(f"window.__siteLog.filter((e) => e.action === 'like').length >= {runs}")
    return [e["dt"] for e in page.evaluate("window.__siteLog") if e["action"] == "like"]


def measure_floor(context: BrowserContext, runs: int) -> list[float]:
    """The floor in this browser, in one block: a plain page opening a <dialog> on click, pressed
    on arrival, `runs` times (bench/extension.py's)."""
    floor_page = open_floor(context)
    floor = [click_to_floor(floor_page) for _ in range(runs)]
    floor_page.close()
    return floor


def open_floor(context: BrowserContext) -> Page:
    """The floor page, warmed by one click."""
    context.route(FLOOR_URL, lambda route: route.fulfill(content_type="text/html", body=FLOOR_PAGE))
    floor_page = context.new_page()
    floor_page.goto(FLOOR_URL)
    click_to_floor(floor_page)
    return floor_page


def floor_on_arrival(page: Page) -> float:
    """The floor pressed on arrival, right after the click that closed its dialog (a frame still in
    flight, as the warning's press on arrival comes just after its post was inserted): the first
    of two clicks in a row sets that state and is not counted."""
    click_to_floor(page)
    return click_to_floor(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs

    with (
        sync_playwright() as pw,
        linked_extension(pw) as context,
        plain_browser(pw) as floor_context,
    ):
        page = context.new_page()
        page.goto("https://x.com/home")
        page.wait_for_function("document.documentElement.dataset.netralReady === '1'")
        page.wait_for_function(
            "Number(document.documentElement.dataset.netralClassified || 0) >= 1"
        )
        page.evaluate(PROBE)
        page.wait_for_timeout(1000)  # the top frame prepares its warning frame when idle

        # Warm the path once (worker start, proof check, first JIT) without counting it.
        insert_post(page, "w0", "Pemanasan #PrabowoGibran2024")
        click_to_warning(page, "article[data-post='w0'] [data-testid='like']")

        # The floor, in a browser of its own without the extension, clicked in turn with the warning
        # in the same loop (a drift of the machine's speed reaches both alike; headless Chromium
        # draws frames for one tab per window only, so it cannot be another tab of this browser).
        floor_page = open_floor(floor_context)
        page.evaluate(SAME_PAGE_FLOOR)
        ahead, arrival, same_page, floor, floor_arrival = [], [], [], [], []
        ahead_parts, arrival_parts, cold_parts = {}, {}, {}
        for i in range(runs):
            for prefix, samples, parts, rest in (
                ("a", ahead, ahead_parts, REST_MS), ("b", arrival, arrival_parts, 0)
            ):
                batches = page.evaluate("Number(document.documentElement.dataset.netralClassified)")
                insert_post(page, f"{prefix}{i}", f"Kampanye hari ke-{i} #PrabowoGibran2024")
                page.wait_for_function(
                    f"Number(document.documentElement.dataset.netralClassified) > {batches}"
                )
                samples.append(
                    click_to_warning(
                        page, f"article[data-post='{prefix}{i}'] [data-testid='like']", parts, rest
                    )
                )
            floor.append(click_to_floor(floor_page, rest_ms=REST_MS))
            floor_arrival.append(floor_on_arrival(floor_page))
            same_page.append(click_to_floor(page, "bench-", REST_MS))

        cold = []
        for i in range(runs):
            insert_post(page, f"c{i}", f"Relawan bergerak, jilid {i} #PrabowoGibran2024")
            cold.append(
                click_to_warning(
                    page, f"article[data-post='c{i}'] [data-testid='like']", cold_parts
                )
            )

        page.reload()
        page.wait_for_function(
            "Number(document.documentElement.dataset.netralClassified || 0) >= 1"
        )
        with_extension = allowed_delays(page, runs)
        context.close()

        with plain_x_page(pw) as baseline_page:
            without_extension = allowed_delays(baseline_page, runs)
            # The same-page floor without the extension, the feed grown the same way: what of the
            # fixture page's own <dialog> cost is the page's, and what is the extension's presence.
            baseline_page.evaluate(PROBE)
            baseline_page.evaluate(SAME_PAGE_FLOOR)
            same_page_plain = []
            for i in range(runs):
                insert_post(baseline_page, f"a{i}", f"Kampanye hari ke-{i} #PrabowoGibran2024")
                same_page_plain.append(click_to_floor(baseline_page, "bench-", REST_MS))

    load = os.getloadavg()
    print(f"Netral click path, {runs} runs each (Chromium {CHROMIUM}, headless)")
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rested, arrived = f"rested {REST_MS} ms", "on arrival"
    print(f"click -> shown; the pointer {rested} on the button first (a post on screen), or the")
    print("press as the pointer arrives (Playwright's mouse.click(); a post just inserted)")
    print(summary(f"floor: plain <dialog>, {rested}", floor))
    print(summary(f"floor: plain <dialog>, {arrived}", floor_arrival))
    print(summary("same page: the fixture opens a <dialog>", same_page))
    print(summary("  the same without the extension", same_page_plain))
    same_p95 = percentile(same_page, 95)
    for name, samples, factor, parts, floor_samples in (
        (f"warning, classified ahead, {rested}", ahead, 1.2, ahead_parts, floor),
        (f"warning, classified ahead, {arrived}", arrival, 1.2, arrival_parts, floor_arrival),
        (f"warning, cold post, {arrived}", cold, 3, cold_parts, floor_arrival),
    ):
        p95, floor_p95 = percentile(samples, 95), percentile(floor_samples, 95)
        verdict = "met" if p95 <= factor * floor_p95 else "MISSED"
        print(summary(name, samples))
        print(f"{'  p95 / floor p95':<44} {p95 / floor_p95:.2f}x  target <= {factor:g}x: {verdict}")
        if samples is ahead:
            print(f"{'  p95 / same-page p95':<44} {p95 / same_p95:.2f}x")
        print_parts(name, parts)
    print(summary("allowed: click -> site, extension", with_extension))
    print(summary("allowed: click -> site, no extension", without_extension))
    added = statistics.median(with_extension) - statistics.median(without_extension)
    ok = "met" if added <= 1 else "MISSED"
    print(f"{'allowed action, added (median)':<44} {added:+.3f} ms  target <= 1 ms: {ok}")
    ratio = statistics.median(cold) / statistics.median(ahead)
    print(f"{'cold / classified-ahead (p50)':<44} {ratio:.2f}x")


if __name__ == "__main__":
    main()
