"""What scrolling a long feed costs the tab, with the extension and without it, in one run.

On the x.com fixture, a feed grows by `--batch` posts (one in ten names a candidate) and is
scrolled through to its end (300 px a frame), `--rounds` times, with a pause between rounds as a
reader's. The figure is the tab's main-thread time over the whole scroll (CDP
`Performance.getMetrics` TaskDuration: the page's scripts, style, layout and paint, and the
content script, which runs on the same thread), next to its floor, the same scroll of the same
feed in a browser without the extension.

Issue 14 measured 19.0 s against 8.8 s for 2,000 posts before posts were unobserved once
classified (2.16x), and 10.4 s (1.18x) with it.

    python bench/scroll.py [--rounds 100] [--batch 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e_testkit import (
    CHROMIUM,
)
from harness import linked_extension, plain_x_page

GROW = """([round, batch]) => {
    for (let i = 0; i < batch; i++) {
        const n = round * batch + i;
        window.__insertPost({id: `s${n}`, name: `Warga ${n}`, handle: `warga${n}`,
            text: n % 10 === 0 ? `Kampanye hari ke-${n} #PrabowoGibran2024`
                               : `Kabar kampung nomor ${n}: kerja bakti dan panen raya`});
    }
    // Scrolled through as a reader's wheel does: 300 px a frame down to the new end.
    return new Promise((done) => {
        const step = () => {
            const end = document.documentElement.scrollHeight - innerHeight;
            if (scrollY >= end - 1) return done();
            window.scrollBy(0, Math.min(300, end - scrollY));
            requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
    });
}"""


def task_seconds(session) -> float:
    metrics = session.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def scroll_feed(page: Page, rounds: int, batch: int, pause_ms: int) -> tuple[float, float]:
    """Main-thread seconds and wall seconds of growing and scrolling the feed."""
    session = page.context.new_cdp_session(page)
    session.send("Performance.enable", {"timeDomain": "threadTicks"})
    page.wait_for_timeout(500)
    before, started = task_seconds(session), time.perf_counter()
    for round_ in range(rounds):
        page.evaluate(GROW, [round_, batch])
        page.wait_for_timeout(pause_ms)
    page.wait_for_timeout(1000)  # the last batch's classification and paint
    return task_seconds(session) - before, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--pause", type=int, default=120, help="ms between rounds")
    args = parser.parse_args()
    posts = args.rounds * args.batch

    with sync_playwright() as pw, linked_extension(pw) as context:
        page = context.new_page()
        page.goto("https://x.com/home")
        page.wait_for_function("document.documentElement.dataset.netralReady === '1'")
        with_main, with_wall = scroll_feed(page, args.rounds, args.batch, args.pause)
        classified = int(page.evaluate(
            "Number(document.documentElement.dataset.netralClassified || 0)"))
        context.close()

        with plain_x_page(pw) as floor_page:
            floor_main, floor_wall = scroll_feed(floor_page, args.rounds, args.batch, args.pause)

    load = os.getloadavg()
    print(f"Netral scrolling, {posts:,} posts in {args.rounds} rounds (Chromium {CHROMIUM})")
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'main thread, no extension (floor)':<44} {floor_main:7.2f} s"
          f"  (wall {floor_wall:.1f} s)")
    print(f"{'main thread, with the extension':<44} {with_main:7.2f} s  (wall {with_wall:.1f} s)")
    print(f"{'  with / floor':<44} {with_main / floor_main:7.2f}x  "
          "issue 14: 2.16x before unobserving, 1.18x after")
    print(f"{'  classify batches sent':<44} {classified:7,d}")


if __name__ == "__main__":
    main()
