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
  4. the stopped worker's own floor: a bare MV3 extension in a second Chromium of the same run,
     whose content script, at the pointerdown, messages its stopped worker, which fetches the
     companion's /v1/health once and answers, and which then opens a plain <dialog>: what asking a
     stopped worker anything at the click costs in this browser, before any work of ours. (Ours
     starts earlier: a new post is sent for classification in the frame after it appears, which
     wakes the worker before the click.)
Targets: the observation within one frame of the insertion; a new post's warning <= 3x the floor
with the worker running, and with it stopped no slower than the bare worker's floor (the browser's
own wake-up and one fetch; ours wakes at the post's classification, before the click).

    python bench/extension.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from click_path import (
    PROBE,
    click_to_warning,
    insert_post,
    measure_floor,
    mouse_click,
    percentile,
    summary,
)
from e2e_testkit import (
    CHROMIUM,
    extension_status,
    extension_worker,
    launch_with_extension,
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

# The stopped worker's floor: an extension with nothing in it but one message and one fetch.
BARE_ORIGIN = "https://worker-floor.example/"
BARE_FILES = {
    "manifest.json": json.dumps({
        "manifest_version": 3, "name": "bench: bare worker", "version": "1",
        "background": {"service_worker": "worker.js"},
        "content_scripts": [{"matches": [f"{BARE_ORIGIN}*"], "js": ["content.js"]}],
        "host_permissions": ["http://127.0.0.1/*"],
    }),
    "worker.js": """chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const now = () => performance.timeOrigin + performance.now();
  const times = { started: performance.timeOrigin, message: now() };
  fetch(message.url, { cache: "no-store" })
    .then((r) => r.text())
    .then(() => reply({ ...times, fetched: now() }), () => reply(times));
  return true;
});""",
    "content.js": """document.addEventListener("pointerdown", (event) => {
  if (event.target.id !== "open") return;
  chrome.runtime.sendMessage({ url: document.body.dataset.url }).then((times) => {
    Object.assign(document.body.dataset, times);
    document.getElementById("d").showModal();
    requestAnimationFrame(() => {
      document.body.dataset.shownAt = performance.timeOrigin + performance.now();
    });
  });
}, true);""",
}
BARE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bare worker</title></head>
<body data-url="{url}"><button id="open" style="margin:200px">Suka</button>
<dialog id="d"><p>Konten ini berkaitan dengan kampanye pemilu</p><button id="close">Batal</button>
</dialog><script>
  window.__bench = {{down: null}};
  addEventListener('pointerdown', (e) => {{
    __bench.down = performance.timeOrigin + e.timeStamp;
  }}, true);
  document.getElementById('close').addEventListener('click', () => d.close());
</script></body></html>"""


def measure_bare_worker(pw, companion_url: str, runs: int, parts: dict) -> list[float]:
    """ms from the trusted pointerdown to the frame that shows the bare extension's <dialog>, its
    worker stopped before each click (one warm-up click first); parts[name] gets the ms after the
    pointerdown at which the worker started, had the message, had fetched."""
    with tempfile.TemporaryDirectory(prefix="netral-bench-bare-") as tmp:
        extension = Path(tmp) / "extension"
        extension.mkdir()
        for name, text in BARE_FILES.items():
            (extension / name).write_text(text)
        context = launch_with_extension(pw, Path(tmp) / "profile", extension=extension)
        try:
            body = BARE_PAGE.format(url=f"{companion_url}/v1/health")
            context.route(f"{BARE_ORIGIN}**", lambda route: route.fulfill(
                content_type="text/html", body=body))
            switch = WorkerSwitch(context, origin="chrome-extension://")
            page = context.new_page()
            page.goto(BARE_ORIGIN)
            page.bring_to_front()

            def once() -> float:
                page.evaluate("delete document.body.dataset.shownAt")
                mouse_click(page, "#open")
                page.wait_for_function("document.body.dataset.shownAt !== undefined")
                stamps = page.evaluate("({...document.body.dataset, down: __bench.down})")
                for name in ("started", "message", "fetched"):
                    if name in stamps:
                        parts.setdefault(name, []).append(float(stamps[name]) - stamps["down"])
                mouse_click(page, "#close")
                return float(stamps["shownAt"]) - stamps["down"]

            once()
            parts.clear()
            times = []
            for _ in range(runs):
                switch.stop()
                times.append(once())
            return times
        finally:
            context.close()


def configured_url(context) -> str:
    """The companion URL the harness gave the extension."""
    return extension_worker(context).evaluate(
        "async () => (await chrome.storage.local.get('companionUrl')).companionUrl")


def click_to_site(page: Page, selector: str, post_id: str) -> float:
    """ms from the trusted pointerdown to the site's like handler for `post_id`."""
    page.evaluate("window.__bench.down = null")
    mouse_click(page, selector)
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


def ratio(values: list[float], floor_p95: float, target: float | None = None,
          label: str = "  p95 / floor p95") -> str:
    p95 = percentile(values, 95)
    verdict = (
        ""
        if target is None
        else f"  target <= {target:g}x: {'met' if p95 <= target * floor_p95 else 'MISSED'}"
    )
    return f"{label:<44} {p95 / floor_p95:.2f}x{verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    load = os.getloadavg()

    with sync_playwright() as pw, linked_extension(pw) as context:
        companion_url = configured_url(context)
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
        bare_parts: dict[str, list[float]] = {}
        bare = measure_bare_worker(pw, companion_url, runs, bare_parts)

    print(f"Netral service worker and classification, {runs} runs each (Chromium {CHROMIUM})")
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(summary("floor: click -> plain <dialog> shown", floor))
    floor_p95 = percentile(floor, 95)
    print(summary("floor: bare stopped worker, 1 fetch, <dialog>", bare))
    cells = "  ".join(f"{name} {statistics.median(v):.1f}" for name, v in bare_parts.items())
    print(f"  bare worker parts, p50 ms after pointerdown: {cells}")
    bare_p95 = percentile(bare, 95)
    for name, values, target in (
        ("new post, warm worker: click -> warning", warm_warning, 3),
        ("new post, stopped worker: click -> warning", cold_warning, None),
        ("allowed, warm worker: click -> site", warm_allowed, None),
        ("allowed, stopped worker: click -> site", cold_allowed, None),
    ):
        print(summary(name, values))
        print(ratio(values, floor_p95, target))
        if "stopped" in name:
            # Waking any stopped worker for one fetch costs many plain dialogs here: this is the
            # floor a stopped worker's figure is read against.
            print(ratio(values, bare_p95, 1, "  p95 / bare stopped worker p95"))
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
