"""A hostile page against the warning (issue 13): every trick the issue lists, and more, run from
the
page's own world on the x.com fixture, followed by the user's trusted click or key where the trick
wanted it. Each must fail: the site never sees the like, no `proceeded` is recorded, and where the
warning is dropped the companion records `interrupted`.

Attacks tried: 24: an invisible full-screen layer (and one kept re-covering the warning), a fake
Batal over proceed in the page's own popover (kept re-shown, or opened before the press, in the
page's tree or in a closed shadow root, or 5,000 made-up openings), an overlay with
pointer-events:none, a near-invisible, moved or transformed warning (page opacity, opacity filter,
page transform, host opacity, transform and display), swapped labels, focus moved before Enter
(three ways), early capture listeners swallowing clicks and Escape, three page-defined
netral-warning elements, the frame navigated or messaged by the page, proceed before the minimum
time, synthetic presses on the warning's place.
"""

from __future__ import annotations

import time

import pytest
from e2e_testkit import (
    FIXTURES,
    WARNING,
    frame_presses,
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_warning_armed,
    wait_warning_closed,
    warning_frame,
    warning_verdict,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from site_scenarios import classified_page

HOME = "https://x.com/home"
LIKE = "article[data-post='1001'] [data-testid='like']"

home = classified_page(HOME)


def button_center(page: Page, action: str) -> tuple[float, float]:
    box = warning_frame(page).locator(f"[data-netral-action='{action}']").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def open_warning(page: Page) -> dict[str, tuple[float, float]]:
    """Likes the candidate's post; the warning is up and counts a proceed; its buttons' places."""
    page.locator(LIKE).click()
    assert wait_for_warning(page) == "warn"
    wait_warning_armed(warning_frame(page))
    return {action: button_center(page, action) for action in ("cancel", "proceed")}


def end_and_outcomes(page: Page, companion, before: int) -> list[str]:
    """Escape if the warning is still up; the outcomes recorded since `before`."""
    if warning_verdict(page):
        page.keyboard.press("Escape")
        wait_warning_closed(page)
    settle(page)
    assert site_log(page, "like") == [], "the site saw the like"
    return [ack["outcome"] for ack in new_acks(companion, before)]


# A page's own button that reads "Batal", a popover placed over (x, y): `fake`.
FAKE_BATAL = """const fake = document.createElement('button');
        fake.popover = 'manual'; fake.textContent = 'Batal';
        fake.style.cssText = `position:fixed;inset:auto;left:${x - 60}px;top:${y - 22}px;
            width:120px;height:44px;margin:0;background:#1b1f24;color:#fff;border-radius:999px`;"""

# Each styles or covers the warning from the page, then the user clicks where proceed is (or the
# fake button the page drew there) 0.8 s later: past the minimum time, had the warning been visible.
COVERS = {
    "invisible full-screen layer": """() => {
        const layer = document.createElement('div');
        layer.popover = 'manual';
        layer.style.cssText = 'inset:0;width:100vw;height:100vh;opacity:0;border:0;margin:0';
        document.body.append(layer); layer.showPopover();
        setInterval(() => { layer.hidePopover(); layer.showPopover(); }, 100);
    }""",
    "fake Batal over proceed": """([x, y]) => {
        """ + FAKE_BATAL + """
        document.body.append(fake); fake.showPopover();
        setInterval(() => { fake.hidePopover(); fake.showPopover(); }, 100);
    }""",
    "overlay with pointer-events none": """() => {
        const layer = document.createElement('div');
        layer.popover = 'manual'; layer.textContent = 'Klik tombol kanan untuk membatalkan';
        layer.style.cssText = `inset:0;width:100vw;height:100vh;margin:0;pointer-events:none;
            background:rgba(255,255,255,0.02)`;
        document.body.append(layer); layer.showPopover();
        setInterval(() => { layer.hidePopover(); layer.showPopover(); }, 100);
    }""",
}


STYLES = {
    "page opacity": """() => {
        document.head.append(Object.assign(document.createElement('style'),
            {textContent: 'html { opacity: 0.02 !important }'}));
    }""",
    "page opacity filter": """() => {
        document.documentElement.style.filter = 'opacity(0.05)';
    }""",
    "page transform": """() => {
        document.documentElement.style.transform = 'scale(1.6) rotate(1deg)';
    }""",
    "host opacity and transform": """() => {
        const host = document.querySelector('netral-warning');
        host.style.cssText =
            'opacity:0.01 !important; transform: translateX(-3000px) scale(0.2) !important';
        document.head.append(Object.assign(document.createElement('style'),
            {textContent: 'netral-warning { opacity: 0.5 !important; display: none !important }'}));
    }""",
}


@pytest.mark.parametrize("attack", list(STYLES))
def test_page_styles_cannot_fade_move_or_transform_the_warning(home, companion, attack):
    """The warning sits in the top layer above the page's own effects, and the host's own styles
    win: what the user sees of it does not change by one pixel, so a proceed there is informed."""
    before = len(companion.acknowledgements())
    open_warning(home)
    box = warning_frame(home).locator("dialog").bounding_box()
    clip = {
        "x": box["x"] + 4,
        "y": box["y"] + 8,
        "width": box["width"] - 8,
        "height": box["height"] - 16,
    }
    seen = home.screenshot(clip=clip)
    home.evaluate(STYLES[attack])
    settle(home, 300)
    assert home.screenshot(clip=clip) == seen
    assert warning_frame(home).evaluate("document.body.dataset.armed") == "1"
    press_warning_button(home, "cancel")
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


@pytest.mark.parametrize("attack", list(COVERS))
def test_a_hidden_or_covered_warning_does_not_count_a_proceed(home, companion, attack):
    before = len(companion.acknowledgements())
    places = open_warning(home)
    home.evaluate(COVERS[attack], list(places["proceed"]))
    home.wait_for_timeout(800)
    home.mouse.click(*places["proceed"])
    settle(home, 300)
    outcomes = end_and_outcomes(home, companion, before)
    assert "proceeded" not in outcomes
    assert outcomes in (["cancelled"], ["interrupted"])


def test_a_warning_kept_covered_is_dropped_as_interrupted(home, companion):
    """The page re-covers the warning each time it is put back on top: after a few the action is
    dropped, recorded `interrupted`."""
    before = len(companion.acknowledgements())
    places = open_warning(home)
    home.evaluate(COVERS["invisible full-screen layer"])
    home.wait_for_function(
        f"document.querySelector('{WARNING}[data-verdict]') === null", timeout=15000
    )
    home.mouse.click(*places["proceed"])
    assert end_and_outcomes(home, companion, before) == ["interrupted"]


# A fake Batal the page opens once, where proceed will be, before the user presses: the ready
# warning waits in the top layer already, so the page's popover entered it later, above it.
BEFORE_PRESS = {
    "popover": """([x, y]) => {
        """ + FAKE_BATAL + """
        document.body.append(fake); fake.showPopover();
    }""",
    "popover in a closed shadow root": """([x, y]) => {
        const host = document.createElement('x-hint');
        """ + FAKE_BATAL + """
        host.attachShadow({mode: 'closed'}).append(fake);
        document.body.append(host); fake.showPopover();
    }""",
    # No popover at all: 5,000 made-up openings of elements that are in no top layer.
    "flood of synthetic beforetoggle events": """() => {
        for (let i = 0; i < 5000; i++) {
            const el = document.createElement('div');
            if (i % 2) document.body.append(el);
            el.dispatchEvent(new ToggleEvent('beforetoggle',
                                             {newState: 'open', oldState: 'closed'}));
        }
    }""",
}

# What is on top where proceed is, in the first frame after the warning's host took its verdict:
# a page script sees the attribute and asks for that frame.
FIRST_FRAME_HIT = """([x, y]) => {
    window.__firstHit = null;
    new MutationObserver((records, observer) => {
        observer.disconnect();
        requestAnimationFrame(() => {
            window.__firstHit = document.elementFromPoint(x, y)?.localName ?? 'none';
        });
    }).observe(document.documentElement,
               {subtree: true, attributes: true, attributeFilter: ['data-verdict']});
}"""


@pytest.mark.parametrize("attack", list(BEFORE_PRESS))
def test_a_popover_the_page_opened_before_the_press_ends_below_the_warning(
    home, companion, attack
):
    """The warning is shown above a popover the page opened before the press: at once when the
    page's popover is in the page's own tree (its beforetoggle event reached the window), and by the
    move into the modal a frame later when it is in a closed shadow root (no event leaves that).
    Either way it is then on top where proceed is, and armed; a fake there decides nothing. Made-up
    openings of elements in no top layer do not hide it (how many it keeps in mind, at most 256,
    is in the content script's world, out of a test's reach)."""
    before = len(companion.acknowledgements())
    places = open_warning(home)
    press_warning_button(home, "cancel")
    home.evaluate(BEFORE_PRESS[attack], list(places["proceed"]))
    home.evaluate(FIRST_FRAME_HIT, list(places["proceed"]))
    settle(home, 300)
    home.locator(LIKE).click()
    assert wait_for_warning(home) == "warn"
    home.wait_for_function("window.__firstHit !== null")
    first = home.evaluate("window.__firstHit")
    if attack == "popover in a closed shadow root":
        assert first == "x-hint"  # the page's host, for that first frame: the known limit
    else:
        assert first == WARNING
    wait_warning_armed(warning_frame(home))
    on_top = home.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.localName", list(places["proceed"])
    )
    assert on_top == WARNING
    press_warning_button(home, "cancel")
    assert end_and_outcomes(home, companion, before) == ["cancelled", "cancelled"]


def test_the_page_cannot_swap_the_labels(home, companion, ui):
    before = len(companion.acknowledgements())
    open_warning(home)
    tried = home.evaluate(
        """() => {
            const host = document.querySelector('netral-warning');
            host.innerHTML = '<button data-netral-action="proceed">Batal</button>';
            for (let i = 0; i < window.length; i++) {
                try { window[i].document.querySelector('button').textContent = 'Batal'; }
                catch (e) { continue; }
                return 'reached';
            }
            return host.shadowRoot === null ? 'closed' : 'open';
        }"""
    )
    assert tried == "closed"
    frame = warning_frame(home)
    assert frame.locator("[data-netral-action='cancel']").inner_text() == ui("warningCancel")
    assert frame.locator("[data-netral-action='proceed']").inner_text() == ui("warningProceed")
    press_warning_button(home, "cancel")
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


FOCUS_MOVES = {
    "frame focus": "() => { for (let i = 0; i < window.length; i++) window[i].focus(); }",
    "host blur": "() => { document.querySelector('netral-warning').blur(); window.focus(); }",
    "page element focus": """() => {
        const input = Object.assign(document.createElement('input'), {id: 'thief'});
        document.body.prepend(input); input.focus(); document.body.focus();
    }""",
}


@pytest.mark.parametrize("move", list(FOCUS_MOVES))
def test_focus_moves_then_enter_do_not_proceed_and_escape_still_cancels(home, companion, move):
    before = len(companion.acknowledgements())
    open_warning(home)
    home.evaluate(FOCUS_MOVES[move])
    settle(home)
    home.keyboard.press("Enter")
    settle(home, 300)
    assert site_log(home, "like") == []
    if warning_verdict(home):  # Enter hit Batal (the focus stayed on it) or nothing
        home.keyboard.press("Escape")
        wait_warning_closed(home)
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


def test_the_page_turns_inert_behind_the_warning_and_the_frame_keeps_its_state(home, companion):
    """The warning is first shown in a popover, then moved into a modal dialog a frame later
    (moveBefore): by then the page's own elements cannot take the focus (the page is inert), and
    the move neither reloaded the frame nor took its focus (Batal still has it, the warning is
    still rendered and armed)."""
    before = len(companion.acknowledgements())
    open_warning(home)
    frame = warning_frame(home)
    assert frame.evaluate("document.activeElement.dataset.netralAction") == "cancel"
    took = home.evaluate("""() => {
        const input = Object.assign(document.createElement('input'), {id: 'thief'});
        document.body.prepend(input);
        input.focus();
        return document.activeElement === input;
    }""")
    assert took is False
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


def test_the_page_cannot_reach_the_frame_to_navigate_or_message_it(home, companion):
    """The frame lives in a closed shadow root: window.frames does not list it, so the page can
    neither navigate it elsewhere nor post it a decision or a port."""
    before = len(companion.acknowledgements())
    open_warning(home)
    reached = home.evaluate(
        """() => {
            for (let i = 0; i < window.length; i++) {
                window[i].postMessage({what: 'decision', outcome: 'proceeded'}, '*');
                window[i].location = '/fake';
            }
            return window.length;
        }"""
    )
    assert reached == 0
    settle(home, 300)
    assert warning_verdict(home) == "warn"
    assert warning_frame(home) is not None
    press_warning_button(home, "cancel")
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


def test_only_the_users_own_presses_reach_the_warning(home, companion):
    """The warning's document counts the trusted presses it gets (tests read it to tell a click
    the browser lost from one the warning ignored): the page's synthetic pointer events and clicks
    on the host and its place reach neither that count nor a button; a person's press on the
    warning's text is counted and decides nothing; Batal then cancels."""
    before = len(companion.acknowledgements())
    places = open_warning(home)
    frame = warning_frame(home)
    assert frame_presses(frame) == 0
    home.evaluate(
        """([x, y]) => {
            const host = document.querySelector('netral-warning');
            for (const target of [host, document.elementFromPoint(x, y), document.body]) {
                for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) {
                    const init = {bubbles: true, composed: true, clientX: x, clientY: y};
                    target.dispatchEvent(new (type.startsWith('pointer') ? PointerEvent
                        : MouseEvent)(type, init));
                }
                target.click?.();
            }
        }""",
        list(places["cancel"]),
    )
    settle(home, 300)
    assert frame_presses(frame) == 0
    assert warning_verdict(home) == "warn"
    title = frame.locator("#title").bounding_box()
    home.mouse.click(title["x"] + 10, title["y"] + title["height"] / 2)
    settle(home, 300)
    assert frame_presses(frame) == 1
    assert warning_verdict(home) == "warn"
    press_warning_button(home, "cancel")
    assert end_and_outcomes(home, companion, before) == ["cancelled"]


def early_click_ignored(page: Page, frame) -> bool:
    """After a click on proceed: True once the frame noted it as too soon (data-early), False if
    it counted (the frame's buttons are disabled at a decision)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = frame.evaluate("""() => [document.body.dataset.early ?? null,
                document.querySelector("[data-netral-action='proceed']").disabled]""")
        except PlaywrightError:  # the frame went with the warning: the click counted
            return False
        if state[0]:
            return True
        if state[1]:
            return False
        time.sleep(0.02)
    raise AssertionError("the click on proceed was neither ignored nor counted")


def test_proceed_before_the_minimum_time_does_not_count(home, companion):
    """A trusted click on proceed before the warning was fully visible for 500 ms is ignored (the
    frame notes it); the same button counts once armed. The early click goes where proceed is
    (its place from a warning of the same text) as soon as the warning is up. A machine that
    stalls past the minimum time in between makes it land late, and count, as it should: then the
    try is made again on a new post (3 at most), each outcome recorded as what it was."""
    before = len(companion.acknowledgements())
    text = "Relawan bergerak serentak #PrabowoGibran2024"
    home.evaluate("(t) => window.__insertPost({id: 'early0', name: 'Relawan', handle: 'relawan', "
                  "text: t})", text)
    home.locator("article[data-post='early0'] [data-testid='like']").click()
    assert wait_for_warning(home) == "warn"
    wait_warning_armed(warning_frame(home))
    spot = button_center(home, "proceed")
    press_warning_button(home, "cancel")
    expected = ["cancelled"]
    for attempt in range(1, 4):
        post = f"early{attempt}"
        home.evaluate("([id, t]) => window.__insertPost({id, name: 'Relawan', handle: 'relawan', "
                      "text: t})", [post, text])
        home.locator(f"article[data-post='{post}'] [data-testid='like']").click()
        assert wait_for_warning(home) == "warn"
        home.mouse.click(*spot)  # at once
        frame = warning_frame(home)
        ignored = early_click_ignored(home, frame)
        expected.append("proceeded")
        if ignored:
            settle(home, 100)
            assert warning_verdict(home) == "warn"
            assert post not in [e["post"] for e in site_log(home, "like")]
            press_warning_button(home, "proceed")  # waits until it counts
        home.wait_for_function(
            "(id) => window.__siteLog.some((e) => e.action === 'like' && e.post === id)", arg=post)
        if ignored:
            break
    else:
        raise AssertionError("no click on proceed landed before the minimum time in 3 tries")
    assert [a["outcome"] for a in new_acks(companion, before, len(expected))] == expected


# ── pages whose scripts ran first (inline scripts in <head>) ────────────────────────────────────

EARLY = {
    "capture listeners swallowing clicks and Escape": """
        for (const target of [window, document]) {
          for (const type of ['click', 'pointerdown', 'pointerup', 'mousedown', 'mouseup',
                              'keydown',
                              'keyup', 'focusin']) {
            target.addEventListener(type, (e) => {
              e.stopImmediatePropagation(); e.preventDefault(); },
                                    true);
          }
        }""",
    "netral-warning defined with a throwing constructor": """
        customElements.define('netral-warning', class extends HTMLElement {
          constructor() { super(); throw new Error('no warning here'); }
        });""",
    "netral-warning defined with its own shadow root": """
        customElements.define('netral-warning', class extends HTMLElement {
          constructor() { super(); this.attachShadow({mode: 'open'}).innerHTML = '<p>nothing</p>'; }
        });""",
    "netral-warning defined to hide itself": """
        customElements.define('netral-warning', class extends HTMLElement {
          static observedAttributes = ['data-verdict'];
          connectedCallback() { this.style.display = 'none'; this.hidden = true; }
          attributeChangedCallback() { this.style.opacity = '0'; this.setAttribute('inert', ''); }
        });""",
}


@pytest.fixture
def early_page(browser):
    pages = []

    def opener(script: str) -> Page:
        html = (FIXTURES / "x" / "home.html").read_text(encoding="utf-8")
        page = open_site_with(
            browser, html.replace("<head>", f"<head><script>{script}</script>", 1)
        )
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


def open_site_with(browser, html: str) -> Page:
    """x.com/early serving `html` (the fixture with the hostile script first in <head>)."""
    page = browser.new_page()
    page.route(
        "https://x.com/early",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto("https://x.com/early")
    page.wait_for_function("document.documentElement.dataset.netralReady === '1'", timeout=10000)
    wait_classified(page)
    return page


@pytest.mark.parametrize("script", list(EARLY))
def test_scripts_that_ran_first_cannot_stop_the_warning_batal_or_escape(
    early_page, companion, script
):
    """The warning still shows, Batal (click) and Escape still cancel, and proceed still works."""
    page = early_page(EARLY[script])
    for finish in ("cancel", "escape", "proceed"):
        before = len(companion.acknowledgements())
        page.locator(LIKE).click()
        assert wait_for_warning(page) == "warn"
        if finish == "escape":
            page.keyboard.press("Escape")
            wait_warning_closed(page)
        else:
            press_warning_button(page, finish)
        settle(page)
        expected = "proceeded" if finish == "proceed" else "cancelled"
        assert [a["outcome"] for a in new_acks(companion, before)] == [expected], finish
    # The proceed reached the site once (unless the page's own listeners swallow its clicks too).
    assert len(site_log(page, "like")) == (0 if "capture" in script else 1)
