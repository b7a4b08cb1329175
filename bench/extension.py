"""The service worker's cold start and the classification latency, in one Chromium run.

Measures, on the x.com fixture against the real companion, each next to the floor of
bench/click_path.py (a plain page that opens a <dialog> on click, same browser, same run):
  1. after the worker was stopped (CDP ServiceWorker.stopWorker, as the browser stops an idle
     worker): the first warning on a new post, and the first allowed click on a new post; the same
     two with the worker running (warm). Warning: trusted pointerdown -> the frame that shows it;
     allowed: trusted pointerdown -> the site's own handler ran (the held click replayed);
  2. the worker's own cold-start budget (ms since it started: configuration read, proof done, first
     check answered), from its `status` answer after each cold click;
  3. classification latency: a post inserted into view -> the insertion's next animation frame,
     -> the engine's observation sent the batch (mark netral:classify-sent), -> its verdict known
     in the content script (mark netral:classified).
Targets: the observation within one frame of the insertion; the first cold warning <= 3x the floor.

    python bench/extension.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from click_path import (
    PROBE,
    click_to_warning,
    insert_post,
    measure_floor,
    percentile,
    summary,
)
from e2e_testkit import (
    CHROMIUM,
    extension_status,
)
from harness import linked_extension
from test_cold_worker import WorkerSwitch

# Marks of the content script (its isolated world shares the page's performance timeline).
MARKS = """() => {
    window.__marks = [];
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__marks.push([e.name, e.startTime]);
    }).observe({entryTypes: ['mark']});
}"""

INSERT_TIMED = """(p) => {
    window.__marks = [];
    const t0 = performance.now();
    window.__insertPost(p);
    return new Promise((resolve) => requestAnimationFrame(() => resolve([t0, performance.now()])));
}"""


def click_to_site(page: Page, selector: str, post_id: str) -> float:
    """ms from the trusted pointerdown to the site's like handler for `post_id`."""
    page.evaluate("window.__bench.down = null")
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "(id) => window.__siteLog.some((e) => e.action === 'like' && e.post === id)", arg=post_id
    )
    return page.evaluate(
        """(id) => performance.timeOrigin
            + window.__siteLog.find((e) => e.action === 'like' && e.post === id).t
            - window.__bench.down""",
        post_id,
    )


def mark_after(page: Page, name: str, since: float) -> float:
    page.wait_for_function(
        "([name, since]) => window.__marks.some(([n, t]) => n === name && t >= since)",
        arg=[name, since],
    )
    return page.evaluate(
        "([name, since]) => window.__marks.find(([n, t]) => n === name && t >= since)[1]",
        [name, since],
    )


def ratio(name: str, values: list[float], floor_p95: float, target: float | None = None) -> str:
    p95 = percentile(values, 95)
    verdict = (
        ""
        if target is None
        else f"  target <= {target:g}x: {'met' if p95 <= target * floor_p95 else 'MISSED'}"
    )
    return f"{'  p95 / floor p95':<44} {p95 / floor_p95:.2f}x{verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    load = os.getloadavg()

    with sync_playwright() as pw, linked_extension(pw) as context:
        switch = WorkerSwitch(context)
        page = context.new_page()
        page.goto("https://x.com/home")
        page.wait_for_function(
            "Number(document.documentElement.dataset.netralClassified || 0) >= 1"
        )
        page.evaluate(PROBE)
        page.evaluate(MARKS)
        page.wait_for_timeout(1000)  # the top frame prepares its warning frame when idle
        insert_post(page, "w0", "Pemanasan #PrabowoGibran2024")
        click_to_warning(page, "article[data-post='w0'] [data-testid='like']")

        floor = measure_floor(context, runs)
        page.bring_to_front()

        def warning_on_new_post(tag: str, i: int) -> float:
            post = f"{tag}{i}"
            insert_post(page, post, f"Relawan {tag} bergerak, jilid {i} #PrabowoGibran2024")
            return click_to_warning(page, f"article[data-post='{post}'] [data-testid='like']")

        def allowed_on_new_post(tag: str, i: int) -> float:
            post = f"{tag}{i}"
            insert_post(page, post, f"Selamat pagi {tag} {i}, jangan lupa sarapan", "warga")
            return click_to_site(
                page, f"article[data-post='{post}'] [data-testid='like']", post
            )

        warm_warning = [warning_on_new_post("ww", i) for i in range(runs)]
        warm_allowed = [allowed_on_new_post("wa", i) for i in range(runs)]
        cold_warning, cold_allowed, budgets = [], [], []
        for i in range(runs):
            switch.stop()
            cold_warning.append(warning_on_new_post("cw", i))
            budgets.append(extension_status(context)["timings"])
            switch.stop()
            cold_allowed.append(allowed_on_new_post("ca", i))

        observed, verdict, frame = [], [], []
        for i in range(runs):
            t0, raf = page.evaluate(
                INSERT_TIMED,
                {"id": f"k{i}", "name": "Relawan", "handle": "warga", "text": f"Kabar {i}"},
            )
            frame.append(raf - t0)
            observed.append(mark_after(page, "netral:classify-sent", t0) - t0)
            verdict.append(mark_after(page, "netral:classified", t0) - t0)
            page.wait_for_timeout(50)
        context.close()

    print(f"Netral service worker and classification, {runs} runs each (Chromium {CHROMIUM})")
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(summary("floor: click -> plain <dialog> shown", floor))
    floor_p95 = percentile(floor, 95)
    for name, values, target in (
        ("new post, warm worker: click -> warning", warm_warning, 3),
        ("new post, stopped worker: click -> warning", cold_warning, 3),
        ("allowed, warm worker: click -> site", warm_allowed, None),
        ("allowed, stopped worker: click -> site", cold_allowed, None),
    ):
        print(summary(name, values))
        print(ratio(name, values, floor_p95, target))
    for key in ("loaded", "evaluated", "native", "config", "proof", "firstAnswer"):
        values = [b[key] for b in budgets if isinstance(b.get(key), (int, float))]
        if values:
            print(summary(f"cold worker: start -> {key}", values))
    print(summary("inserted -> its next animation frame", frame))
    print(summary("inserted -> observed, batch sent", observed))
    late = [o - f for o, f in zip(observed, frame, strict=True)]
    print(summary("  observed after that frame by", late))
    print(summary("inserted -> verdict known in the page", verdict))
    slower = statistics.median(verdict) / statistics.median(observed)
    print(f"{'verdict / observation (p50)':<44} {slower:.2f}x")


if __name__ == "__main__":
    main()
