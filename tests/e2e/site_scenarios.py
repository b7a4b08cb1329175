"""The stories every site's end-to-end tests tell, written once; a site module passes its own
controls (a callable that performs the user's gesture) and what its fixture logs.

- ``assert_warns_then_cancel``: the warning opens (naming what it should), cancel, the site never
  saw the action, the companion stored one ``cancelled`` acknowledgement.
- ``assert_proceeds_once``: the warning opens, proceed (and the rest of the gesture, which must not
  warn again), the site saw the action exactly once, one ``proceeded`` acknowledgement.
- ``assert_cancel_then_proceed``: the same gesture cancelled, then repeated and proceeded.
- ``assert_draft_kept_on_cancel``: a campaign draft is held at send, kept on cancel, sent once.
- ``assert_keyboard_cancel`` / ``assert_keyboard_proceeds_once``: the same by keyboard only.
- ``assert_not_held``: an ordinary action reaches the site as the user's own trusted event.
- ``assert_passes_without_warning``: an ordinary action reaches the site with no warning.
- ``classified_page(url)``: a fixture for a tab on `url` once the posts in view were classified.
- ``click_in_turn(...)`` / ``focus_and_press(...)``: gestures made of clicks or of a key press.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e_testkit import (
    Companion,
    active_warning_button,
    new_acks,
    press_warning_button,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    wait_log,
    wait_warning_armed,
    wait_warning_closed,
    wait_warning_focus,
    warning_frame,
    warning_text,
    warning_verdict,
)
from playwright.sync_api import Locator, Page

Gesture = Callable[[], object]


def classified_page(url: str):
    """A function-scoped fixture: a fresh tab on `url`, once the posts in view were classified."""

    @pytest.fixture
    def page(site_page) -> Page:
        tab = site_page(url)
        wait_classified(tab)
        return tab

    return page


def click_in_turn(*controls: Locator) -> Gesture:
    """A gesture of several clicks, e.g. a button then the item of the menu it opens."""

    def gesture() -> None:
        for control in controls:
            control.click()

    return gesture


def focus_and_press(control: Locator, key: str) -> Gesture:
    """A keyboard gesture: `key` pressed while `control` has the focus."""

    def gesture() -> None:
        control.focus()
        control.page.keyboard.press(key)

    return gesture


def _acks_before(companion: Companion | None) -> int:
    return len(companion.acknowledgements()) if companion else 0


def _assert_acks(
    companion: Companion | None,
    before: int,
    ack: tuple[str, str] | None,
    outcomes: list[str],
    entity_ids: list[str] | None = None,
) -> None:
    """The companion stored exactly these acknowledgements of (platform, action) since `before`."""
    if companion is None:
        return
    platform, action = ack
    acks = new_acks(companion, before, count=len(outcomes))
    assert [(a["platform"], a["action"], a["outcome"]) for a in acks] == [
        (platform, action, outcome) for outcome in outcomes
    ]
    if entity_ids is not None:
        assert all(a["entity_ids"] == entity_ids for a in acks)


def _assert_warning(page: Page, verdict: str, texts: tuple[str, ...]) -> str:
    assert wait_for_warning(page) == verdict
    text = warning_text(page)
    for expected in texts:
        assert expected in text
    return text


def _assert_logged_once(page: Page, log: str, expect: dict | None) -> dict:
    wait_log(page, log)
    settle(page)
    assert warning_verdict(page) is None  # no second warning for the rest of the gesture
    [entry] = site_log(page, log)
    if expect is not None:
        assert {key: entry.get(key) for key in expect} == expect
    return entry


def assert_warns_then_cancel(
    page: Page,
    gesture: Gesture,
    *,
    logs: tuple[str, ...],
    texts: tuple[str, ...] = (),
    verdict: str = "warn",
    companion: Companion | None = None,
    ack: tuple[str, str] | None = None,
    entity_ids: list[str] | None = None,
) -> str:
    """The gesture opens a `verdict` warning containing `texts`; cancel; none of `logs` reached
    the site; with `companion`, one (platform, action) = `ack` acknowledgement, cancelled.
    Returns the warning's text."""
    before = _acks_before(companion)
    gesture()
    text = _assert_warning(page, verdict, texts)
    if verdict == "block":
        assert warning_frame(page).locator("[data-netral-action='proceed']").count() == 0
    press_warning_button(page, "cancel")
    settle(page)
    for log in logs:
        assert site_log(page, log) == []
    _assert_acks(companion, before, ack, ["cancelled"], entity_ids)
    return text


def assert_proceeds_once(
    page: Page,
    gesture: Gesture,
    *,
    log: str,
    then: Gesture | None = None,
    expect: dict | None = None,
    texts: tuple[str, ...] = (),
    companion: Companion | None = None,
    ack: tuple[str, str] | None = None,
) -> dict:
    """The gesture opens a warning containing `texts`; proceed, then `then` (the rest of the
    gesture, which must not warn again); the site logged `log` exactly once (with the `expect`
    fields); with `companion`, one `ack` acknowledgement, proceeded. Returns the site's entry."""
    before = _acks_before(companion)
    gesture()
    _assert_warning(page, "warn", texts)
    press_warning_button(page, "proceed")
    if then is not None:
        then()
    entry = _assert_logged_once(page, log, expect)
    _assert_acks(companion, before, ack, ["proceeded"])
    return entry


def assert_cancel_then_proceed(
    page: Page,
    gesture: Gesture,
    *,
    log: str,
    again: Gesture | None = None,
    after_cancel: Gesture | None = None,
    expect: dict | None = None,
    texts: tuple[str, ...] = (),
    companion: Companion | None = None,
    ack: tuple[str, str] | None = None,
) -> dict:
    """The gesture warns (with `texts`); cancel drops it (then `after_cancel` checks more); the
    gesture `again` (default: the same) warns; proceed; the site logged `log` exactly once; with
    `companion`, `ack` acknowledgements cancelled then proceeded. Returns the site's entry."""
    before = _acks_before(companion)
    assert_warns_then_cancel(page, gesture, logs=(log,), texts=texts)
    if after_cancel is not None:
        after_cancel()
    (again or gesture)()
    _assert_warning(page, "warn", ())
    press_warning_button(page, "proceed")
    entry = _assert_logged_once(page, log, expect)
    _assert_acks(companion, before, ack, ["cancelled", "proceeded"])
    return entry


def assert_draft_kept_on_cancel(
    page: Page,
    box: Locator,
    draft: str,
    *,
    send: Gesture,
    log: str,
    companion: Companion,
    ack: tuple[str, str],
    resend: Gesture | None = None,
    after_cancel: Gesture | None = None,
    texts: tuple[str, ...] = (),
    value: Callable[[Locator], str] = Locator.inner_text,
) -> dict:
    """Types `draft` into `box`; `send` warns; cancel keeps the draft (`value` of the box) and
    the site got nothing; `resend` (default: `send`) warns again; proceed sends the draft once.
    Returns the site's entry."""
    box.click()
    box.type(draft)

    def draft_kept() -> None:
        assert value(box) == draft
        if after_cancel is not None:
            after_cancel()

    return assert_cancel_then_proceed(
        page,
        send,
        log=log,
        again=resend,
        after_cancel=draft_kept,
        expect={"text": draft},
        texts=texts,
        companion=companion,
        ack=ack,
    )


def assert_keyboard_cancel(
    page: Page,
    control: Locator,
    key: str,
    *,
    log: str,
    dismiss: str = "Escape",
    texts: tuple[str, ...] = (),
) -> None:
    """`key` on the focused control warns with the focus on cancel; `dismiss` (Escape, or Enter on
    that focused cancel button) closes it and the site got nothing."""
    control.focus()
    page.keyboard.press(key)
    _assert_warning(page, "warn", texts)
    wait_warning_focus(page, "cancel")
    page.keyboard.press(dismiss)
    wait_warning_closed(page)
    settle(page)
    assert site_log(page, log) == []


def assert_keyboard_proceeds_once(page: Page, control: Locator, key: str, *, log: str) -> dict:
    """`key` on the focused control warns with the focus on cancel; Tab moves it to proceed;
    Enter proceeds; the site logged `log` exactly once."""
    control.focus()
    page.keyboard.press(key)
    _assert_warning(page, "warn", ())
    wait_warning_focus(page, "cancel")
    page.keyboard.press("Tab")
    assert active_warning_button(page) == "proceed"
    wait_warning_armed(warning_frame(page))  # a proceed counts once the warning was seen a while
    page.keyboard.press("Enter")
    wait_warning_closed(page)
    return _assert_logged_once(page, log, None)


def assert_not_held(page: Page, gesture: Gesture, *, log: str | None, count: int = 1) -> list[dict]:
    """The gesture reaches the site at once (`count` entries of `log`, or of anything when None),
    as the user's own trusted events, with no warning: nothing was held."""
    gesture()
    settle(page, 50)
    assert warning_verdict(page) is None
    entries = site_log(page, log)
    assert len(entries) == count
    assert all(entry["trusted"] is True for entry in entries)
    return entries


def assert_ordinary_draft_sent_at_once(
    page: Page, box: Locator, draft: str, *, send: Gesture, log: str
) -> dict:
    """An ordinary `draft`, checked while typing, is sent with no warning and not held."""
    box.click()
    box.type(draft)
    settle(page, 400)  # the draft is checked while typing
    [entry] = assert_not_held(page, send, log=log)
    return entry


def assert_passes_without_warning(page: Page, gesture: Gesture, *, log: str) -> None:
    """The gesture reaches the site (`log`) with no warning."""
    gesture()
    wait_log(page, log)
    assert warning_verdict(page) is None
